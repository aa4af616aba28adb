"""A local folder as storage."""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sohoa.disk import guard, replace_dir
from sohoa.storage.base import StorageError, _in_publishing_order, files_under
from sohoa.workspace import sha256_file


@dataclass
class LocalStorage:
    root: Path

    @property
    def uri(self) -> str:
        return str(self.root)

    def probe(self) -> None:
        if not self.root.is_dir():
            raise StorageError(f"{self.root} is not a folder")

    def download_tree(self, dest: Path) -> Path:
        return self.root  # already local: read in place

    def publish_tree(self, folder: Path, name: str, last: str | None = None) -> str:
        """Copy ``folder`` to ``root/name``, verified, replacing an earlier delivery of the same name in one step
        (``sohoa.disk.replace_dir``): a reader sees the earlier delivery or this one, whole. Copies are made
        under a hidden temporary name; those a run that died left behind are removed first (publications of
        one name never overlap: deliver holds the ledger lock)."""
        self.root.mkdir(parents=True, exist_ok=True)
        final = self.root / name
        for pattern in (f".{name}.partial-*", f".{name}.old", f".{name}.old-*"):
            for leftover in self.root.glob(pattern):
                shutil.rmtree(leftover, ignore_errors=True)
        staging = self.root / f".{name}.partial-{uuid.uuid4().hex[:8]}"
        try:
            with guard(("the output", self.root)):
                for key, path in _in_publishing_order(folder, last):
                    _copy_verified(path, staging / key)
                replace_dir(staging, final)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return str(final)

    def read_bytes(self, key: str) -> bytes | None:
        path = self.root / key
        return path.read_bytes() if path.is_file() else None

    def read_tagged(self, key: str) -> tuple[bytes | None, str | None]:
        data = self.read_bytes(key)
        return (data, hashlib.sha256(data).hexdigest()) if data is not None else (None, None)

    def write_bytes(self, key: str, data: bytes, *, if_tag: str | None) -> None:
        """Under ``lock()`` (a file lock no holder can lose) the check and the rename cannot interleave."""
        if self.read_tagged(key)[1] != if_tag:
            raise StorageError(f"{self.root / key} changed since it was read: not overwritten")
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
        try:
            with guard(("the output", self.root)):
                with open(tmp, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    def stat(self, key: str) -> tuple[int, str] | None:
        path = self.root / key
        return (path.stat().st_size, sha256_file(path)) if path.is_file() and not path.is_symlink() else None

    def keys(self, prefix: str) -> Iterator[str]:
        for key, _ in files_under(self.root / prefix) if (self.root / prefix).is_dir() else ():
            yield f"{prefix}/{key}"

    @contextmanager
    def lock(self) -> Iterator[None]:
        import fcntl

        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".ledger.lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            yield


def _copy_verified(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    if sha256_file(src) != sha256_file(dst):
        raise StorageError(f"checksum mismatch after copying {src} to {dst}")

