"""The pipeline's stages as plain functions over work-area paths: what each Airflow task calls.

Tasks pass only these small references (paths of the work area, counts) to one another; the pages
themselves stay in the work area (``SOHOA_WORK_DIR``, a local folder by default).
"""

from __future__ import annotations

import functools
import logging
import math
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlparse

from sohoa import disk
from sohoa.campaign.progress import timed
from sohoa.package.model import AIP_HOSO, PACKAGE_TYPES, SIP_HOSO
from sohoa.storage import StorageError, storage_for
from sohoa.vocab import nfc
from sohoa.workspace import BatchWork, DossierWork, locked, read_json, write_json

if TYPE_CHECKING:
    from sohoa.sign import SigningIdentity

log = logging.getLogger(__name__)


# pages of a chunk, the unit of run_chunk: enough that a task's start-up and its pool's last pages are a small
# share of its time, few enough that a batch of a few hundred pages spreads over several workers of a cluster
CHUNK_PAGES = 100
MIN_CHUNK_PAGES = 10  # spread over workers, a batch is never cut finer than this
FINISHED = "digitized.json"  # a dossier's outcome in run_chunk, and the run it belongs to


def work_root() -> Path:
    return Path(os.environ.get("SOHOA_WORK_DIR") or Path.home() / ".sohoa" / "work").expanduser()


F = TypeVar("F", bound=Callable[..., Any])


def _disk_named(place: Callable[..., Path]) -> Callable[[F], F]:
    """A failure of the stage that the full disk of its work area (``place`` of its arguments) explains is raised
    as sohoa.disk.DiskFullError, naming the disk: the operators fail it without retries."""
    def wrap(stage: F) -> F:
        @functools.wraps(stage)
        def run(*args: Any, **kwargs: Any) -> Any:
            with disk.guard(("the work area", place(*args, **kwargs))):
                return stage(*args, **kwargs)

        return run  # type: ignore[return-value]

    return wrap


def _given(path: str, *args: Any, **kwargs: Any) -> Path:
    return Path(path)


def _root(*args: Any, **kwargs: Any) -> Path:
    return work_root()


def default_batch_id(batch_uri: str) -> str:
    """The batch folder's name: re-running the same batch reuses (and replaces) the same output."""
    name = Path(urlparse(batch_uri).path.rstrip("/")).name if "://" in batch_uri else Path(batch_uri).resolve().name
    return nfc(name) or "batch"


def dossier_work(dossier_path: str) -> DossierWork:
    path = Path(dossier_path)
    return DossierWork(path, path.name)


@_disk_named(_root)
@timed("import")
def run_import(batch_uri: str, output_uri: str, batch_id: str = "", campaign: str = "",
               s3_client: Any = None, package_type: str = SIP_HOSO, archive_code: str = "", *,
               decode: bool = True, chunk_pages: int = CHUNK_PAGES, chunk_spread: int = 1) -> dict[str, Any]:
    """Import the batch into a fresh work area; returns the work path, the dossier paths to process and those
    paths in chunks of about ``chunk_pages`` pages, at least ``chunk_spread`` of them when the batch is big
    enough (``chunks``), the units of ``run_chunk``.

    ``package_type``: SIP_hoso or AIP_hoso for every dossier of the batch; an AIP_hoso needs ``archive_code``
    (mã cơ quan lưu trữ, the first part of its arcFileCode). ``decode``: read every page from its file now (in
    parallel); without, the pages are only planned, and ``run_chunk`` reads them."""
    from sohoa.ingest import BatchError, import_batch

    batch_id = nfc(batch_id.strip()) or default_batch_id(batch_uri)
    if "/" in batch_id or batch_id in (".", ".."):
        raise ValueError(f"batch_id {batch_id!r} must be a plain name")
    archive_code = nfc(archive_code.strip())
    if package_type not in PACKAGE_TYPES:
        raise BatchError(f"package_type must be one of {', '.join(PACKAGE_TYPES)}, not {package_type!r}.")
    if package_type == AIP_HOSO and not archive_code:
        raise BatchError("An AIP_hoso needs archive_code, the archive's code (mã cơ quan lưu trữ) that starts "
                         "every arcFileCode.")
    work = BatchWork(work_root() / batch_id)
    if work.root.exists():
        for stale in ("dossiers", "out", "gx", "batch.json", "quality.json"):
            target = work.root / stale
            shutil.rmtree(target, ignore_errors=True) if target.is_dir() else target.unlink(missing_ok=True)
    try:
        local = storage_for(batch_uri, s3_client).download_tree(work.root / "input")
    except StorageError as exc:
        raise BatchError(f"The batch {batch_uri} cannot be read: {exc}.") from exc
    params = {"batch_uri": batch_uri, "output_uri": output_uri, "batch_id": batch_id, "campaign": campaign,
              "package_type": package_type, "archive_code": archive_code}
    ready = import_batch(local, work, batch_id, batch_uri=batch_uri, params=params, decode=decode)
    sizes = [(str(work.dossier(code).root), sum(p.status == "ok" for p in work.dossier(code).pages()))
             for code in ready]
    return {"work": str(work.root), "batch_id": batch_id, "dossiers": [path for path, _ in sizes],
            "chunks": chunks(sizes, chunk_pages, chunk_spread)}


def chunks(sizes: list[tuple[str, int]], most: int = CHUNK_PAGES, spread: int = 1) -> list[list[str]]:
    """Dossiers (path, pages) in batch order, in chunks of consecutive whole dossiers of about the same number
    of pages, at most ``most`` unless one dossier has more (it is a chunk of its own). ``spread``: how many
    workers take chunks at once (a cluster's CPU slots); a batch is cut into at least that many chunks while
    they keep about MIN_CHUNK_PAGES pages, so that a batch smaller than ``most`` keeps every worker busy."""
    total = sum(n for _, n in sizes)
    most = min(most, max(MIN_CHUNK_PAGES, math.ceil(total / max(1, spread))))
    target = total / max(1, math.ceil(total / max(1, most)))
    found: list[list[str]] = []
    current: list[str] = []
    pages = 0
    for path, n in sizes:
        if current and (n >= most or pages + n > target + n / 2):
            found.append(current)
            current, pages = [], 0
        current.append(path)
        pages += n
    return found + [current] if current else found


def _each(paths: list[str], stage: Callable[[str], dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """``stage`` on each dossier, one's failure never stopping the next: {code: its result, or {"stopped":
    why the dossier was stopped} or {"error": what went wrong}}. A full disk stops them all."""
    from sohoa.workspace import DossierError

    found: dict[str, dict[str, Any]] = {}
    for path in paths:
        code = Path(path).name
        try:
            found[code] = stage(path)
        except DossierError as exc:
            found[code] = {"stopped": str(exc)}
        except disk.DiskFullError:
            raise
        except Exception as exc:
            log.exception("dossier %s failed", code)
            found[code] = {"error": f"{type(exc).__name__}: {exc}"}
    return found


def run_chunk(dossier_paths: list[str], max_failed_ratio: float | None = None, run_key: str = ""
              ) -> dict[str, dict[str, Any]]:
    """Read, clean, OCR and describe the pages of a chunk of dossiers planned by ``run_import(decode=False)``: one
    pool for all their pages (``sohoa.pages``), each dossier judged and described as soon as its last page is
    read, while the pool goes on with the others. A dossier none of whose pages can be read, or whose OCR failed
    on more than ``max_failed_ratio`` of its pages, is stopped (failed), the others go on. Returns each dossier's
    counts, or why it was stopped ("stopped") or failed ("error").

    Each dossier starts afresh from its planned pages; but with a ``run_key`` (the DAG run), a dossier this run
    finished (stopped or described) in an earlier try is left as it is, so that a retry after a crash or a kill
    does only what is left."""
    from sohoa.ocr import MAX_FAILED_RATIO, judge
    from sohoa.pages import read_pages

    ratio = MAX_FAILED_RATIO if max_failed_ratio is None else max_failed_ratio
    found: dict[str, dict[str, Any]] = {}

    def describe(dw: DossierWork, pages: list[Any], counts: dict[str, Any]) -> None:
        def judged(path: str) -> dict[str, Any]:
            if not counts.get("imported"):
                dw.stop("no readable page in the dossier")
            judge(dw, counts.get("read", 0), counts.get("failed", 0), ratio)
            return {**counts, **run_extract(path)}

        found.update(_each([str(dw.root)], judged))
        if "stopped" in found[dw.code] or "error" in found[dw.code]:
            found[dw.code] = {**counts, **found[dw.code]}
        if run_key and "error" not in found[dw.code]:
            write_json(dw.root / FINISHED, {"run": run_key, "outcome": found[dw.code]})

    works = []
    for path in dossier_paths:
        dw = dossier_work(path)
        done = read_json(dw.root / FINISHED) if run_key and (dw.root / FINISHED).exists() else {}
        if done.get("run") == run_key:
            log.info("dossier %s was finished by an earlier try of this run: left as it is", dw.code)
            found[dw.code] = done["outcome"]
        else:
            works.append(dw)
    for dw in works:  # what an earlier try left
        for stale in (dw.stopped_json, dw.documents_json, dw.rescan_json, dw.root / "package.json", dw.root / FINISHED):
            stale.unlink(missing_ok=True)
    with disk.guard(*(("the work area", dw.root) for dw in works[:1])):
        read_pages(works, on_dossier=describe, record_times=True)
    return found


@_disk_named(_given)
@timed("clean")
def run_clean(dossier_path: str) -> dict[str, Any]:
    from sohoa.clean import clean_dossier

    return clean_dossier(dossier_work(dossier_path))


@_disk_named(_given)
@timed("ocr")
def run_ocr(dossier_path: str, max_failed_ratio: float | None = None) -> dict[str, Any]:
    from sohoa.ocr import MAX_FAILED_RATIO, ocr_dossier

    ratio = MAX_FAILED_RATIO if max_failed_ratio is None else max_failed_ratio
    return ocr_dossier(dossier_work(dossier_path), max_failed_ratio=ratio)


@_disk_named(_given)
@timed("extract")
def run_extract(dossier_path: str) -> dict[str, Any]:
    from sohoa.extract import extract_dossier

    return extract_dossier(dossier_work(dossier_path))


@_disk_named(_given)
@timed("quality")
def run_quality(work_path: str) -> dict[str, Any]:
    from sohoa.quality import run_checks

    summary = run_checks(BatchWork(Path(work_path)))
    return {"expectations": summary["expectations"], "failed": summary["failed"]}


PACKAGING_CRASHED = "packaging crashed: the worker process died on this dossier"


def run_packages(dossier_paths: list[str], signing: SigningIdentity | None = None) -> dict[str, dict[str, Any]]:
    """``run_package`` on each dossier of a chunk that reached its description, one's failure never stopping
    the next (see ``_each``); the others are left out.

    Dossiers are packaged side by side, one to a worker process (``sohoa.parallel``; a worker's dossier builds
    its documents one after the other): archives' dossiers are small, and a pool per dossier for its two or
    three documents would cost more than it saves. A dossier whose worker dies is packaged again, then alone,
    so that only the one that kills its worker fails, with that reason. A lone dossier is packaged here, its
    documents side by side."""
    from sohoa.parallel import alone, logged, replay, survivors_map, workers

    paths = [p for p in dossier_paths if dossier_work(p).documents_json.exists()]
    stage = functools.partial(_each, stage=functools.partial(run_package, signing=signing))
    if workers() <= 1 or len(paths) <= 1:
        return stage(paths)
    found: dict[str, dict[str, Any]] = {}

    def done(_key: int, result: tuple[dict[str, dict[str, Any]], list[tuple[str, int, str]]]) -> None:
        replay(result[1])
        found.update(result[0])

    def failed(item: list[str], exc: Exception) -> tuple[dict[str, dict[str, Any]], list]:
        return {Path(item[0]).name: {"error": f"{type(exc).__name__}: {exc}"}}, []

    with_logs = functools.partial(logged, stage)
    _, lost = survivors_map(with_logs, {i: [p] for i, p in enumerate(paths)}, workers(), failed, done,
                            fatal=(disk.DiskFullError,))
    for key in lost:
        survived, result = alone(with_logs, [paths[key]])
        if isinstance(result, disk.DiskFullError):
            raise result
        if not survived or result is None:
            log.error("dossier %s: %s", Path(paths[key]).name, PACKAGING_CRASHED)
            result = {Path(paths[key]).name: {"error": PACKAGING_CRASHED}}, []
        elif isinstance(result, Exception):
            result = failed([paths[key]], result)
        done(key, result)
    return {Path(p).name: found[Path(p).name] for p in paths}


@_disk_named(_given)
@timed("package")
def run_package(dossier_path: str, signing: SigningIdentity | None = None) -> dict[str, Any]:
    from sohoa.assemble import package_dossier
    from sohoa.report import dossier_codes

    dw = dossier_work(dossier_path)
    batch = read_json(dw.batch.batch_json)
    entry = next(d for d in batch["dossiers"] if d["code"] == dw.code)
    params = batch.get("params", {})
    result = package_dossier(dw, entry.get("catalogue") or {}, params.get("campaign", ""), signing,
                             params.get("package_type") or SIP_HOSO, params.get("archive_code") or "",
                             codes=dossier_codes(dw, entry))
    return {"built": result["built"], "problems": len(result["problems"]), "signed": len(result["signatures"]),
            "package_type": result["package_type"]}


@_disk_named(_given)
@timed("deliver")
def run_deliver(work_path: str, output_uri: str, s3_client: Any = None) -> dict[str, Any]:
    from sohoa.report import deliver

    return deliver(BatchWork(Path(work_path)), storage_for(output_uri, s3_client))


@_disk_named(_given)
def run_release(work_path: str, code: str, output_uri: str, signing: SigningIdentity | None = None,
                s3_client: Any = None) -> dict[str, Any]:
    """After a review's answers were applied (``sohoa.review.apply``): the quality checks again (corrected
    metadata lifts their document failures), the dossier's package built, signed and checked anew unless it was
    rejected, and the batch delivered as the work area now holds it (report.json rewritten, ledger extended)."""
    from sohoa.report import review_state
    from sohoa.review import mark_released

    work = BatchWork(Path(work_path))
    with locked(work.root / ".release.lock"):  # two dossiers of a batch released at once take turns
        run_quality(work_path)
        dw = work.dossier(code)
        if review_state(dw).get("decision") != "rejected":
            run_package(str(dw.root), signing)
        result = run_deliver(work_path, output_uri, s3_client)
        mark_released(dw)
    return result
