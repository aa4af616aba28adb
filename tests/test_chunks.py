"""Chunks of dossiers read, cleaned, OCR'd and described in one pool (sohoa.pages, sohoa.pipeline.run_chunk): the
same results as the stages run dossier by dossier, each dossier failing on its own, retries that redo only what
is left, and a crashing page named with the step that crashed."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from sohoa import pages, pipeline
from sohoa.synth import make_batch
from sohoa.workspace import BatchWork, DossierError, DossierWork, Page, read_json
from tests.conftest import PAGE_LINES, text_page

ONE_PAGE = [f"ONE.{i:02d}" for i in range(1, 5)]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two small dossiers of one document, a big one (a blank sheet first, then ten pages or more), four dossiers
    of one page each and one whose only file cannot be decoded."""
    root = tmp_path_factory.mktemp("chunks") / "batch"
    truth = make_batch(root, dossiers=3, docs_per_dossier=(1, 1), seed=13)
    big = truth["dossiers"][-1]["dossier_code"]  # ten page files or more, trang_1 … trang_N
    Image.new("RGB", (1654, 2338), "white").save(root / big / "trang_0.png", dpi=(200, 200))
    for k, code in enumerate(ONE_PAGE):
        (root / code).mkdir()
        lines = [(x, y, f"{text} {k}" if y > 0.5 else text, bold) for x, y, text, bold in PAGE_LINES]
        text_page(lines).save(root / code / "trang_1.png", dpi=(200, 200))
    (root / "BAD.01").mkdir()
    text_page(PAGE_LINES).save(root / "BAD.01" / "scan.tif", dpi=(200, 200))
    data = (root / "BAD.01" / "scan.tif").read_bytes()
    (root / "BAD.01" / "scan.tif").write_bytes(data[: len(data) // 3])  # its header whole, its pixels cut
    return root


def by_stages(batch: Path, work_dir: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> BatchWork:
    """The batch through the stages one dossier at a time, as digitize_batch ran them before chunks."""
    monkeypatch.setenv("SOHOA_WORK_DIR", str(work_dir))
    started = pipeline.run_import(str(batch), str(out))
    for d in started["dossiers"]:
        pipeline.run_clean(d)
        try:
            pipeline.run_ocr(d)
        except DossierError:
            continue
        pipeline.run_extract(d)
    pipeline.run_quality(started["work"])
    for d in started["dossiers"]:
        if DossierWork(Path(d), Path(d).name).documents_json.exists():
            pipeline.run_package(d)
    pipeline.run_deliver(started["work"], str(out))
    return BatchWork(Path(started["work"]))


def by_chunks(batch: Path, work_dir: Path, out: Path, monkeypatch: pytest.MonkeyPatch,
              chunk_pages: int = 6) -> tuple[BatchWork, dict[str, Any], dict[str, Any]]:
    """The batch as digitize_batch runs it now: planned, then chunk by chunk."""
    monkeypatch.setenv("SOHOA_WORK_DIR", str(work_dir))
    started = pipeline.run_import(str(batch), str(out), decode=False, chunk_pages=chunk_pages)
    outcomes: dict[str, Any] = {}
    for chunk in started["chunks"]:
        outcomes.update(pipeline.run_chunk(chunk, run_key="run-1"))
    pipeline.run_quality(started["work"])
    for chunk in started["chunks"]:
        pipeline.run_packages(chunk)
    pipeline.run_deliver(started["work"], str(out))
    return BatchWork(Path(started["work"])), started, outcomes


def report(out: Path) -> dict[str, Any]:
    data = json.loads((out / "batch" / "report.json").read_text(encoding="utf-8"))
    return {"pages": data["pages"], "counts": data["counts"], "problems": data["problems"],
            "quality": {k: data["quality"][k] for k in ("expectations", "failed")},
            "dossiers": [{k: d.get(k) for k in ("dossier_code", "status", "reason", "documents", "pages", "rescan")}
                         for d in data["dossiers"]]}


def outputs(work: BatchWork) -> dict[str, str]:
    """SHA-256 of every page image, master, working copy, hOCR, ALTO and block the stages wrote (the work
    area's own path taken out of the files that name it)."""
    found = {}
    for path in sorted(work.root.glob("dossiers/*/*/*")):
        if path.parent.name in ("pages", "clean", "ocr") and path.suffix != ".pdf":
            data = path.read_bytes().replace(str(work.root).encode(), b"<work>")
            found[str(path.relative_to(work.root))] = hashlib.sha256(data).hexdigest()
    return found


def page_records(work: BatchWork) -> dict[str, list[dict[str, Any]]]:
    return {dw.code: read_json(dw.pages_json) for dw in work.dossiers()}


def test_a_batch_is_cut_for_the_workers_that_share_it_never_finer_than_a_floor() -> None:
    """Chunks of whole dossiers in batch order: one for a batch under ``most`` pages alone, one per CPU slot of a
    cluster (``spread``) while each keeps MIN_CHUNK_PAGES, a dossier bigger than a chunk on its own."""
    fives = [(f"D{i:02d}", 5) for i in range(12)]  # 60 pages in dossiers of 5
    assert pipeline.chunks(fives, 100) == [[code for code, _ in fives]]
    assert [len(c) for c in pipeline.chunks(fives, 100, spread=2)] == [6, 6]  # 30 pages each
    assert [len(c) for c in pipeline.chunks(fives, 100, spread=4)] == [3, 3, 3, 3]
    assert [len(c) for c in pipeline.chunks(fives, 100, spread=12)] == [2] * 6  # 10 pages: the floor
    assert [len(c) for c in pipeline.chunks(fives, 20, spread=2)] == [4, 4, 4]  # most still holds
    assert pipeline.chunks([("BIG", 50), ("A", 5), ("B", 5)], 100, spread=2) == [["BIG"], ["A", "B"]]
    assert pipeline.chunks([("A", 3), ("B", 3)], 100, spread=2) == [["A", "B"]]  # under the floor: one


def test_chunks_give_the_results_of_the_stages_run_dossier_by_dossier(batch: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    big = max((d for d in batch.iterdir() if d.is_dir()), key=lambda d: len(list(d.iterdir()))).name
    chunked, started, outcomes = by_chunks(batch, tmp_path / "w1", tmp_path / "o1", monkeypatch)
    staged = by_stages(batch, tmp_path / "w2", tmp_path / "o2", monkeypatch)
    # whole dossiers in batch order, about six pages a chunk: the one-page dossiers together, the big one alone
    names = [[Path(d).name for d in chunk] for chunk in started["chunks"]]
    assert [d for chunk in started["chunks"] for d in chunk] == started["dossiers"] and len(started["dossiers"]) == 8
    assert [big] in names and any(len(set(ONE_PAGE) & set(chunk)) > 1 for chunk in names)
    assert outcomes["BAD.01"]["stopped"] == "no readable page in the dossier"
    assert outcomes[big]["documents"] >= 1 and outcomes[big]["blank"] == 1
    got, want = report(tmp_path / "o1"), report(tmp_path / "o2")
    assert got == want
    statuses = {d["dossier_code"]: (d["status"], d["reason"]) for d in got["dossiers"]}
    assert statuses["BAD.01"][0] == "failed" and "no readable page in the dossier" in statuses["BAD.01"][1]
    bad = next(p for p in got["pages"] if p["source"] == "BAD.01/scan.tif")
    assert bad["status"] == "quarantined" and bad["reason"].startswith("truncated image")
    assert {p["status"] for p in got["pages"] if p["source"] == f"{big}/trang_0.png"} == {"blank"}
    assert page_records(chunked) == page_records(staged)
    assert outputs(chunked) == outputs(staged) and len(outputs(chunked)) > 40


def test_a_dossier_failing_in_a_chunk_leaves_the_others_and_a_retry_does_only_what_is_left(
        batch: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small = tmp_path / "small"
    small.mkdir()
    for code in [*ONE_PAGE[:3], "BAD.01"]:
        shutil.copytree(batch / code, small / code)
    monkeypatch.setenv("SOHOA_WORK_DIR", str(tmp_path / "w"))
    started = pipeline.run_import(str(small), str(tmp_path / "o"), decode=False)
    [chunk] = started["chunks"]
    assert [Path(d).name for d in chunk] == ["BAD.01", *ONE_PAGE[:3]]  # in batch order
    extract = pipeline.run_extract

    def broken(path: str) -> dict[str, Any]:
        if path.endswith(ONE_PAGE[1]):
            raise RuntimeError("a bug met on this dossier")
        return extract(path)

    monkeypatch.setattr(pipeline, "run_extract", broken)
    first = pipeline.run_chunk(chunk, run_key="run-1")
    assert first[ONE_PAGE[1]]["error"] == "RuntimeError: a bug met on this dossier"
    assert first["BAD.01"]["stopped"] == "no readable page in the dossier"
    for code in (ONE_PAGE[0], ONE_PAGE[2]):
        assert first[code]["imported"] == first[code]["read"] == 1 and first[code]["failed"] == 0
        assert DossierWork(Path(chunk[0]).parent / code, code).documents_json.exists()
    work = BatchWork(Path(started["work"]))
    before = outputs(work)
    # the retry of the same run: only the dossier that failed is read again
    monkeypatch.setattr(pipeline, "run_extract", extract)
    sent: list[str] = []
    read_pages = pages.read_pages
    monkeypatch.setattr(pages, "read_pages", lambda dws, *a, **k: (sent.extend(dw.code for dw in dws),
                                                                   read_pages(dws, *a, **k))[1])
    again = pipeline.run_chunk(chunk, run_key="run-1")
    assert sent == [ONE_PAGE[1]]
    assert {code: again[code] for code in again if code != ONE_PAGE[1]} == \
        {code: first[code] for code in first if code != ONE_PAGE[1]}
    assert "error" not in again[ONE_PAGE[1]] and again[ONE_PAGE[1]]["documents"] == 1
    assert outputs(work) == before and len(before) >= 9  # its pages were read again to the same files
    # another run (or no key) does everything again, to the same results
    sent.clear()
    fresh = pipeline.run_chunk(chunk)
    assert sent == [Path(d).name for d in chunk] and fresh == again and outputs(work) == before


def crash_on_read(root: Path, page: Page) -> Page:
    if page.source.endswith("crash-read.png"):
        os.abort()
    from sohoa.ingest import decode_page

    return decode_page(root, page)


def crash_on_ocr(job: Any) -> Any:
    from sohoa.ocr import recognize

    if "0001" in job.out_base.name:  # the second page
        os.abort()
    return recognize(job)


def test_a_page_that_kills_its_worker_is_quarantined_naming_the_step_and_the_rest_go_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    batch = tmp_path / "batch"
    (batch / "D.01").mkdir(parents=True)
    for k, name in enumerate(["p0.png", "p1.png", "p2-crash-read.png", "p3.png"]):
        lines = [(x, y, f"{text} {k}" if y > 0.5 else text, bold) for x, y, text, bold in PAGE_LINES]
        text_page(lines).save(batch / "D.01" / name, dpi=(200, 200))
    monkeypatch.setenv("SOHOA_WORK_DIR", str(tmp_path / "w"))
    started = pipeline.run_import(str(batch), str(tmp_path / "o"), decode=False)
    monkeypatch.setattr(pages, "decode_page", crash_on_read)
    dw = DossierWork(Path(started["dossiers"][0]), "D.01")
    seen: dict[str, Any] = {}
    pages.read_pages([dw], recognize=crash_on_ocr, on_dossier=lambda _dw, _p, counts: seen.update(counts))
    states = {p.source: (p.status, p.reason) for p in dw.pages()}
    assert states["D.01/p2-crash-read.png"] == ("quarantined", pages.CRASHED["import"])
    assert states["D.01/p1.png"] == ("quarantined", "OCR crashed: the Tesseract worker process died on this page")
    assert states["D.01/p0.png"] == states["D.01/p3.png"] == ("ok", None)
    confidence = seen.pop("mean_confidence")
    assert seen == {"pages": 4, "imported": 3, "blank": 0, "rotated": 0, "read": 3, "failed": 1} and confidence > 80


PACKAGE = pipeline.run_package


def crash_on_package(path: str, signing: Any = None) -> dict[str, Any]:
    if path.endswith(ONE_PAGE[0]):
        os.abort()
    if path.endswith(ONE_PAGE[1]):
        raise RuntimeError("a bug met while packaging")
    return PACKAGE(path, signing)


def test_dossiers_are_packaged_side_by_side_and_one_that_kills_its_worker_fails_alone(
        batch: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small = tmp_path / "small"
    small.mkdir()
    for code in ONE_PAGE:
        shutil.copytree(batch / code, small / code)
    monkeypatch.setenv("SOHOA_WORK_DIR", str(tmp_path / "w"))
    monkeypatch.setenv("SOHOA_WORKERS", "2")
    started = pipeline.run_import(str(small), str(tmp_path / "o"), decode=False)
    [chunk] = started["chunks"]
    pipeline.run_chunk(chunk)
    pipeline.run_quality(started["work"])
    monkeypatch.setattr(pipeline, "run_package", crash_on_package)
    found = pipeline.run_packages(chunk)
    assert list(found) == ONE_PAGE  # in the chunk's order, whatever order the workers finished in
    assert found[ONE_PAGE[0]] == {"error": pipeline.PACKAGING_CRASHED}
    assert found[ONE_PAGE[1]] == {"error": "RuntimeError: a bug met while packaging"}
    for code in ONE_PAGE[2:]:
        assert found[code]["built"] and found[code]["package_type"] == "SIP_hoso", found[code]
        assert (Path(started["work"]) / "dossiers" / code / "package" / code / "METS.xml").is_file()
    assert not (Path(started["work"]) / "dossiers" / ONE_PAGE[0] / "package" / ONE_PAGE[0] / "METS.xml").exists()


FORK_AFTER_OPENCV = """
import time, cv2, numpy as np
from sohoa.parallel import process_map, workers
img = np.random.default_rng(0).integers(0, 255, (3000, 3000), dtype=np.uint8)
cv2.setNumThreads(2)
cv2.GaussianBlur(img, (0, 0), 5)  # OpenCV's own threads run, then wait for more work
time.sleep(0.5)


def blur(k):
    cv2.setNumThreads(1)  # as a page worker does before it cleans its first page (sohoa.clean.safe_clean)
    return int(cv2.GaussianBlur(img, (0, 0), 1 + k).sum())


print(len(process_map(blur, range(2 * workers()))))
"""


def test_page_workers_forked_after_opencv_s_threads_ran_are_not_stuck() -> None:
    """A task process that used OpenCV (the synthetic pages, a description) before its pool forked: the workers'
    first OpenCV call used to wait forever on the condition variables of threads they do not have."""
    import subprocess
    import sys

    env = {**os.environ, "SOHOA_WORKERS": "2"}
    done = subprocess.run([sys.executable, "-c", FORK_AFTER_OPENCV], env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0 and done.stdout.split() == ["4"], done.stderr[-2000:]
