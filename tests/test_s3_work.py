"""The work area on S3 ([sohoa] work_uri), so that workers share no disk: what a task pulls and pushes, and a
whole batch run whose every task starts from an empty scratch folder (a listener empties it), against a real
S3 server (SeaweedFS)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from sohoa.storage import S3Storage
from sohoa.storage.mirror import EVERYTHING, Scope, WorkMirror, chunk_scope
from sohoa.synth import make_batch
from tests.test_s3 import BIN, listed, requests, write_tree

pytestmark = pytest.mark.slow

# a test plugin: every task of a run starts from an empty scratch folder, as on a machine that ran none of the
# batch's earlier tasks, so the run passes only if each task pulls all it reads from the work area on S3
FRESH_SCRATCH = '''
import os, shutil
from pathlib import Path
from airflow.listeners import hookimpl
from airflow.plugins_manager import AirflowPlugin

class FreshScratch:
    @hookimpl
    def on_task_instance_running(self, previous_state, task_instance):
        scratch = Path(os.environ["SOHOA_WORK_DIR"])
        if scratch.is_dir():
            shutil.rmtree(scratch, ignore_errors=True)
        with open(os.environ["SCRATCH_EMPTIED"], "a") as log:
            log.write(task_instance.task_id + "\\n")

class FreshScratchPlugin(AirflowPlugin):
    name = "fresh_scratch"
    listeners = [FreshScratch()]
'''


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_task_pushes_what_it_changed_and_nothing_else(s3: dict[str, Any], tmp_path: Path) -> None:
    client = s3["client"]
    one, two = WorkMirror(S3Storage("archive", "work1", client), tmp_path / "one"), \
        WorkMirror(S3Storage("archive", "work1", client), tmp_path / "two")
    files = {"batch.json": b"{}", "input/A/1.tif": b"tif" * 100, "dossiers/A/pages.json": b"[1]",
             "dossiers/A/clean/0001.jpg": b"jpg" * 100, "dossiers/B/pages.json": b"[2]",
             "stage_times/ocr/A.json": b"{}", "stage_times/ocr/B.json": b"{}", "stage_times/import/_batch.json": b"{}",
             "gx/.ge_store_backend_id": b"id", ".release.lock": b"", "out/lô/report.json": b"{}"}
    write_tree(one.local / "lô", files)
    assert one.push("lô", EVERYTHING, None) == len(files) - 2  # the lock and deliver's build folder stay local
    assert listed(client, "work1/") == {f"work1/lô/{k}" for k in files if k not in (".release.lock",
                                                                                  "out/lô/report.json")}
    with requests(client) as again:
        assert one.push("lô", EVERYTHING, None) == 0  # the same bytes: nothing goes up again
    assert again == []

    # a chunk of dossier A on another machine: A whole, batch.json to read, never B nor the batch's own files
    since = two.pull("lô", chunk_scope(["A"]))
    got = {p.relative_to(two.local / "lô").as_posix() for p in (two.local / "lô").rglob("*") if p.is_file()}
    assert got == {"batch.json", "dossiers/A/pages.json", "dossiers/A/clean/0001.jpg", "stage_times/ocr/A.json"}
    assert sha(two.local / "lô/dossiers/A/clean/0001.jpg") == hashlib.sha256(b"jpg" * 100).hexdigest()
    write_tree(two.local / "lô", {"dossiers/A/pages.json": b"[1, 2]", "dossiers/A/documents.json": b"[]",
                                  "batch.json": b'{"changed": "here"}'})
    (two.local / "lô/dossiers/A/clean/0001.jpg").unlink()
    # meanwhile another task changes a file of A this one did not touch: this one must not undo it
    client.put_object(Bucket="archive", Key="work1/lô/stage_times/ocr/A.json", Body=b'{"other": 1}')
    with requests(client) as pushed:
        assert two.push("lô", chunk_scope(["A"]), since) == 2
    assert sorted(key for op, key in pushed if op == "PutObject") == [
        "work1/lô/dossiers/A/documents.json", "work1/lô/dossiers/A/pages.json"]  # batch.json is read only
    body = client.get_object(Bucket="archive", Key="work1/lô/stage_times/ocr/A.json")["Body"].read()
    assert body == b'{"other": 1}'
    assert "work1/lô/dossiers/A/clean/0001.jpg" not in listed(client, "work1/")

    # back on the first machine: the batch-level checks pull the dossiers' JSON files, not their pages
    since = one.pull("lô", Scope(whole_dossiers=False))
    assert (one.local / "lô/dossiers/A/pages.json").read_bytes() == b"[1, 2]"
    assert (one.local / "lô/dossiers/A/documents.json").read_bytes() == b"[]"
    assert (one.local / "lô/dossiers/A/clean/0001.jpg").exists()  # outside the scope: left as it is
    assert (one.local / "lô/stage_times/ocr/A.json").read_bytes() == b'{"other": 1}'
    assert "dossiers/A/pages.json" in since and "dossiers/A/clean/0001.jpg" not in since
    # everything: the file removed on S3 is removed here too; the lock and the build folder are this machine's
    one.pull("lô", EVERYTHING)
    assert not (one.local / "lô/dossiers/A/clean/0001.jpg").exists()
    assert (one.local / "lô/.release.lock").exists() and (one.local / "lô/out/lô/report.json").exists()
    assert one.batches() == ["lô"]
    # a scratch copy no task used for a day goes; the batch pulled a moment ago stays
    write_tree(one.local / "lô_cũ", {"batch.json": b"{}"})
    os.utime(one.local / "lô_cũ", (time.time() - 2 * 86400,) * 2)
    assert one.evict(86400) == ["lô_cũ"]
    assert sorted(p.name for p in one.local.iterdir()) == ["lô"]
    assert one.inputs_of("lô", [str(one.local / "lô/input/A/1.tif"), "/elsewhere/2.tif"]) == {"input/A/1.tif"}


def test_a_batch_runs_with_every_task_on_an_empty_scratch(s3: dict[str, Any], tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """`sohoa run` with the work area on S3: each task's scratch folder is emptied as it starts, yet the batch is
    described and delivered as with a work area on disk (same states, same metadata, same page masters)."""
    client = s3["client"]
    batch = tmp_path / "lô_w"
    truth = make_batch(batch, dossiers=2, docs_per_dossier=(1, 2), seed=21)
    for path in sorted(p for p in batch.rglob("*") if p.is_file()):
        client.upload_file(str(path), "archive", f"incoming/lô_w/{path.relative_to(batch).as_posix()}")
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "fresh_scratch.py").write_text(FRESH_SCRATCH)
    emptied = tmp_path / "emptied.txt"

    def sohoa(name: str, *args: str, **env: str) -> str:
        home = tmp_path / name
        proc = subprocess.run([str(BIN / "sohoa"), *args], capture_output=True, text=True, timeout=1200, check=False,
                              env={**s3["env"], "AIRFLOW_HOME": str(home), "SOHOA_WORK_DIR": str(home / "work"), **env})
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
        return proc.stdout

    def report(name: str) -> dict[str, Any]:
        return dict(json.loads(client.get_object(Bucket="archive", Key=f"{name}/lô_w/report.json")["Body"].read()))

    on_s3_env = {"AIRFLOW__SOHOA__WORK_URI": "s3://archive/work", "AIRFLOW__CORE__PLUGINS_FOLDER": str(plugins),
                 "SCRATCH_EMPTIED": str(emptied)}
    sohoa("disk", "run", "s3://archive/incoming/lô_w", "--out", "s3://archive/disk")
    sohoa("s3", "run", "s3://archive/incoming/lô_w", "--out", "s3://archive/s3", **on_s3_env)
    on_disk, on_s3 = report("disk"), report("s3")
    tasks = emptied.read_text().split()
    assert {"scan_import", "digitize", "quality_checks", "package", "deliver", "record_campaign"} <= set(tasks)

    def seen(report: dict[str, Any]) -> list[Any]:
        return [(d["dossier_code"], d["status"], d["reason"], [(doc["doc_id"], doc["metadata"], doc["pages"])
                                                              for doc in d["documents"]]) for d in report["dossiers"]]

    assert seen(on_s3) == seen(on_disk)
    assert {d["status"] for d in on_s3["dossiers"]} <= {"delivered", "review"}
    assert any(d["status"] == "delivered" for d in on_s3["dossiers"])
    keys = listed(client, "work/lô_w/")
    for dossier in on_s3["dossiers"]:
        code = dossier["dossier_code"]
        assert {f"work/lô_w/dossiers/{code}/{name}" for name in ("pages.json", "documents.json", "package.json")} \
            <= keys
        masters = sorted(k for k in keys if k.startswith(f"work/lô_w/dossiers/{code}/clean/") and k.endswith(".jpg"))
        local = sorted((tmp_path / "disk/work/lô_w/dossiers" / code / "clean").glob("*.jpg"))
        assert len(masters) == len(local) > 0
        for key, path in zip(masters, local, strict=True):  # the same page masters as on disk
            got = client.get_object(Bucket="archive", Key=key)["Body"].read()
            assert hashlib.sha256(got).hexdigest() == sha(path), key
    assert "work/lô_w/quality.json" in keys and not any(k.startswith("work/lô_w/out/") for k in keys)

    # the held dossier reviewed from the spreadsheet on a machine whose scratch copy is empty each time
    [held] = [d["dossier_code"] for d in on_s3["dossiers"] if d["status"] == "review"]
    sheet = tmp_path / "kiểm duyệt.xlsx"
    scratch = tmp_path / "s3" / "work"
    shutil.rmtree(scratch, ignore_errors=True)
    assert "row(s) to review written" in sohoa("s3", "review", "s3://archive/s3/lô_w", "--export", str(sheet),
                                               **on_s3_env)
    from openpyxl import load_workbook

    # the api-server's review pages pull what they show into a scratch copy of their own
    for key, value in {**on_s3_env, "AIRFLOW_CONN_AWS_DEFAULT": s3["env"]["AIRFLOW_CONN_AWS_DEFAULT"],
                       "SOHOA_WORK_DIR": str(tmp_path / "api-server")}.items():
        monkeypatch.setenv(key, value)
    from webui.review import _dossier

    shown = _dossier("lô_w", held)
    assert shown.root == tmp_path / "api-server" / "lô_w" / "dossiers" / held
    assert [d["doc_id"] for d in json.loads(shown.documents_json.read_text())] == [
        doc["doc_id"] for d in on_s3["dossiers"] if d["dossier_code"] == held for doc in d["documents"]]
    assert sorted(p.name for p in (shown.root / "clean").glob("*.jpg")) == sorted(
        k.rsplit("/", 1)[1] for k in keys if k.startswith(f"work/lô_w/dossiers/{held}/clean/") and k.endswith(".jpg"))

    book = load_workbook(sheet)
    page = book.active
    assert page is not None
    header = [c.value for c in page[1]]
    right = {f"{d['dossier_code']}.{i + 1}": doc["metadata"] for d in truth["dossiers"]
             for i, doc in enumerate(d["documents"])}
    for row in range(2, page.max_row + 1):
        doc_id = page.cell(row=row, column=header.index("doc_id") + 1).value
        if doc_id not in right:  # the sheet's note to the archivist
            continue
        page.cell(row=row, column=header.index("decision") + 1, value="Duyệt")
        for name, value in right.get(doc_id, {}).items():
            if name in header and name != "doc_id":
                page.cell(row=row, column=header.index(name) + 1, value=value)
    book.save(sheet)
    shutil.rmtree(scratch, ignore_errors=True)
    sohoa("s3", "review", "s3://archive/s3/lô_w", "--import", str(sheet), "--by", "Lê Thị Duyệt", **on_s3_env)
    released = next(d for d in report("s3")["dossiers"] if d["dossier_code"] == held)
    assert released["status"] == "delivered", released["reason"]
    assert [e["package_id"] for e in report("s3")["ledger"]] == [
        d["dossier_code"] for d in on_s3["dossiers"] if d["status"] == "delivered"] + [held]
    assert f"work/lô_w/dossiers/{held}/review.json" in listed(client, "work/lô_w/")


def test_an_answer_kept_on_one_machine_is_found_on_another(s3: dict[str, Any], tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """What the api-server does with an answer it takes (plugins/sohoa_answers.py) and what a retried form task
    looks for (operators/review.py), with the work area on S3 and each machine's scratch copy emptied between."""
    from operators.review import kept_answer
    from operators.workarea import pull_file, push_file
    from sohoa.workspace import read_json, write_json

    scratch = tmp_path / "scratch"
    for key, value in {"AIRFLOW__SOHOA__WORK_URI": "s3://archive/work-answers", "SOHOA_WORK_DIR": str(scratch),
                       "AIRFLOW_CONN_AWS_DEFAULT": s3["env"]["AIRFLOW_CONN_AWS_DEFAULT"]}.items():
        monkeypatch.setenv(key, value)
    conf = {"work": str(scratch / "lô_a"), "dossier_code": "H49.1"}
    kept = kept_answer(conf, "review__H49.1__1", 0)
    write_json(kept, {"chosen_options": ["Approve"], "params_input": {"subject": "về việc số hóa"}})
    push_file(kept)
    assert "work-answers/lô_a/dossiers/H49.1/answers/review__H49.1__1.0.json" in listed(s3["client"], "work-answers/")
    shutil.rmtree(scratch)
    assert pull_file(kept)
    assert read_json(kept)["params_input"] == {"subject": "về việc số hóa"}
    assert not pull_file(kept_answer(conf, "review__H49.1__2", 0))  # none taken for that run
