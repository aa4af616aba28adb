"""Manifests, the ledger's hash chain, and the fixity audit that must catch every kind of tampering."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sohoa import ledger
from sohoa.storage import LocalStorage
from sohoa.workspace import write_json


def deliver(root: Path, batch_id: str, packages: dict[str, dict[str, bytes]]) -> list[dict]:
    """A delivery as sohoa.report.deliver lays it out: files, manifest.json, report.json, ledger lines."""
    out = root / batch_id
    for code, files in packages.items():
        for name, data in files.items():
            (out / "packages" / code / name).parent.mkdir(parents=True, exist_ok=True)
            (out / "packages" / code / name).write_bytes(data)
        (out / "packages" / f"{code}.zip").write_bytes(b"PK" + code.encode())
    manifest = ledger.build_manifest(out, batch_id)
    write_json(out / ledger.MANIFEST, manifest)
    storage = LocalStorage(root)
    raw, tag = storage.read_tagged(ledger.LEDGER)
    existing = (raw or b"").decode()
    entries = ledger.chain(existing, [
        {"batch_id": batch_id, "package_id": code, "status": "delivered",
         "manifest_sha256": ledger.digest(ledger.package_files(manifest, code))} for code in packages])
    write_json(out / "report.json", {"ledger": entries})
    storage.write_bytes(ledger.LEDGER, (existing + ledger.render(entries)).encode(), if_tag=tag)
    return entries


@pytest.fixture
def output(tmp_path: Path) -> Path:
    root = tmp_path / "out"
    deliver(root, "lô_01", {"H30.01": {"METS.xml": b"<mets/>", "rep/1.pdf": b"%PDF-1.7 one"},
                            "H30.02": {"METS.xml": b"<mets 2/>"}})
    deliver(root, "lô_02", {"H30.03": {"METS.xml": b"<mets 3/>"}})
    return root


def test_a_clean_delivery_passes_and_the_chain_links(output: Path) -> None:
    result = ledger.audit(LocalStorage(output))
    assert result == {"objects": 7, "entries": 3, "problems": []}
    lines = [json.loads(line) for line in (output / "ledger.jsonl").read_text().splitlines()]
    assert [e["seq"] for e in lines] == [1, 2, 3] and lines[0]["prev"] == ledger.GENESIS
    assert lines[1]["prev"] == lines[0]["hash"] and lines[2]["prev"] == lines[1]["hash"]
    assert [(e["batch_id"], e["package_id"]) for e in lines] == [("lô_01", "H30.01"), ("lô_01", "H30.02"),
                                                                 ("lô_02", "H30.03")]


def problems_after(output: Path, tamper: str) -> list[str]:
    lô = output / "lô_01"
    lines = (output / "ledger.jsonl").read_text().splitlines(keepends=True)
    if tamper == "altered":
        (lô / "packages/H30.01/rep/1.pdf").write_bytes(b"%PDF-1.7 two")
    elif tamper == "deleted":
        (lô / "packages/H30.02.zip").unlink()
    elif tamper == "added":
        (lô / "packages/H30.01/extra.pdf").write_bytes(b"x")
    elif tamper == "manifest":  # someone hides an alteration by editing the manifest too
        (lô / "packages/H30.01/METS.xml").write_bytes(b"<mets evil/>")
        manifest = ledger.build_manifest(lô, "lô_01")
        write_json(lô / ledger.MANIFEST, manifest)
    elif tamper == "reordered":
        (output / "ledger.jsonl").write_text("".join([lines[1], lines[0], lines[2]]))
    elif tamper == "line deleted":
        (output / "ledger.jsonl").write_text("".join([lines[0], lines[2]]))
    elif tamper == "line edited":
        (output / "ledger.jsonl").write_text("".join([lines[0], lines[1].replace("H30.02", "H30.09"), lines[2]]))
    return ledger.audit(LocalStorage(output))["problems"]


@pytest.mark.parametrize(("tamper", "expected"), [
    ("altered", ["lô_01/packages/H30.01/rep/1.pdf: altered (SHA-256 "]),
    ("deleted", ["lô_01/packages/H30.02.zip: deleted"]),
    ("added", ["lô_01/packages/H30.01/extra.pdf: not in the manifest (added after delivery)"]),
    ("manifest", ["lô_01/manifest.json: package H30.01 differs from ledger line 1 (manifest edited)"]),
    ("reordered", ["ledger.jsonl line 1: sequence number 2", "ledger.jsonl line 1: does not follow",
                   "ledger.jsonl line 2: sequence number 1", "ledger.jsonl line 2: does not follow",
                   "ledger.jsonl line 3: does not follow"]),
    ("line deleted", ["ledger.jsonl line 2: sequence number 3", "ledger.jsonl line 2: does not follow"]),
    ("line edited", ["ledger.jsonl line 2: its hash does not match its content (line edited)",
                     "lô_01/manifest.json: package H30.09 differs from ledger line 2"]),
])
def test_every_kind_of_tampering_is_named(output: Path, tamper: str, expected: list[str]) -> None:
    problems = problems_after(output, tamper)
    assert len(problems) == len(expected), problems
    for problem, start in zip(problems, expected, strict=True):
        assert problem.startswith(start), problems


def test_nothing_is_appended_to_a_broken_ledger(output: Path) -> None:
    problems_after(output, "line edited")
    with pytest.raises(ledger.LedgerError, match="line 2: its hash does not match"):
        deliver(output, "lô_03", {"H30.04": {"METS.xml": b"<mets 4/>"}})


def test_a_redelivery_supersedes_the_earlier_lines(output: Path) -> None:
    deliver(output, "lô_02", {"H30.03": {"METS.xml": b"<mets 3, again/>"}})
    result = ledger.audit(LocalStorage(output))
    assert result["entries"] == 4 and result["problems"] == []


@pytest.mark.slow
def test_audit_fixity_dag_fails_naming_the_altered_object(output: Path, tmp_path: Path) -> None:
    """The real DAG under dag.test(): passes on the clean delivery, fails loudly once a PDF is altered."""
    code = ("import sys, json; from dags.runner import prepare_airflow; prepare_airflow(); "
            "from dags.audit_fixity import dag; "
            "run = dag.test(run_conf={'output_uri': sys.argv[1]}); print('STATE', run.state)")
    env = {**__import__("os").environ, "AIRFLOW_HOME": str(tmp_path / "home"), "SOHOA_WORK_DIR": str(tmp_path / "w")}

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", code, str(output)], env=env, capture_output=True, text=True,
                              timeout=600, check=False, cwd=Path(__file__).parents[1])

    first = run()
    assert "STATE success" in first.stdout.splitlines(), first.stderr[-3000:]
    (output / "lô_02" / "packages" / "H30.03.zip").write_bytes(b"PK changed")
    second = run()
    assert "STATE failed" in second.stdout.splitlines(), second.stderr[-3000:]
    logs = "".join(p.read_text(errors="replace") for p in (tmp_path / "home" / "logs").rglob("*.log"))
    logs += second.stdout + second.stderr
    assert "lô_02/packages/H30.03.zip: altered" in logs
    shutil.rmtree(tmp_path / "home", ignore_errors=True)
