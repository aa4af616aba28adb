"""Issuers of the wide variety: bodies of 1975–2025 with two-line names, parents, long place names, old
tone-mark spellings (UỶ, HOÁ), universities and hospitals with their own symbol habits.

Years are when a body issued documents under the name printed (provinces split and merged: Hậu Giang
1976–1991 had its seat in Cần Thơ, Hà Tây was merged into Hà Nội in 2008; local bodies end in 2024, before
the reorganization of July 2025). The agencies of
``sohoa.synth.agencies`` take part too, over the years they existed under their present names.
"""

from __future__ import annotations

from dataclasses import replace

from sohoa.synth.agencies import AGENCIES, Agency

# what each kind of body issues in the wide variety (NĐ 30/2020 Điều 7; "Thông tri" only before 2000)
GOVERNMENT_TYPES = ("Quyết định", "Công văn", "Thông báo", "Báo cáo", "Tờ trình", "Kế hoạch", "Chỉ thị", "Giấy mời",
                    "Công điện", "Hướng dẫn", "Chương trình", "Phương án", "Đề án", "Biên bản", "Giấy giới thiệu",
                    "Giấy ủy quyền")
DEPARTMENT_TYPES = ("Quyết định", "Công văn", "Thông báo", "Báo cáo", "Tờ trình", "Kế hoạch", "Giấy mời",
                    "Hướng dẫn", "Chương trình", "Phương án", "Biên bản", "Giấy giới thiệu", "Giấy nghỉ phép",
                    "Phiếu chuyển")
COUNCIL_TYPES = ("Nghị quyết", "Công văn", "Thông báo", "Báo cáo", "Kế hoạch", "Giấy mời", "Biên bản",
                 "Chương trình")
OLD_GOVERNMENT_TYPES = ("Quyết định", "Công văn", "Thông báo", "Báo cáo", "Tờ trình", "Kế hoạch", "Chỉ thị",
                        "Thông tri", "Công điện", "Biên bản", "Giấy giới thiệu")
OLD_DEPARTMENT_TYPES = ("Quyết định", "Công văn", "Thông báo", "Báo cáo", "Tờ trình", "Kế hoạch", "Hướng dẫn",
                        "Biên bản", "Giấy giới thiệu", "Giấy nghỉ phép")

_YEARS = {  # the generator's own agencies, over the years they existed under their present names
    "snv-quang-ngai": (2008, 2025), "ubnd-hau-giang": (2004, 2024), "ubnd-vi-thanh": (2004, 2024),
    "cuc-vtltnn": (2004, 2025), "bo-noi-vu": (2003, 2025), "stc-hcm": (2005, 2025), "hdnd-quang-ninh": (2005, 2025),
    "ubnd-ha-long": (1994, 2024), "sgddt-dak-lak": (2004, 2025), "tong-cuc-thue": (2005, 2024),
}
_TYPES = {"government": GOVERNMENT_TYPES, "council": COUNCIL_TYPES, "head": DEPARTMENT_TYPES}


def _agency(**kw: object) -> Agency:
    defaults: dict[str, object] = {
        "parent": None, "kind": "head", "head": "GIÁM ĐỐC", "deputy": "PHÓ GIÁM ĐỐC", "types": DEPARTMENT_TYPES,
        "proposer": "Chánh Văn phòng", "office": "Chánh Văn phòng, Thủ trưởng các đơn vị có liên quan",
    }
    return Agency(**{**defaults, **kw})  # type: ignore[arg-type]


NEW_AGENCIES: tuple[Agency, ...] = (
    _agency(key="ubnd-hau-giang-1976", lines=("UỶ BAN NHÂN DÂN", "TỈNH HẬU GIANG"), abbr="UB", place="Cần Thơ",
            name="Uỷ ban nhân dân tỉnh Hậu Giang", organ_id="H30.90", kind="government", head="CHỦ TỊCH",
            deputy="PHÓ CHỦ TỊCH", units=("VX", "NC", "KT", "NN"), types=OLD_GOVERNMENT_TYPES,
            superior="Hội đồng Bộ trưởng", addressees=("Các sở, ban, ngành tỉnh", "Uỷ ban nhân dân các huyện, thị xã"),
            proposer="Chánh Văn phòng Uỷ ban nhân dân tỉnh", office="Chánh Văn phòng Uỷ ban nhân dân tỉnh",
            fond="P_UBND_HG_1976", collective="UỶ BAN NHÂN DÂN", seal="UỶ BAN NHÂN DÂN * TỈNH HẬU GIANG",
            years=(1976, 1991)),
    _agency(key="ubnd-can-tho-1992", lines=("UỶ BAN NHÂN DÂN", "TỈNH CẦN THƠ"), abbr="UB", place="Cần Thơ",
            name="Uỷ ban nhân dân tỉnh Cần Thơ", organ_id="H31.90", kind="government", head="CHỦ TỊCH",
            deputy="PHÓ CHỦ TỊCH", units=("VX", "NC", "KT", "XDCB"), types=OLD_GOVERNMENT_TYPES,
            superior="Chính phủ", addressees=("Các sở, ban, ngành tỉnh", "Uỷ ban nhân dân các huyện, thành phố Cần Thơ"),
            proposer="Giám đốc Sở Tài chính - Vật giá", office="Chánh Văn phòng Uỷ ban nhân dân tỉnh",
            fond="P_UBND_CT_1992", collective="UỶ BAN NHÂN DÂN", seal="UỶ BAN NHÂN DÂN * TỈNH CẦN THƠ",
            years=(1992, 2003)),
    _agency(key="svhtt-can-tho", parent="UBND TỈNH CẦN THƠ", lines=("SỞ VĂN HOÁ - THÔNG TIN",), abbr="VHTT",
            place="Cần Thơ", name="Sở Văn hoá - Thông tin tỉnh Cần Thơ", organ_id="H31.91", units=("VP", "NV", "TC"),
            types=OLD_DEPARTMENT_TYPES, superior="Uỷ ban nhân dân tỉnh Cần Thơ",
            addressees=("Phòng Văn hoá - Thông tin các huyện, thành phố", "Các đơn vị trực thuộc Sở"),
            fond="P_SVHTT_CT", seal="SỞ VĂN HOÁ - THÔNG TIN * TỈNH CẦN THƠ", years=(1992, 2003)),
    _agency(key="bo-vhtt", lines=("BỘ VĂN HOÁ - THÔNG TIN",), abbr="VHTT", place="Hà Nội",
            name="Bộ Văn hoá - Thông tin", organ_id="G18.90", head="BỘ TRƯỞNG", deputy="THỨ TRƯỞNG",
            units=("VP", "TCCB", "KHTC", "PC"), types=OLD_DEPARTMENT_TYPES, superior="Thủ tướng Chính phủ",
            addressees=("Sở Văn hoá - Thông tin các tỉnh, thành phố trực thuộc Trung ương",
                        "Các đơn vị trực thuộc Bộ"),
            proposer="Vụ trưởng Vụ Tổ chức cán bộ", fond="P_BVHTT", seal="BỘ VĂN HOÁ - THÔNG TIN", years=(1990, 2007)),
    _agency(key="ubnd-ha-tay", lines=("UỶ BAN NHÂN DÂN", "TỈNH HÀ TÂY"), abbr="UB", place="Hà Đông",
            name="Uỷ ban nhân dân tỉnh Hà Tây", organ_id="H28.90", kind="government", head="CHỦ TỊCH",
            deputy="PHÓ CHỦ TỊCH", units=("VX", "NN", "KT", "NC"), types=OLD_GOVERNMENT_TYPES, superior="Chính phủ",
            addressees=("Các sở, ban, ngành tỉnh", "Uỷ ban nhân dân các huyện, thị xã"),
            office="Chánh Văn phòng Uỷ ban nhân dân tỉnh", fond="P_UBND_HT", collective="UỶ BAN NHÂN DÂN",
            seal="UỶ BAN NHÂN DÂN * TỈNH HÀ TÂY", years=(1991, 2008)),
    _agency(key="bo-ldtbxh", lines=("BỘ LAO ĐỘNG - THƯƠNG BINH", "VÀ XÃ HỘI"), abbr="LĐTBXH", place="Hà Nội",
            name="Bộ Lao động - Thương binh và Xã hội", organ_id="G14", head="BỘ TRƯỞNG", deputy="THỨ TRƯỞNG",
            units=("VP", "TCCB", "BTXH", "LĐVL"), superior="Thủ tướng Chính phủ",
            addressees=("Sở Lao động - Thương binh và Xã hội các tỉnh, thành phố trực thuộc Trung ương",),
            proposer="Vụ trưởng Vụ Tổ chức cán bộ", fond="P_BLDTBXH",
            seal="BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", years=(1990, 2024)),
    _agency(key="dhsp-hue", parent="ĐẠI HỌC HUẾ", lines=("TRƯỜNG ĐẠI HỌC SƯ PHẠM",), abbr="ĐHSP",
            place="Thừa Thiên Huế", name="Trường Đại học Sư phạm, Đại học Huế", organ_id="G22.43.05",
            head="HIỆU TRƯỞNG", deputy="PHÓ HIỆU TRƯỞNG", units=("ĐT", "TC", "CTSV", "KHCN", "HCTH"),
            superior="Giám đốc Đại học Huế", addressees=("Các khoa, phòng, trung tâm thuộc Trường",
                                                          "Sinh viên các lớp chính quy"),
            proposer="Trưởng phòng Tổ chức - Hành chính", fond="P_DHSP_HUE",
            seal="TRƯỜNG ĐẠI HỌC SƯ PHẠM * ĐẠI HỌC HUẾ", years=(1995, 2025), quirks=("bare", "dots", "three-part"),
            academic=("TS.", "PGS.TS.", "ThS.", "GS.TS.")),
    _agency(key="phong-tnmt-chau-thanh", parent="UBND HUYỆN CHÂU THÀNH", lines=("PHÒNG TÀI NGUYÊN VÀ", "MÔI TRƯỜNG"),
            abbr="TNMT", place="Châu Thành", name="Phòng Tài nguyên và Môi trường huyện Châu Thành",
            organ_id="H30.35.12", head="TRƯỞNG PHÒNG", deputy="PHÓ TRƯỞNG PHÒNG", units=("ĐĐ", "MT", "HC"),
            superior="Uỷ ban nhân dân huyện Châu Thành", addressees=("Uỷ ban nhân dân các xã, thị trấn",),
            fond="P_TNMT_CT", seal="PHÒNG TÀI NGUYÊN VÀ MÔI TRƯỜNG * HUYỆN CHÂU THÀNH", years=(2005, 2024)),
    _agency(key="sldtbxh-long-an", parent="UBND TỈNH LONG AN", lines=("SỞ LAO ĐỘNG - THƯƠNG BINH", "VÀ XÃ HỘI"),
            abbr="SLĐTBXH", place="Long An", name="Sở Lao động - Thương binh và Xã hội tỉnh Long An",
            organ_id="H37.14", units=("VP", "LĐVL", "BTXH", "NCC"), superior="Ủy ban nhân dân tỉnh Long An",
            addressees=("Phòng Lao động - Thương binh và Xã hội các huyện, thị xã, thành phố",),
            fond="P_SLDTBXH_LA", seal="SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI * TỈNH LONG AN", years=(1992, 2024)),
    _agency(key="cuc-dsvh", parent="BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH", lines=("CỤC DI SẢN VĂN HÓA",), abbr="DSVH",
            place="Hà Nội", name="Cục Di sản văn hóa", organ_id="G18.05", head="CỤC TRƯỞNG", deputy="PHÓ CỤC TRƯỞNG",
            units=("VP", "QLDT", "DTBT"), superior="Bộ Văn hóa, Thể thao và Du lịch",
            addressees=("Sở Văn hóa, Thể thao và Du lịch các tỉnh, thành phố trực thuộc Trung ương",
                        "Các bảo tàng trực thuộc Bộ"),
            fond="P_CDSVH", seal="CỤC DI SẢN VĂN HÓA * BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH", years=(2008, 2025)),
    _agency(key="sqhkt-hcm", parent="ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH", lines=("SỞ QUY HOẠCH - KIẾN TRÚC",),
            abbr="SQHKT", place="Thành phố Hồ Chí Minh", name="Sở Quy hoạch - Kiến trúc Thành phố Hồ Chí Minh",
            organ_id="H29.21", units=("VP", "QHKV", "HTKT"), superior="Ủy ban nhân dân Thành phố Hồ Chí Minh",
            addressees=("Ủy ban nhân dân thành phố Thủ Đức và các quận, huyện",), fond="P_SQHKT_HCM",
            seal="SỞ QUY HOẠCH - KIẾN TRÚC * THÀNH PHỐ HỒ CHÍ MINH", years=(2003, 2025)),
    _agency(key="ubnd-phan-rang", lines=("ỦY BAN NHÂN DÂN", "THÀNH PHỐ PHAN RANG - THÁP CHÀM"), abbr="UBND",
            place="Phan Rang - Tháp Chàm", name="Ủy ban nhân dân thành phố Phan Rang - Tháp Chàm", organ_id="H45.01",
            kind="government", head="CHỦ TỊCH", deputy="PHÓ CHỦ TỊCH", units=("VX", "KT", "NC", "QLĐT"),
            types=GOVERNMENT_TYPES, superior="Ủy ban nhân dân tỉnh Ninh Thuận",
            addressees=("Các phòng, ban, đơn vị thuộc thành phố", "Ủy ban nhân dân các phường, xã"),
            office="Chánh Văn phòng Hội đồng nhân dân và Ủy ban nhân dân thành phố", fond="P_UBND_PRTC",
            collective="ỦY BAN NHÂN DÂN", seal="ỦY BAN NHÂN DÂN * THÀNH PHỐ PHAN RANG - THÁP CHÀM", years=(2007, 2024)),
    _agency(key="bvdk-binh-dinh", parent="SỞ Y TẾ BÌNH ĐỊNH", lines=("BỆNH VIỆN ĐA KHOA TỈNH",), abbr="BVĐK",
            place="Bình Định", name="Bệnh viện Đa khoa tỉnh Bình Định", organ_id="H08.17.01", units=("TCCB", "KHTH", "ĐD"),
            superior="Sở Y tế Bình Định", addressees=("Các khoa, phòng thuộc Bệnh viện",), fond="P_BVDK_BD",
            seal="BỆNH VIỆN ĐA KHOA TỈNH * BÌNH ĐỊNH", years=(2000, 2024), quirks=("bare",),
            academic=("BS.CKII", "TS.BS.", "ThS.BS.")),
    _agency(key="ubnd-xa-tan-phu", lines=("ỦY BAN NHÂN DÂN", "XÃ TÂN PHÚ"), abbr="UBND", place="Tân Phú",
            name="Ủy ban nhân dân xã Tân Phú", organ_id="H40.05.07", kind="government", head="CHỦ TỊCH",
            deputy="PHÓ CHỦ TỊCH", units=("VP", "ĐC", "VHXH"), types=GOVERNMENT_TYPES,
            superior="Ủy ban nhân dân huyện Đồng Phú", addressees=("Các ấp trên địa bàn xã", "Các ngành, đoàn thể xã"),
            office="Văn phòng - Thống kê xã", fond="P_UBND_TP", collective="ỦY BAN NHÂN DÂN",
            seal="ỦY BAN NHÂN DÂN * XÃ TÂN PHÚ", years=(2000, 2024)),
)

WIDE_AGENCIES: tuple[Agency, ...] = tuple(
    replace(a, years=_YEARS.get(a.key, a.years), types=tuple(dict.fromkeys(a.types + _TYPES[a.kind])))
    for a in AGENCIES) + NEW_AGENCIES


def agency_by_key(key: str) -> Agency | None:
    for agency in (*AGENCIES, *NEW_AGENCIES):
        if agency.key == key:
            return agency
    return None
