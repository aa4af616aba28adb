"""Storage behind one interface: a local folder or ``s3://bucket/prefix``.

Delivery publishes a whole folder atomically: on local disk it is copied under a temporary name,
verified against the SHA-256 of every file, then renamed into place (``report.json`` is the last file
written); on S3 every object is uploaded with a SHA-256 checksum the server verifies, and
``report.json`` is uploaded last so a reader who finds it finds everything else.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

from sohoa.vocab import nfc
from sohoa.workspace import sha256_file

MULTIPART = 64 * 1024 * 1024  # bytes: larger files go up in parts of this size


class StorageError(RuntimeError):
    pass


def files_under(folder: Path) -> Iterator[tuple[str, Path]]:
    """(relative POSIX key, path) of every file under ``folder``, sorted."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        yield nfc(path.relative_to(folder).as_posix()), path


class Storage(Protocol):
    @property
    def uri(self) -> str: ...

    def probe(self) -> None:
        """Raises StorageError saying why when nothing can be read here."""

    def download_tree(self, dest: Path) -> Path: ...

    def publish_tree(self, folder: Path, name: str, last: str | None = None) -> str: ...

    def read_bytes(self, key: str) -> bytes | None: ...

    def write_bytes(self, key: str, data: bytes) -> None: ...

    def stat(self, key: str) -> tuple[int, str] | None:
        """(size, SHA-256 of the bytes read back now) of one object, None when it is not there."""

    def keys(self, prefix: str) -> Iterator[str]:
        """Every object key under ``prefix/``."""

    def lock(self) -> AbstractContextManager[None]:
        """Held while the ledger is read and extended."""


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
        """Copy ``folder`` to ``root/name``, verified, replacing an earlier delivery of the same name."""
        self.root.mkdir(parents=True, exist_ok=True)
        final = self.root / name
        staging = self.root / f".{name}.partial-{uuid.uuid4().hex[:8]}"
        try:
            for key, path in _in_publishing_order(folder, last):
                _copy_verified(path, staging / key)
            old = None
            if final.exists():
                old = self.root / f".{name}.old-{uuid.uuid4().hex[:8]}"
                os.replace(final, old)
            os.replace(staging, final)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return str(final)

    def read_bytes(self, key: str) -> bytes | None:
        path = self.root / key
        return path.read_bytes() if path.is_file() else None

    def write_bytes(self, key: str, data: bytes) -> None:
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
        tmp.write_bytes(data)
        os.replace(tmp, path)

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


def _in_publishing_order(folder: Path, last: str | None) -> list[tuple[str, Path]]:
    """``files_under(folder)`` with the file ``last`` (the one that says the delivery is complete) at the end."""
    items = [(k, p) for k, p in files_under(folder) if k != last]
    return items + [(last, folder / last)] if last is not None else items


def _copy_verified(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    if sha256_file(src) != sha256_file(dst):
        raise StorageError(f"checksum mismatch after copying {src} to {dst}")


@dataclass
class S3Storage:
    bucket: str
    prefix: str
    client: Any = None

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}".rstrip("/")

    def _client(self) -> Any:
        if self.client is None:
            import boto3

            self.client = boto3.client("s3")  # AWS_ENDPOINT_URL etc. from the environment
        return self.client

    def _key(self, *parts: str) -> str:
        return "/".join(p.strip("/") for p in (self.prefix, *parts) if p.strip("/"))

    def _objects(self) -> Iterator[tuple[str, str]]:
        """(key, key relative to the prefix) of every object under the prefix. StorageError when the bucket
        cannot be listed (missing, access denied) or holds nothing there; network errors propagate (retry)."""
        from botocore.exceptions import ClientError

        prefix = self._key() + "/" if self.prefix else ""
        found = False
        try:
            for page in self._client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
                for obj in page.get("Contents", []):
                    rel = obj["Key"][len(prefix):]
                    if rel and not rel.endswith("/") and ".." not in Path(rel).parts:
                        found = True
                        yield obj["Key"], rel
        except ClientError as exc:
            raise StorageError(f"{self.uri} cannot be listed ({exc.response['Error'].get('Code', exc)})") from exc
        if not found:
            raise StorageError(f"nothing under {self.uri}")

    def probe(self) -> None:
        next(self._objects())

    def download_tree(self, dest: Path) -> Path:
        for key, rel in self._objects():
            target = dest / nfc(rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            self._client().download_file(self.bucket, key, str(target))
        return dest

    def publish_tree(self, folder: Path, name: str, last: str | None = None) -> str:
        """Upload ``folder`` under ``name/``: multipart for large files, SHA-256 checksums the server verifies,
        every object read back and hashed again; an object already there with the same SHA-256 is not uploaded
        again (re-delivery is idempotent); objects of an earlier delivery that this one no longer has are
        removed before ``last`` is written. Uses the bucket's default encryption when it has one; with
        versioning on, replaced and removed objects stay as earlier versions."""
        from boto3.s3.transfer import TransferConfig

        client = self._client()
        config = TransferConfig(multipart_threshold=MULTIPART, multipart_chunksize=MULTIPART)
        extra = self._encryption()
        items = _in_publishing_order(folder, last)
        stale = set(self.keys(name)) - {f"{name}/{k}" for k, _ in items}
        for key, path in items:
            if key == last:
                self._delete(sorted(stale))
            size, digest = path.stat().st_size, sha256_file(path)
            target = self._key(name, key)
            if self._holds(target, size, digest):
                continue
            client.upload_file(str(path), self.bucket, target, Config=config, ExtraArgs={
                "ChecksumAlgorithm": "SHA256", "Metadata": {"sha256": digest}, **extra})
            if self.stat(f"{name}/{key}") != (size, digest):
                raise StorageError(f"s3://{self.bucket}/{target} differs from {path} after upload")
        return f"s3://{self.bucket}/{self._key(name)}"

    def _delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):  # the API takes at most 1000 keys per call
            self._client().delete_objects(Bucket=self.bucket, Delete={
                "Objects": [{"Key": self._key(k)} for k in keys[start:start + 1000]]})

    def _holds(self, key: str, size: int, digest: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            head = self._client().head_object(Bucket=self.bucket, Key=key)
        except ClientError:
            return False
        return bool(head.get("ContentLength") == size and head.get("Metadata", {}).get("sha256") == digest)

    def _encryption(self) -> dict[str, str]:
        """ServerSideEncryption of the bucket's default rule, if it has one."""
        from botocore.exceptions import ClientError

        try:
            rules = self._client().get_bucket_encryption(Bucket=self.bucket)[
                "ServerSideEncryptionConfiguration"]["Rules"]
        except (ClientError, KeyError):
            return {}
        algorithm = rules[0].get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm") if rules else None
        return {"ServerSideEncryption": algorithm} if algorithm else {}

    def read_bytes(self, key: str) -> bytes | None:
        client = self._client()
        try:
            body: bytes = client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except client.exceptions.NoSuchKey:
            return None
        return body

    def write_bytes(self, key: str, data: bytes) -> None:
        digest = hashlib.sha256(data)
        self._client().put_object(Bucket=self.bucket, Key=self._key(key), Body=data,
                                  ChecksumSHA256=base64.b64encode(digest.digest()).decode(),
                                  Metadata={"sha256": digest.hexdigest()})

    def stat(self, key: str) -> tuple[int, str] | None:
        client = self._client()
        try:
            body = client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        except client.exceptions.NoSuchKey:
            return None
        digest, size = hashlib.sha256(), 0
        for chunk in body.iter_chunks(1 << 20):
            digest.update(chunk)
            size += len(chunk)
        return size, digest.hexdigest()

    def keys(self, prefix: str) -> Iterator[str]:
        start = self._key(prefix) + "/"
        for page in self._client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start):
            for obj in page.get("Contents", []):
                yield nfc(obj["Key"][len(self._key()) + 1:] if self.prefix else obj["Key"])

    def lock(self) -> AbstractContextManager[None]:
        return nullcontext()  # S3 has no lock: runs that deliver to one output at the same time must not race


def storage_for(uri: str, s3_client: Any = None) -> Storage:
    """The storage of ``uri``; ``s3_client``: the boto3 client to use for s3:// (an Airflow S3Hook's)."""
    parsed = urlparse(uri)
    if parsed.scheme == "s3":
        return S3Storage(parsed.netloc, nfc(parsed.path.lstrip("/")), s3_client)
    if parsed.scheme in ("", "file"):
        return LocalStorage(Path(parsed.path if parsed.scheme == "file" else uri).expanduser())
    raise StorageError(f"unsupported storage URI {uri!r}: use a local path, file:// or s3://")
