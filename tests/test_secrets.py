"""Secrets (issue 26): the signing key and its passphrase, the S3 keys and Airflow's own secrets appear in no
log, XCom, report, lineage event or audit line; the embedded default encrypts what it stores with a Fernet key
of its own; key, passwords and Fernet key are readable by their owner only."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from sohoa.sign import SigningIdentity, make_certificate, verify_pdf
from sohoa.synth import make_batch
from tests import test_faults
from tests.test_faults import Weed

pytestmark = pytest.mark.slow
weed = test_faults.weed  # a SeaweedFS server, its bucket "archive"
REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ACCESS_KEY, SECRET_KEY = "AKIASOHOACANARY7Q2X", "s3cr3t-9bX2-sohoa-leak-canary-Zq"
PASSPHRASE = "mật-khẩu-ký-số-canary-4471"


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def prepare(home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The embedded default's set-up (what sohoa run and sohoa airflow do first) in a process of its own."""
    return subprocess.run([sys.executable, "-c", "from dags.runner import prepare_airflow; prepare_airflow()"],
                          cwd=REPO, capture_output=True, text=True, timeout=600, check=False,
                          env={**os.environ, "AIRFLOW_HOME": str(home), **env})


def test_the_embedded_default_encrypts_with_a_key_of_its_own(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = prepare(home)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "empty cryptography key" not in first.stdout + first.stderr
    key = (home / "fernet.key").read_text().strip()
    assert len(key) == 44 and mode(home / "fernet.key") == 0o600
    assert mode(home / "signing" / "signing-key.pem") == 0o600 and mode(home / "signing") == 0o700
    with sqlite3.connect(home / "airflow.db") as db:
        [(extra, encrypted)] = db.execute("select extra, is_extra_encrypted from connection where conn_id = "
                                          "'sohoa_signing'").fetchall()
    assert encrypted == 1 and "signing-key.pem" not in extra  # stored encrypted, not in clear
    from cryptography.fernet import Fernet

    assert json.loads(Fernet(key.encode()).decrypt(extra.encode()))["key_file"] == str(
        home / "signing" / "signing-key.pem")
    again = prepare(home)  # the same key on every later use
    assert again.returncode == 0 and (home / "fernet.key").read_text().strip() == key
    # a key the user set wins: none is generated, nothing is re-encrypted with another
    mine = tmp_path / "mine"
    assert prepare(mine, AIRFLOW__CORE__FERNET_KEY=Fernet.generate_key().decode()).returncode == 0
    assert not (mine / "fernet.key").exists()


def test_a_signing_connection_stored_in_clear_before_is_encrypted(tmp_path: Path) -> None:
    home = tmp_path / "home"
    before = prepare(home, AIRFLOW__CORE__FERNET_KEY_CMD="true")  # a home made without a key, as before
    assert before.returncode == 0 and "empty cryptography key" in before.stdout + before.stderr
    with sqlite3.connect(home / "airflow.db") as db:
        assert db.execute("select is_extra_encrypted from connection").fetchall() == [(0,)]
    assert prepare(home).returncode == 0
    with sqlite3.connect(home / "airflow.db") as db:
        [(extra, encrypted)] = db.execute("select extra, is_extra_encrypted from connection").fetchall()
    assert encrypted == 1 and "signing-key.pem" not in extra


def test_generated_passwords_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    home = tmp_path / "home"
    code = ("from dags.runner import ensure_passwords, prepare_airflow; prepare_airflow(); "
            "print(ensure_passwords())")
    made = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=600,
                          check=False, env={**os.environ, "AIRFLOW_HOME": str(home)})
    assert made.returncode == 0, made.stderr[-3000:]
    path = Path(made.stdout.splitlines()[-1])
    assert path == home / "simple_auth_manager_passwords.json.generated" and mode(path) == 0o600
    password = json.loads(path.read_text())["admin"]
    assert len(password) >= 16 and password not in made.stdout + made.stderr
    path.chmod(0o644)  # written by an earlier Airflow, readable by all: made private, the password kept
    again = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=600,
                           check=False, env={**os.environ, "AIRFLOW_HOME": str(home)})
    assert again.returncode == 0 and mode(path) == 0o600 and json.loads(path.read_text())["admin"] == password


def test_a_signing_identity_never_shows_its_key_or_passphrase() -> None:
    key, cert = make_certificate("x", "SỞ NỘI VỤ")
    identity = SigningIdentity(key, cert, passphrase=PASSPHRASE.encode())
    assert PASSPHRASE not in repr(identity) and "PRIVATE KEY" not in repr(identity) and "PRIVATE KEY" not in str(
        identity)


def _encrypted_identity() -> dict[str, str]:
    """A signing key encrypted with PASSPHRASE and its certificate, as PEM text."""
    from cryptography.hazmat.primitives import serialization

    key_pem, cert_pem = make_certificate("Trung tâm Lưu trữ", "TRUNG TÂM LƯU TRỮ LỊCH SỬ TỈNH HẬU GIANG")
    key = serialization.load_pem_private_key(key_pem, password=None)
    encrypted = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.BestAvailableEncryption(PASSPHRASE.encode()))
    return {"key": encrypted.decode(), "certificate": cert_pem.decode()}


def _secret_lines(pem: str) -> list[str]:
    """The base64 lines of a PEM block: any one of them in a log is a leak."""
    return [line for line in pem.splitlines() if line and not line.startswith("-----")]


def test_no_secret_in_any_log_xcom_report_lineage_or_audit_line(tmp_path: Path, weed: Weed) -> None:
    """A batch from S3 to S3 (keys in the aws_default connection), signed with a key that has a passphrase
    (sohoa_signing): afterwards no file sohoa or Airflow wrote outside the secret stores holds any secret."""
    home, work = tmp_path / "home", tmp_path / "work"
    assert prepare(home).returncode == 0  # the embedded default's own signer and Fernet key
    local_key = (home / "signing" / "signing-key.pem").read_text()
    import boto3

    client = boto3.client("s3", endpoint_url=weed.endpoint, aws_access_key_id=ACCESS_KEY,
                          aws_secret_access_key=SECRET_KEY, region_name="us-east-1")
    batch = tmp_path / "lô_bí_mật"
    make_batch(batch, dossiers=1, docs_per_dossier=(1, 1), seed=21)
    for path in sorted(p for p in batch.rglob("*") if p.is_file()):
        client.upload_file(str(path), "archive", f"in/lô_bí_mật/{path.relative_to(batch).as_posix()}")
    identity = _encrypted_identity()
    env = {**os.environ, "AIRFLOW_HOME": str(home), "SOHOA_WORK_DIR": str(work),
           "AIRFLOW_CONN_AWS_DEFAULT": json.dumps({"conn_type": "aws", "login": ACCESS_KEY, "password": SECRET_KEY,
                                                   "extra": {"endpoint_url": weed.endpoint,
                                                             "region_name": "us-east-1"}}),
           "AIRFLOW_CONN_SOHOA_SIGNING": json.dumps({"conn_type": "generic", "password": PASSPHRASE,
                                                     "extra": {**identity, "agency": "TRUNG TÂM LƯU TRỮ"}})}
    proc = subprocess.run([str(BIN / "sohoa"), "-v", "run", "s3://archive/in/lô_bí_mật", "--out", "s3://archive/out"],
                          env=env, capture_output=True, text=True, timeout=1800, check=False, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(client.get_object(Bucket="archive", Key="out/lô_bí_mật/report.json")["Body"].read())
    [dossier] = report["dossiers"]
    assert dossier["status"] == "delivered", dossier["reason"]  # signed with the passphrase's key
    pdf = client.get_object(Bucket="archive", Key=f"out/lô_bí_mật/{dossier['documents'][0]['pdf']}")["Body"].read()
    (tmp_path / "signed.pdf").write_bytes(pdf)
    assert verify_pdf(tmp_path / "signed.pdf").ok
    config = (home / "airflow.cfg").read_text()
    airflow_secrets = [line.split("=", 1)[1].strip() for line in config.splitlines()
                       if line.split("=", 1)[0].strip() in ("jwt_secret", "secret_key", "fernet_key") and "=" in line]
    secrets = {"S3 secret key": [SECRET_KEY], "S3 access key": [ACCESS_KEY], "passphrase": [PASSPHRASE],
               "signing key": _secret_lines(identity["key"]), "local signing key": _secret_lines(local_key),
               "Fernet key": [(home / "fernet.key").read_text().strip()],
               "Airflow secrets": [s for s in airflow_secrets if len(s) >= 16]}
    assert len(secrets["Airflow secrets"]) >= 2  # the API's JWT secret and secret_key
    stores = {home / "fernet.key", home / "airflow.cfg", home / "signing" / "signing-key.pem"}
    written: dict[str, bytes] = {"sohoa run's output": (proc.stdout + proc.stderr).encode()}
    for root in (home, work):  # logs, lineage, audit trail, the metadata database (XComs, rendered fields)
        for path in root.rglob("*"):
            if path.is_file() and path not in stores:
                written[str(path)] = path.read_bytes()
    for page in client.get_paginator("list_objects_v2").paginate(Bucket="archive", Prefix="out/"):
        for obj in page.get("Contents", []):  # the report, manifest, ledger, packages
            written[f"s3://archive/{obj['Key']}"] = client.get_object(Bucket="archive", Key=obj["Key"])["Body"].read()
    kinds = {path.name for path in home.rglob("*") if path.is_file()}
    assert {"events.jsonl", "tasks.jsonl", "airflow.db"} <= kinds  # lineage, audit trail and XComs were written
    assert any("/logs/" in name for name in written)
    with sqlite3.connect(home / "airflow.db") as db:
        assert db.execute("select count(*) from xcom").fetchone()[0] > 5
    leaks = [(kind, where) for kind, values in secrets.items() for value in values for where, data in written.items()
             if value.encode() in data]
    assert leaks == []
    assert b"empty cryptography key" not in written["sohoa run's output"]
