"""Names snapped to the vocabularies of kept packages (administrative units, given names), only when one fits."""

from __future__ import annotations

import pytest

from sohoa.extract import extract_document
from sohoa.extract.names import communes, districts, marks_lost, provinces, snap_place, snap_units, vocabulary
from sohoa.extract.second import Second
from sohoa.extract.signer import NO_NAME, person_name
from tests.test_extract import HEADER, SIGNER, line, page


def test_vocabularies_hold_the_units_before_and_after_2025() -> None:
    assert {"Hải Dương", "Quảng Ngãi", "Lâm Đồng", "Hà Giang"} <= provinces()  # merged away in 2025
    assert {"Hà Nội", "Cần Thơ", "Huế"} <= provinces() and 63 <= len(provinces()) <= 70
    assert "Vị Thanh" in districts() and len(districts()) > 600
    assert "Trung An" in communes() and len(communes()) > 7_000  # distinct names of some 13,000 units
    assert "Anh Tuấn" in vocabulary("given") and "Tuấn" in vocabulary("syllable")


@pytest.mark.parametrize(("read", "snapped", "how"), [
    ("ỦY BAN NHÂN DÂN TỈNH HẢÁI DƯƠNG", "ỦY BAN NHÂN DÂN TỈNH HẢI DƯƠNG", 2),  # a letter OCR doubled
    ("UBND TỈNH LAÁM ĐÔNG", "UBND TỈNH LÂM ĐỒNG", 2),
    ("BỘ CHỈ HUY QUÂN SỰ TỈNH QUẢNG NGÁI", "BỘ CHỈ HUY QUÂN SỰ TỈNH QUẢNG NGÃI", 1),  # "QUÂN SỰ" is no district
    ("SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", 0),  # nor "XÃ HỘI" a commune
    ("ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ", "ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ", 0),
    ("UBND TỈNH QUẢNG XYZ", "UBND TỈNH QUẢNG XYZ", None),  # no province reads so: kept, and said
])
def test_unit_names_in_an_issuing_body(read: str, snapped: str, how: int | None) -> None:
    assert snap_units(read) == (snapped, how)


def test_place_names_of_a_place_date_line() -> None:
    assert snap_place("Hà Nôi") == ("Hà Nội", 1)
    assert snap_place("LAÁM ĐÔNG") == ("Lâm Đồng", 2)
    assert snap_place("Cần Thơ") == ("Cần Thơ", 0)
    assert snap_place("gỗtenthoT") == (None, None)


def test_given_names_put_right_only_where_ocr_slips() -> None:
    assert person_name("Nguyễn Anh Tuần") == ("Nguyễn Anh Tuấn", 0.95)  # a tone on "â": Tesseract's slip
    name, factor = person_name("Phùng Xuân Nhạ")  # a rare name, a tone on a plain letter: kept, less sure
    assert name == "Phùng Xuân Nhạ" and factor < 0.9
    assert person_name("Đỉnh Hồng Yến") == ("Đinh Hồng Yến", 1.0)
    # a given name that is none of the lists' (both readers lost the "i" of "Hải"): no surer than a rare name
    assert person_name("Bùi Văn Hả") == ("Bùi Văn Hả", NO_NAME)
    assert person_name("S Hà Thanh Toàn") == ("Hà Thanh Toàn", 0.85)  # a word dropped before it: less sure
    # a family name none of the lists hold is a misreading ("Pương" for "Dương", "Ký" for "Lý"), as a word is
    assert person_name("Pương Thanh Thảo") == ("Pương Thanh Thảo", NO_NAME)
    assert person_name("Ký Quốc Thắng")[1] == NO_NAME
    # a middle name one letter off "Thị" or "Văn" (too short for the lists' letter edits), never the given name
    assert person_name("Đặng Chị Yến") == ("Đặng Thị Yến", 0.95)
    assert person_name("Nguyễn Văo An") == ("Nguyễn Văn An", 0.95)
    assert person_name("Lê Thị Chị")[0] == "Lê Thị Chị"


def test_an_issuing_body_whose_marks_were_lost_goes_to_a_person() -> None:
    """"SỞ QUY HOẠCH - KIEN TRUC": both readers lost the marks of a name the unit lists do not hold, and no
    dictionary word restores a circumflex; the value is wrong, so it is marked however sure the readers were."""
    top = [line(0.06, 0.05, "UBND THÀNH PHỐ HỒ CHÍ MINH"), line(0.08, 0.07, "SỞ QUY HOẠCH - KIEN TRUC"), *HEADER[2:],
           line(0.08, 0.11, "Số: 45/TB-SQHKT"), line(0.52, 0.11, "Thành phố Hồ Chí Minh, ngày 05 tháng 3 năm 2014"),
           line(0.40, 0.16, "THÔNG BÁO"), line(0.25, 0.18, "Về việc tổ chức hội nghị")]
    ex = extract_document([page(*top, *SIGNER)], second=Second(top, {0: SIGNER[2:]}))
    assert ex.metadata["issuing_agency"] == "SỞ QUY HOẠCH - KIEN TRUC" and "issuing_agency" in ex.unsure()
    assert "parent_agency" not in ex.unsure()


def test_province_and_signer_put_right_in_a_document() -> None:
    closing = [*SIGNER[:-1], line(0.62, 0.84, "Trần Anh Tuần")]
    doc = page(line(0.08, 0.05, "ỦY BAN NHÂN DÂN"), line(0.08, 0.07, "TỈNH HẢÁI DƯƠNG"), *HEADER[2:],
               line(0.08, 0.11, "Số: 45/QĐ-UBND"), line(0.52, 0.11, "Hải Dương, ngày 05 tháng 3 năm 2004"),
               line(0.40, 0.16, "QUYẾT ĐỊNH"), line(0.25, 0.18, "Về việc thành lập Ban chỉ đạo"), *closing)
    ex = extract_document([doc])
    assert ex.metadata["issuing_agency"] == "ỦY BAN NHÂN DÂN TỈNH HẢI DƯƠNG"
    assert ex.metadata["signer"] == "Trần Anh Tuấn"
    assert ex.raw["issuing_agency"] < ex.raw["number"]  # a letter put right is less sure


def test_a_word_with_a_syllables_letters_and_marks_none_has_lost_them() -> None:
    assert marks_lost("KIEN") and marks_lost("TRUC")  # "KIẾN TRÚC" read without its marks
    assert not any(map(marks_lost, ("KIẾN", "TRÚC", "UBND", "HĐND", "GD&ĐT", "TP.", "HOÀ", "HÒA", "Sở", "vụ")))
    assert not marks_lost("PHAN")  # "Phan Rang": a name the unit lists hold
