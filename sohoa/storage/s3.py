"""``s3://bucket/prefix`` as storage: verified delivery through a staging prefix, the bucket's default
encryption, Object Lock retention."""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sohoa.storage.base import StorageError, _in_publishing_order
from sohoa.storage.s3lock import LOCK_TIMEOUT, S3LedgerLock, _conflict
from sohoa.vocab import nfc
from sohoa.workspace import sha256_file

log = logging.getLogger("sohoa.storage")  # the name it had as one module

MULTIPART = 64 * 1024 * 1024  # bytes: larger files go up (and are copied) in parts of this size
STAGING = ".staging"  # S3: <prefix>/.staging/<name>/<run>/... holds a delivery's objects until they are verified
RETENTION_ENV = "SOHOA_S3_RETENTION"  # "GOVERNANCE:<days>" or "COMPLIANCE:<days>": Object Lock retention


@dataclass
class S3Storage(S3LedgerLock):
    bucket: str
    prefix: str
    client: Any = None
    retention: tuple[str, int] | None = None  # (Object Lock mode, days) given to every delivered object
    lock_timeout: float = LOCK_TIMEOUT

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
        """Publish ``folder`` under ``name/``. Every file that is not already there with the same SHA-256 is
        uploaded under ``.staging/<name>/<run>/`` (multipart for large files, a SHA-256 checksum the server
        verifies) and read back and hashed; only then is each one copied server-side to its final key and read
        back again there. Objects of an earlier delivery that this one no longer has are removed before
        ``last`` is copied, last. The staging objects are removed at the end, also when the delivery fails, and
        those of a delivery of the same name that died (the server stopped, the task killed) at the start. A
        re-delivery uploads and copies only what is not already at its final key with the same SHA-256: after
        such a failure every object ends there once; of unchanged files, nothing. Uses the bucket's default
        encryption when it has one; with versioning on, replaced and removed objects stay as earlier versions;
        with Object Lock on, the bucket's default retention applies by itself and ``retention`` adds its own."""
        from boto3.s3.transfer import TransferConfig

        client = self._client()
        config = TransferConfig(multipart_threshold=MULTIPART, multipart_chunksize=MULTIPART)
        encryption = self._encryption()
        items = _in_publishing_order(folder, last)
        stale = set(self.keys(name)) - {f"{name}/{k}" for k, _ in items}
        changed = []
        for key, path in items:
            size, digest = path.stat().st_size, sha256_file(path)
            if not self._holds(self._key(name, key), size, digest):
                changed.append((key, path, size, digest))
        # what a delivery of this name that died (server stopped, task killed) left under staging: publications
        # of one name never overlap (deliver holds the ledger lock), so none of it belongs to a live run
        self._discard(f"{STAGING}/{name}")
        staging = f"{STAGING}/{name}/{uuid.uuid4().hex[:12]}"
        try:
            for key, path, size, digest in changed:
                client.upload_file(str(path), self.bucket, self._key(staging, key), Config=config, ExtraArgs={
                    "ChecksumAlgorithm": "SHA256", "Metadata": {"sha256": digest}, **encryption})
                self._verify(f"{staging}/{key}", size, digest, path)
            lock = self._retention() if changed else {}
            final = {"ChecksumAlgorithm": "SHA256", **encryption, **lock}  # the metadata (sha256) is copied

            def promote(key: str, path: Path, size: int, digest: str) -> None:
                client.copy({"Bucket": self.bucket, "Key": self._key(staging, key)}, self.bucket,
                            self._key(name, key), ExtraArgs=final, Config=config)
                self._retain(f"{name}/{key}", self._verify(f"{name}/{key}", size, digest, path), lock)

            for item in changed:
                if item[0] != last:
                    promote(*item)
            refused = self._delete([{"Key": self._key(k)} for k in sorted(stale)])
            if refused:
                raise StorageError(f"objects of an earlier delivery could not be removed from {self.uri}/{name}: "
                                   + ", ".join(f"{e.get('Key')} ({e.get('Code')})" for e in refused[:5]))
            for item in changed:
                if item[0] == last:
                    promote(*item)
        finally:
            if changed:
                self._discard(staging)
        return f"s3://{self.bucket}/{self._key(name)}"

    def _verify(self, key: str, size: int, digest: str, source: Path) -> dict[str, Any]:
        """The GetObject answer of ``key`` after checking its bytes are those of ``source``."""
        got = self._read_back(key)
        if got is None or got[:2] != (size, digest):
            raise StorageError(f"s3://{self.bucket}/{self._key(key)} differs from {source} after it was written")
        return got[2]

    def _retain(self, key: str, got: dict[str, Any], lock: dict[str, Any]) -> None:
        """Give the version just written the retention ``lock`` asks for where the server did not already
        (SeaweedFS ignores Object Lock headers on CopyObject; S3 honours them)."""
        if not lock:
            return
        until = got.get("ObjectLockRetainUntilDate")
        if got.get("ObjectLockMode") == lock["ObjectLockMode"] and until and until >= lock[
                "ObjectLockRetainUntilDate"] - timedelta(minutes=5):
            return
        from botocore.exceptions import ClientError

        try:
            self._client().put_object_retention(
                Bucket=self.bucket, Key=self._key(key), VersionId=got.get("VersionId"),
                Retention={"Mode": lock["ObjectLockMode"], "RetainUntilDate": lock["ObjectLockRetainUntilDate"]})
        except ClientError as exc:
            raise StorageError(f"s3://{self.bucket}/{self._key(key)} could not be given {lock['ObjectLockMode']} "
                               f"retention (it has {got.get('ObjectLockMode')} until {until}): {exc}") from exc

    def _delete(self, objects: list[dict[str, str]]) -> list[dict[str, str]]:
        """Delete ``objects`` ({Key[, VersionId]}, full keys); returns the ones the server refused."""
        refused: list[dict[str, str]] = []
        for start in range(0, len(objects), 1000):  # the API takes at most 1000 keys per call
            answer = self._client().delete_objects(Bucket=self.bucket, Delete={
                "Objects": objects[start:start + 1000], "Quiet": True})
            refused += answer.get("Errors", [])
        return refused

    def _discard(self, prefix: str) -> None:
        """Best effort, never raises: remove everything under ``prefix/`` (one run's staging objects), every
        version of it where the bucket keeps versions; a version that Object Lock retains cannot be removed
        and is hidden behind a delete marker instead."""
        from botocore.exceptions import ClientError

        client, root = self._client(), self._key(prefix) + "/"
        try:
            try:
                versions = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                            for page in client.get_paginator("list_object_versions").paginate(
                                Bucket=self.bucket, Prefix=root)
                            for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
                if kept := self._delete(versions):  # AccessDenied: Object Lock retains them
                    log.info("%d staging object version(s) under s3://%s/%s kept (%s)", len(kept), self.bucket,
                             root, kept[0].get("Code"))
            except ClientError as exc:  # e.g. no s3:ListBucketVersions: plain deletes below
                log.info("staging versions under s3://%s/%s not listed: %s", self.bucket, root, exc)
            left = [{"Key": o["Key"]} for page in client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=root) for o in page.get("Contents", [])]
            if refused := self._delete(left):
                log.warning("staging objects left under s3://%s/%s: %s", self.bucket, root, refused[:5])
        except Exception as exc:
            log.warning("staging objects under s3://%s/%s were not removed: %s", self.bucket, root, exc)

    def _holds(self, key: str, size: int, digest: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            head = self._client().head_object(Bucket=self.bucket, Key=key)
        except ClientError:
            return False
        return bool(head.get("ContentLength") == size and head.get("Metadata", {}).get("sha256") == digest)

    def _encryption(self) -> dict[str, str]:
        """ServerSideEncryption (and the KMS key) of the bucket's default rule, if it has one."""
        from botocore.exceptions import ClientError

        try:
            rules = self._client().get_bucket_encryption(Bucket=self.bucket)[
                "ServerSideEncryptionConfiguration"]["Rules"]
        except (ClientError, KeyError):
            return {}
        default = rules[0].get("ApplyServerSideEncryptionByDefault", {}) if rules else {}
        if not default.get("SSEAlgorithm"):
            return {}
        key = {"SSEKMSKeyId": default["KMSMasterKeyID"]} if default.get("KMSMasterKeyID") else {}
        return {"ServerSideEncryption": default["SSEAlgorithm"], **key}

    def _retention(self) -> dict[str, Any]:
        """ObjectLockMode and ObjectLockRetainUntilDate of ``retention`` when the bucket has Object Lock on;
        nothing when no retention is asked for or the bucket cannot lock (said in the log)."""
        from botocore.exceptions import ClientError

        if self.retention is None:
            return {}
        try:
            enabled = self._client().get_object_lock_configuration(Bucket=self.bucket)[
                "ObjectLockConfiguration"].get("ObjectLockEnabled")
        except ClientError:
            enabled = None
        mode, days = self.retention
        if enabled != "Enabled":
            log.warning("s3://%s has no Object Lock: %s retention of %d days not applied", self.bucket, mode, days)
            return {}
        return {"ObjectLockMode": mode, "ObjectLockRetainUntilDate": datetime.now(UTC) + timedelta(days=days)}

    def read_bytes(self, key: str) -> bytes | None:
        return self.read_tagged(key)[0]

    def read_tagged(self, key: str) -> tuple[bytes | None, str | None]:
        client = self._client()
        try:
            got = client.get_object(Bucket=self.bucket, Key=self._key(key))
        except client.exceptions.NoSuchKey:
            return None, None
        return got["Body"].read(), str(got["ETag"])

    def write_bytes(self, key: str, data: bytes, *, if_tag: str | None) -> None:
        """A conditional PUT (If-Match the ETag, or If-None-Match: * for a new object), so a writer that lost
        the ledger lock without knowing it cannot overwrite what the next holder wrote."""
        digest = hashlib.sha256(data)
        condition = {"IfMatch": if_tag} if if_tag is not None else {"IfNoneMatch": "*"}
        try:
            self._client().put_object(Bucket=self.bucket, Key=self._key(key), Body=data,
                                      ChecksumSHA256=base64.b64encode(digest.digest()).decode(),
                                      Metadata={"sha256": digest.hexdigest()}, **self._encryption(),
                                      **self._retention(), **condition)
        except Exception as exc:
            if _conflict(exc):
                raise StorageError(f"s3://{self.bucket}/{self._key(key)} changed since it was read: not "
                                   "overwritten") from exc
            raise

    def stat(self, key: str) -> tuple[int, str] | None:
        got = self._read_back(key)
        return (got[0], got[1]) if got is not None else None

    def _read_back(self, key: str) -> tuple[int, str, dict[str, Any]] | None:
        """(size, SHA-256 of the bytes read now, the rest of the GetObject answer) of one object."""
        client = self._client()
        try:
            got = client.get_object(Bucket=self.bucket, Key=self._key(key))
        except client.exceptions.NoSuchKey:
            return None
        digest, size = hashlib.sha256(), 0
        for chunk in got.pop("Body").iter_chunks(1 << 20):
            digest.update(chunk)
            size += len(chunk)
        return size, digest.hexdigest(), got

    def keys(self, prefix: str) -> Iterator[str]:
        start = self._key(prefix) + "/"
        for page in self._client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start):
            for obj in page.get("Contents", []):
                yield nfc(obj["Key"][len(self._key()) + 1:] if self.prefix else obj["Key"])


def retention_from_env() -> tuple[str, int] | None:
    """The Object Lock retention ``SOHOA_S3_RETENTION`` asks for: ``GOVERNANCE:<days>`` or ``COMPLIANCE:<days>``."""
    value = os.environ.get(RETENTION_ENV, "").strip()
    if not value:
        return None
    mode, _, days = value.upper().partition(":")
    if mode not in ("GOVERNANCE", "COMPLIANCE") or not days.isdigit() or int(days) < 1:
        raise StorageError(f"{RETENTION_ENV}={value!r}: expected GOVERNANCE:<days> or COMPLIANCE:<days>")
    return mode, int(days)
