from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pikepdf
from PIL import Image

from sohoa import poppler
from sohoa.pdfa import PdfPage, build_pdfa, check_pdfa
from tests.conftest import two_layer_pdf


def test_two_layer_pdfa(tmp_path: Path, page_lines: list) -> None:
    created = datetime(2025, 5, 14, 9, 30, tzinfo=timezone(timedelta(hours=7)))
    out, img = two_layer_pdf(tmp_path, page_lines, created)
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


def _broken(tmp_path: Path, name: str, change: Callable[[pikepdf.Pdf], None]) -> Path:
    img = Image.new("RGB", (400, 560), "white")
    img.save(tmp_path / "m.jpg")
    created = datetime(2025, 5, 14, 9, 30, tzinfo=timezone(timedelta(hours=7)))
    good = build_pdfa([PdfPage(tmp_path / "m.jpg", 400, 560, 200, None)], tmp_path / "good.pdf", title="t",
                      author="a", created=created, creator_tool="sohoa test")
    assert check_pdfa(good) == []
    with pikepdf.open(good) as pdf:
        change(pdf)
        pdf.save(tmp_path / name, **({"encryption": pikepdf.Encryption(owner="o", user="")}
                                     if name == "encrypted.pdf" else {}))
    return tmp_path / name


def test_check_pdfa_names_the_rule_each_file_breaks(tmp_path: Path) -> None:
    def no_intent(pdf: pikepdf.Pdf) -> None:
        del pdf.Root.OutputIntents

    def javascript(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)")

    def other_title(pdf: pikepdf.Pdf) -> None:
        pdf.docinfo["/Title"] = "khác"

    def not_pdfa(pdf: pikepdf.Pdf) -> None:
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            del meta["pdfaid:part"]

    def bare_font(pdf: pikepdf.Pdf) -> None:
        pdf.pages[0].Resources.Font = pikepdf.Dictionary(F1=pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.TrueType, BaseFont=pikepdf.Name.Arial,
            FontDescriptor=pikepdf.Dictionary(Type=pikepdf.Name.FontDescriptor, FontName=pikepdf.Name.Arial)))

    def hidden_note(pdf: pikepdf.Pdf) -> None:
        pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text, Rect=[0, 0, 10, 10], F=2)]))

    expected = {
        "no-intent.pdf": (no_intent, "6.2.3: no OutputIntent with /S /GTS_PDFA1"),
        "javascript.pdf": (javascript, "6.6.1: the open action is /JavaScript"),
        "title.pdf": (other_title, "6.6.2.3.1: document information /Title 'khác' differs from XMP dc:title 't'"),
        "not-pdfa.pdf": (not_pdfa, "6.6.4: XMP pdfaid says part None"),
        "font.pdf": (bare_font, "page 1: 6.2.11.4.1: font /Arial is not embedded"),
        "hidden.pdf": (hidden_note, "page 1: 6.3.2: /Text annotation without the Print flag"),
        "encrypted.pdf": (lambda pdf: None, "6.1.3: the file is encrypted"),
    }
    for name, (change, problem) in expected.items():
        problems = check_pdfa(_broken(tmp_path, name, change))
        assert any(p.startswith(problem) for p in problems), (name, problems)
    (tmp_path / "text.pdf").write_text("hello")
    assert check_pdfa(tmp_path / "text.pdf") == ["6.1.2: not a PDF file (no %PDF- header)"]
