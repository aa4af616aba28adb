from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pikepdf

from sohoa import poppler, tesseract
from sohoa.pdfa import PdfPage, build_pdfa
from tests.conftest import text_page


def test_two_layer_pdfa(tmp_path: Path, page_lines: list) -> None:
    img = text_page(page_lines, dpi=200)
    img.save(tmp_path / "m.jpg", quality=90)
    img.convert("L").save(tmp_path / "w.png")
    with tesseract.Engine() as engine:
        text_pdf = engine.ocr_page(tmp_path / "w.png", tmp_path / "ocr", 200).pdf
    created = datetime(2025, 5, 14, 9, 30, tzinfo=timezone(timedelta(hours=7)))
    out = build_pdfa([PdfPage(tmp_path / "m.jpg", img.width, img.height, 200, text_pdf)] * 2, tmp_path / "d.pdf",
                     title="phê duyệt kế hoạch", author="SỞ NỘI VỤ", created=created, creator_tool="sohoa test")
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 2
        box = [float(v) for v in pdf.pages[0].mediabox]
        assert abs(box[2] - img.width * 72 / 200) < 0.01 and abs(box[3] - img.height * 72 / 200) < 0.01
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
        assert meta["dc:title"] == "phê duyệt kế hoạch"
        intent = pdf.Root.OutputIntents[0]
        assert intent.S == pikepdf.Name.GTS_PDFA1 and len(bytes(intent.DestOutputProfile.read_bytes())) > 400
        assert not pdf.is_encrypted
        # the image is the master JPEG itself, 24-bit colour at full size
        image = next(iter(pdf.pages[0].images.values()))
        assert (int(image.Width), int(image.Height), image.ColorSpace) == (img.width, img.height, "/DeviceRGB")
        assert image.read_raw_bytes() == (tmp_path / "m.jpg").read_bytes()
    text = poppler.pdf_text(out)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Số: 07/QĐ-SNV" in text
