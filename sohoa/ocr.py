"""The OCR stage over one dossier: one Tesseract process per core, hOCR and a text-only PDF per page."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from sohoa import hocr, tesseract
from sohoa.clean import workers
from sohoa.workspace import DossierWork, Page

log = logging.getLogger(__name__)


def ocr_page(dw: DossierWork, page: Page) -> Page:
    assert page.work_copy is not None and page.dpi is not None
    base = dw.path(f"ocr/{page.index:04d}")
    try:
        hocr_path, pdf_path = tesseract.ocr_page(dw.path(page.work_copy), base, int(round(page.dpi)))
        parsed = hocr.parse(hocr_path)
    except Exception as exc:  # one page that crashes Tesseract must not stop the dossier
        log.warning("OCR of %s failed: %s", page.source, exc)
        page.quarantine(f"OCR failed: {exc}")
        return page
    page.extra["stamps"] = [_read_stamp(dw, rel, page.dpi) for rel in page.extra.get("stamp_images", [])]
    page.hocr, page.text_pdf = f"ocr/{base.name}.hocr", f"ocr/{base.name}.pdf"
    page.ocr_confidence = parsed.confidence
    page.words = len(parsed.words)
    return page


def _read_stamp(dw: DossierWork, rel: str, dpi: float) -> str:
    try:
        return tesseract.ocr_text(dw.path(rel), int(round(dpi)), psm=7)
    except tesseract.TesseractError as exc:
        log.info("stamp %s unreadable: %s", rel, exc)
        return ""


def ocr_dossier(dw: DossierWork) -> dict[str, float]:
    pages = dw.pages()
    todo = [p for p in pages if p.status == "ok"]
    with ThreadPoolExecutor(workers()) as pool:  # each thread drives one Tesseract process
        list(pool.map(lambda p: ocr_page(dw, p), todo))
    dw.save(pages)
    done = [p for p in todo if p.ocr_confidence is not None]
    mean = round(sum(p.ocr_confidence or 0 for p in done) / len(done), 1) if done else 0.0
    counts = {"pages": len(todo), "failed": sum(p.status == "quarantined" for p in todo), "mean_confidence": mean}
    log.info("dossier %s OCR: %s", dw.code, counts)
    return counts
