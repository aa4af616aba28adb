"""The second reader as evidence inside extraction (``sohoa.extract.second``): what the two readers agree on is
sure, what they read otherwise goes to a person, and asterocr's reading puts right header and signer fields."""

from __future__ import annotations

from sohoa.extract import calibrated, extract_document
from sohoa.extract.document import Extraction
from sohoa.extract.second import (
    AGREE,
    DISAGREE,
    MARKS,
    MENDED,
    ODD,
    Reading,
    Second,
    decide,
    decide_digits,
    well_formed_symbol,
)
from sohoa.extract.signer import is_title
from tests.test_extract import HEADER, SIGNER, line, page

TOP = [*HEADER, line(0.08, 0.11, "Số: 7 / 2025/QĐ-UBND"), line(0.52, 0.11, "Quảng Ngãi, ngày 05 tháng 01 năm 2025"),
       line(0.40, 0.16, "QUYẾT ĐỊNH"), line(0.20, 0.18, "Về việc ban hành Quy chế quản lý tài liệu"),
       line(0.25, 0.20, "lưu trữ số của tỉnh")]
BODY = line(0.10, 0.26, "Căn cứ Luật Lưu trữ;")
NUMBER_AT, DATE_AT = len(HEADER), len(HEADER) + 1


def test_digits_the_two_readers_read_otherwise_send_the_number_to_review_however_sure_each_is() -> None:
    aster = [*TOP]
    aster[NUMBER_AT] = line(0.08, 0.11, "Số: 1 / 2025/QĐ-UBND", conf=99.9)  # asterocr sure of another digit
    ex = extract_document([page(*TOP, BODY, *SIGNER)], second=Second(aster, {0: SIGNER[2:]}))
    assert ex.evidence["number"] == DISAGREE and ex.raw["number"] > 0.99
    assert ex.confidence["number"] < 0.8 and ex.unsure() == ["number"] and ex.needs_review
    assert ex.evidence["symbol"] == ex.evidence["issued_date"] == AGREE  # the rest of the line is read alike
    assert ex.metadata["symbol"] == "2025/QĐ-UBND" and ex.metadata["issued_date"] == "2025-01-05"


def test_asterocr_puts_right_a_date_tesseract_lost_a_digit_of_and_a_person_checks_it() -> None:
    tesseract = [*TOP]
    tesseract[DATE_AT] = line(0.52, 0.11, "Quảng Ngãi, ngày 0 thủng 01 năm 2025")
    doc = page(*tesseract, BODY, *SIGNER)
    alone = extract_document([doc])
    assert alone.metadata["issued_date"] == "2025-01" and "issued_date" in alone.unsure()  # no day: marked
    ex = extract_document([doc], second=Second(TOP, {0: SIGNER[2:]}))
    assert ex.metadata["issued_date"] == "2025-01-05" and ex.metadata["place"] == "Quảng Ngãi"
    assert ex.evidence["issued_date"] == DISAGREE and "issued_date" in ex.unsure()


def test_asterocr_puts_right_a_signer_name_with_wrong_marks() -> None:
    signer = [*SIGNER[:-1], line(0.62, 0.84, "Lê Vân Cưòng")]
    doc = page(*TOP, BODY, *signer)
    alone = extract_document([doc])
    assert alone.metadata["signer"] == "Lê Vân Cưòng" and "signer" in alone.unsure()
    ex = extract_document([doc], second=Second(TOP, {0: SIGNER[2:]}))
    assert ex.metadata["signer"] == "Lê Văn Cường" and ex.evidence["signer"] == DISAGREE
    assert ex.metadata["signer_title"] == "PHÓ CHỦ TỊCH" and ex.evidence["signer_title"] == AGREE


def test_decide_keeps_the_first_reading_the_vocabularies_accept_and_says_what_it_rests_on() -> None:
    readings = [Reading("aster", "Đà Lạt", 0.9), Reading("combined", "Đà Lat", 0.8), Reading("tesseract", "Đa Lat", 0.7)]
    assert decide(readings, lambda v: v == "Đà Lạt") == (readings[0], DISAGREE)
    assert decide([Reading("tesseract", "Huế", 0.6), Reading("aster", "HUẾ", 0.9)]) == (
        Reading("tesseract", "Huế", 0.9), AGREE)  # case is no disagreement; as sure as the surer
    assert decide([Reading("tesseract", "Huế", 0.6)]) == (Reading("tesseract", "Huế", 0.6), None)
    assert decide([Reading("aster", None, 0.0), Reading("tesseract", "Huế", 0.6)])[1] == "alone"


def test_a_value_no_reading_of_which_the_vocabularies_accept_goes_to_a_person() -> None:
    """A seal's ring words read where the signer's title is: by both readers alike, or by one, it is no title."""
    ring = [Reading("aster", "CẦN THƠ", 0.99), Reading("tesseract", "CẦN THƠ", 0.95)]
    assert decide(ring, is_title) == (Reading("aster", "CẦN THƠ", 0.99), ODD)
    assert decide([Reading("aster", None, 0.0), Reading("tesseract", "CẦN THƠ", 0.9)], is_title)[1] == ODD
    assert decide([Reading("tesseract", "CẦN THƠ", 0.9)], is_title)[1] == ODD  # no second reading of the line
    assert decide([Reading("aster", "HIỆU TRƯỞNG", 0.99), Reading("tesseract", "HIỆU TRƯỞNG", 0.9)],
                  is_title)[1] == AGREE
    ex = Extraction()
    ex.put("signer_title", "CẦN THƠ", 0.99, ODD)
    assert ex.unsure() == ["signer_title"]  # marked for the form, however sure the readers were


def test_hand_written_digits_read_otherwise_are_put_together_keeping_tesseracts_ones() -> None:
    """asterocr reads a hand-written 1 with a long flag as a 7: where Tesseract's hand-digit reader read a 1, it
    stays; the value rests on the evidence "hand"."""
    chosen, why = decide_digits([Reading("aster", "472", 0.9), Reading("tesseract", "412", 0.6)], str.isdigit,
                                hand=True)
    assert (chosen.value, why) == ("412", "hand")
    assert decide_digits([Reading("aster", "42", 0.9), Reading("tesseract", "42", 0.6)], str.isdigit,
                         hand=True)[1] == AGREE


def test_header_readers_keep_dashes_and_dotted_symbols_and_the_dictionary_ranks_two_readings() -> None:
    from sohoa.extract.names import snap_place
    from sohoa.extract.number import number_symbol
    from sohoa.extract.text import header_words
    from sohoa.lexicon import in_words

    assert number_symbol("Số: 125/TB.ĐHCT.CTCT") == ("125", "TB.ĐHCT.CTCT")  # parts joined by dots
    # small letters in a symbol only where NĐ 30 abbreviates so ("TTr", "TTg", "GDTrH" of "Giáo dục Trung học"),
    # not a part run into the place-date line's "Phan Rang" ("UBNRn")
    assert [well_formed_symbol(s) for s in ("TTr-UBND", "2025/QĐ-TTg", "SGDĐT-GDTrH", "tb-dhct-đt", "PA-UBNRn")] == [
        True, True, True, True, False]
    assert not well_formed_symbol("ỐĐỂ")  # initials carry no tone: only the "Đ"
    assert header_words("ỦY:BAN NHÂN DÂN") == "ỦY BAN NHÂN DÂN"  # a speck between two words read as a colon
    assert header_words("SỞ QUY HOẠCH - KIẾN TRÚC") == "SỞ QUY HOẠCH - KIẾN TRÚC"  # a dash between words stays
    assert header_words("- SỞ NỘI VỤ -") == "SỞ NỘI VỤ"  # a rule's dashes around it do not
    assert header_words("SỞ Y TẾ BÌNH ĐỊNH a") == "SỞ Y TẾ BÌNH ĐỊNH"  # a unit's word of one letter stays
    assert snap_place("Phan Rang - Tháp Chàm") == ("Phan Rang - Tháp Chàm", 0)
    assert in_words("QUY HOẠCH KIẾN TRÚC") == 1.0 and in_words("QUỶ HOẠCH KIẾN TRÚC") == 0.5


def test_giay_gioi_thieu_has_no_subject_and_v_v_under_a_type_name_is_no_cong_van() -> None:
    """NĐ 30 Mẫu 1.8: what follows "GIẤY GIỚI THIỆU" is its body, no trích yếu. An older decision prints "V/v …"
    under its type's name, not under the number: it stays a decision."""
    intro = page(*HEADER, line(0.08, 0.11, "Số: 12/GGT-SNV"), line(0.52, 0.11, "Quảng Ngãi, ngày 05 tháng 01 năm 2025"),
                 line(0.36, 0.16, "GIẤY GIỚI THIỆU"), line(0.10, 0.19, "Sở Nội vụ trân trọng giới thiệu:"),
                 line(0.10, 0.21, "Ông Nguyễn Văn An"), *SIGNER)
    m = extract_document([intro]).metadata
    assert (m["document_type"], m["subject"]) == ("Giấy giới thiệu", None)
    old = page(*HEADER, line(0.08, 0.11, "Số: 7/QĐ-UB"), line(0.52, 0.11, "Quảng Ngãi, ngày 05 tháng 01 năm 1998"),
               line(0.08, 0.13, "QUYẾT ĐỊNH"), line(0.08, 0.15, "V/v thành lập Hội đồng thi đua"),
               line(0.10, 0.26, "Căn cứ Luật Tổ chức chính quyền;"), *SIGNER)
    assert extract_document([old]).metadata["document_type"] == "Quyết định"


def test_readers_disagreeing_on_the_issuing_body_still_agree_on_its_parent() -> None:
    tesseract, aster = [*TOP], [*TOP]
    tesseract[1] = line(0.10, 0.07, "TRƯỜNG TIỂU HỌC AN BÌNH")  # a unit no list holds: nothing snaps it
    aster[1] = line(0.10, 0.07, "TRƯỜNG TIỂU HỌC AN BINH")  # asterocr loses a mark of the issuing body only
    ex = extract_document([page(*tesseract, BODY, *SIGNER)], second=Second(aster, {0: SIGNER[2:]}))
    assert ex.metadata["parent_agency"] == "UBND TỈNH QUẢNG NGÃI"
    assert ex.metadata["issuing_agency"] in ("TRƯỜNG TIỂU HỌC AN BÌNH", "TRƯỜNG TIỂU HỌC AN BINH")
    assert (ex.evidence["parent_agency"], ex.evidence["issuing_agency"]) == (AGREE, DISAGREE)
    assert ex.unsure() == ["issuing_agency"]


def test_an_issuing_body_each_reader_misread_in_another_word_is_mended_and_calibrated_apart() -> None:
    """Tesseract loses the marks of "SẢN" and "HÓA", asterocr reads "DI" as "DỈ": word by word the two give the
    name the dictionary holds, which is neither reader's. It rests on "mended", calibrated apart from values the
    readers left differing, and is not marked unsure for the disagreement alone."""
    tesseract, aster = [*TOP], [*TOP]
    tesseract[1] = line(0.10, 0.07, "CỤC DI SÀN VĂN HOA")
    aster[1] = line(0.10, 0.07, "CỤC DỈ SẢN VĂN HÓA")
    ex = extract_document([page(*tesseract, BODY, *SIGNER)], second=Second(aster, {0: SIGNER[2:]}))
    assert ex.metadata["issuing_agency"] == "CỤC DI SẢN VĂN HÓA"
    assert (ex.evidence["parent_agency"], ex.evidence["issuing_agency"]) == (AGREE, MENDED)
    assert ex.confidence["issuing_agency"] == calibrated("issuing_agency", ex.raw["issuing_agency"], MENDED)
    combined = [Reading("aster", "Đà Lạt", 0.9), Reading("combined", "Đà Lạt", 0.8), Reading("tesseract", "Đa Lat", 0.7)]
    assert decide(combined, mend=True)[1] == DISAGREE  # asterocr's own reading: no mending


def test_an_issuing_body_the_readers_read_with_other_marks_rests_on_the_one_the_vocabularies_know() -> None:
    """asterocr stacks a hook for the acute of "KIẾN" ("KIỂN", no syllable): the letters agree, and the reading
    whose words the vocabularies know is kept, on "marks", calibrated apart and not unsure for that alone. Where
    both readings are words ("AN BÌNH", "AN BINH"), the readers still disagree (the test above)."""
    tesseract, aster = [*TOP], [*TOP]
    tesseract[1] = line(0.10, 0.07, "SỞ QUY HOẠCH - KIẾN TRÚC")
    aster[1] = line(0.10, 0.07, "SỞ QUY HOẠCH - KIỂN TRÚC")
    ex = extract_document([page(*tesseract, BODY, *SIGNER)], second=Second(aster, {0: SIGNER[2:]}))
    assert ex.metadata["issuing_agency"] == "SỞ QUY HOẠCH - KIẾN TRÚC"
    assert (ex.evidence["parent_agency"], ex.evidence["issuing_agency"]) == (AGREE, MARKS)
    assert ex.confidence["issuing_agency"] == calibrated("issuing_agency", ex.raw["issuing_agency"], MARKS)
    other = [Reading("tesseract", ("UBND", "SỞ Y TẾ"), 0.9), Reading("aster", ("UBND", "SỞ XÂY DỰNG"), 0.9)]
    assert decide(other, lambda v: True, lambda v: 1.0, mend=True)[1] == DISAGREE  # other letters: disagree


def test_an_ornament_under_the_issuing_body_leaves_both_readings_of_it() -> None:
    """A typewriter's "———oOo——~" under the body, which the second reader does not read, is no unit line: the
    two readings of the body still agree, the dash read doubled ("—-") kept as the name's dash."""
    ornament = line(0.12, 0.08, "———oOo——~")
    tesseract = [TOP[0], line(0.10, 0.07, "SỞ VĂN HOÁ —- THÔNG TIN"), ornament, *TOP[2:]]
    aster = [TOP[0], line(0.10, 0.07, "SỞ VĂN HOÁ - THÔNG TIN"), *TOP[2:]]
    ex = extract_document([page(*tesseract, BODY, *SIGNER)], second=Second(aster, {0: SIGNER[2:]}))
    assert ex.metadata["issuing_agency"] == "SỞ VĂN HÓA - THÔNG TIN"
    assert (ex.evidence["parent_agency"], ex.evidence["issuing_agency"]) == (AGREE, AGREE)


def test_readers_differing_only_in_the_symbols_type_part_agree_once_the_type_title_gives_it() -> None:
    lines = [*HEADER, line(0.08, 0.11, "Số: 15/TTTr-SNV"), line(0.52, 0.11, "Quảng Ngãi, ngày 05 tháng 01 năm 2025"),
             line(0.40, 0.16, "TỜ TRÌNH"), line(0.20, 0.18, "Về việc ban hành Quy chế quản lý tài liệu")]
    aster = [*lines]
    aster[NUMBER_AT] = line(0.08, 0.11, "Số: 15/TTr-SNV")
    ex = extract_document([page(*lines, BODY, *SIGNER)], second=Second(aster, {0: SIGNER[2:]}))
    assert (ex.metadata["document_type"], ex.metadata["symbol"]) == ("Tờ trình", "TTr-SNV")
    assert ex.evidence["symbol"] == AGREE and "symbol" not in ex.unsure()
    aster[NUMBER_AT] = line(0.08, 0.11, "Số: 15/TTr-SXD")  # the readers differ in the issuing body's part too
    ex = extract_document([page(*lines, BODY, *SIGNER)], second=Second(aster, {0: SIGNER[2:]}))
    assert ex.evidence["symbol"] == DISAGREE and "symbol" in ex.unsure()


def test_a_prefix_read_from_title_lines_the_readers_read_otherwise_is_as_unsure_as_the_title() -> None:
    """Both readers lost "TUQ. CHỦ TỊCH" under the seal and read no prefix alike; they read the title under it
    otherwise: the prefix comes from those same lines, so a person checks it with the title."""
    tesseract = [*SIGNER[:2], line(0.62, 0.74, "CHÁNH VĂN PHÒNG"), SIGNER[-1]]
    aster = [line(0.62, 0.74, "PHÓ CHÁNH VĂN PHÒNG"), SIGNER[-1]]
    ex = extract_document([page(*TOP, BODY, *tesseract)], second=Second(TOP, {0: aster}))
    assert ex.evidence["signer_title"] == DISAGREE and ex.metadata["authority"] is None
    assert {"signer_title", "authority"} <= set(ex.unsure())
