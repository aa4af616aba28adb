from __future__ import annotations

from pathlib import Path

import pytest

from sohoa.storage import LocalStorage, S3Storage, StorageError, storage_for


def test_storage_for_uris(tmp_path: Path) -> None:
    assert isinstance(storage_for(str(tmp_path)), LocalStorage)
    s3 = storage_for("s3://archive/batches/2025")
    assert isinstance(s3, S3Storage) and (s3.bucket, s3.prefix) == ("archive", "batches/2025")
    with pytest.raises(StorageError, match="unsupported"):
        storage_for("ftp://x/y")


def test_local_publish_replaces_atomically_and_writes_last_file(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "packages" / "Hồ sơ").mkdir(parents=True)
    (src / "packages" / "Hồ sơ" / "a.pdf").write_bytes(b"%PDF-1.7 a")
    (src / "report.json").write_text('{"ok": true}')
    out = tmp_path / "out"
    (out / "b1").mkdir(parents=True)
    (out / "b1" / "stale.txt").write_text("from an earlier run")
    dest = LocalStorage(out).publish_tree(src, "b1", last="report.json")
    assert dest == str(out / "b1")
    assert sorted(p.relative_to(out / "b1").as_posix() for p in (out / "b1").rglob("*") if p.is_file()) == [
        "packages/Hồ sơ/a.pdf", "report.json"]
    assert [p.name for p in out.iterdir()] == ["b1"]  # no staging or old copies left behind


def test_local_write_only_replaces_what_was_read(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    assert storage.read_tagged("ledger.jsonl") == (None, None)
    storage.write_bytes("ledger.jsonl", b"line 1\n", if_tag=None)
    data, tag = storage.read_tagged("ledger.jsonl")
    assert data == b"line 1\n" and tag is not None
    with pytest.raises(StorageError, match="ledger.jsonl changed since it was read"):
        storage.write_bytes("ledger.jsonl", b"other\n", if_tag=None)  # somebody created it meanwhile
    storage.write_bytes("ledger.jsonl", b"line 1\nline 2\n", if_tag=tag)
    with pytest.raises(StorageError, match="changed since it was read"):
        storage.write_bytes("ledger.jsonl", b"line 1\nlost\n", if_tag=tag)  # a stale read
    assert (tmp_path / "ledger.jsonl").read_bytes() == b"line 1\nline 2\n"


def test_retention_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOHOA_S3_RETENTION", raising=False)
    plain = storage_for("s3://archive/out")
    assert isinstance(plain, S3Storage) and plain.retention is None
    monkeypatch.setenv("SOHOA_S3_RETENTION", "compliance:3650")
    locked = storage_for("s3://archive/out")
    assert isinstance(locked, S3Storage) and locked.retention == ("COMPLIANCE", 3650)
    for wrong in ("3650", "LEGAL:10", "GOVERNANCE:0", "GOVERNANCE:ten"):
        monkeypatch.setenv("SOHOA_S3_RETENTION", wrong)
        with pytest.raises(StorageError, match="expected GOVERNANCE:<days> or COMPLIANCE:<days>"):
            storage_for("s3://archive/out")
