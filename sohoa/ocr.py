"""The OCR stage over one dossier: a pool of worker processes, each with one loaded Tesseract engine.

Per page: hOCR (words, boxes, confidences), ALTO XML and a text-only PDF, plus the words of red stamps and,
read again as blocks of their own, the left header column of a page that opens a document (unless the page's
own layout read it surely) and a signer block that a seal or a signature hid from Tesseract's layout of the
whole page (also with a black seal taken out); on a page that opens a document, the blanks of its number and
date read as hand-written digits when Tesseract could not read them as print; and the header and signer lines
read again one by one by a second reader made for Vietnamese (``sohoa.reread``), with the signer's name found
by its letters where a seal or a signature over it hid it from Tesseract's layout.
Page failure policy: a page that Tesseract cannot read, that times out, or that kills its worker process is
quarantined with that reason and the dossier goes on; when more than ``max_failed_ratio`` of the pages
fail, the dossier itself is stopped (a scanner or engine fault, not a bad page).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any

from sohoa import digits, disk, hocr, reread, tesseract
from sohoa.extract import (
    blanks_box,
    hand_filled_lines,
    left_header_box,
    left_read_surely,
    may_start_document,
    signer_box,
    slots,
)
from sohoa.parallel import alone, survivors_map, workers
from sohoa.workspace import DossierWork, Page, write_json

log = logging.getLogger(__name__)

PAGE_TIMEOUT = 300.0  # seconds; a clean A4 page takes 2-3 s
MAX_FAILED_RATIO = 0.2


@dataclass(frozen=True)
class Job:
    image: Path
    out_base: Path
    dpi: int
    stamps: tuple[Path, ...] = ()
    timeout: float = PAGE_TIMEOUT
    first: bool = False  # the dossier's first page: its header is read again even if it looks like none
    master: Path | None = None  # the page in colour, where the working copy has lost the blue of a pen


@dataclass
class Result:
    error: str | None = None
    confidence: float | None = None
    words: int = 0
    stamps: list[str] = field(default_factory=list)


_engine: tesseract.Engine | None = None


def recognize(job: Job) -> Result:
    """OCR one page in this worker process, with the engine the process keeps loaded."""
    global _engine
    try:
        if _engine is None:
            _engine = tesseract.Engine()
        out = _engine.ocr_page(job.image, job.out_base, job.dpi, timeout=job.timeout)
        parsed = hocr.parse(out.hocr)
        # parts of the page read again on their own, where Tesseract's layout of the whole page serves them badly;
        # the page image is decoded once for all of them, and only if one is needed
        image = cache(partial(_decoded, job.image))
        blocks: dict[str, Any] = {}
        opening = may_start_document(parsed) or job.first
        left = None  # the left header column read again on its own
        if opening:
            if not left_read_surely(parsed):
                blocks["left"] = read_block(_engine, image(), left_header_box(parsed), job.dpi)
                left = hocr.from_json(blocks["left"])
            lines = hand_filled_lines(parsed, left)
            if lines and (filled := read_filled(_engine, image(), lines, job.dpi, job.master)):
                blocks["filled"] = filled
        if box := signer_box(parsed):
            blocks["signer"] = read_block(_engine, image(), box, job.dpi)
            if (unsealed := read_unsealed(_engine, image(), box, job.dpi)) is not None:
                blocks["signer_unsealed"] = unsealed
        # header and signer lines by the second reader, and the name a seal or a pen hid from the layout
        blocks.update(reread.read_again(image, parsed, opening, box, job.dpi, left))
        job.out_base.with_suffix(".blocks.json").unlink(missing_ok=True)
        if blocks:
            write_json(job.out_base.with_suffix(".blocks.json"), blocks)
        stamps = [_engine.ocr_text(path, job.dpi) for path in job.stamps]
    except tesseract.TesseractError as exc:
        return Result(error=f"OCR failed: {exc}")
    return Result(confidence=parsed.confidence, words=len(parsed.words), stamps=stamps)


def _decoded(path: Path) -> Any:
    from PIL import Image

    with Image.open(path) as picture:
        picture.load()
        return picture


def read_block(engine: tesseract.Engine, image: Any, box: tuple[int, int, int, int], dpi: int) -> list:
    """The lines of one part of a page image read as a block of its own (hOCR lines as JSON, page coordinates)."""
    return hocr.to_json(hocr.parse_bytes(engine.ocr_block(image, box, dpi), offset=box[:2]).lines)


def read_unsealed(engine: tesseract.Engine, image: Any, box: tuple[int, int, int, int], dpi: int) -> list | None:
    """The lines of a signer block read again with the black seal over it taken out (``images.unsealed``), or
    None when it has none."""
    import numpy as np
    from PIL import Image

    from sohoa.images import unsealed

    clean = unsealed(np.asarray(image.crop(box).convert("L")), dpi)
    if clean is None:
        return None
    block = engine.ocr_block(Image.fromarray(clean), (0, 0, clean.shape[1], clean.shape[0]), dpi)
    return hocr.to_json(hocr.parse_bytes(block, offset=box[:2]).lines)


def read_filled(engine: tesseract.Engine, image: Any, lines: list[hocr.Line], dpi: int,
                master: Path | None = None) -> dict[str, list]:
    """The blanks of the number and the date on ``lines`` read as hand-written digits (``sohoa.digits``):
    {"number" | "day" | "month": [digits, probability]}. The printed words around each blank are found on the
    OCR working copy (a PIL image); the digits are read on the ``master`` when given (the working copy drops
    coloured ink)."""
    import numpy as np
    from PIL import Image

    blanks: dict[str, tuple[int, int, int, int, int]] = {}  # key: x0, y0, x1, y1 and where the printed word ends
    for line in lines:
        x0, y0, x1, y1 = blanks_box(line)
        pad = (y1 - y0) // 4
        box = (max(0, x0 - pad), max(0, y0 - pad), min(image.width, x1 + pad), min(image.height, y1 + pad))
        for key, (start, word_end, end) in slots(engine.symbols(image, box, dpi)).items():
            blanks.setdefault(key, (start, box[1], end - 1, box[3], word_end))
    found: dict[str, list] = {}
    if blanks:
        with Image.open(master) if master else nullcontext(image) as colour:
            colour.draft("L", colour.size)  # a JPEG master decoded to its grey only, at full size
            scale = colour.width / image.width  # a fine scan's working copy is reduced
            for key, (x0, y0, x1, y1, word_end) in blanks.items():
                blank = colour.crop((x0 * scale, y0 * scale, x1 * scale, y1 * scale)).convert("L")
                value, p = digits.read(np.asarray(blank), round((word_end - x0) * scale),
                                       most=2 if key in ("day", "month") else 0)
                if value:
                    found[key] = [value, round(p, 3)]
    return found


Recognizer = Callable[[Job], Result]
CRASHED = "OCR crashed: the Tesseract worker process died on this page"


def _error(exc: Exception) -> Result:
    return Result(error=f"OCR failed: {type(exc).__name__}: {exc}")


def recognize_all(jobs: list[Job], recognize: Recognizer = recognize, n: int = 0) -> list[Result]:
    """Results in the order of ``jobs``, from a pool of worker processes. When a worker dies (Tesseract crashed),
    the pages it took down with it are tried again; twice unlucky, each is tried alone so that only the page
    that kills it is lost."""
    results, lost = survivors_map(recognize, dict(enumerate(jobs)), n or workers(), lambda _, exc: _error(exc))
    for i in lost:
        survived, result = alone(recognize, jobs[i])
        results[i] = (result if isinstance(result, Result) else _error(result)) if survived and result is not None \
            else Result(error=CRASHED)
    return [results[i] for i in range(len(jobs))]


def job_for(dw: DossierWork, page: Page, first: bool = False) -> Job:
    """The OCR job of a cleaned page (``first``: the dossier's first page to be read)."""
    return Job(dw.path(page.work_copy or ""), dw.path(f"ocr/{page.index:04d}"),
               int(round(page.extra.get("work_dpi") or page.dpi or 0)),  # a fine scan's working copy is reduced
               tuple(dw.path(rel) for rel in page.extra.get("stamp_images", [])), first=first,
               master=dw.path(page.master) if page.master else None)


def read_page(dw: DossierWork, page: Page, first: bool = False, recognize: Recognizer = recognize) -> Page:
    """OCR one cleaned page in this process and record what was read, or quarantine it with the reason; a
    failure that a full work area explains stops everything (sohoa.disk.DiskFullError)."""
    try:
        result = recognize(job_for(dw, page, first))
    except Exception as exc:  # any error of one page is that page's reason
        result = _error(exc)
    if result.error:
        disk.raise_if_full(RuntimeError(result.error), ("the work area", dw.root))  # Tesseract could not write
        log.warning("page %s: %s", page.source, result.error)
        page.quarantine(result.error)
        return page
    base = f"ocr/{page.index:04d}"
    page.hocr, page.text_pdf, page.extra["alto"] = f"{base}.hocr", f"{base}.pdf", f"{base}.xml"
    page.ocr_confidence, page.words, page.extra["stamps"] = result.confidence, result.words, result.stamps
    page.extra.pop("blocks", None)
    if dw.path(f"{base}.blocks.json").is_file():
        page.extra["blocks"] = f"{base}.blocks.json"
    return page


def judge(dw: DossierWork, read: int, failed: int, max_failed_ratio: float = MAX_FAILED_RATIO) -> None:
    """Stop the dossier (DossierError) when OCR failed on more than ``max_failed_ratio`` of the ``read`` pages."""
    if read and failed / read > max_failed_ratio:
        dw.stop(f"OCR failed on {failed} of {read} page(s), more than the {max_failed_ratio:.0%} allowed")


def ocr_dossier(dw: DossierWork, *, max_failed_ratio: float = MAX_FAILED_RATIO,
                recognize: Recognizer = recognize) -> dict[str, float]:
    """OCR every cleaned page of the dossier, one page to a worker process (``sohoa.pages``), then judge it."""
    from sohoa.pages import read_pages

    dw.stopped_json.unlink(missing_ok=True)
    found: dict[str, Any] = {}
    read_pages([dw], ("ocr",), recognize=recognize, on_dossier=lambda _dw, _pages, counts: found.update(counts))
    counts = {"pages": found.get("read", 0), "failed": found.get("failed", 0),
              "mean_confidence": found.get("mean_confidence", 0.0)}
    log.info("dossier %s OCR: %s", dw.code, counts)
    judge(dw, counts["pages"], counts["failed"], max_failed_ratio)
    return counts
