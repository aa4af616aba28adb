"""The DAGs under the real scheduler and api-server: `sohoa airflow` (airflow standalone, LocalExecutor), driven
through Airflow's public REST API as tests from outside the team drive it (DESIGN.md, review contract).

One batch, asked for as AIP_hoso: one dossier is delivered (its PREMIS checked), two are held because a water
stain hides their header. Each held dossier gets a review_dossier run whose forms wait under Required Actions;
the test answers them with PATCH …/hitlDetails: a wrong date first (asked again, with why), then corrections
(delivered with them), and a Reject (the dossier ends rejected). Headless Chromium shows the form and the page
view to a user logged in with the simple auth manager."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from sohoa.ledger import audit
from sohoa.package import validate_package
from sohoa.package.ead import read_simpledc
from sohoa.sign import verify_pdf
from sohoa.storage import LocalStorage
from sohoa.synth import make_batch
from tests.test_review import DELIVERED, STAINED, stain_header

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[1]
ARTEFACTS = REPO / ".test-artefacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(what: str, check: Callable[[], Any], server: subprocess.Popen[bytes], log: Path,
             timeout: float = 400, every: float = 3) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert server.poll() is None, f"airflow stopped while waiting for {what}: {log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"no {what} after {timeout} s: {log.read_text()[-3000:]}"
        time.sleep(every)
    return found


class Api:
    """Airflow's public REST API as a client sees it: a token from the simple auth manager, then /api/v2."""

    def __init__(self, base: str, home: Path) -> None:
        self.base = base
        password = json.loads((home / "simple_auth_manager_passwords.json.generated").read_text())["admin"]
        got = requests.post(f"{base}/auth/token", json={"username": "admin", "password": password}, timeout=30)
        got.raise_for_status()
        self.token = got.json()["access_token"]
        self.headers = {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, **params: Any) -> Any:
        got = requests.get(f"{self.base}/api/v2{path}", headers=self.headers, params=params, timeout=30)
        got.raise_for_status()
        return got.json()

    def send(self, method: str, path: str, body: dict[str, Any]) -> Any:
        got = requests.request(method, f"{self.base}/api/v2{path}", headers=self.headers, json=body, timeout=30)
        assert got.status_code in (200, 201), got.text
        return got.json()

    def pending(self, code: str) -> list[dict[str, Any]]:
        """Forms of review_dossier runs of dossier ``code`` waiting for an answer."""
        found = self.get("/dags/review_dossier/dagRuns/~/hitlDetails", response_received="false")["hitl_details"]
        return [h for h in found if h["params"].get("doc_id", {}).get("value", "").startswith(f"{code}.")
                or h["params"].get("dossier_code", {}).get("value") == code]

    def answer(self, form: dict[str, Any], option: str, **changes: Any) -> None:
        ti = form["task_instance"]
        values = {name: param["value"] for name, param in form["params"].items()} | changes
        self.send("PATCH", f"/dags/review_dossier/dagRuns/{ti['dag_run_id']}/taskInstances/{ti['task_id']}/"
                           f"{ti['map_index']}/hitlDetails", {"chosen_options": [option], "params_input": values})


@pytest.fixture(scope="module")
def airflow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("scheduler")
    batch = root / "batch"
    make_batch(batch, dossiers=3, docs_per_dossier=(1, 1), seed=7, natural_sort=False)
    for code in STAINED:
        stain_header(sorted((batch / code).iterdir())[0])
    with standalone(root, {"digitize_batch", "review_dossier"}) as (api, server, log_path, env):
        conf = {"batch_uri": str(batch), "output_uri": str(root / "out"), "batch_id": "sched",
                "campaign": "scheduler", "package_type": "AIP_hoso", "archive_code": "H49.26"}
        run = api.send("POST", "/dags/digitize_batch/dagRuns", {"logical_date": None, "conf": conf})
        report = root / "out" / "sched" / "report.json"
        wait_for("report.json", report.exists, server, log_path)
        yield {"api": api, "out": root / "out", "report": report, "server": server, "log": log_path,
               "run": run["dag_run_id"], "base": api.base, "batch": batch, "env": env}


@contextmanager
def standalone(root: Path, dags: set[str]) -> Iterator[tuple[Api, subprocess.Popen[bytes], Path, dict[str, str]]]:
    """`sohoa airflow` on free ports with AIRFLOW_HOME ``root/home``, once ``dags`` are parsed; stopped after."""
    port = free_port()
    home = root / "home"
    env = {**os.environ, "AIRFLOW_HOME": str(home), "SOHOA_WORK_DIR": str(root / "work"),
           "AIRFLOW__API__PORT": str(port), "AIRFLOW__API__BASE_URL": f"http://localhost:{port}",
           "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://localhost:{port}/execution/",
           "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5", "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
           "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
           "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port())}
    env.pop("AIRFLOW_CONN_SOHOA_SIGNING", None)  # the embedded default's local signer
    log_path = root / "standalone.log"
    log = open(log_path, "w")
    server = subprocess.Popen([str(BIN / "sohoa"), "airflow"], env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        base = f"http://localhost:{port}"
        wait_for("api-server", lambda: (home / "simple_auth_manager_passwords.json.generated").exists()
                 and _up(base), server, log_path)
        api = Api(base, home)
        wait_for("the DAGs", lambda: dags <= {d["dag_id"] for d in api.get("/dags")["dags"]}, server, log_path)
        yield api, server, log_path, env
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:  # `sohoa airflow` gives its components 30 s, then kills them and waits 15 s more: killed before
            server.wait(timeout=90)  # that, it would leave them running, orphaned
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
        log.close()


def headless_chromium(window: str, *flags: str) -> Any:
    """Debian's Chromium, headless, through its chromedriver; screenshots go to ARTEFACTS."""
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    assert chromium and driver, "scripts/install-system.sh installs chromium and chromium-driver"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--window-size={window}", *flags):
        options.add_argument(flag)
    ARTEFACTS.mkdir(exist_ok=True)
    return webdriver.Chrome(service=Service(driver), options=options)


def _up(base: str) -> bool:
    try:
        return requests.get(f"{base}/api/v2/monitor/health", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def read_report(airflow: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(airflow["report"].read_text(encoding="utf-8")))


def dossier(airflow: dict[str, Any], code: str) -> dict[str, Any]:
    return next(d for d in read_report(airflow)["dossiers"] if d["dossier_code"] == code)


def test_a_triggered_batch_delivers_its_aip_and_holds_what_it_cannot_read(airflow: dict[str, Any]) -> None:
    data = read_report(airflow)
    assert data["campaign"] == "scheduler"
    assert {d["dossier_code"]: d["status"] for d in data["dossiers"]} == {
        DELIVERED: "delivered", STAINED[0]: "review", STAINED[1]: "review"}
    record = dossier(airflow, DELIVERED)
    assert record["package_type"] == "AIP_hoso"
    package = airflow["out"] / "sched" / record["package"]
    assert validate_package(package, pdfa=True, signed=True) == []
    ead = (package / "metadata/descriptive/EAD.xml").read_text(encoding="utf-8")
    assert f"<arcFileCode>H49.26.{DELIVERED}</arcFileCode>" in ead
    premis = (package / "representations/rep1/metadata/preservation/PREMIS_rep1.xml").read_text(encoding="utf-8")
    assert "<formatRegistryKey>fmt/477</formatRegistryKey>" in premis  # PDF/A-2b
    assert "<eventType>digital signature generation</eventType>" in premis
    transfer = (package / "metadata/preservation/PREMIS.xml").read_text(encoding="utf-8")
    for agent in ("sohoa", "OpenCV", "Tesseract", "pikepdf", "pyHanko", "H49.26"):  # tools and the archive
        assert f"<agentName>{agent}</agentName>" in transfer, agent
    api = airflow["api"]
    wait_for("the batch run's end", lambda: api.get(f"/dags/digitize_batch/dagRuns/{airflow['run']}")["state"]
             in ("success", "failed"), airflow["server"], airflow["log"])
    tis = api.get(f"/dags/digitize_batch/dagRuns/{airflow['run']}/taskInstances")["task_instances"]
    status = {t["rendered_map_index"]: t["state"] for t in tis if t["task_id"] == "dossier_status"}
    assert status == {DELIVERED: "success", STAINED[0]: "skipped", STAINED[1]: "skipped"}  # held: not green
    for task_id in ("digitize", "package"):  # mapped over chunks of dossiers, each labelled with their codes
        labels = [t["rendered_map_index"] for t in tis if t["task_id"] == task_id]
        assert sorted(code for label in labels for code in label.split(", ")) == sorted([DELIVERED, *STAINED])


MISSED_PARK = """
import sys
from datetime import UTC, datetime

from dags.runner import prepare_airflow

prepare_airflow()  # the environment of `sohoa airflow`, whose database this is
from airflow.models.taskinstance import TaskInstance
from airflow.utils.session import create_session
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from plugins.sohoa_answers import unstrand

run_id, map_index, reason = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with create_session() as session:  # the answer as the api-server stores it, without the resume
    ti = session.scalar(select(TaskInstance).where(TaskInstance.dag_id == "review_dossier",
                                                   TaskInstance.run_id == run_id, TaskInstance.task_id == "review",
                                                   TaskInstance.map_index == map_index)
                        .options(joinedload(TaskInstance.hitl_detail)))
    detail = ti.hitl_detail
    detail.chosen_options = ["Reject"]
    detail.params_input = {**{k: v["value"] for k, v in detail.params.items()}, "reason": reason}
    detail.responded_by = {"id": "admin", "name": "admin"}
    detail.responded_at = datetime.now(UTC)
print(unstrand(run_id, map_index))
"""


def test_held_dossiers_are_corrected_or_rejected_through_the_rest_api(airflow: dict[str, Any]) -> None:
    api, approved, rejected = airflow["api"], STAINED[0], STAINED[1]
    [form] = wait_for("the review form", lambda: api.pending(approved), airflow["server"], airflow["log"])
    assert form["options"] == ["Approve", "Reject"]
    params = form["params"]
    assert {"document_type", "number", "symbol", "issued_date", "issuing_agency", "parent_agency", "place",
            "subject", "signer", "signer_title", "authority", "urgency", "doc_id", "reason"} == set(params)
    assert params["doc_id"]["value"] == f"{approved}.1" and params["issuing_agency"]["value"] is None
    assert form["task_instance"]["rendered_map_index"] == f"{approved}.1"
    assert "⚠ empty" in form["body"]
    corrections = {"document_type": "Quyết định", "issuing_agency": "ỦY BAN NHÂN DÂN THÀNH PHỐ VỊ THANH",
                   "subject": "phê duyệt kế hoạch số hóa", "number": "15", "symbol": "QĐ-UBND"}
    api.answer(form, "Approve", **corrections, issued_date="2020-02-30")  # no such day: asked again
    # answered as soon as it exists, as clients of the API do: in a new run, never lost to a retry of this one
    [again] = wait_for("the form asked again", lambda: [f for f in api.pending(approved)
                                                         if f["task_instance"]["dag_run_id"] !=
                                                         form["task_instance"]["dag_run_id"]],
                       airflow["server"], airflow["log"], every=0.2)
    assert again["task_instance"]["try_number"] == 1
    assert "issued_date '2020-02-30' is not a date written YYYY-MM-DD" in again["body"]
    assert again["params"]["issuing_agency"]["value"] == corrections["issuing_agency"]
    api.answer(again, "Approve", issued_date="2020-08-30")
    kept = f"answer to form {again['task_instance']['map_index']} of {again['task_instance']['dag_run_id']} kept in"
    wait_for("the answer kept by the api-server", lambda: kept in airflow["log"].read_text(encoding="utf-8"),
             airflow["server"], airflow["log"], timeout=60, every=0.5)
    [other] = wait_for("the other form", lambda: api.pending(rejected), airflow["server"], airflow["log"])
    # its Reject as SQLite can leave it when it lands while the task parks: stored, the task left waiting
    ti = other["task_instance"]
    missed = subprocess.run([sys.executable, "-c", MISSED_PARK, ti["dag_run_id"], str(ti["map_index"]),
                             "trang đầu bị ố: quét lại"], env=airflow["env"], cwd=REPO, capture_output=True,
                            text=True, timeout=120)
    assert missed.stdout.splitlines()[-1:] == ["True"], missed.stdout + missed.stderr[-3000:]  # found waiting
    wait_for("both decided", lambda: {dossier(airflow, c)["status"] for c in STAINED} == {"delivered", "rejected"},
             airflow["server"], airflow["log"])

    record = dossier(airflow, approved)
    [doc] = record["documents"]
    assert {k: doc["metadata"][k] for k in corrections} == corrections
    assert doc["metadata"]["issued_date"] == "2020-08-30"
    assert doc["review"]["by"] == "admin" and doc["review"]["decision"] == "approved"
    assert doc["review"]["changed"]["issuing_agency"] == [None, corrections["issuing_agency"]]
    package = airflow["out"] / "sched" / record["package"]
    assert validate_package(package, pdfa=True, signed=True) == []
    [ead_doc] = (package / "representations/rep1/metadata/descriptive").glob("EAD_doc_*.xml")
    assert read_simpledc(ead_doc.read_bytes())["organName"] == corrections["issuing_agency"]
    [pdf] = (package / "representations/rep1/data").glob("*.pdf")
    assert verify_pdf(pdf).intact
    assert "<agentName>admin</agentName>" in (package / "metadata/preservation/PREMIS.xml").read_text("utf-8")
    no = dossier(airflow, rejected)
    assert no["package"] is None and no["review"]["reason"] == "trang đầu bị ố: quét lại"
    assert any(r["dossier_code"] == rejected for r in read_report(airflow)["to_rescan"])
    assert [e["package_id"] for e in read_report(airflow)["ledger"]] == [DELIVERED, approved]
    assert audit(LocalStorage(airflow["out"]))["problems"] == []


def test_a_dossier_decided_from_the_spreadsheet_leaves_no_open_form(airflow: dict[str, Any],
                                                                    tmp_path: Path) -> None:
    """The same held dossier in a batch of its own: its form waits under Required Actions, the archivist
    decides it from the workbook instead, and the form is answered with what the workbook applied."""
    from openpyxl import load_workbook

    api, code, out = airflow["api"], STAINED[0], airflow["out"]
    batch = tmp_path / "sheet"
    shutil.copytree(airflow["batch"] / code, batch / code)
    api.send("POST", "/dags/digitize_batch/dagRuns", {"logical_date": None, "conf": {
        "batch_uri": str(batch), "output_uri": str(out), "batch_id": "sheet"}})
    [form] = wait_for("the form", lambda: [f for f in api.pending(code) if f["task_instance"]["dag_run_id"]
                                           .startswith(f"review__{code}__")], airflow["server"], airflow["log"])
    sheet_path = tmp_path / "kiểm duyệt.xlsx"
    sohoa = [str(BIN / "sohoa"), "review", str(out / "sheet")]
    done = subprocess.run([*sohoa, "--export", str(sheet_path)], env=airflow["env"], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    book = load_workbook(sheet_path)
    sheet = book.active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    corrections = {"decision": "Duyệt", "document_type": "Quyết định", "issued_date": "2020-08-30",
                   "issuing_agency": "ỦY BAN NHÂN DÂN THÀNH PHỐ VỊ THANH", "subject": "phê duyệt kế hoạch số hóa"}
    for name, value in corrections.items():
        sheet.cell(row=2, column=header.index(name) + 1, value=value)
    book.save(sheet_path)
    done = subprocess.run([*sohoa, "--import", str(sheet_path), "--by", "Nguyễn Thị Lan"], env=airflow["env"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"{code}: approved; its 1 open form(s) under Required Actions answered so" in done.stdout
    assert api.pending(code) == []  # gone from Required Actions
    ti = form["task_instance"]
    wait_for("the review run's end", lambda: api.get(f"/dags/review_dossier/dagRuns/{ti['dag_run_id']}")["state"]
             == "success", airflow["server"], airflow["log"])
    answered = api.get(f"/dags/review_dossier/dagRuns/{ti['dag_run_id']}/taskInstances/review/{ti['map_index']}"
                       "/hitlDetails")
    assert answered["responded_by_user"]["name"] == "Nguyễn Thị Lan"
    assert answered["chosen_options"] == ["Approve"]
    assert answered["params_input"]["issuing_agency"] == corrections["issuing_agency"]
    report = json.loads((out / "sheet" / "report.json").read_text(encoding="utf-8"))
    [record] = report["dossiers"]
    assert record["status"] == "delivered"
    assert record["documents"][0]["review"]["by"] == "Nguyễn Thị Lan"
    assert record["documents"][0]["metadata"]["issued_date"] == "2020-08-30"
    assert validate_package(out / "sheet" / record["package"], pdfa=True, signed=True) == []


def test_the_review_form_and_the_page_view_in_a_browser(airflow: dict[str, Any]) -> None:
    """Headless Chromium (Debian's), logged in with the simple auth manager's token as the UI keeps it."""
    api = airflow["api"]
    forms = api.get("/dags/review_dossier/dagRuns/~/hitlDetails")["hitl_details"]
    form = next(f for f in forms if f["params"].get("doc_id", {}).get("value") == f"{STAINED[0]}.1")
    ti = form["task_instance"]
    browser = headless_chromium("1400,1200")
    try:
        browser.set_page_load_timeout(60)
        browser.get(f"{airflow['base']}/sohoa/")
        assert "/auth/login" in browser.current_url  # no session: Airflow's login first
        browser.add_cookie({"name": "_token", "value": api.token, "path": "/"})
        pages = {
            "review-form": (f"/dags/review_dossier/runs/{ti['dag_run_id']}/tasks/review/mapped/{ti['map_index']}"
                            "/required_actions", ["Kiểm duyệt", STAINED[0], "issuing_agency"]),
            "page-view": (f"/sohoa/review/sched/{STAINED[0]}/{STAINED[0]}.1",
                          ["Phần đầu văn bản", "ỦY BAN NHÂN DÂN THÀNH PHỐ VỊ THANH"]),
        }
        for name, (path, words) in pages.items():
            browser.get(airflow["base"] + path)
            deadline = time.monotonic() + 60
            while not all(w in browser.page_source for w in words) and time.monotonic() < deadline:
                time.sleep(1)
            shot = ARTEFACTS / f"{name}.png"
            browser.save_screenshot(str(shot))
            assert all(w in browser.page_source for w in words), (name, [w for w in words
                                                                          if w not in browser.page_source])
            assert shot.stat().st_size > 20_000  # a rendered page, not a blank one
        header = browser.find_element("css selector", "img[alt^='header']")  # the crop the machine read
        assert browser.execute_script("return arguments[0].naturalWidth", header) > 300
    finally:
        browser.quit()
