"""How far each stage has come, where people look, and how long each stage took, for the campaign store.

Stages call ``pages(stage, dossier, done, total)`` as they go: the ``sohoa.progress`` logger says it in the
task's log ("ocr H30.2018.07.VX: 12/40 pages"), a line every tenth of the dossier or every 15 s, and
``sohoa run`` draws one line per stage on the terminal (``TerminalProgress``). ``timed(stage)`` wraps a
pipeline stage: it announces the dossier's pages and keeps the stage's time in the work area
(``stage_times/<stage>/<dossier>.json``), which ``stage_times`` adds up per stage.
"""

from __future__ import annotations

import functools
import logging
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar

from sohoa.workspace import read_json, write_json

log = logging.getLogger("sohoa.progress")
TIMES = "stage_times"
BATCH = "_batch"  # the key of a stage that works on the whole batch
EVERY_SECONDS = 15.0
F = TypeVar("F", bound=Callable[..., Any])
_last: dict[tuple[str, str], tuple[float, int]] = {}


def pages(stage: str, dossier: str, done: int, total: int) -> None:
    """``done`` of the dossier's ``total`` pages went through ``stage``."""
    key = (stage, dossier)
    now = time.monotonic()
    said_at, said = _last.get(key, (0.0, -1))
    step = max(1, total // 10)
    if done != said and (done in (0, total) or done // step != said // step or now - said_at >= EVERY_SECONDS):
        _last[key] = (now, done)
        log.info("%s %s: %d/%d pages", stage, dossier, done, total,
                 extra={"sohoa_progress": (stage, dossier, done, total)})


def batch(dossiers: dict[str, int]) -> None:
    """The batch was imported: these dossiers to process, with their pages."""
    log.info("import: %d dossier(s), %d page(s) to process", len(dossiers), sum(dossiers.values()),
             extra={"sohoa_batch": dossiers})


def _work_and_dossier(path: str) -> tuple[Path, str]:
    """The batch work area and the dossier (BATCH for the batch itself) of a stage's first argument."""
    folder = Path(path)
    if (folder / "batch.json").exists() or not (folder / "pages.json").exists():
        return folder, BATCH
    return folder.parents[1], folder.name


def _ok_pages(folder: Path) -> int:
    from sohoa.workspace import load_pages

    return sum(p.status == "ok" for p in load_pages(folder / "pages.json")) if (folder / "pages.json").exists() else 0


def timed(stage: str) -> Callable[[F], F]:
    """Keep how long ``stage`` took on its batch or dossier (the wrapped function's first argument is the path
    of either; an import's result names its work area), and say where it started and ended."""

    def wrap(func: F) -> F:
        @functools.wraps(func)
        def run(path: str, *args: Any, **kwargs: Any) -> Any:
            started = time.monotonic()
            work, dossier = _work_and_dossier(path) if stage != "import" else (Path(), BATCH)
            count = _ok_pages(Path(path)) if dossier != BATCH else 0
            if dossier != BATCH:
                pages(stage, dossier, 0, count)
            result = func(path, *args, **kwargs)
            if stage == "import":
                work = Path(result["work"])
                shutil.rmtree(work / TIMES, ignore_errors=True)  # a new run of the batch: earlier times go
                imported = {Path(d).name: _ok_pages(Path(d)) for d in result["dossiers"]}
                batch(imported)
                count = sum(imported.values())
            elif dossier != BATCH:
                pages(stage, dossier, count, count)
            spent(work, stage, dossier, time.monotonic() - started, count)
            return result

        return run  # type: ignore[return-value]

    return wrap


def spent(work: Path, stage: str, dossier: str, seconds: float, count: int) -> None:
    """Keep that ``stage`` took ``seconds`` on ``count`` pages of ``dossier`` (BATCH: the batch) of the batch
    whose work area is ``work``."""
    write_json(work / TIMES / stage / f"{dossier}.json",
               {"stage": stage, "dossier": dossier, "seconds": round(seconds, 3), "pages": count})


def stage_times(work: Path) -> dict[str, dict[str, float]]:
    """{stage: {seconds, pages}} of a batch's work area: the time of every dossier's (and the batch's) last run
    of each stage, added up."""
    found: dict[str, dict[str, float]] = {}
    for path in sorted((work / TIMES).glob("*/*.json")) if (work / TIMES).is_dir() else []:
        entry = read_json(path)
        into = found.setdefault(entry["stage"], {"seconds": 0.0, "pages": 0})
        into["seconds"] += float(entry["seconds"])
        into["pages"] += int(entry.get("pages") or 0)
    return found


class TerminalProgress(logging.Handler):
    """One line per stage on a terminal, pages done of the pages to do, redrawn in place (a line per quarter
    when the output is not a terminal)."""

    ORDER = ("import", "clean", "ocr", "extract", "package")

    def __init__(self, stream: IO[str] | None = None) -> None:
        super().__init__(logging.INFO)
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.imported: dict[str, int] = {}  # dossier -> its pages, as imported
        self.done: dict[str, dict[str, tuple[int, int]]] = {}
        self.drawn = 0
        self.said: dict[str, tuple[int, int]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        if (got := getattr(record, "sohoa_batch", None)) is not None:
            self.imported = dict(got)
        elif (got := getattr(record, "sohoa_progress", None)) is not None:
            stage, dossier, done, total = got
            self.done.setdefault(stage, {})[dossier] = (done, total)
        else:
            return
        self.draw()

    def stages(self) -> list[tuple[str, int, int, int]]:
        """(stage, pages done, pages to do, dossiers done) in pipeline order; a dossier the stage has not reached
        counts with its imported pages."""
        found = []
        for stage in sorted(self.done, key=lambda s: (self.ORDER.index(s) if s in self.ORDER else 9, s)):
            per = {**{code: (0, n) for code, n in self.imported.items()}, **self.done[stage]}.values()
            found.append((stage, sum(d for d, _ in per), sum(t for _, t in per),
                          sum(d == t for d, t in self.done[stage].values())))
        return found

    def line(self, stage: str, done: int, total: int, finished: int) -> str:
        bar = "#" * round(20 * done / total) if total else ""
        of = f"/{len(self.imported)}" if self.imported else ""
        return f"  {stage:<9} [{bar:<20}] {done}/{total} pages, {finished}{of} dossier(s) done"

    def draw(self) -> None:
        stages = self.stages()
        if self.tty:
            up = f"\x1b[{self.drawn}F" if self.drawn else ""
            self.stream.write(up + "".join(f"\x1b[2K{self.line(*s)}\n" for s in stages))
            self.drawn = len(stages)
        else:
            for stage, done, total, finished in stages:
                quarter = (4 * done // total if total else 0, finished == len(self.imported))
                if self.said.get(stage) != quarter:
                    self.said[stage] = quarter
                    self.stream.write(self.line(stage, done, total, finished) + "\n")
        self.stream.flush()


def to_terminal(stream: IO[str] | None = None) -> TerminalProgress:
    """Draw the stages' progress on ``stream`` (stderr) from now on."""
    handler = TerminalProgress(stream)
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.disabled = False
    return handler
