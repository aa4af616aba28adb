"""Storage behind one interface: a local folder or ``s3://bucket/prefix``.

Delivery publishes a whole folder atomically: on local disk it is copied under a temporary name,
verified against the SHA-256 of every file, then renamed into place (``report.json`` is the last file
written); on S3 every object is uploaded with a SHA-256 checksum the server verifies, and
``report.json`` is uploaded last so a reader who finds it finds everything else.
"""

from __future__ import annotations

import base64
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

from sohoa.vocab import nfc
from sohoa.workspace import sha256_file


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
            for key, path in files_under(folder):
                if key == last:
                    continue
                _copy_verified(path, staging / key)
            if last is not None:
                _copy_verified(folder / last, staging / last)
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

            self.client = boto3.client("s3", endpoint_url=os.environ.get("SOHOA_S3_ENDPOINT") or None)
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
        client = self._client()
        items = [(k, p) for k, p in files_under(folder) if k != last]
        if last is not None:
            items.append((last, folder / last))
        for key, path in items:
            digest = bytes.fromhex(sha256_file(path))
            with open(path, "rb") as fh:
                client.put_object(Bucket=self.bucket, Key=self._key(name, key), Body=fh,
                                  ChecksumSHA256=base64.b64encode(digest).decode())
        return f"s3://{self.bucket}/{self._key(name)}"

    def read_bytes(self, key: str) -> bytes | None:
        client = self._client()
        try:
            body: bytes = client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except client.exceptions.NoSuchKey:
            return None
        return body


def storage_for(uri: str) -> Storage:
    parsed = urlparse(uri)
    if parsed.scheme == "s3":
        return S3Storage(parsed.netloc, nfc(parsed.path.lstrip("/")))
    if parsed.scheme in ("", "file"):
        return LocalStorage(Path(parsed.path if parsed.scheme == "file" else uri).expanduser())
    raise StorageError(f"unsupported storage URI {uri!r}: use a local path, file:// or s3://")
