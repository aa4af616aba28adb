"""Vocabularies of Vietnamese administrative documents and TT 05/2025 code lists (STANDARDS.md §3.5, §4.3)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# TT 05/2025 typeName codes (STANDARDS.md §3.5), document type -> code.
TYPE_CODES: dict[str, str] = {
    "Nghị quyết": "01",
    "Quyết định": "02",
    "Chỉ thị": "03",
    "Quy chế": "04",
    "Quy định": "05",
    "Thông cáo": "06",
    "Thông báo": "07",
    "Hướng dẫn": "08",
    "Chương trình": "09",
    "Kế hoạch": "10",
    "Phương án": "11",
    "Đề án": "12",
    "Dự án": "13",
    "Báo cáo": "14",
    "Tờ trình": "15",
    "Giấy ủy quyền": "16",
    "Phiếu gửi": "17",
    "Phiếu chuyển": "18",
    "Phiếu báo": "19",
    "Biên bản": "20",
    "Hợp đồng": "21",
    "Công văn": "22",
    "Công điện": "23",
    "Bản ghi nhớ": "24",
    "Bản thỏa thuận": "25",
    "Giấy mời": "26",
    "Giấy giới thiệu": "27",
    "Giấy nghỉ phép": "28",
    "Thư công": "29",
    "Bản đồ": "30",
    "Bản vẽ kỹ thuật": "31",
    "Khác": "32",
}
# Types of older paper that TT 05's list lacks (NĐ 30 dropped them), and the type whose code they take: a "Thông
# tri" (before 2000) is a "Khác"
OLDER_TYPES: dict[str, str] = {"Thông tri": "Khác"}
DOCUMENT_TYPES = (*TYPE_CODES, *OLDER_TYPES)  # every type a document is read or written as


def type_code(name: str | None) -> str | None:
    """TT 05's typeName code of a document type (an older type's too: ``OLDER_TYPES``); None for no known type."""
    return TYPE_CODES.get(OLDER_TYPES.get(name or "", name or ""))


# NĐ 30/2020 Phụ lục III abbreviations (STANDARDS.md §4.3). Công văn and Thư công have none.
TYPE_ABBREVIATIONS: dict[str, str] = {
    "Nghị quyết": "NQ",
    "Quyết định": "QĐ",
    "Chỉ thị": "CT",
    "Quy chế": "QC",
    "Quy định": "QyĐ",
    "Thông cáo": "TC",
    "Thông báo": "TB",
    "Hướng dẫn": "HD",
    "Chương trình": "CTr",
    "Kế hoạch": "KH",
    "Phương án": "PA",
    "Đề án": "ĐA",
    "Dự án": "DA",
    "Báo cáo": "BC",
    "Biên bản": "BB",
    "Tờ trình": "TTr",
    "Hợp đồng": "HĐ",
    "Công điện": "CĐ",
    "Bản ghi nhớ": "BGN",
    "Bản thỏa thuận": "BTT",
    "Giấy ủy quyền": "GUQ",
    "Giấy mời": "GM",
    "Giấy giới thiệu": "GGT",
    "Giấy nghỉ phép": "GNP",
    "Phiếu gửi": "PG",
    "Phiếu chuyển": "PC",
    "Phiếu báo": "PB",
}

# NĐ 30/2020 Phụ lục III Mẫu 1.8 and 1.10: the types printed without a trích yếu (what follows the name is the body)
WITHOUT_ABSTRACT = ("Giấy giới thiệu", "Giấy nghỉ phép")

MAINTENANCE_CODES: dict[str, str] = {
    "Vĩnh viễn": "01",
    "70 năm": "02",
    "50 năm": "03",
    "30 năm": "04",
    "20 năm": "05",
    "10 năm": "06",
    "Khác": "07",
}
MODE_CODES: dict[str, str] = {"Công khai": "01", "Sử dụng có điều kiện": "02", "Mật": "03"}
LANGUAGE_CODES: dict[str, str] = {"vi": "01", "en": "02", "fr": "03", "ru": "04", "zh": "05"}
# TT 05/2025 language code list (STANDARDS.md §3.5), label -> code; LANGUAGE_CODES above maps a document's
# detected language (ISO 639-1) to the same codes.
LANGUAGE_LABELS: dict[str, str] = {
    "Tiếng Việt": "01",
    "Tiếng Anh": "02",
    "Tiếng Pháp": "03",
    "Tiếng Nga": "04",
    "Tiếng Trung": "05",
    "Việt–Anh": "06",
    "Việt–Nga": "07",
    "Việt–Pháp": "08",
    "Hán Nôm": "09",
    "Việt–Trung": "10",
    "Khác": "11",
}

AUTHORITY_PREFIXES = ("TM.", "KT.", "Q.", "TL.", "TUQ.")
URGENCY_MARKS = ("HỎA TỐC", "THƯỢNG KHẨN", "KHẨN")
SECRECY_MARKS = ("TUYỆT MẬT", "TỐI MẬT", "MẬT")
# Titles printed above a signer's name (NĐ 30/2020 ô 7); OCR often drops a tone mark on bold capitals.
SIGNER_TITLES = (
    "CHỦ TỊCH", "PHÓ CHỦ TỊCH", "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "TỔNG GIÁM ĐỐC", "PHÓ TỔNG GIÁM ĐỐC",
    "CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG", "TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "TRƯỞNG PHÒNG",
    "PHÓ TRƯỞNG PHÒNG", "CỤC TRƯỞNG", "PHÓ CỤC TRƯỞNG", "VỤ TRƯỞNG", "PHÓ VỤ TRƯỞNG", "CHI CỤC TRƯỞNG",
    "PHÓ CHI CỤC TRƯỞNG", "BỘ TRƯỞNG", "THỨ TRƯỞNG", "THỦ TƯỚNG", "PHÓ THỦ TƯỚNG", "CHÁNH THANH TRA",
    "PHÓ CHÁNH THANH TRA", "HIỆU TRƯỞNG", "PHÓ HIỆU TRƯỞNG", "VIỆN TRƯỞNG", "PHÓ VIỆN TRƯỞNG",
    "TỔNG CỤC TRƯỞNG", "PHÓ TỔNG CỤC TRƯỞNG", "TRƯỞNG ĐOÀN", "BÍ THƯ", "PHÓ BÍ THƯ", "THỦ TRƯỞNG",
    "TRƯỞNG TRUNG TÂM", "CHỦ NHIỆM", "PHÓ CHỦ NHIỆM", "TỔ TRƯỞNG", "THƯ KÝ", "CHỦ TỌA", "KẾ TOÁN TRƯỞNG",
)
# The commonest Vietnamese family names (a signer's first word): OCR changes the tone marks of names it has
# no dictionary for, and the surname is the one word whose spelling can be known in advance.
SURNAMES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
    "Dương", "Lý", "Đinh", "Đào", "Đoàn", "Lâm", "Mai", "Trịnh", "Trương", "Lưu", "Cao", "Tạ", "Hà", "Tô", "Lương",
    "Châu", "Quách", "Thái", "Tăng", "Văn", "Kiều", "Triệu", "Vương", "Lục", "Nông", "Mạc", "Lại", "La", "Hứa",
    "Khổng", "Tống", "Từ", "Thân", "Chu", "Diệp", "Giang", "Âu", "Bạch", "Quan", "Khúc", "Ninh", "Phùng", "Doãn",
)
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

# Old ("hoà", "uỷ") and new ("hòa", "ủy") tone-mark placement: map old to new.
_OLD_TONES = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Upper-case, diacritics removed, one character for one character (indices stay aligned)."""
    return "".join(map(_fold_char, nfc(text)))


@cache
def _fold_char(ch: str) -> str:
    return "D" if ch in "đĐ" else unicodedata.normalize("NFD", ch)[0].upper()


_MODERN = {variant(old): variant(new) for old, new in _OLD_TONES.items()
           for variant in (str.lower, str.upper, str.capitalize)}
# only where the pair ends the syllable, and "uy" not after "q" (whose u is no vowel): "hoàng", "hoạch", "quý" and
# "huỳnh" carry their tone on the second vowel in both placements
_OLD_TONE = re.compile(r"(?<![qQ])(?:" + "|".join(_MODERN) + r")(?!\w)")


def modern_tones(text: str) -> str:
    """NFC text with the old tone-mark placement ("Hoà", "Uỷ") moved to the modern one ("Hòa", "Ủy"); a syllable
    that goes on after the pair ("hoàng", "hoạch") or "qu" ("quý") is the same in both."""
    return _OLD_TONE.sub(lambda m: _MODERN[m.group(0)], nfc(text))


def code_for(table: dict[str, str], value: str | None, default: str) -> str:
    """The TT05 code for a label or a code given in a catalogue ("Vĩnh viễn", "01", "1"), else default."""
    if not value:
        return default
    value = modern_tones(value.strip())
    codes = set(table.values())
    if value.zfill(2) in codes and value.isdigit():
        return value.zfill(2)
    for label, code in table.items():
        if modern_tones(label).casefold() == value.casefold():
            return code
    return default


# Place names of place-date lines: provinces and centrally-run cities before and after the 2025 merger, and
# a few provincial cities that print their own name.
PLACES = (
    "An Giang", "Bà Rịa - Vũng Tàu", "Bạc Liêu", "Bắc Giang", "Bắc Kạn", "Bắc Ninh", "Bến Tre", "Bình Dương",
    "Bình Định", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Cần Thơ", "Đà Nẵng", "Đắk Lắk", "Đắk Nông",
    "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam", "Hà Nội", "Hà Tĩnh", "Hải Dương",
    "Hải Phòng", "Hậu Giang", "Hòa Bình", "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu", "Lâm Đồng",
    "Lạng Sơn", "Lào Cai", "Long An", "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Phú Yên",
    "Quảng Bình", "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh",
    "Thái Bình", "Thái Nguyên", "Thanh Hóa", "Thừa Thiên Huế", "Huế", "Tiền Giang", "Thành phố Hồ Chí Minh",
    "Hồ Chí Minh", "Trà Vinh", "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái", "Vị Thanh", "Vinh",
)
# The country and its regions, as trích yếu name them ("các tỉnh miền Trung, Tây Nguyên").
REGIONS = (
    "Việt Nam", "miền Bắc", "miền Trung", "miền Nam", "Bắc Bộ", "Trung Bộ", "Nam Bộ", "Tây Bắc", "Đông Bắc",
    "Tây Nguyên", "Đông Nam Bộ", "Tây Nam Bộ", "Bắc Trung Bộ", "Nam Trung Bộ", "Duyên hải Nam Trung Bộ",
    "Đồng bằng sông Hồng", "Đồng bằng sông Cửu Long", "Trung du và miền núi phía Bắc",
)
# Words of issuing units' names (NĐ 30/2020 ô 2) that OCR most often spoils on bold capitals.
UNIT_WORDS = (
    "ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN", "THỦ TƯỚNG CHÍNH PHỦ", "CHÍNH PHỦ", "THÀNH PHỐ", "TỈNH", "HUYỆN",
    "QUẬN", "THỊ XÃ", "XÃ", "PHƯỜNG", "BAN CHỈ ĐẠO", "SỞ", "NỘI VỤ", "VĂN PHÒNG", "BỘ", "CỤC", "TỔNG CỤC",
    # the sectors of the ministries (Bộ …) and of the provinces' departments (Sở …) and districts' offices
    # (Phòng …) named after them, as they are since 2025 and were before (1975–2025 paper), and the kinds of body
    # that issue documents beside the people's committees
    "GIÁO DỤC VÀ ĐÀO TẠO", "GIÁO DỤC", "ĐÀO TẠO", "TÀI CHÍNH", "TƯ PHÁP", "Y TẾ", "XÂY DỰNG", "CÔNG THƯƠNG",
    "THƯƠNG MẠI", "CÔNG NGHIỆP", "NGOẠI GIAO", "QUỐC PHÒNG", "CÔNG AN", "KẾ HOẠCH VÀ ĐẦU TƯ",
    "LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "LAO ĐỘNG, THƯƠNG BINH VÀ XÃ HỘI", "GIAO THÔNG VẬN TẢI",
    "TÀI NGUYÊN VÀ MÔI TRƯỜNG", "NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN", "NÔNG NGHIỆP VÀ MÔI TRƯỜNG",
    "THÔNG TIN VÀ TRUYỀN THÔNG", "VĂN HÓA, THỂ THAO VÀ DU LỊCH", "VĂN HÓA - THÔNG TIN", "KHOA HỌC VÀ CÔNG NGHỆ",
    "DÂN TỘC VÀ TÔN GIÁO", "DÂN TỘC", "TÔN GIÁO", "THỦY SẢN", "THANH TRA", "NGÂN HÀNG NHÀ NƯỚC", "KHO BẠC NHÀ NƯỚC",
    "TRƯỜNG ĐẠI HỌC", "ĐẠI HỌC", "HỌC VIỆN", "CAO ĐẲNG", "KỸ THUẬT", "CÔNG NGHỆ", "KINH TẾ", "SƯ PHẠM",
    "BỆNH VIỆN", "TRUNG TÂM", "CHI CỤC", "BAN QUẢN LÝ", "TÒA ÁN NHÂN DÂN", "VIỆN KIỂM SÁT NHÂN DÂN",
    "MẶT TRẬN TỔ QUỐC", "LIÊN ĐOÀN LAO ĐỘNG", "HỘI LIÊN HIỆP PHỤ NỮ", "ĐẢNG ỦY",
)
