"""The OCR stage: real Tesseract in worker processes, and the page failure policy (failures injected)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lxml import etree

from sohoa import hocr
from sohoa.ocr import Job, Result, ocr_dossier, recognize, recognize_all
from sohoa.workspace import DossierError, DossierWork, Page
from tests.conftest import text_page


def crash_on_marked_page(job: Job) -> Result:
    """Recognizer of the tests: Tesseract 'crashes' (the worker process dies) on pages named crash*."""
    if job.image.name.startswith("crash"):
        os.abort()
    return recognize(job)


def dossier(tmp_path: Path, page_lines: list, names: list[str]) -> DossierWork:
    dw = DossierWork(tmp_path / "D1", "D1")
    (dw.root / "clean").mkdir(parents=True)
    pages = []
    for i, name in enumerate(names):
        text_page(page_lines).convert("L").save(dw.path(f"clean/{name}.png"))
        pages.append(Page(source=f"D1/{name}.png", sha256="0" * 64, index=i, dpi=200.0,
                          work_copy=f"clean/{name}.png"))
    dw.save(pages)
    return dw


def test_pages_get_hocr_alto_and_text_pdf(tmp_path: Path, page_lines: list) -> None:
    dw = dossier(tmp_path, page_lines, ["p1", "p2", "p3"])
    counts = ocr_dossier(dw)
    assert counts["pages"] == 3 and counts["failed"] == 0 and counts["mean_confidence"] > 80
    for page in dw.pages():
        assert page.status == "ok" and page.words and page.words > 100
        assert "SỞ NỘI VỤ" in hocr.parse(dw.path(page.hocr or "")).text
        alto = etree.parse(str(dw.path(page.extra["alto"])))
        words = alto.xpath("//*[local-name()='String']/@CONTENT")
        assert {"CỘNG", "HÒA", "Bình"} <= set(words)
        assert dw.path(page.text_pdf or "").read_bytes().startswith(b"%PDF")


def test_a_page_that_kills_its_worker_is_quarantined_and_the_rest_go_on(tmp_path: Path, page_lines: list) -> None:
    dw = dossier(tmp_path, page_lines, ["p1", "crash", "p3", "p4", "p5", "p6"])
    counts = ocr_dossier(dw, recognize=crash_on_marked_page)
    pages = {p.source: p for p in dw.pages()}
    assert counts["failed"] == 1
    assert pages["D1/crash.png"].status == "quarantined"
    assert pages["D1/crash.png"].reason == "OCR crashed: the Tesseract worker process died on this page"
    assert all(p.status == "ok" and p.words for s, p in pages.items() if s != "D1/crash.png")
    assert not dw.stopped_json.exists()


def test_a_page_that_times_out_is_quarantined_with_the_reason(tmp_path: Path, page_lines: list) -> None:
    dw = dossier(tmp_path, page_lines, ["p1"])
    job = Job(dw.path("clean/p1.png"), dw.path("ocr/0000"), 200, timeout=0.05)
    assert recognize_all([job]) == [Result(error="OCR failed: Tesseract timed out after 0.05 s")]


def test_an_unreadable_work_copy_is_an_ocr_failure(tmp_path: Path, page_lines: list) -> None:
    dw = dossier(tmp_path, page_lines, ["p1"])
    dw.path("clean/p1.png").write_bytes(b"not a png")
    [result] = recognize_all([Job(dw.path("clean/p1.png"), dw.path("ocr/0000"), 200)])
    assert result.error and result.error.startswith("OCR failed: ")


def test_too_many_failed_pages_stop_the_dossier(tmp_path: Path, page_lines: list) -> None:
    dw = dossier(tmp_path, page_lines, ["crash1", "p2", "crash3"])
    with pytest.raises(DossierError, match=r"OCR failed on 2 of 3 page\(s\), more than the 50% allowed"):
        ocr_dossier(dw, max_failed_ratio=0.5, recognize=crash_on_marked_page)
    assert "2 of 3" in dw.stopped_json.read_text(encoding="utf-8")
    assert [p.status for p in dw.pages()] == ["quarantined", "ok", "quarantined"]


def test_numbers_and_days_written_by_hand_are_read_from_their_blanks(tmp_path: Path) -> None:
    """A page whose number and day were filled in with a pen: Tesseract reads signs, the blanks are read again
    as hand-written digits and extraction takes them."""
    import json
    import random

    from sohoa import synth
    from sohoa.extract import extract_document

    doc = synth.random_document(random.Random(4), pages=1)
    doc.hand_filled = True
    image = tmp_path / "p.png"
    synth.render_document(doc, 300, random.Random(4))[0].save(image, dpi=(300, 300))
    assert recognize(Job(image, tmp_path / "p", 300, first=True)).error is None
    blocks = json.loads((tmp_path / "p.blocks.json").read_text())
    assert blocks["filled"]["number"][0] == doc.number == "80"
    assert blocks["filled"]["day"][0] == f"{doc.issued_date.day:02d}" == "16"
    left = hocr.from_json(blocks["left"]) if "left" in blocks else None  # not read again when read surely
    m = extract_document([hocr.parse(tmp_path / "p.hocr")], left_column=left, filled=blocks["filled"]).metadata
    assert (m["number"], m["issued_date"]) == ("80", "2016-07-16")


def test_a_line_is_read_character_by_character_with_page_boxes(tmp_path: Path) -> None:
    from PIL import Image, ImageDraw

    from sohoa import tesseract
    from sohoa.extract import slots
    from tests.conftest import font

    img = Image.new("L", (1200, 200), "white")
    ImageDraw.Draw(img).text((300, 80), "Số: 12/TB-UBND", font=font(13, 300), fill="black")
    with tesseract.Engine() as engine:
        chars = engine.symbols(img, (250, 40, 1100, 180), 300)
    assert "".join(text for text, _ in chars) == "Số:12/TB-UBND"
    xs = [box[0] for _, box in chars]
    assert xs == sorted(xs) and 290 <= xs[0] <= 310 and all(40 <= box[1] and box[3] <= 180 for _, box in chars)
    start, word_end, end = slots(chars)["number"]
    assert start == xs[0] and word_end < xs[3] and end == xs[5]  # the blank holds the "12", up to the "/"


def test_a_signer_block_under_a_black_seal_is_read_again_without_it() -> None:
    """The seal taken out, both title lines and the name end in clean words, in page coordinates: enough for
    extraction to know a deputy prime minister signed ("KT." and "PHÓ" lost with the seal); the name, whose
    family name went with the seal, is not taken."""
    from PIL import Image

    from sohoa import tesseract
    from sohoa.extract import extract_document
    from sohoa.hocr import HocrPage, Line, Word
    from sohoa.ocr import read_unsealed
    from tests.conftest import sealed_signer_block

    page = Image.new("L", (1680, 2000), 255)
    page.paste(Image.fromarray(sealed_signer_block()), (840, 1000))
    with tesseract.Engine() as engine:
        lines = hocr.from_json(read_unsealed(engine, page, (840, 1000, 1680, 1760), 200))
        assert read_unsealed(engine, page, (0, 0, 840, 760), 200) is None  # no seal there
    assert [ln.text.split()[-1] for ln in lines] == ["TƯỚNG", "TƯỚNG", "Phớc"]
    assert all(ln.words[-1].box[0] > 1300 and 1000 < ln.box[1] < 1400 for ln in lines)
    closing = HocrPage(1680, 2000, [Line([Word("Nơi", 95, (100, 1000, 160, 1040)),
                                          Word("nhận:", 95, (170, 1000, 260, 1040))])])
    m = extract_document([closing], signer_blocks={0: [[], lines]}).metadata
    assert (m["signer_title"], m["authority"], m["signer"]) == ("PHÓ THỦ TƯỚNG", "KT.", None)
