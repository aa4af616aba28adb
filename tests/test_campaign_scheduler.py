"""A campaign under the real scheduler and api-server (`sohoa airflow`), driven through Airflow's REST API.

Three batch folders in an inbox, one still without its READY marker: the campaign DAG starts two digitize_batch
runs, the land-records batch first, and none again when it runs a second time. The batches' report.json files
are then what the campaign store holds, what `sohoa campaign-report` writes into the survey workbook (opened
with openpyxl) and what the dashboard shows in headless Chromium, logged in, its charts drawn."""

from __future__ import annotations

import csv
import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from operators.campaign import batch_run_id
from sohoa.campaign import store
from sohoa.synth import make_batch
from tests.test_scheduler import ARTEFACTS, BIN, Api, headless_chromium, standalone, wait_for

pytestmark = pytest.mark.slow
CAMPAIGN = "Đợt 1/2026 — Sở Nội vụ"
ADMIN, LAND, COPYING = "lô_A_hành_chính", "lô_B_đất_đai", "lô_C_đang_chép"
FORMULA_FOND = '=HYPERLINK("http://example.invalid","bấm")'


def _edit_catalogue(batch: Path, columns: dict[str, str]) -> None:
    path = batch / "dossiers.csv"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))  # the synthetic catalogue's Vietnamese headings
        writer.writeheader()
        writer.writerows({**row, **columns} for row in rows)


def _runs(api: Api, dag_id: str) -> list[dict[str, Any]]:
    return list(api.get(f"/dags/{dag_id}/dagRuns", limit=100)["dag_runs"])


def _ended(api: Api, dag_id: str, run_id: str) -> bool:
    return api.get(f"/dags/{dag_id}/dagRuns/{run_id}")["state"] in ("success", "failed")


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("campaign")
    inbox, out = root / "inbox", root / "out"
    for name, seed in ((ADMIN, 21), (LAND, 22), (COPYING, 23)):
        make_batch(inbox / name, dossiers=1, docs_per_dossier=(1, 1), seed=seed, natural_sort=False)
    _edit_catalogue(inbox / ADMIN, {"Phông": FORMULA_FOND, "Tiêu đề hồ sơ": "Hồ sơ về công tác văn thư năm 2019"})
    _edit_catalogue(inbox / LAND, {"Tiêu đề hồ sơ": "Hồ sơ giao đất, thu hồi đất đai của xã năm 2019"})  # first
    [held] = [d for d in (inbox / LAND).iterdir() if d.is_dir()]
    (held / "zz_trang_hong.png").write_bytes(b"")  # an empty scan: quarantined, its dossier held for review
    for name in (ADMIN, LAND):
        (inbox / name / "READY").write_text("", encoding="utf-8")  # written last by the scanning station
    with standalone(root, {"digitize_campaign", "digitize_batch"}) as (api, server, log_path, env):
        conf = {"inbox_uri": str(inbox), "output_uri": str(out), "campaign": CAMPAIGN, "target_pages": 40,
                "method": "self"}
        first = api.send("POST", "/dags/digitize_campaign/dagRuns", {"logical_date": None, "conf": conf})["dag_run_id"]
        wait_for("the campaign's batches", lambda: _ended(api, "digitize_campaign", first), server, log_path,
                 timeout=1500)
        again = api.send("POST", "/dags/digitize_campaign/dagRuns", {"logical_date": None, "conf": conf})["dag_run_id"]
        wait_for("the second campaign run", lambda: _ended(api, "digitize_campaign", again), server, log_path)
        reports = {name: json.loads((out / name / "report.json").read_text(encoding="utf-8")) for name in (ADMIN, LAND)}
        home = root / "home"
        yield {"api": api, "base": api.base, "env": env, "home": home, "inbox": inbox, "out": out, "first": first,
               "again": again, "reports": reports, "url": f"sqlite:///{home / 'sohoa_campaign.db'}",
               "server": server, "log": log_path}


def test_ready_batches_start_once_each_by_priority(campaign: dict[str, Any]) -> None:
    api = campaign["api"]
    runs = {r["dag_run_id"]: r for r in _runs(api, "digitize_batch")}
    assert set(runs) == {batch_run_id(CAMPAIGN, ADMIN), batch_run_id(CAMPAIGN, LAND)}  # not the folder without READY
    for name in (ADMIN, LAND):
        run = runs[batch_run_id(CAMPAIGN, name)]
        assert run["state"] == "success", run
        assert run["conf"]["batch_id"] == name and run["conf"]["campaign"] == CAMPAIGN
        assert run["conf"]["batch_uri"] == str(campaign["inbox"] / name)
    assert not (campaign["out"] / COPYING).exists()
    first = api.get(f"/dags/digitize_campaign/dagRuns/{campaign['first']}/taskInstances")["task_instances"]
    started = sorted((t["map_index"], t["rendered_map_index"], t["state"]) for t in first if t["task_id"] == "start_batch")
    assert started == [(0, LAND, "success"), (1, ADMIN, "success")]  # the land records' batch got the first slot
    again = api.get(f"/dags/digitize_campaign/dagRuns/{campaign['again']}/taskInstances")["task_instances"]
    assert {t["task_id"]: t["state"] for t in again if t["map_index"] in (-1, 0)} == {
        "find_ready_batches": "success", "start_batch": "skipped"}  # nothing new: mapped over no batch
    assert len(_runs(api, "digitize_batch")) == 2


def test_the_store_holds_what_the_reports_say(campaign: dict[str, Any]) -> None:
    url, reports = campaign["url"], campaign["reports"]
    batches = {b["batch_id"]: b for b in store.rows(url, store.batches, CAMPAIGN)}
    assert set(batches) == {ADMIN, LAND}
    for name, report in reports.items():
        row = batches[name]
        statuses = [p["status"] for p in report["pages"]]
        assert row["pages"] == len(report["pages"]) and row["pages_delivered"] == statuses.count("delivered")
        assert row["documents"] == report["counts"]["documents"]
        assert {s: row[f"dossiers_{s}"] for s in report["counts"]["dossiers"]} == report["counts"]["dossiers"]
        assert row["wall_seconds"] > 0 and row["software"]["Tesseract OCR"].startswith("5.")
        marker = next(p for p in report["pages"] if p["source"] == "READY")
        assert marker["status"] == "ignored"  # the marker is no stray input
        assert row["pages_quarantined"] == (1 if name == LAND else 0)
        manifest = json.loads((campaign["out"] / name / "manifest.json").read_text(encoding="utf-8"))
        assert row["bytes_stored"] == sum(f["size"] for f in manifest["files"].values())
        stages = {s["stage"]: s for s in store.rows(url, store.stages, CAMPAIGN, batch_id=name)}
        assert {"import", "clean", "ocr", "extract", "quality", "package", "deliver"} <= set(stages)
        assert stages["ocr"]["seconds"] > 0 and stages["ocr"]["pages"] == row["pages_delivered"] + row["pages_review"]
    [info] = store.rows(url, store.campaigns, CAMPAIGN)
    assert info["target_pages"] == 40 and info["method"] == "self"


def test_the_survey_workbook_adds_up_the_reports(campaign: dict[str, Any], tmp_path: Path) -> None:
    from openpyxl import load_workbook

    target = tmp_path / "khao_sat.xlsx"
    proc = subprocess.run([str(BIN / "sohoa"), "campaign-report", "--campaign", CAMPAIGN, "--format", "xlsx",
                           "--out", str(target)], env=campaign["env"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    reports = campaign["reports"].values()
    pages = sum(p["status"] == "delivered" for r in reports for p in r["pages"])
    documents = sum(len(d["documents"]) for r in reports for d in r["dossiers"] if d["status"] == "delivered")
    delivered = sum(d["status"] == "delivered" for r in reports for d in r["dossiers"])
    sheet = load_workbook(target)["Khao_sat"]
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells[1][:2] == ["Đợt số hóa", CAMPAIGN]
    total = next(r for r in cells if r[0] == "Tổng cộng")
    assert total[2:5] == [delivered, documents, pages]
    label = {r[0]: r[1] for r in cells if r[0]}
    assert label["Số trang: Đã giao nộp"] == pages and label["Số lô đã xử lý"] == 2
    assert label["Số hồ sơ: Đã giao nộp (đạt)"] == delivered
    assert label["Chỉ tiêu (số trang)"] == 40 and label["Hình thức (tự thực hiện / thuê dịch vụ)"] == "Tự thực hiện"
    assert label["Máy quét (chủng loại, số lượng)"] is None  # left for the province, labelled so
    assert any(r[2] and "đơn vị điền" in str(r[2]) for r in cells if r[0] == "Máy quét (chủng loại, số lượng)")
    fond = next(c for row in load_workbook(target)["Khao_sat"].iter_rows() for c in row if c.value == FORMULA_FOND)
    assert fond.data_type == "s" and fond.quotePrefix  # catalogue text stays text, never a formula
    per_batch = {r[0]: r for r in load_workbook(target)["Theo_lo"].iter_rows(min_row=2, values_only=True)}
    for name, report in campaign["reports"].items():
        assert per_batch[name][2] == sum(p["status"] == "delivered" for p in report["pages"])
    pdf = tmp_path / "khao_sat.pdf"
    proc = subprocess.run([str(BIN / "sohoa"), "campaign-report", "--campaign", CAMPAIGN, "--format", "pdf",
                           "--out", str(pdf)], env=campaign["env"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert CAMPAIGN in text and "BÁO CÁO KẾT QUẢ SỐ HÓA TÀI LIỆU LƯU TRỮ" in text and "(đơn vị điền)" in text


def test_the_dashboard_in_a_browser(campaign: dict[str, Any]) -> None:
    """Headless Chromium, logged in: every chart drawn, the numbers shown those of the store, the survey's
    download button working; the page is linked from the UI's navigation."""
    api, base = campaign["api"], campaign["base"]
    plugins = api.get("/plugins")["plugins"]
    views = [v for p in plugins for v in p.get("external_views") or []]
    assert any(v["href"] == "/sohoa/campaign/" and v["destination"] == "nav" for v in views), views
    assert requests.get(f"{base}/sohoa/campaign/", timeout=30).status_code == 401  # no login, no figures
    got = requests.get(f"{base}/sohoa/campaign/survey.xlsx", params={"campaign": CAMPAIGN}, headers=api.headers,
                       timeout=120)
    assert got.status_code == 200 and got.content[:2] == b"PK"

    browser = headless_chromium("1500,2200", "--lang=vi")
    try:
        browser.set_page_load_timeout(60)
        browser.get(f"{base}/sohoa/campaign/")
        assert "/auth/login" in browser.current_url  # Airflow's login first
        browser.add_cookie({"name": "_token", "value": api.token, "path": "/"})
        browser.get(f"{base}/sohoa/campaign/?" + requests.compat.urlencode({"campaign": CAMPAIGN}))
        deadline = time.monotonic() + 90
        script = "return [...document.querySelectorAll('figure.chart')].map(f => f.dataset.rendered || '')"
        while set(browser.execute_script(script)) != {"yes"} and time.monotonic() < deadline:
            time.sleep(1)
        browser.save_screenshot(str(ARTEFACTS / "campaign-dashboard.png"))
        assert set(browser.execute_script(script)) == {"yes"}, browser.execute_script(script)
        marks = browser.execute_script(
            "return Object.fromEntries([...document.querySelectorAll('figure.chart')].map(f => [f.id, "
            "f.querySelectorAll('svg .role-mark path, svg .role-mark line, svg .role-mark circle').length]))")
        assert len(marks) == 7 and all(n > 0 for n in marks.values()), marks
        shown = browser.execute_script(
            "return Object.fromEntries([...document.querySelectorAll('.kpi .value')].map(v => "
            "[v.id.slice(4), JSON.parse(v.dataset.value)]))")
        dossiers = store.rows(campaign["url"], store.dossiers, CAMPAIGN)
        assert shown["pages_delivered"] == sum(d["pages_delivered"] for d in dossiers) > 0
        assert shown["documents_delivered"] == sum(d["documents_delivered"] for d in dossiers)
        assert shown["dossiers_delivered"] == sum(d["status"] == "delivered" for d in dossiers)
        assert shown["bytes_stored"] == sum(d["bytes_stored"] for d in dossiers)
        assert shown["target_share"] == round(100 * shown["pages_delivered"] / 40, 1)
        assert shown["dossiers_review"] == 1 and shown["pages_quarantined"] == 1
        assert "Tệp rỗng" in browser.find_element("id", "chart-reasons").get_attribute("innerHTML")  # in Vietnamese
        text = browser.find_element("tag name", "body").text
        assert "Tiến độ số hóa tài liệu lưu trữ" in text and "Trang đã giao nộp" in text
        assert f"{shown['pages_delivered']}" in browser.find_element("id", "kpi-pages_delivered").text
        assert browser.find_element("id", "survey-xlsx").get_attribute("href").endswith(
            "survey.xlsx?" + requests.compat.urlencode({"campaign": CAMPAIGN}))
    finally:
        browser.quit()


def test_an_asset_event_starts_the_batch_that_became_ready(campaign: dict[str, Any]) -> None:
    """Left running on the inbox: the copy finishes (READY), a scanning station posts an event of the asset
    sohoa-inbox, and the run it starts, reading the Variable sohoa_campaign, starts that batch alone."""
    api = campaign["api"]
    settings = {"inbox_uri": str(campaign["inbox"]), "output_uri": str(campaign["out"]), "campaign": CAMPAIGN}
    api.send("POST", "/variables", {"key": "sohoa_campaign", "value": json.dumps(settings, ensure_ascii=False)})
    (campaign["inbox"] / COPYING / "READY").write_text("", encoding="utf-8")
    [asset] = api.get("/assets", uri_pattern="sohoa://inbox")["assets"]
    api.send("POST", "/assets/events", {"asset_id": asset["id"], "extra": {"from": "trạm quét 1"}})
    run_id = batch_run_id(CAMPAIGN, COPYING)
    started = wait_for("the batch the event started", lambda: [r for r in _runs(api, "digitize_batch")
                                                                  if r["dag_run_id"] == run_id],
                       campaign["server"], campaign["log"])
    assert started[0]["conf"]["batch_id"] == COPYING and started[0]["conf"]["campaign"] == CAMPAIGN
    triggered = [r for r in _runs(api, "digitize_campaign") if r["run_type"] == "asset_triggered"]
    assert triggered, [r["run_type"] for r in _runs(api, "digitize_campaign")]
    assert len(_runs(api, "digitize_batch")) == 3  # the two earlier batches were not started again
