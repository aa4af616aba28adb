"""The OCR stage over one dossier: a pool of worker processes, each with one loaded Tesseract engine.

Per page: hOCR (words, boxes, confidences), ALTO XML and a text-only PDF, plus the words of red stamps and,
read again as blocks of their own, the left header column of a page that opens a document and a signer block
that a seal or a signature hid from Tesseract's layout of the whole page.
Page failure policy: a page that Tesseract cannot read, that times out, or that kills its worker process is
quarantined with that reason and the dossier goes on; when more than ``max_failed_ratio`` of the pages
fail, the dossier itself is stopped (a scanner or engine fault, not a bad page).
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from sohoa import hocr, tesseract
from sohoa.extract import left_header_box, signer_box, starts_document
from sohoa.parallel import workers
from sohoa.workspace import DossierWork, write_json

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
        blocks = {}  # parts of the page read again on their own, where Tesseract's page layout serves them badly
        if starts_document(parsed) or job.first:
            blocks["left"] = read_block(_engine, job.image, left_header_box(parsed), job.dpi)
        if box := signer_box(parsed):
            blocks["signer"] = read_block(_engine, job.image, box, job.dpi)
        job.out_base.with_suffix(".blocks.json").unlink(missing_ok=True)
        if blocks:
            write_json(job.out_base.with_suffix(".blocks.json"), blocks)
        stamps = [_engine.ocr_text(path, job.dpi) for path in job.stamps]
    except tesseract.TesseractError as exc:
        return Result(error=f"OCR failed: {exc}")
    return Result(confidence=parsed.confidence, words=len(parsed.words), stamps=stamps)


def read_block(engine: tesseract.Engine, image: Path, box: tuple[int, int, int, int], dpi: int) -> list:
    """The lines of one part of a page read as a block of its own (hOCR lines as JSON, page coordinates)."""
    from PIL import Image

    with Image.open(image) as picture:
        return hocr.to_json(hocr.parse_bytes(engine.ocr_block(picture, box, dpi), offset=box[:2]).lines)


Recognizer = Callable[[Job], Result]


def _round(jobs: dict[int, Job], recognize: Recognizer, n: int, results: dict[int, Result]) -> list[int]:
    """One pool over ``jobs``; returns the pages left unfinished because a worker process died."""
    # fork: a spawned worker would re-import the parent's __main__, which under Airflow's task runner (or in a
    # script without a main guard) fails before the first page; the workers only run Tesseract and return
    with ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = {pool.submit(recognize, job): i for i, job in jobs.items()}
        for future in as_completed(futures):
            i = futures[future]
            try:
                results[i] = future.result()
            except BrokenProcessPool:
                continue
            except Exception as exc:  # any error of one page is that page's reason
                results[i] = Result(error=f"OCR failed: {type(exc).__name__}: {exc}")
    return sorted(set(jobs) - set(results))


def recognize_all(jobs: list[Job], recognize: Recognizer = recognize, n: int = 0) -> list[Result]:
    """Results in the order of ``jobs``. When a worker dies (Tesseract crashed), the pages it took down with
    it are tried again; twice unlucky, each is tried alone so that only the page that kills it is lost."""
    results: dict[int, Result] = {}
    todo = _round(dict(enumerate(jobs)), recognize, n or workers(), results)
    if todo:
        todo = _round({i: jobs[i] for i in todo}, recognize, n or workers(), results)
    for i in todo:
        if _round({i: jobs[i]}, recognize, 1, results):
            results[i] = Result(error="OCR crashed: the Tesseract worker process died on this page")
    return [results[i] for i in range(len(jobs))]


def ocr_dossier(dw: DossierWork, *, max_failed_ratio: float = MAX_FAILED_RATIO,
                recognize: Recognizer = recognize) -> dict[str, float]:
    dw.stopped_json.unlink(missing_ok=True)
    pages = dw.pages()
    todo = [p for p in pages if p.status == "ok"]
    jobs = [Job(dw.path(p.work_copy or ""), dw.path(f"ocr/{p.index:04d}"),
                int(round(p.extra.get("work_dpi") or p.dpi or 0)),  # a fine scan's working copy is reduced
                tuple(dw.path(rel) for rel in p.extra.get("stamp_images", [])), first=i == 0)
            for i, p in enumerate(todo)]
    for page, result in zip(todo, recognize_all(jobs, recognize), strict=True):
        if result.error:
            log.warning("page %s: %s", page.source, result.error)
            page.quarantine(result.error)
            continue
        base = f"ocr/{page.index:04d}"
        page.hocr, page.text_pdf, page.extra["alto"] = f"{base}.hocr", f"{base}.pdf", f"{base}.xml"
        page.ocr_confidence, page.words, page.extra["stamps"] = result.confidence, result.words, result.stamps
        if dw.path(f"{base}.blocks.json").is_file():
            page.extra["blocks"] = f"{base}.blocks.json"
    dw.save(pages)
    done = [p for p in todo if p.ocr_confidence is not None]
    failed = len(todo) - len(done)
    mean = round(sum(p.ocr_confidence or 0 for p in done) / len(done), 1) if done else 0.0
    counts = {"pages": len(todo), "failed": failed, "mean_confidence": mean}
    log.info("dossier %s OCR: %s", dw.code, counts)
    if todo and failed / len(todo) > max_failed_ratio:
        dw.stop(f"OCR failed on {failed} of {len(todo)} page(s), more than the {max_failed_ratio:.0%} allowed")
    return counts
