"""Pages through reading, cleaning and OCR in one pool of worker processes, across dossiers.

The unit of work is a page: a worker takes one, reads it from its input file (``sohoa.ingest.decode_page``),
cleans it (``sohoa.clean``) and reads its text (``sohoa.ocr``) before it takes the next, so that the three
steps of different pages overlap and every core is busy until the last page, whatever the dossiers' sizes.
Pages come back as they are done; when the last page of a dossier is back its ``pages.json`` is written and
the caller is told (``on_dossier``), while the pool goes on with the other dossiers' pages.

Failure policy (as the OCR stage's): a page whose step fails is quarantined with that step's reason and the
others go on. When a worker process dies (a crash in a decoder, OpenCV or Tesseract), the pages it took down
with it are done again in a new pool; twice unlucky, each is done alone, one step at a time, so that only the
page that kills its worker is lost, with the step that killed it named. A full work area stops everything
(``sohoa.disk.DiskFullError``) before any dossier's pages are saved.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sohoa import ocr
from sohoa.campaign import progress
from sohoa.clean import safe_clean
from sohoa.disk import DiskFullError
from sohoa.ingest import PLANNED, close_inputs, decode_page
from sohoa.parallel import alone, replay, survivors_map, worker_logs, workers
from sohoa.workspace import DossierWork, Page, load_pages

log = logging.getLogger(__name__)

STEPS = ("import", "clean", "ocr")
# what a step's failure is called in a page's reason
NAMES = {"import": "reading the file", "clean": "cleaning", "ocr": "OCR"}
CRASHED = {"import": "reading the file crashed: the worker process died on this page (a decoder crashed)",
           "clean": "cleaning crashed: the worker process died on this page",
           "ocr": "OCR crashed: the Tesseract worker process died on this page"}


@dataclass(frozen=True)
class PageJob:
    root: Path  # the dossier's work folder
    code: str
    page: Page
    steps: tuple[str, ...]
    first: bool = False  # the dossier's first page to be read: OCR reads its header again even if it looks like none
    recognize: ocr.Recognizer = ocr.recognize


@dataclass
class PageDone:
    page: Page
    seconds: dict[str, float] = field(default_factory=dict)  # per step the page went through
    logs: list[tuple[str, int, str]] = field(default_factory=list)


def run_job(job: PageJob) -> PageDone:
    """One page through its steps, in a pool worker; a step is skipped once the page is no longer "ok"."""
    dw = DossierWork(job.root, job.code)
    page, seconds = job.page, {}
    for step in job.steps:
        if page.status != "ok":
            break
        started = time.monotonic()
        if step == "import":
            try:
                page = decode_page(job.root, page)
            finally:
                if "clean" in job.steps:  # its file's next page is another worker's: no need to keep it open
                    close_inputs()
        elif step == "clean":
            page = safe_clean(dw, page)
        else:
            page = ocr.read_page(dw, page, job.first, job.recognize)
        seconds[step] = time.monotonic() - started
    return PageDone(page, seconds, worker_logs())


def _failed(job: PageJob, exc: Exception) -> PageDone:
    """An error no step caught: the page's reason (counted as a failure of each of its steps)."""
    what = NAMES[job.steps[0]] if len(job.steps) == 1 else "processing"
    page = replace(job.page, extra=dict(job.page.extra))
    page.quarantine(f"{what} failed: {type(exc).__name__}: {exc}")
    log.warning("page %s: %s", page.source, page.reason)
    return PageDone(page, dict.fromkeys(job.steps, 0.0))


def _alone(job: PageJob) -> PageDone:
    """A page that killed its worker twice, done alone one step at a time: the step that kills it is named."""
    page, seconds = job.page, {}
    for step in job.steps:
        if page.status != "ok":
            break
        survived, done = alone(run_job, replace(job, page=page, steps=(step,)))
        if not survived:
            page = replace(page, extra=dict(page.extra))
            page.quarantine(CRASHED[step])
            log.warning("page %s: %s", page.source, page.reason)
            seconds[step] = 0.0  # it entered the step, which failed
            break
        if isinstance(done, Exception):
            failed = _failed(replace(job, page=page, steps=(step,)), done)
            return PageDone(failed.page, {**seconds, **failed.seconds})
        assert isinstance(done, PageDone)
        replay(done.logs)
        page, seconds = done.page, {**seconds, **done.seconds}
    return PageDone(page, seconds)


@dataclass
class _Dossier:
    """A dossier whose pages are in the pool: its page records and how far they have come."""

    dw: DossierWork
    pages: list[Page]
    todo: set[int]  # positions of its pages still in the pool
    first: int | None  # position of the page flagged as its first to read
    started: int = 0  # pages that went into the pool
    entered: dict[str, set[int]] = field(default_factory=dict)  # positions of the pages that entered each step
    seconds: dict[str, float] = field(default_factory=dict)  # worker seconds spent on each step

    def counts(self) -> dict[str, Any]:
        """What the steps did: pages sent, pages read from their files, blank, turned, read by OCR, OCR failures
        and the mean word confidence of the pages OCR read."""
        found: dict[str, Any] = {"pages": self.started}
        if "import" in self.entered:
            found["imported"] = sum(self.pages[i].image is not None for i in self.entered["import"])
        if "clean" in self.entered:
            cleaned = [self.pages[i] for i in self.entered["clean"]]
            found["blank"] = sum(p.status == "blank" for p in cleaned)
            found["rotated"] = sum(bool(p.rotation) for p in cleaned)
        if "ocr" in self.entered:
            read = [self.pages[i] for i in self.entered["ocr"]]
            done = [p.ocr_confidence or 0.0 for p in read if p.ocr_confidence is not None]
            found.update(read=len(read), failed=len(read) - len(done),
                         mean_confidence=round(sum(done) / len(done), 1) if done else 0.0)
        return found


OnDossier = Callable[[DossierWork, list[Page], dict[str, Any]], Any]


def start_pages(dw: DossierWork) -> list[Page]:
    """The dossier's page records to start from: as planned by the import when it planned them (a retry starts
    afresh), else as the last stage left them."""
    planned = dw.root / PLANNED
    return load_pages(planned) if planned.exists() else dw.pages()


def read_pages(dossiers: Iterable[DossierWork], steps: tuple[str, ...] = STEPS, *, on_dossier: OnDossier | None = None,
               recognize: ocr.Recognizer = ocr.recognize, record_times: bool = False, n: int = 0) -> None:
    """Every "ok" page of ``dossiers`` through ``steps`` (in STEPS order) in one pool of ``n`` workers (default:
    ``sohoa.parallel.workers()``). Each dossier's ``pages.json`` is written when its last page is done, then
    ``on_dossier(dw, pages, counts)`` is called (``counts``: ``_Dossier.counts``). ``record_times``: keep each
    step's worker seconds per dossier (the campaign's stage times)."""
    state: dict[str, _Dossier] = {}
    jobs: dict[int, PageJob] = {}
    where: dict[int, tuple[str, int]] = {}  # job key -> (dossier, position of the page in its list)
    for dw in dossiers:
        pages = start_pages(dw)
        todo = [i for i, p in enumerate(pages) if p.status == "ok"]
        first = todo[0] if todo and "ocr" in steps else None
        state[dw.code] = _Dossier(dw, pages, set(todo), first, len(todo), {step: set() for step in steps})
        for i in todo:
            where[len(jobs)] = (dw.code, i)
            jobs[len(jobs)] = PageJob(dw.root, dw.code, pages[i], steps, first=i == first, recognize=recognize)
        for step in steps:
            progress.pages(step, dw.code, 0, len(todo))

    def done(key: int, result: PageDone) -> None:
        code, i = where[key]
        d = state[code]
        replay(result.logs)
        d.pages[i] = result.page
        d.todo.discard(i)
        for step, seconds in result.seconds.items():
            d.seconds[step] = d.seconds.get(step, 0.0) + seconds
            d.entered[step].add(i)
        for step in steps:  # a step's pages done of those that may still reach it
            progress.pages(step, code, len(d.entered[step]), len(d.entered[step]) + len(d.todo))
        if not d.todo:
            _finish(d, steps, recognize, record_times, on_dossier)

    for d in [d for d in state.values() if not d.todo]:  # nothing to do: finished at once
        _finish(d, steps, recognize, record_times, on_dossier)
    _, lost = survivors_map(run_job, jobs, n or workers(), _failed, done, fatal=(DiskFullError,))
    for key in lost:
        done(key, _alone(jobs[key]))


def _finish(d: _Dossier, steps: tuple[str, ...], recognize: ocr.Recognizer, record_times: bool,
            on_dossier: OnDossier | None) -> None:
    if d.first is not None:
        _first_read(d, recognize)
    d.dw.save(d.pages)
    if record_times:  # the import's pages are counted once, by the batch's import (sohoa.pipeline.run_import)
        for step in steps:
            progress.spent(d.dw.batch.root, step, d.dw.code, d.seconds.get(step, 0.0),
                           len(d.entered[step]) if step != "import" else 0)
    if on_dossier is not None:
        on_dossier(d.dw, d.pages, d.counts())


def _first_read(d: _Dossier, recognize: ocr.Recognizer) -> None:
    """OCR reads the header of a dossier's first page again even if it looks like none. The page flagged first
    when the pages went into the pool may have turned out blank or unreadable: then the first page OCR read is
    read again, as the first (rare: a blank cover sheet)."""
    read = sorted(d.entered.get("ocr", ()))
    if not read or read[0] == d.first:
        return
    i = read[0]
    d.first = i
    page = replace(d.pages[i], extra=dict(d.pages[i].extra))
    done = _alone(PageJob(d.dw.root, d.dw.code, page, ("ocr",), first=True, recognize=recognize))
    d.pages[i] = done.page
