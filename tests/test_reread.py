"""The header and signer lines read again by the second reader: which lines, and what the OCR worker stores."""

from __future__ import annotations

import json
from pathlib import Path

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
    assert [ln.text for ln in reread.header_lines(page)] == [
        "UBND TỈNH BẾN TRE", "SỞ TƯ PHÁP", "Số: 12/QĐ-STP", "Bến Tre, ngày 5 tháng 3 năm 2025", "QUYẾT ĐỊNH",
        "Về việc ban hành Quy chế"]


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
    """A decision's page read by a worker: the header lines (not the national title, motto or body) and the
    signer block read again, word by word with confidences and page boxes, in blocks.json."""
    text_page(page_lines).convert("L").save(tmp_path / "p.png")
    result = recognize(Job(tmp_path / "p.png", tmp_path / "p", 200, first=True))
    assert result.error is None
    blocks = json.loads((tmp_path / "p.blocks.json").read_text(encoding="utf-8"))
    header = hocr.from_json(blocks["aster_header"])
    signer = hocr.from_json(blocks["aster_signer"])
    texts = [ln.text for ln in header]
    assert texts[:5] == ["UBND TỈNH QUẢNG NGÃI", "SỞ NỘI VỤ", "Số: 07/QĐ-SNV",
                         "Quảng Ngãi, ngày 05 tháng 3 năm 2020", "QUYẾT ĐỊNH"]
    assert len(texts) == 6 and texts[5].startswith("Về việc phê duyệt")  # the trích yếu; the body not read
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
