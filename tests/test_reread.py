"""The header and signer lines read again by the second reader: which lines, and what the OCR worker stores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sohoa import hocr, reread
from sohoa.hocr import HocrPage, Line, Word
from sohoa.ocr import Job, recognize
from tests.conftest import text_page


def line(text: str, x: int, y: int, height: int = 40, space: int = 20) -> Line:
    """A line of words 24 px per letter wide, ``space`` apart, from (x, y)."""
    words = []
    for word in text.split():
        words.append(Word(word, 90, (x, y, x + 24 * len(word), y + height)))
        x += 24 * len(word) + space
    return Line(words)


def test_header_lines_leave_out_the_national_title_the_motto_and_the_body() -> None:
    merged = line("UBND TỈNH BẾN TRE", 100, 100)  # the two columns read as one line by Tesseract's layout
    merged.words += line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 900, 100).words
    page = HocrPage(1700, 2300, [
        merged,
        line("SỞ TƯ PHÁP", 150, 150), line("Độc lập - Tự do - Hạnh phúc", 950, 150),
        line("Số: 12/QĐ-STP", 120, 230), line("Bến Tre, ngày 5 tháng 3 năm 2025", 900, 230),
        line("QUYẾT ĐỊNH", 700, 400), line("Về việc ban hành Quy chế", 500, 450),
        line("Căn cứ Luật Tổ chức chính quyền địa phương;", 150, 560),
        line("Điều 1. Ban hành kèm theo", 150, 610),
    ])
    fields = ["UBND TỈNH BẾN TRE", "SỞ TƯ PHÁP", "Số: 12/QĐ-STP", "Bến Tre, ngày 5 tháng 3 năm 2025", "QUYẾT ĐỊNH"]
    assert [ln.text for ln in reread.header_lines(page)] == fields  # the trích yếu's running text is not read
    assert [ln.text for ln in reread.header_lines(page, text_lines=True)] == [*fields, "Về việc ban hành Quy chế"]


def test_signer_lines_are_the_right_column_of_the_closing_block() -> None:
    recipients = line("Nơi nhận:", 150, 1500)
    recipients.words += line("TM. ỦY BAN NHÂN DÂN", 1000, 1500).words
    page = HocrPage(1700, 2300, [
        line("Điều 3. Chánh Văn phòng chịu trách nhiệm thi hành.", 150, 1400),
        recipients, line("- Như Điều 3;", 150, 1550), line("CHỦ TỊCH", 1100, 1550),
        line("- Lưu: VT.", 150, 1600), line("Trần Ngọc Tam", 1080, 1800),
    ])
    assert reread.closing_top(page) == 1500
    assert [ln.text for ln in reread.signer_lines(page)] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Trần Ngọc Tam"]
    assert reread.signer_lines(HocrPage(1700, 2300, page.lines[:1])) == []  # no closing block, nothing to read


def test_the_ocr_worker_stores_the_second_readings_beside_tesseract_s(tmp_path: Path, page_lines: list) -> None:
    """A decision's page read by a worker: the header lines (not the national title, motto, trích yếu or body) and
    the signer block read again, word by word with confidences and page boxes, in blocks.json."""
    text_page(page_lines).convert("L").save(tmp_path / "p.png")
    result = recognize(Job(tmp_path / "p.png", tmp_path / "p", 200, first=True))
    assert result.error is None
    blocks = json.loads((tmp_path / "p.blocks.json").read_text(encoding="utf-8"))
    header = hocr.from_json(blocks["aster_header"])
    signer = hocr.from_json(blocks["aster_signer"])
    assert [ln.text for ln in header] == ["UBND TỈNH QUẢNG NGÃI", "SỞ NỘI VỤ", "Số: 07/QĐ-SNV",
                                          "Quảng Ngãi, ngày 05 tháng 3 năm 2020", "QUYẾT ĐỊNH"]
    assert [ln.text for ln in signer] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Trần Thị Bình"]
    page = hocr.parse(tmp_path / "p.hocr")
    name = next(ln for ln in page.lines if "Bình" in ln.text)
    again = signer[-1]
    assert again.box[1] == name.box[1] and abs(again.box[0] - name.box[0]) < 30  # page coordinates
    assert all(0 < w.conf <= 100 for ln in header + signer for w in ln.words)
    words = again.words
    assert [w.text for w in words] == ["Trần", "Thị", "Bình"] and words[0].box[2] <= words[1].box[0]


def test_a_page_inside_a_document_reads_no_header_again(tmp_path: Path) -> None:
    text_page([(0.12, 0.1 + 0.03 * i, "Căn cứ Luật Lưu trữ ngày 21 tháng 6 năm 2024;", False)
               for i in range(10)]).convert("L").save(tmp_path / "p.png")
    assert recognize(Job(tmp_path / "p.png", tmp_path / "p", 200)).error is None
    assert not (tmp_path / "p.blocks.json").exists()


def test_running_text_is_told_from_the_fields_lines() -> None:
    assert reread.running_text("Về việc phê duyệt kế hoạch số hóa tài liệu")
    assert not reread.running_text("Quảng Ngãi, ngày    tháng 3 năm 2020")  # blanks to fill: still a date line
    assert not reread.running_text("Số:    /QĐ-UBND") and not reread.running_text("SỞ NỘI VỤ")
    assert not reread.running_text("V/v thực hiện Nghị định số 30/2020/NĐ-CP")  # digits: a number to read


def test_two_readings_of_a_word_combine_into_the_likelier() -> None:
    # digits: asterocr's, unless it read fewer
    assert reread.combine_word("454/2025/QĐ-UBND", "154/2025/QĐ-UBND") == "154/2025/QĐ-UBND"
    assert reread.combine_word("/QĐĐ-UBND", "87/QĐ-UBND") == "87/QĐ-UBND"
    assert reread.combine_word("1135/ĐHTĐ", "135/ĐHTĐ") == "1135/ĐHTĐ"
    # marks on capitals: a known syllable over an unknown one, else asterocr's
    assert reread.combine_word("QUYÉT", "QUYẾT") == "QUYẾT"
    assert reread.combine_word("NGAI", "NGÃI") == "NGÃI"  # "Ngãi" is no dictionary word, but a province's
    assert reread.combine_word("ĐÒNG", "ĐỒNG") == "ĐỒNG"
    # marks on small letters: Tesseract's when both are syllables (asterocr swaps the hook and the tilde)
    assert reread.combine_word("triển", "triễn") == "triển" and reread.combine_word("bổ", "bỗ") == "bổ"
    assert reread.combine_word("Cân", "Cần") == "Cân"  # both syllables: the vocabularies decide, not this
    # other letters: asterocr's only when it alone reads a known syllable
    assert reread.combine_word("Nøoe", "Ngọc") == "Ngọc" and reread.combine_word("KT.", "KT,") == "KT."


def test_two_readings_of_a_line_pair_their_words() -> None:
    assert reread.combine("Số: /TTr-UBND", "Số: 09 /TTr-UBND") == "Số: 09 /TTr-UBND"  # a number only asterocr read
    assert reread.combine("ỦY BAN NHÂN DÂN TINH QUANG NGAI", "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI") == (
        "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI")
    assert reread.combine("Cần Thơ, ngày 24 tháng 10", "Cần Thơ, ngày tháng") == "Cần Thơ, ngày 24 tháng 10"


def test_candidates_follow_what_each_kind_of_line_is_best_read_as() -> None:
    tess, aster = "Sở Tư pháp tỉnh Lâm Đông", "Sở Tư pháp tỉnh Lầm Đồng"
    assert reread.candidates("agency", tess, aster)[0] == aster
    assert reread.candidates("subject", tess, aster)[0] == tess
    # a seal's ink read into a mark: "ỦÝ" is no syllable, "UY" is; "NHÂN DÂN" from asterocr (capitals)
    assert reread.candidates("signer_title", "TM. UY BAN NHAN DAN", "TM. ỦÝ BAN NHÂN DÂN") == [
        "TM. UY BAN NHÂN DÂN", "TM. ỦÝ BAN NHÂN DÂN", "TM. UY BAN NHAN DAN"]
    assert reread.candidates("number", "Số: 12/QĐ", "Số: 12/QĐ") == ["Số: 12/QĐ"]
    assert reread.candidates("signer_name", "Trần Nøoe T", "") == ["Trần Nøoe T"]


def test_a_second_reading_is_paired_with_its_tesseract_line_by_its_box() -> None:
    name = line("Trần Ngọc Tam", 1080, 1800)
    readings = [line("CHỦ TỊCH", 1100, 1550), line("Trần Ngọc Tam", 1090, 1805), line("Lưu", 150, 1800)]
    assert reread.paired(name, readings) is readings[1]
    assert reread.paired(line("Nơi nhận:", 150, 1500), readings) is None


def test_a_failing_second_reader_leaves_the_page_its_ocr_and_says_why(tmp_path: Path, page_lines: list,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from sohoa import linereader

    def broken(line: object) -> linereader.Reading:
        raise RuntimeError("the ONNX session failed")

    monkeypatch.setattr(linereader, "read", broken)
    text_page(page_lines).convert("L").save(tmp_path / "p.png")
    result = recognize(Job(tmp_path / "p.png", tmp_path / "p", 200, first=True))
    assert result.error is None and result.words > 100
    blocks = json.loads((tmp_path / "p.blocks.json").read_text(encoding="utf-8"))
    assert "aster_header" not in blocks and "aster_signer" not in blocks
    assert blocks["aster_error"] == ("aster_header: RuntimeError: the ONNX session failed; "
                                     "aster_signer: RuntimeError: the ONNX session failed")


def test_a_name_under_a_seal_and_a_signature_found_by_its_letters_and_read_again() -> None:
    """NĐ 30's seal over the left of the name and a signature across it, as the working copy keeps them (the red
    seal faint, a navy pen mid-grey): the name's letters still stand on one baseline, below the title lines."""
    import math

    import numpy as np
    from PIL import Image, ImageChops, ImageDraw

    from sohoa.images import ink_free_grey, lowest_line
    from tests.conftest import font

    img = Image.new("RGB", (840, 520), (250, 248, 240))
    draw = ImageDraw.Draw(img)
    for y, text in ((40, "TL. CHỦ TỊCH"), (84, "CHÁNH VĂN PHÒNG"), (330, "Phạm Quốc Nam")):
        draw.text((420, y), text, font=font(14, 200, True), fill=(0, 0, 0), anchor="mt")
    inks = Image.new("RGB", img.size, "white")
    pen = ImageDraw.Draw(inks)
    pen.ellipse((180, 200, 460, 480), outline=(205, 40, 45), width=8)
    pen.line([(230 + x, 345 - 45 * math.sin(x / 38)) for x in range(0, 420, 4)], fill=(20, 30, 110), width=6)
    grey = ink_free_grey(np.asarray(ImageChops.darker(img, inks))[:, :, ::-1])
    x0, y0, x1, y1 = lowest_line(grey, 200)
    assert y0 < 332 and 360 < y1 < 380 and x0 < 290 and x1 > 550  # the name's line, not the titles
    page = Image.new("L", (1700, 2300), 255)
    page.paste(Image.fromarray(grey), (850, 1400))
    read = hocr.from_json([reread.read_name(page, (850, 1400, 1690, 1920), 200)])[0]
    assert read.text == "Phạm Quốc Nam" and read.box[0] >= 850 + x0 and read.box[1] == 1400 + y0
    assert lowest_line(grey[:150], 200) is not None and lowest_line(grey[150:300], 200) is None  # no print there


def test_a_line_the_page_layout_lost_is_read_again_from_the_left_column() -> None:
    """"CỤC DI SẢN VĂN HÓA", its rule through the letters, is not in the page's layout; the left column read on its
    own has it, and it is read again with the header lines that the layout kept."""
    def ln(y: int, text: str) -> Line:
        return Line([Word(text, 93, (380, y, 380 + 30 * len(text), y + 44))])

    laid_out = HocrPage(2480, 3508, [ln(289, "BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH"), ln(457, "Số: 749/TB.DSVH")])
    column = [ln(290, "BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH"), ln(350, "CỤC DI SÁN VAN HÒA"), ln(458, "Số: 749/TB.DSVH"),
              ln(2000, "Nơi nhận:")]
    assert [line.text for line in reread.lost_lines(laid_out, column)] == ["CỤC DI SÁN VAN HÒA"]
