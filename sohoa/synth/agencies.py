"""The issuing agencies the generator draws from, and the document types each of them issues."""

from __future__ import annotations

from dataclasses import dataclass

DOCUMENT_TYPES: tuple[str, ...] = (
    "Quyết định", "Công văn", "Thông báo", "Báo cáo", "Tờ trình", "Kế hoạch", "Chỉ thị", "Nghị quyết", "Giấy mời",
)

CATALOGUE_COLUMNS: tuple[str, ...] = (
    "Mã hồ sơ", "Tiêu đề hồ sơ", "Phông", "Năm", "Thời hạn bảo quản", "Chế độ sử dụng", "Ghi chú kho",
)

_GOVERNMENT_TYPES = ("Quyết định", "Công văn", "Thông báo", "Báo cáo", "Tờ trình", "Kế hoạch", "Chỉ thị", "Giấy mời")
_DEPARTMENT_TYPES = ("Quyết định", "Công văn", "Thông báo", "Báo cáo", "Tờ trình", "Kế hoạch", "Giấy mời")
_COUNCIL_TYPES = ("Nghị quyết", "Công văn", "Thông báo", "Báo cáo", "Kế hoạch", "Giấy mời")


@dataclass(frozen=True)
class Agency:
    """An issuing agency as printed in the header (ô 2) and what the body text needs to know about it."""

    key: str
    parent: str | None  # chủ quản line, upper-case regular
    lines: tuple[str, ...]  # issuing agency, upper-case bold, as printed line by line
    abbr: str  # abbreviation used in the ký hiệu, e.g. "UBND", "SNV"
    place: str  # địa danh of the date line
    name: str  # sentence-case full name used in running text
    organ_id: str  # mã định danh used for dossier codes
    kind: str  # "government" (collective UBND), "council" (HĐND) or "head" (one-head body)
    head: str  # head's title, upper-case
    deputy: str  # deputy's title, upper-case
    units: tuple[str, ...]  # units / fields used after the agency abbreviation of a công văn and in "Lưu:"
    types: tuple[str, ...]
    superior: str  # addressee of tờ trình / báo cáo sent upward
    addressees: tuple[str, ...]  # addressees of công văn, giấy mời
    proposer: str  # who proposes decisions ("Theo đề nghị của ...")
    office: str  # who executes decisions besides the addressees ("Chánh Văn phòng ...")
    fond: str  # phông code in the catalogue
    collective: str | None = None  # collective body named after "TM."
    seal: str = ""  # text around the seal
    # used by the wide variety only (sohoa.synth.wide)
    years: tuple[int, int] = (2015, 2025)  # years in which the body issued documents under this name
    quirks: tuple[str, ...] = ()  # symbol habits: "bare" (công văn: abbreviation only), "dots", "three-part"
    academic: tuple[str, ...] = ()  # academic prefixes printed before signers' names (education, health)


AGENCIES: tuple[Agency, ...] = (
    Agency(
        key="snv-quang-ngai", parent="UBND TỈNH QUẢNG NGÃI", lines=("SỞ NỘI VỤ",), abbr="SNV",
        place="Quảng Ngãi", name="Sở Nội vụ tỉnh Quảng Ngãi", organ_id="H55.09", kind="head",
        head="GIÁM ĐỐC", deputy="PHÓ GIÁM ĐỐC", units=("VP", "TCBC", "CCHC", "VTLT", "XDCQ"),
        types=_DEPARTMENT_TYPES, superior="Ủy ban nhân dân tỉnh Quảng Ngãi",
        addressees=("Các sở, ban, ngành tỉnh", "Ủy ban nhân dân các huyện, thị xã, thành phố",
                    "Các phòng, đơn vị thuộc Sở"),
        proposer="Chánh Văn phòng Sở", office="Chánh Văn phòng Sở, Trưởng các phòng chuyên môn thuộc Sở",
        fond="P_SNV_QNG", seal="SỞ NỘI VỤ * TỈNH QUẢNG NGÃI",
    ),
    Agency(
        key="ubnd-hau-giang", parent=None, lines=("ỦY BAN NHÂN DÂN", "TỈNH HẬU GIANG"), abbr="UBND",
        place="Hậu Giang", name="Ủy ban nhân dân tỉnh Hậu Giang", organ_id="H30", kind="government",
        head="CHỦ TỊCH", deputy="PHÓ CHỦ TỊCH", units=("VX", "KT", "NC", "TH"), types=_GOVERNMENT_TYPES,
        superior="Hội đồng nhân dân tỉnh Hậu Giang",
        addressees=("Các sở, ban, ngành tỉnh", "Ủy ban nhân dân các huyện, thị xã, thành phố", "Sở Nội vụ",
                    "Sở Tài chính"),
        proposer="Giám đốc Sở Nội vụ", office="Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc Sở Nội vụ",
        fond="P_UBND_HG", collective="ỦY BAN NHÂN DÂN", seal="ỦY BAN NHÂN DÂN * TỈNH HẬU GIANG",
    ),
    Agency(
        key="ubnd-vi-thanh", parent=None, lines=("ỦY BAN NHÂN DÂN", "THÀNH PHỐ VỊ THANH"), abbr="UBND",
        place="Vị Thanh", name="Ủy ban nhân dân thành phố Vị Thanh", organ_id="H30.31", kind="government",
        head="CHỦ TỊCH", deputy="PHÓ CHỦ TỊCH", units=("VX", "KT", "NC"), types=_GOVERNMENT_TYPES,
        superior="Ủy ban nhân dân tỉnh Hậu Giang",
        addressees=("Các phòng, ban chuyên môn thuộc thành phố", "Ủy ban nhân dân các phường, xã"),
        proposer="Trưởng phòng Nội vụ thành phố",
        office="Chánh Văn phòng Hội đồng nhân dân và Ủy ban nhân dân thành phố, Trưởng phòng Nội vụ",
        fond="P_UBND_VT", collective="ỦY BAN NHÂN DÂN", seal="ỦY BAN NHÂN DÂN * THÀNH PHỐ VỊ THANH",
    ),
    Agency(
        key="cuc-vtltnn", parent="BỘ NỘI VỤ", lines=("CỤC VĂN THƯ VÀ LƯU TRỮ", "NHÀ NƯỚC"), abbr="VTLTNN",
        place="Hà Nội", name="Cục Văn thư và Lưu trữ nhà nước", organ_id="G09.13", kind="head",
        head="CỤC TRƯỞNG", deputy="PHÓ CỤC TRƯỞNG", units=("VP", "NVTW", "NVĐP", "TTr"), types=_DEPARTMENT_TYPES,
        superior="Bộ Nội vụ",
        addressees=("Sở Nội vụ các tỉnh, thành phố trực thuộc Trung ương",
                    "Văn phòng các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ"),
        proposer="Chánh Văn phòng Cục", office="Chánh Văn phòng Cục, Thủ trưởng các đơn vị thuộc Cục",
        fond="P_VTLTNN", seal="CỤC VĂN THƯ VÀ LƯU TRỮ NHÀ NƯỚC * BỘ NỘI VỤ",
    ),
    Agency(
        key="bo-noi-vu", parent=None, lines=("BỘ NỘI VỤ",), abbr="BNV", place="Hà Nội", name="Bộ Nội vụ",
        organ_id="G09", kind="head", head="BỘ TRƯỞNG", deputy="THỨ TRƯỞNG", units=("VP", "CCHC", "TCBC", "CQĐP"),
        types=_GOVERNMENT_TYPES, superior="Thủ tướng Chính phủ",
        addressees=("Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ",
                    "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương"),
        proposer="Vụ trưởng Vụ Tổ chức cán bộ", office="Chánh Văn phòng Bộ, Vụ trưởng Vụ Tổ chức cán bộ",
        fond="P_BNV", seal="BỘ NỘI VỤ * CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    ),
    Agency(
        key="stc-hcm", parent="UBND TP. HỒ CHÍ MINH", lines=("SỞ TÀI CHÍNH",), abbr="STC",
        place="Thành phố Hồ Chí Minh", name="Sở Tài chính Thành phố Hồ Chí Minh", organ_id="H29.07", kind="head",
        head="GIÁM ĐỐC", deputy="PHÓ GIÁM ĐỐC", units=("NS", "HCSN", "QLG", "VP"), types=_DEPARTMENT_TYPES,
        superior="Ủy ban nhân dân Thành phố Hồ Chí Minh",
        addressees=("Các sở, ban, ngành thành phố", "Ủy ban nhân dân thành phố Thủ Đức và các quận, huyện"),
        proposer="Trưởng phòng Quản lý ngân sách", office="Chánh Văn phòng Sở, Trưởng các phòng thuộc Sở",
        fond="P_STC_HCM", seal="SỞ TÀI CHÍNH * THÀNH PHỐ HỒ CHÍ MINH",
    ),
    Agency(
        key="hdnd-quang-ninh", parent=None, lines=("HỘI ĐỒNG NHÂN DÂN", "TỈNH QUẢNG NINH"), abbr="HĐND",
        place="Quảng Ninh", name="Hội đồng nhân dân tỉnh Quảng Ninh", organ_id="K49", kind="council",
        head="CHỦ TỊCH", deputy="PHÓ CHỦ TỊCH", units=("VP", "KTNS", "VHXH"), types=_COUNCIL_TYPES,
        superior="Thường trực Tỉnh ủy Quảng Ninh",
        addressees=("Các Ban của Hội đồng nhân dân tỉnh", "Ủy ban nhân dân tỉnh Quảng Ninh",
                    "Các Tổ đại biểu Hội đồng nhân dân tỉnh"),
        proposer="Ủy ban nhân dân tỉnh", office="Thường trực Hội đồng nhân dân, Ủy ban nhân dân tỉnh",
        fond="P_HDND_QN", collective="HỘI ĐỒNG NHÂN DÂN", seal="HỘI ĐỒNG NHÂN DÂN * TỈNH QUẢNG NINH",
    ),
    Agency(
        key="ubnd-ha-long", parent=None, lines=("ỦY BAN NHÂN DÂN", "THÀNH PHỐ HẠ LONG"), abbr="UBND",
        place="Hạ Long", name="Ủy ban nhân dân thành phố Hạ Long", organ_id="H49.64", kind="government",
        head="CHỦ TỊCH", deputy="PHÓ CHỦ TỊCH", units=("VX", "KT", "QLĐT"), types=_GOVERNMENT_TYPES,
        superior="Ủy ban nhân dân tỉnh Quảng Ninh",
        addressees=("Các phòng, ban, đơn vị thuộc thành phố", "Ủy ban nhân dân các phường, xã"),
        proposer="Trưởng phòng Nội vụ thành phố",
        office="Chánh Văn phòng Hội đồng nhân dân và Ủy ban nhân dân thành phố, Trưởng phòng Nội vụ",
        fond="P_UBND_HL", collective="ỦY BAN NHÂN DÂN", seal="ỦY BAN NHÂN DÂN * THÀNH PHỐ HẠ LONG",
    ),
    Agency(
        key="sgddt-dak-lak", parent="UBND TỈNH ĐẮK LẮK", lines=("SỞ GIÁO DỤC VÀ ĐÀO TẠO",), abbr="SGDĐT",
        place="Đắk Lắk", name="Sở Giáo dục và Đào tạo tỉnh Đắk Lắk", organ_id="H24.11", kind="head",
        head="GIÁM ĐỐC", deputy="PHÓ GIÁM ĐỐC", units=("VP", "TCCB", "GDTrH", "KTKĐ"), types=_DEPARTMENT_TYPES,
        superior="Ủy ban nhân dân tỉnh Đắk Lắk",
        addressees=("Phòng Giáo dục và Đào tạo các huyện, thị xã, thành phố", "Các trường trung học phổ thông"),
        proposer="Trưởng phòng Tổ chức cán bộ", office="Chánh Văn phòng Sở, Trưởng các phòng thuộc Sở",
        fond="P_SGDDT_DL", seal="SỞ GIÁO DỤC VÀ ĐÀO TẠO * TỈNH ĐẮK LẮK",
    ),
    Agency(
        key="tong-cuc-thue", parent="BỘ TÀI CHÍNH", lines=("TỔNG CỤC THUẾ",), abbr="TCT", place="Hà Nội",
        name="Tổng cục Thuế", organ_id="G12.21", kind="head", head="TỔNG CỤC TRƯỞNG",
        deputy="PHÓ TỔNG CỤC TRƯỞNG", units=("KK", "CS", "VP", "TTHT"), types=_DEPARTMENT_TYPES,
        superior="Bộ Tài chính",
        addressees=("Cục Thuế các tỉnh, thành phố trực thuộc Trung ương", "Các Vụ, đơn vị thuộc Tổng cục"),
        proposer="Vụ trưởng Vụ Tổ chức cán bộ", office="Chánh Văn phòng Tổng cục, Cục trưởng Cục Thuế các tỉnh",
        fond="P_TCT", seal="TỔNG CỤC THUẾ * BỘ TÀI CHÍNH",
    ),
)

