"""The campaign's parts without a scheduler: the inbox and its priorities, levels and reasons, the store fed by a
real batch (`sohoa run` records it itself), a review replacing the batch's rows, the survey's totals, progress."""

from __future__ import annotations

import copy
import io
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sohoa.campaign import store, survey, survey_xlsx
from sohoa.campaign.figures import batch_figures, level_of_agency, reason_kind
from sohoa.campaign.inbox import ready_batches
from sohoa.campaign.progress import TerminalProgress, pages, stage_times, timed
from sohoa.ingest import scan_batch
from sohoa.storage import LocalStorage, S3Storage
from tests import test_end_to_end

env, run = test_end_to_end.env, test_end_to_end.run  # one real batch through `sohoa run`, shared fixtures


def _batch(inbox: Path, name: str, catalogue: str | None = None, ready: str | None = "") -> None:
    folder = inbox / name
    (folder / "HS.01").mkdir(parents=True)
    (folder / "HS.01" / "p1.png").write_bytes(b"not read here")
    if catalogue is not None:
        (folder / "dossiers.csv").write_text(catalogue, encoding="utf-8-sig")
    if ready is not None:
        (folder / "READY").write_text(ready, encoding="utf-8")


def test_the_inbox_orders_ready_batches_and_leaves_the_others(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    _batch(inbox, "a_văn_thư", "Mã hồ sơ,Tiêu đề hồ sơ\nH1.01,Hồ sơ công tác văn thư năm 2019\n")
    _batch(inbox, "b_hộ_tịch", "Mã hồ sơ,Tiêu đề hồ sơ\nH1.02,Sổ đăng ký khai sinh năm 1998\n")
    _batch(inbox, "c_đất", "Mã hồ sơ,Tiêu đề hồ sơ\nH1.03,Hồ sơ giao đất năm 2001\n")
    _batch(inbox, "d_gấp", "Mã hồ sơ,Tiêu đề hồ sơ,Ưu tiên\nH1.04,Hồ sơ thi đua,3\nH1.05,Hồ sơ khen thưởng,2\n")
    _batch(inbox, "e_đánh_dấu", None, ready='{"priority": 1.5}')
    _batch(inbox, "f_đang_chép", "Mã hồ sơ\nH1.06\n", ready=None)
    ready, waiting = ready_batches(LocalStorage(inbox))
    assert waiting == ["f_đang_chép"]
    assert [(b.name, b.priority) for b in ready] == [
        ("c_đất", 1), ("e_đánh_dấu", 1.5), ("b_hộ_tịch", 2), ("d_gấp", 2), ("a_văn_thư", 5)]  # ties: oldest READY
    why = {b.name: b.why for b in ready}
    assert "(topic 2)" in why["b_hộ_tịch"] and "catalogue gives priority 2" in why["d_gấp"]
    assert ready[0].uri == f"{inbox}/c_đất"
    _, loose = scan_batch(inbox / "c_đất", "c_đất")  # the batch run does not take its marker for a stray file
    assert [(p.source, p.status) for p in loose] == [("READY", "ignored")]


def test_an_s3_inbox(s3: dict[str, Any]) -> None:
    client = s3["client"]
    for key, data in {"inbox/lô_1/dossiers.csv": "Mã hồ sơ,Tiêu đề hồ sơ\nH1.01,Sổ hộ tịch xã\n".encode("utf-8-sig"),
                      "inbox/lô_1/H1.01/p1.png": b"x", "inbox/lô_1/READY": b"",
                      "inbox/lô_2/H1.02/p1.png": b"x", "inbox/lô_3/READY": b'{"priority": 1}'}.items():
        client.put_object(Bucket="archive", Key=key, Body=data)
    ready, waiting = ready_batches(S3Storage("archive", "inbox", client))
    assert [(b.name, b.priority, b.uri) for b in ready] == [("lô_3", 1, "s3://archive/inbox/lô_3"),
                                                            ("lô_1", 2, "s3://archive/inbox/lô_1")]
    assert waiting == ["lô_2"] and ready[1].ready_at[:4] == str(datetime.now(UTC).year)


@pytest.mark.parametrize("agency, level", [
    ("ỦY BAN NHÂN DÂN TỈNH HẬU GIANG", "province"), ("SỞ NỘI VỤ", "province"),
    ("ỦY BAN NHÂN DÂN HUYỆN PHONG ĐIỀN", "district"), ("UBND THỊ XÃ LONG MỸ", "district"),
    ("ỦY BAN NHÂN DÂN XÃ TÂN PHÚ", "commune"), ("UBND PHƯỜNG 1", "commune"),
    ("ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI", "province"), ("ỦY BAN NHÂN DÂN THÀNH PHỐ VỊ THANH", "district"),
    ("BỘ NỘI VỤ", "central"), ("SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "province"), ("CÔNG TY CỔ PHẦN ABC", None),
])
def test_the_level_of_an_issuing_agency(agency: str, level: str | None) -> None:
    assert level_of_agency(agency) == level


def test_reasons_are_grouped_by_kind() -> None:
    assert reason_kind("below 200 dpi: 150 dpi: to be scanned again; read to describe X.R1") == \
        "below 200 dpi (to scan again)"
    assert reason_kind("truncated image: image file is truncated (100 bytes not processed)") == "truncated image"
    assert reason_kind("listed in dossiers.csv but its folder 'MISSING.01' is missing from the batch") == \
        "listed in dossiers.csv but its folder … is missing from the batch"
    assert reason_kind("too small: 120×80 px") == reason_kind("too small: 90×60 px")


def _url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


def test_sohoa_run_records_its_batch_in_the_campaign_store(run: dict[str, Any]) -> None:
    report = run["report"]
    url = f"sqlite:///{run['home'] / 'sohoa_campaign.db'}"
    [row] = store.rows(url, store.batches, batch_id=report["batch_id"])
    states = [p["status"] for p in report["pages"]]
    assert {s: row[f"pages_{s}"] for s in set(states)} == {s: states.count(s) for s in set(states)}
    assert {s: row[f"dossiers_{s}"] for s in report["counts"]["dossiers"]} == report["counts"]["dossiers"]
    assert row["documents"] == report["counts"]["documents"]
    assert row["software"]["Apache Airflow"].startswith("3.")
    spent = {s["stage"]: s for s in store.rows(url, store.stages, batch_id=report["batch_id"])}
    assert spent["ocr"]["seconds"] > 0 and spent["clean"]["pages"] >= spent["ocr"]["pages"] > 0
    dossiers = {d["dossier_code"]: d for d in store.rows(url, store.dossiers, batch_id=report["batch_id"])}
    assert set(dossiers) == {d["dossier_code"] for d in report["dossiers"]}
    assert sum(d["pages_quarantined"] for d in dossiers.values()) <= states.count("quarantined")


def test_a_review_replaces_the_batch_rows_and_keeps_when_it_was_held(run: dict[str, Any], tmp_path: Path) -> None:
    url, report = _url(tmp_path), copy.deepcopy(run["report"])
    held = next(d for d in report["dossiers"] if d["status"] == "review")
    store.record(url, batch_figures(report, "out", "thử"))
    store.record(url, batch_figures(report, "out", "thử"))  # a re-run of the record: the same rows, once
    before = {d["dossier_code"]: d for d in store.rows(url, store.dossiers, "thử")}
    assert len(before) == len(report["dossiers"]) and before[held["dossier_code"]]["held_since"]
    held.update(status="delivered", review={"by": "Nguyễn Văn A", "at": "2030-01-02T03:04:05+00:00",
                                            "decision": "approved", "changed": {}})
    report["finished"] = "2030-01-02T03:05:00+00:00"  # a release delivers the batch again
    store.record(url, batch_figures(report, "out", "thử"))
    after = {d["dossier_code"]: d for d in store.rows(url, store.dossiers, "thử")}
    assert len(store.rows(url, store.batches, "thử")) == 1 and len(after) == len(before)
    row = after[held["dossier_code"]]
    assert row["status"] == "delivered" and row["reviewed_by"] == "Nguyễn Văn A"
    assert row["held_since"] == before[held["dossier_code"]]["held_since"]  # held since the run, not the release
    assert row["done_at"] == "2030-01-02T03:04:05+00:00"
    [batch] = store.rows(url, store.batches, "thử")
    assert batch["first_finished"] == run["report"]["finished"] and batch["dossiers_review"] == 0


def test_the_survey_adds_up_the_reports_and_keeps_catalogue_text_as_text(run: dict[str, Any], tmp_path: Path) -> None:
    from openpyxl import load_workbook

    url = _url(tmp_path)
    first, second = copy.deepcopy(run["report"]), copy.deepcopy(run["report"])
    second["batch_id"] = "lô_02"
    for d in second["dossiers"]:
        d["catalogue"] = {**d["catalogue"], "fond": "=1+2"}  # what a catalogue may hold
    store.save_campaign(url, "thử", method="service")
    for report in (first, second):
        store.record(url, batch_figures(report, "out", "thử"))
    found = survey.build(url, "thử")
    reports = (first, second)
    assert found.totals["pages_delivered"] == sum(p["status"] == "delivered" for r in reports for p in r["pages"])
    assert found.totals["documents_delivered"] == sum(
        len(d["documents"]) - sum(bool(x["metadata"].get("secrecy")) for x in d["documents"])
        for r in reports for d in r["dossiers"] if d["status"] == "delivered")
    path = survey_xlsx.write(found, store.rows(url, store.batches, "thử"), tmp_path / "s.xlsx")
    sheet = load_workbook(path)["Khao_sat"]
    cells = {row[0].value: row for row in sheet.iter_rows() if row[0].value}
    assert cells["Tổng cộng"][4].value == found.totals["pages_delivered"]
    assert cells["Hình thức (tự thực hiện / thuê dịch vụ)"][1].value == "Thuê dịch vụ"
    assert cells["Chỉ tiêu (số trang)"][1].value is None  # no target given: a blank to fill in
    formula = cells["=1+2"][0]
    assert formula.data_type == "s" and formula.quotePrefix
    with pytest.raises(LookupError):
        survey.build(url, "không có")


def test_stages_keep_their_time_and_say_how_far_they_came(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from sohoa.workspace import Page, save_pages, write_json

    work = tmp_path / "lô"
    write_json(work / "batch.json", {})
    save_pages(work / "dossiers" / "HS.01" / "pages.json", [Page(f"HS.01/{i}.png", None) for i in range(4)])

    @timed("clean")
    def stage(path: str) -> dict[str, int]:
        for done in range(1, 5):
            pages("clean", "HS.01", done, 4)
        return {"pages": 4}

    stream = io.StringIO()
    terminal = TerminalProgress(stream)
    logging.getLogger("sohoa.progress").addHandler(terminal)
    try:
        with caplog.at_level(logging.INFO, logger="sohoa.progress"):
            stage(str(work / "dossiers" / "HS.01"))
    finally:
        logging.getLogger("sohoa.progress").removeHandler(terminal)
    assert "clean HS.01: 4/4 pages" in caplog.text
    assert stream.getvalue().splitlines()[-1].strip() == "clean     [####################] 4/4 pages, 1 dossier(s) done"
    spent = stage_times(work)
    assert set(spent) == {"clean"} and spent["clean"]["pages"] == 4 and spent["clean"]["seconds"] >= 0
    assert json.loads((work / "stage_times" / "clean" / "HS.01.json").read_text())["dossier"] == "HS.01"


def test_the_campaign_dag_is_wired_as_designed() -> None:
    import subprocess
    import sys

    from dags.digitize_campaign import dag

    assert dag.task_ids == ["find_ready_batches", "start_batch"]
    start = dag.get_task("start_batch")
    assert type(start).__name__ == "MappedOperator" and start.operator_class.__name__ == "StartBatchOperator"
    assert start.pool == "sohoa_campaign" and "name" in (start.map_index_template or "")
    assert {"inbox_uri", "output_uri", "campaign", "priority_topics", "target_pages", "method"} <= set(dag.params.keys())
    assert "sohoa://inbox" in repr(dag.timetable) and dag.get_task("find_ready_batches").retries >= 2
    code = ("import sys, dags.digitize_campaign; print(sorted(m for m in ('cv2', 'pikepdf', 'great_expectations', "
            "'pandas', 'altair', 'openpyxl', 'fpdf') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"  # the DAG file parses without the heavy libraries
