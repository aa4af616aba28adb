"""The same DAG under the real scheduler: `sohoa airflow` (airflow standalone, LocalExecutor), a run
triggered from the command line as the UI's trigger form would, the report delivered. The run asks for
AIP_hoso packages: the trigger form's package type reaches the package, with its PREMIS."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sohoa.package import validate_package
from sohoa.synth import make_batch

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def airflow(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "airflow"), *args], capture_output=True, text=True, env=env, timeout=300,
                          check=False)


def test_scheduler_runs_a_triggered_batch(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    make_batch(batch, dossiers=1, docs_per_dossier=(1, 1), seed=5)
    out = tmp_path / "out"
    port = free_port()
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path / "home"), "SOHOA_WORK_DIR": str(tmp_path / "work"),
           "AIRFLOW__API__PORT": str(port), "AIRFLOW__CORE__EXECUTION_API_SERVER_URL":
           f"http://localhost:{port}/execution/", "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
           "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5", "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT":
           str(free_port()), "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port())}
    log = open(tmp_path / "standalone.log", "w")
    server = subprocess.Popen([str(BIN / "sohoa"), "airflow"], env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    env["AIRFLOW__CORE__DAGS_FOLDER"] = str(Path(__file__).resolve().parents[1] / "dags")
    try:
        deadline = time.monotonic() + 400
        while "digitize_batch" not in airflow("dags", "list", "-o", "plain", env=env).stdout:
            assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "standalone.log").read_text()[-3000:]
            time.sleep(5)
        conf = {"batch_uri": str(batch), "output_uri": str(out), "batch_id": "sched", "campaign": "scheduler",
                "package_type": "AIP_hoso", "archive_code": "H49.26"}
        triggered = airflow("dags", "trigger", "digitize_batch", "--conf", json.dumps(conf), env=env)
        assert triggered.returncode == 0, triggered.stderr[-2000:]
        report = out / "sched" / "report.json"
        while not report.exists():
            assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "standalone.log").read_text()[-3000:]
            time.sleep(5)
        data = json.loads(report.read_text(encoding="utf-8"))
        assert data["campaign"] == "scheduler"
        assert [d["status"] for d in data["dossiers"]] == ["delivered"]
        assert all(p["status"] == "delivered" for p in data["pages"])
        [dossier] = data["dossiers"]
        assert dossier["package_type"] == "AIP_hoso"
        package = out / "sched" / dossier["package"]
        assert validate_package(package, pdfa=True, signed=True) == []
        ead = (package / "metadata/descriptive/EAD.xml").read_text(encoding="utf-8")
        assert f"<arcFileCode>H49.26.{dossier['dossier_code']}</arcFileCode>" in ead
        premis = (package / "representations/rep1/metadata/preservation/PREMIS_rep1.xml").read_text(encoding="utf-8")
        assert "<formatRegistryKey>fmt/477</formatRegistryKey>" in premis  # PDF/A-2b
        assert "<eventType>digital signature generation</eventType>" in premis
        assert all(f"<agentName>{tool}</agentName>" in premis for tool in ("sohoa", "Tesseract", "pyHanko"))
        transfer = (package / "metadata/preservation/PREMIS.xml").read_text(encoding="utf-8")
        assert "<eventType>transfer</eventType>" in transfer
        for agent in ("sohoa", "OpenCV", "Tesseract", "pikepdf", "pyHanko", "H49.26"):  # tools and the archive
            assert f"<agentName>{agent}</agentName>" in transfer, agent
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
        log.close()
