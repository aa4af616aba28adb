"""Tamper evidence for deliveries: a manifest per delivered batch and an append-only hash chain of packages.

``<output>/<batch_id>/manifest.json`` lists every delivered file but itself and ``report.json`` (key, size,
SHA-256). ``<output>/ledger.jsonl`` holds one line per delivered package, across all batches: its sequence
number, the batch and package id, the SHA-256 of the package's part of the manifest, the time, and the hash of
the previous line; each line's ``hash`` is the SHA-256 of the line without it. Changing, deleting or reordering
any delivered object, any manifest or any ledger line breaks a digest that `audit` recomputes.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sohoa.storage import Storage, files_under
from sohoa.workspace import sha256_file

LEDGER = "ledger.jsonl"
MANIFEST = "manifest.json"
REPORT = "report.json"
GENESIS = "0" * 64


class LedgerError(RuntimeError):
    pass


def _canonical(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def digest(data: Any) -> str:
    return hashlib.sha256(_canonical(data)).hexdigest()


def build_manifest(folder: Path, batch_id: str) -> dict[str, Any]:
    """The manifest of an output tree about to be delivered (``report.json`` is written after it)."""
    files = {key: {"size": path.stat().st_size, "sha256": sha256_file(path)}
             for key, path in files_under(folder) if key not in (MANIFEST, REPORT)}
    return {"batch_id": batch_id, "files": files}


def package_files(manifest: dict[str, Any], code: str) -> dict[str, Any]:
    """The part of a manifest that is one package: its folder and its zip."""
    folder, archive = f"packages/{code}/", f"packages/{code}.zip"
    return {k: v for k, v in manifest["files"].items() if k.startswith(folder) or k == archive}


def read_chain(text: str) -> tuple[list[dict[str, Any]], list[str]]:
    """(entries, problems) of a ledger's text; problems name the line that breaks the chain."""
    entries: list[dict[str, Any]] = []
    problems = []
    previous = GENESIS
    for number, line in enumerate(text.splitlines(), 1):
        try:
            entry = json.loads(line)
            body = {k: v for k, v in entry.items() if k != "hash"}
        except (json.JSONDecodeError, AttributeError):
            problems.append(f"{LEDGER} line {number}: not a ledger entry")
            continue
        if entry.get("seq") != number:
            problems.append(f"{LEDGER} line {number}: sequence number {entry.get('seq')} (lines removed, "
                            "added or reordered)")
        if entry.get("prev") != previous:
            problems.append(f"{LEDGER} line {number}: does not follow the line before it (prev hash differs)")
        if digest(body) != entry.get("hash"):
            problems.append(f"{LEDGER} line {number}: its hash does not match its content (line edited)")
        previous = str(entry.get("hash"))
        entries.append(entry)
    return entries, problems


def chain(existing: str, packages: list[dict[str, str]], when: datetime | None = None) -> list[dict[str, Any]]:
    """New entries for ``packages`` ({batch_id, package_id, manifest_sha256}) after the ``existing`` ledger;
    LedgerError when the existing chain is already broken (nothing is appended to a tampered ledger)."""
    entries, problems = read_chain(existing)
    if problems:
        raise LedgerError("the ledger is broken, nothing appended: " + "; ".join(problems[:5]))
    previous, seq = (entries[-1]["hash"], entries[-1]["seq"]) if entries else (GENESIS, 0)
    stamp = (when or datetime.now(UTC)).isoformat(timespec="seconds")
    new = []
    for package in packages:
        seq += 1
        body = {"seq": seq, "time": stamp, **package, "prev": previous}
        previous = digest(body)
        new.append({**body, "hash": previous})
    return new


def render(entries: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in entries)


def audit(storage: Storage) -> dict[str, Any]:
    """Re-read what was delivered to ``storage`` and check it against the manifests and the ledger.

    Returns {"objects": n checked, "entries": n ledger lines, "problems": [...]}, each problem naming the
    exact object or ledger line."""
    text = (storage.read_bytes(LEDGER) or b"").decode("utf-8")
    entries, problems = read_chain(text)
    latest: dict[tuple[str, str], dict[str, Any]] = {}  # a re-delivery supersedes a package's earlier lines
    for entry in entries:
        latest[(str(entry.get("batch_id")), str(entry.get("package_id")))] = entry
    by_batch: dict[str, list[dict[str, Any]]] = {}
    for (batch_id, _), entry in latest.items():
        by_batch.setdefault(batch_id, []).append(entry)
    checked = 0
    for batch_id in sorted(by_batch):
        raw = storage.read_bytes(f"{batch_id}/{MANIFEST}")
        if raw is None:
            problems.append(f"{batch_id}/{MANIFEST}: missing (the delivery was deleted or never finished)")
            continue
        manifest = json.loads(raw)
        listed = set()
        for key, want in sorted(manifest["files"].items()):
            listed.add(key)
            checked += 1
            have = storage.stat(f"{batch_id}/{key}")
            if have is None:
                problems.append(f"{batch_id}/{key}: deleted")
            elif have != (want["size"], want["sha256"]):
                problems.append(f"{batch_id}/{key}: altered (SHA-256 {have[1]}, the manifest records "
                                f"{want['sha256']})")
        for key in storage.keys(f"{batch_id}/packages"):
            if key.removeprefix(f"{batch_id}/") not in listed:
                problems.append(f"{key}: not in the manifest (added after delivery)")
        for entry in by_batch.get(batch_id, []):
            if digest(package_files(manifest, str(entry.get("package_id")))) != entry.get("manifest_sha256"):
                problems.append(f"{batch_id}/{MANIFEST}: package {entry.get('package_id')} differs from ledger "
                                f"line {entry.get('seq')} (manifest edited)")
    return {"objects": checked, "entries": len(entries), "problems": problems}
