"""The same DAG on CeleryExecutor: ``scripts/scale-out.sh up --workers 2`` (PostgreSQL, Redis, the api-server,
scheduler, dag-processor, triggerer and two Celery workers, all real processes), driven through Airflow's REST API.

A generated batch gives the same report (states, metadata, confidences), the same page images in the PDFs and the
same XML, times apart, as the embedded default (``sohoa run``); a Celery worker killed with SIGKILL in the middle
of a dossier's task has that task retried on the other worker and every package delivered once. ``down`` leaves
nothing running. The fast tests check the queue and pool settings and that stages may fork page workers inside a
daemonic (Celery prefork) process.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from sohoa.ledger import audit
from sohoa.storage import LocalStorage
from sohoa.synth import make_batch
from tests.cluster import SCRIPT, clean_environ, finish, running, session_members, task_instances, trigger

REPO = Path(__file__).resolve().parents[1]
CPU_TASKS = {"scan_import", "digitize", "quality_checks", "package", "deliver", "release"}


# --- fast: configuration

def _queues_and_pools(env: dict[str, str]) -> dict[str, list[str]]:
    code = ("import json; from dags.digitize_batch import dag; from dags.review_dossier import dag as review; "
            "print(json.dumps({t.task_id: [t.queue, t.pool] for t in [*dag.tasks, *review.tasks]}))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=300, check=True)
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def test_cpu_heavy_tasks_take_the_configured_queue_and_pool(tmp_path: Path) -> None:
    env = clean_environ(AIRFLOW_HOME=str(tmp_path), AIRFLOW__SOHOA__CPU_QUEUE="sohoa_cpu",
                        AIRFLOW__SOHOA__CPU_POOL="sohoa_cpu")
    tasks = _queues_and_pools(env)
    assert {t for t, qp in tasks.items() if qp == ["sohoa_cpu", "sohoa_cpu"]} == CPU_TASKS
    assert {tuple(qp) for t, qp in tasks.items() if t not in CPU_TASKS} == {("default", "default_pool")}


def test_the_embedded_default_keeps_airflow_s_default_queue_and_pool(tmp_path: Path) -> None:
    tasks = _queues_and_pools(clean_environ(AIRFLOW_HOME=str(tmp_path)))
    assert CPU_TASKS <= set(tasks)
    assert {tuple(qp) for qp in tasks.values()} == {("default", "default_pool")}


def _pages_in_a_daemonic_process(out: Any) -> None:
    from operators.base import allow_page_workers
    from sohoa.parallel import process_map

    allow_page_workers()
    out.put(process_map(abs, [-1, -2, -3]))


def test_a_task_forked_from_a_daemonic_pool_worker_may_fork_page_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Celery's prefork pool workers are daemonic; Airflow forks the task from one, and multiprocessing refuses
    a daemonic process children unless the stage says it may have them."""
    monkeypatch.setenv("SOHOA_WORKERS", "2")
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    child = ctx.Process(target=_pages_in_a_daemonic_process, args=(out,), daemon=True)
    child.start()
    assert out.get(timeout=120) == [1, 2, 3]
    child.join(60)
    assert child.exitcode == 0


def test_the_plan_serves_both_queues_with_a_pool_sized_to_the_workers() -> None:
    proc = subprocess.run(["bash", str(SCRIPT), "plan", "--workers", "3"], env=clean_environ(), capture_output=True,
                          text=True, timeout=60, check=True)
    runs = [line.split(" ", 2)[1:] for line in proc.stdout.splitlines() if line.startswith("run ")]
    assert [name for name, _ in runs] == ["api-server", "scheduler", "dag-processor", "triggerer", "worker-1",
                                          "worker-2", "worker-3"]
    assert all("--queues default\\,sohoa_cpu --concurrency 1" in cmd for name, cmd in runs if name.startswith("w"))
    assert "<secret>" in proc.stdout and "env AIRFLOW__CORE__EXECUTOR=CeleryExecutor" in proc.stdout
    bad = subprocess.run(["bash", str(SCRIPT), "up", "--workers", "0"], env=clean_environ(), capture_output=True,
                         text=True, timeout=60, check=False)
    assert bad.returncode == 1 and "--workers takes a whole number of at least 1" in bad.stderr


def test_the_plan_gives_each_worker_its_share_of_the_cores() -> None:
    """OMP_THREAD_LIMIT=1 (Tesseract's, in scale-out.env) must not hide the cores: GNU nproc obeys it."""
    cores = len(os.sched_getaffinity(0))
    for workers, share in ((1, cores), (cores, 1), (cores + 1, 1)):
        proc = subprocess.run(["bash", str(SCRIPT), "plan", "--workers", str(workers)], env=clean_environ(),
                              capture_output=True, text=True, timeout=60, check=True)
        assert f"env SOHOA_WORKERS={share}" in proc.stdout.splitlines(), (workers, proc.stdout)
        # and a batch is cut into a chunk for each worker's slot
        assert f"env AIRFLOW__SOHOA__CHUNK_SPREAD={workers}" in proc.stdout.splitlines(), (workers, proc.stdout)


# --- slow: the cluster

def signing_connection(signing_ca: dict[str, Any]) -> str:
    """The connection sohoa_signing (as AIRFLOW_CONN_SOHOA_SIGNING) of the test CA's signing key."""
    folder = signing_ca["folder"]
    return json.dumps({"conn_type": "generic", "extra": {
        "key_file": str(folder / "key.pem"), "certificate_file": str(folder / "cert.pem"),
        "chain_file": str(folder / "ca.pem")}})


@pytest.fixture(scope="module")
def cluster(signing_ca: dict[str, Any]) -> Iterator[dict[str, Any]]:
    # PostgreSQL runs as the user postgres, who must reach its data folder: not under pytest's private tmp
    state = Path(tempfile.mkdtemp(prefix="sohoa-scale-out-"))
    state.chmod(0o755)
    signing = signing_connection(signing_ca)
    env = clean_environ(SOHOA_SCALE_OUT_DIR=str(state), AIRFLOW_CONN_SOHOA_SIGNING=signing,
                        AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT="30",
                        AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL="5")
    try:
        with running(2, state, env) as started:
            yield {"api": started["api"], "state": state, "env": env, "signing": signing,
                   "sessions": started["sessions"]}
    finally:
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scale-out") / "lô_celery"
    make_batch(path, dossiers=2, docs_per_dossier=(1, 1), seed=5, natural_sort=False)
    return path


TIMES = ("started", "finished", "work", "manifest_sha256", "ledger")


def comparable(report: dict[str, Any]) -> dict[str, Any]:
    """The report without what differs from run to run: times, the work folder (and the held dossiers' drafts in
    it), and the hashes of the signed files (a signature holds its time): PDFs, zips, the manifest and the ledger
    that hold them."""
    report = {k: v for k, v in report.items() if k not in TIMES}
    for dossier in report["dossiers"]:
        dossier.pop("zip_sha256", None)
        dossier.pop("draft", None)
        for doc in dossier["documents"]:
            doc.pop("pdf_sha256", None)
            doc.get("signature", {}).pop("signed_at", None)
    return report


METS = "{http://www.loc.gov/METS/}"
XLINK = "{http://www.w3.org/1999/xlink}"


def xml_digest(path: Path) -> str:
    """SHA-256 of an XML file; of a METS file without its times, and without the sizes and checksums of the files
    that hold a time: the signed PDFs and the METS files that list them."""
    if path.name != "METS.xml":
        return hashlib.sha256(path.read_bytes()).hexdigest()
    tree = etree.parse(str(path))
    for element in tree.iter():
        for name in ("CREATEDATE", "LASTMODDATE", "CREATED"):
            element.attrib.pop(name, None)
        if "CHECKSUM" in element.attrib:
            href = element.get(f"{XLINK}href") or next(
                (loc.get(f"{XLINK}href", "") for loc in element.iter(f"{METS}FLocat")), "")
            if href.endswith((".pdf", "METS.xml")):
                del element.attrib["CHECKSUM"], element.attrib["SIZE"]
    return hashlib.sha256(etree.tostring(tree, method="c14n")).hexdigest()


def page_images(pdf: Path) -> list[str]:
    """SHA-256 of each page's image as stored in the PDF."""
    import pikepdf

    with pikepdf.open(pdf) as doc:
        return [hashlib.sha256(image.read_raw_bytes()).hexdigest()
                for page in doc.pages for _, image in sorted(page.images.items())]


def delivered(out: Path) -> dict[str, Any]:
    files = sorted(p.relative_to(out).as_posix() for p in (out / "packages").rglob("*") if p.is_file())
    return {"xml": {f: xml_digest(out / f) for f in files if f.endswith(".xml")},
            "images": {f: page_images(out / f) for f in files if f.endswith(".pdf")},
            "files": files}


@pytest.mark.slow
def test_celery_gives_the_embedded_default_s_results(cluster: dict[str, Any], batch: Path, tmp_path: Path) -> None:
    api = cluster["api"]
    run_id = trigger(api, batch, tmp_path / "celery", "lô_celery", "scale-out")
    embedded_home = tmp_path / "embedded"
    env = clean_environ(AIRFLOW_HOME=str(embedded_home), SOHOA_WORK_DIR=str(embedded_home / "work"),
                        AIRFLOW_CONN_SOHOA_SIGNING=cluster["signing"], OMP_THREAD_LIMIT="1")
    embedded = subprocess.run([sys.executable, "-m", "sohoa.cli", "run", str(batch), "--out", str(tmp_path / "emb"),
                               "--batch-id", "lô_celery", "--campaign", "scale-out"], env=env, capture_output=True,
                              text=True, timeout=1800, check=False)
    assert embedded.returncode == 0, embedded.stderr[-3000:]
    finish(api, run_id)

    tis = task_instances(api, run_id)
    ran = {(t["task_id"], t["queue"], t["pool"]) for t in tis if t["state"] == "success"}
    assert {(t, "sohoa_cpu", "sohoa_cpu") for t in CPU_TASKS - {"release"}} <= ran
    assert ("dossier_status", "default", "default_pool") in ran

    celery_out, embedded_out = tmp_path / "celery" / "lô_celery", tmp_path / "emb" / "lô_celery"
    celery, reference = (json.loads((o / "report.json").read_text(encoding="utf-8")) for o in (celery_out, embedded_out))
    # whether the machine is sure of a field is extraction's business; both executors must agree on it
    assert "delivered" in [d["status"] for d in reference["dossiers"]]
    assert comparable(celery) == comparable(reference)
    got, want = delivered(celery_out), delivered(embedded_out)
    assert got["files"] == want["files"]
    assert got["images"] == want["images"] and all(got["images"].values())
    assert got["xml"] == want["xml"]
    assert any(f.endswith("alto.xml") for f in got["xml"]) and any(f.endswith("/METS.xml") for f in got["xml"])


@pytest.mark.slow
def test_a_worker_killed_mid_task_has_its_dossier_retried_and_delivered_once(
        cluster: dict[str, Any], batch: Path, tmp_path: Path) -> None:
    api, out = cluster["api"], tmp_path / "out"
    run_id = trigger(api, batch, out, "lô_kill", "scale-out")
    workers = {int((cluster["state"] / "pids" / f"worker-{i}.pid").read_text().split()[0]) for i in (1, 2)}
    deadline = time.monotonic() + 600
    victim = None
    while victim is None:
        assert time.monotonic() < deadline, "no dossier task ran"
        for ti in task_instances(api, run_id):
            if ti["task_id"] == "digitize" and ti["state"] == "running" and ti["pid"]:  # reads, cleans, OCRs: the longest
                try:
                    sid = os.getsid(ti["pid"])
                except OSError:
                    continue
                if sid in workers:
                    victim = (ti, sid)
                    break
        time.sleep(0.5)
    ti, worker = victim
    time.sleep(0.2)  # inside the task: the worker dies while it works on the dossier
    for pid in session_members(worker):  # the worker, its pool process, the task's supervisor and the task
        os.kill(pid, signal.SIGKILL)
    finish(api, run_id)

    again = next(t for t in task_instances(api, run_id)
                 if t["task_id"] == ti["task_id"] and t["map_index"] == ti["map_index"])
    assert again["state"] == "success" and again["try_number"] >= 2
    batch_out = out / "lô_kill"
    report = json.loads((batch_out / "report.json").read_text(encoding="utf-8"))
    assert {d["status"] for d in report["dossiers"]} <= {"delivered", "review"}  # none failed, none lost
    codes = sorted(d["dossier_code"] for d in report["dossiers"] if d["status"] == "delivered")
    assert codes
    ledger = [json.loads(line) for line in (out / "ledger.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(line["package_id"] for line in ledger) == codes  # one line per delivered package
    pairs = json.loads((batch_out / "manifest.json").read_text(encoding="utf-8"), object_pairs_hook=list)
    keys = [key for key, _ in dict(pairs)["files"]]
    on_disk = sorted(p.relative_to(batch_out).as_posix() for p in batch_out.rglob("*")
                     if p.is_file() and p.name not in ("report.json", "manifest.json"))
    assert sorted(keys) == on_disk and len(keys) == len(set(keys))  # every object once, nothing half-written
    assert sorted(p.name for p in (batch_out / "packages").iterdir()) == sorted([*codes, *(f"{c}.zip" for c in codes)])
    assert sorted(p.name for p in out.iterdir()) == [".ledger.lock", "ledger.jsonl", "lô_kill"]
    assert audit(LocalStorage(out))["problems"] == []
