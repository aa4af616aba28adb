"""A work area kept on S3, so that the machines of a cluster share no disk.

Every worker has a local scratch copy of the work area at the same path (``SOHOA_WORK_DIR``); the work area
itself is ``s3://bucket/prefix/<batch_id>/...``. A task first *pulls* the part of its batch it works on (its
``Scope``): every object of the scope that the scratch copy does not hold with the same bytes is downloaded, and
every scratch file of the scope that S3 no longer has is removed. It then runs as it would on a shared disk,
and *pushes* the same scope back: every file it changed is uploaded (the server checks its SHA-256), and every
object of the scope whose file it removed is deleted. Scopes of tasks that write at once never overlap (the
chunks of a stage hold different dossiers); steps that change the whole batch
(a review's release) hold the batch's lock on S3 (``lock``). A push sends only what the task changed since its
pull, so a task never undoes what another wrote meanwhile.

Whether a scratch file holds an object's bytes is told by the object's ETag, the MD5 of its bytes for a
single-part upload (scratch files go up in one part up to 5 GB), else by the SHA-256 kept in its metadata.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import time
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from sohoa.storage.base import LOCK, files_under
from sohoa.storage.s3 import S3Storage
from sohoa.vocab import nfc
from sohoa.workspace import sha256_file

log = logging.getLogger("sohoa.storage")

RELEASE_LOCK = ".release.lock"  # the local lock of a batch's releases (sohoa.pipeline.run_release)
SINGLE_PART = 5 * 1024**3  # the largest object S3 takes in one PUT: its ETag is then the MD5 of its bytes
PARTIAL = ".pull"  # suffix of a file being downloaded
_MD5 = re.compile(r'^"?([0-9a-f]{32})"?$')
Snapshot = dict[str, tuple[int, int]]  # key relative to the batch: (size, modification time in ns)


@dataclass(frozen=True)
class Scope:
    """The part of a batch's work area a task reads and writes: keys relative to the batch (``dossiers/X/...``).

    ``dossiers``: the dossiers whose folders (and stage times) are in it, or None for every dossier;
    ``whole_dossiers``: their whole folders, or only the JSON files at their top (what the batch-level checks
    read); ``batch``: the batch's own files (batch.json, quality.json, gx/, stage times of the batch);
    ``inputs``: the imported batch (input/); ``extra``: single keys pulled, never pushed."""

    dossiers: frozenset[str] | None = None
    whole_dossiers: bool = True
    batch: bool = True
    inputs: bool = False
    extra: frozenset[str] = field(default_factory=frozenset)  # single keys pulled, read only

    def holds(self, key: str) -> bool:
        parts = key.split("/")
        if parts[-1] in (LOCK, RELEASE_LOCK) or parts[-1].endswith(PARTIAL):
            return False  # locks are the machines' own; a download cut off is nobody's
        if parts[0] == "dossiers" and len(parts) > 2:
            return self._dossier(parts[1]) and (self.whole_dossiers or len(parts) == 3 and key.endswith(".json"))
        if parts[0] == "stage_times" and len(parts) == 3:
            name = parts[2].removesuffix(".json")
            return self.batch if name == "_batch" else self._dossier(name)
        if parts[0] == "input":
            return self.inputs
        if parts[0] == "out":
            return False  # deliver's build folder: rebuilt by every delivery, never shared
        return self.batch

    def pulls(self, key: str) -> bool:
        return self.holds(key) or key in self.extra

    def _dossier(self, code: str) -> bool:
        return self.dossiers is None or code in self.dossiers


EVERYTHING = Scope(inputs=True)


def chunk_scope(codes: Iterable[str]) -> Scope:
    """The dossiers of a chunk, whole, without the batch's own files (batch.json is pulled read only)."""
    return Scope(dossiers=frozenset(codes), batch=False, extra=frozenset({"batch.json"}))


@dataclass
class WorkMirror:
    """The work area ``s3://<bucket>/<prefix>`` and its scratch copy ``local`` (the local work root)."""

    storage: S3Storage
    local: Path

    def pull(self, batch_id: str, scope: Scope) -> Snapshot:
        """Make the scratch copy of ``scope`` of the batch what S3 holds. Returns what the scratch copy then holds
        (for ``push``)."""
        remote = self._listing(batch_id)
        root = self._used(batch_id)
        fetched = 0
        for key, etag in remote.items():
            if scope.pulls(key) and not self._same(root / key, f"{batch_id}/{key}", etag):
                self._download(f"{batch_id}/{key}", root / key)
                fetched += 1
        for key, path in self._scratch(root):
            if scope.pulls(key) and key not in remote:
                path.unlink()
        log.info("work area %s/%s: %d file(s) pulled", self.storage.uri, batch_id, fetched)
        return self.snapshot(batch_id, scope)

    def snapshot(self, batch_id: str, scope: Scope) -> Snapshot:
        """(size, modification time) of every scratch file of ``scope``."""
        return {key: _stamp(path) for key, path in self._scratch(self.local / batch_id) if scope.holds(key)}

    def push(self, batch_id: str, scope: Scope, since: Snapshot | None) -> int:
        """Upload the scratch files of ``scope`` the task changed (added, or not as they were in ``since``) and
        remove the objects of the files it removed, leaving alone what other tasks changed meanwhile. ``since``
        None: make S3 hold exactly what the scratch copy of ``scope`` holds (a batch's import). Returns how many
        files went up."""
        remote = self._listing(batch_id)
        root = self._used(batch_id)
        sent, kept, encryption = 0, set(), None
        for key, path in self._scratch(root):
            if not scope.holds(key):
                continue
            kept.add(key)
            if since is not None and since.get(key) == _stamp(path):  # not changed by this task
                continue
            if key not in remote or not self._same(path, f"{batch_id}/{key}", remote[key]):
                encryption = self.storage._encryption() if encryption is None else encryption
                self._upload(path, f"{batch_id}/{key}", encryption)
                sent += 1
        gone = [k for k in (remote if since is None else since) if scope.holds(k) and k not in kept and k in remote]
        if refused := self.storage._delete([{"Key": self.storage._key(batch_id, k)} for k in gone]):
            raise OSError(f"{len(refused)} object(s) of the work area could not be removed: {refused[:3]}")
        log.info("work area %s/%s: %d file(s) pushed, %d removed", self.storage.uri, batch_id, sent, len(gone))
        return sent

    def pull_file(self, batch_id: str, key: str) -> bool:
        """Bring one object of the batch into the scratch copy unless it holds it already; False when S3 has
        none (the scratch file is then left as it is)."""
        from botocore.exceptions import ClientError

        try:
            head = self.storage._client().head_object(Bucket=self.storage.bucket,
                                                      Key=self.storage._key(batch_id, key))
        except ClientError:
            return False
        if not self._same(self.local / batch_id / key, f"{batch_id}/{key}", str(head.get("ETag", ""))):
            self._download(f"{batch_id}/{key}", self.local / batch_id / key)
        return True

    def push_file(self, batch_id: str, key: str) -> None:
        """Upload one scratch file of the batch."""
        self._upload(self.local / batch_id / key, f"{batch_id}/{key}", self.storage._encryption())

    def evict(self, idle: float) -> list[str]:
        """Remove this machine's scratch copies of the batches no task here has pulled or pushed for ``idle``
        seconds (S3 holds them), so that a worker's disk does not fill with every batch it ever saw; their ids."""
        if not self.local.is_dir():
            return []
        gone = []
        for folder in sorted(self.local.iterdir()):
            if folder.is_dir() and folder.stat().st_mtime < time.time() - idle:
                shutil.rmtree(folder, ignore_errors=True)
                gone.append(folder.name)
        if gone:
            log.info("scratch copies of %d batch(es) idle for %.0f h removed from %s: %s", len(gone), idle / 3600,
                     self.local, ", ".join(gone))
        return gone

    def _used(self, batch_id: str) -> Path:
        """The scratch copy of the batch, marked as used now (its folder's time, which ``evict`` reads)."""
        root = self.local / batch_id
        root.mkdir(parents=True, exist_ok=True)
        os.utime(root)
        return root

    def inputs_of(self, batch_id: str, planned: Iterable[str]) -> frozenset[str]:
        """The keys (``input/...``) of the input files ``planned`` (absolute scratch paths) names."""
        root = (self.local / batch_id).resolve()
        found = set()
        for name in planned:
            path = Path(name).resolve()
            if path.is_relative_to(root / "input"):
                found.add(nfc(path.relative_to(root).as_posix()))
        return frozenset(found)

    def batches(self) -> list[str]:
        """The batch ids the work area holds."""
        client, prefix = self.storage._client(), self.storage._key() + "/" if self.storage.prefix else ""
        pages = client.get_paginator("list_objects_v2").paginate(
            Bucket=self.storage.bucket, Prefix=prefix, Delimiter="/")
        return sorted(nfc(p["Prefix"][len(prefix):].rstrip("/")) for page in pages
                      for p in page.get("CommonPrefixes", []))

    def lock(self, batch_id: str) -> AbstractContextManager[None]:
        """Held on S3 while a step changes the whole batch (a review's release)."""
        return S3Storage(self.storage.bucket, self.storage._key(batch_id), self.storage._client()).lock()

    def _listing(self, batch_id: str) -> dict[str, str]:
        """{key relative to the batch: ETag} of every object of the batch in the work area."""
        client, prefix = self.storage._client(), self.storage._key(batch_id) + "/"
        found: dict[str, str] = {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=self.storage.bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                key = nfc(obj["Key"][len(prefix):])
                if key and not key.endswith("/") and ".." not in key.split("/"):
                    found[key] = str(obj.get("ETag", ""))
        return found

    @staticmethod
    def _scratch(root: Path) -> list[tuple[str, Path]]:
        return list(files_under(root)) if root.is_dir() else []

    def _same(self, path: Path, key: str, etag: str) -> bool:
        if not path.is_file():
            return False
        if match := _MD5.match(etag):
            return _md5(path) == match.group(1)
        head = self.storage._client().head_object(Bucket=self.storage.bucket, Key=self.storage._key(key))
        return bool(head.get("Metadata", {}).get("sha256") == sha256_file(path))

    def _download(self, key: str, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}{PARTIAL}")
        self.storage._client().download_file(self.storage.bucket, self.storage._key(key), str(partial))
        os.replace(partial, target)

    def _upload(self, path: Path, key: str, encryption: dict[str, str]) -> None:
        from boto3.s3.transfer import TransferConfig

        config = TransferConfig(multipart_threshold=SINGLE_PART, multipart_chunksize=SINGLE_PART // 8)
        self.storage._client().upload_file(str(path), self.storage.bucket, self.storage._key(key), Config=config,
                                           ExtraArgs={"ChecksumAlgorithm": "SHA256",
                                                      "Metadata": {"sha256": sha256_file(path)},
                                                      **encryption})


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def _md5(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, lambda: hashlib.md5(usedforsecurity=False)).hexdigest()

