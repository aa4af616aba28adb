"""Storage behind one interface: a local folder or ``s3://bucket/prefix``.

Delivery publishes a whole folder atomically: on local disk it is copied under a temporary name,
verified against the SHA-256 of every file, then renamed into place (``report.json`` is the last file
written); on S3 every new or changed object is uploaded under a staging prefix with a SHA-256 checksum the
server verifies, read back, copied server-side to its final key and read back again, and ``report.json``
is copied last so a reader who finds it finds everything else.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

from sohoa.disk import guard, replace_dir
from sohoa.vocab import nfc
from sohoa.workspace import sha256_file

log = logging.getLogger(__name__)

MULTIPART = 64 * 1024 * 1024  # bytes: larger files go up (and are copied) in parts of this size
STAGING = ".staging"  # S3: <prefix>/.staging/<name>/<run>/... holds a delivery's objects until they are verified
LOCK = ".ledger.lock"  # beside ledger.jsonl: held while the ledger is read and extended
LOCK_TIMEOUT = 600.0  # seconds: an S3 ledger lock nobody has rewritten for this long belongs to a dead run
LOCK_WAIT = 4 * 3600.0  # seconds a delivery waits for the S3 ledger lock before it fails (and is retried)
RETENTION_ENV = "SOHOA_S3_RETENTION"  # "GOVERNANCE:<days>" or "COMPLIANCE:<days>": Object Lock retention


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

    def read_tagged(self, key: str) -> tuple[bytes | None, str | None]:
        """The object's bytes and a tag that changes whenever it does; (None, None) when there is none."""

    def write_bytes(self, key: str, data: bytes, *, if_tag: str | None) -> None:
        """Replace the object only if it still has the tag ``read_tagged`` gave (None: only if there is
        still none); StorageError when it was changed in between, which leaves it as it is."""

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

    @contextmanager
    def lock(self) -> Iterator[None]:
        """The ledger lock: the object ``.ledger.lock``, created only where there is none (If-None-Match: *),
        rewritten every ``lock_timeout / 4`` seconds while held and deleted afterwards, both If-Match its ETag
        so a lock somebody else holds is never touched. One not rewritten for ``lock_timeout`` seconds (by the
        server's clock) was left by a run that died: it is taken over by replacing it If-Match its ETag, so of
        two runs that find it stale only one gets it. StorageError when this run lost the lock while holding
        it (it could not rewrite it for ``lock_timeout`` seconds)."""
        key, token = self._key(LOCK), uuid.uuid4().hex
        held = {"etag": self._acquire(key, token), "lost": ""}
        stop = threading.Event()

        def refresh() -> None:
            while not stop.wait(self.lock_timeout / 4):
                try:
                    held["etag"] = self._put_lock(key, token, IfMatch=held["etag"])
                    continue
                except Exception as exc:
                    if not _conflict(exc):
                        log.warning("ledger lock s3://%s/%s not refreshed (tried again): %s", self.bucket, key, exc)
                        continue
                try:
                    state = self._lock_state(key)
                except Exception as exc:
                    log.warning("ledger lock s3://%s/%s not read (tried again): %s", self.bucket, key, exc)
                    continue
                if state is not None and state[0] == token:  # our own write, its answer lost
                    held["etag"] = state[1]
                    continue
                held["lost"] = f"taken over by {state[3] if state else 'nobody (deleted)'}"
                log.error("ledger lock s3://%s/%s lost: %s", self.bucket, key, held["lost"])
                return

        thread = threading.Thread(target=refresh, name="sohoa-ledger-lock", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
            if not held["lost"]:
                try:
                    self._client().delete_object(Bucket=self.bucket, Key=key, IfMatch=held["etag"])
                except Exception as exc:
                    _ABANDONED.add(token)  # this process's next delivery (a task retried in it) takes it over
                    log.warning("ledger lock s3://%s/%s not released (it expires in %d s): %s", self.bucket, key,
                                self.lock_timeout, exc)
        if held["lost"]:
            raise StorageError(f"the ledger lock s3://{self.bucket}/{key} was {held['lost']} while this delivery "
                               "held it: check the ledger")

    def _acquire(self, key: str, token: str) -> str:
        """ETag of the lock object written for ``token`` once no live run holds it."""
        since, said = time.monotonic(), False
        while True:
            try:
                return self._put_lock(key, token, IfNoneMatch="*")
            except Exception as exc:
                if not _conflict(exc):
                    raise
            state = self._lock_state(key)
            if state is not None:  # else released in between: try again
                owner, etag, age, holder = state
                if owner == token:
                    return etag  # our own write, its answer lost
                if age > self.lock_timeout or _holder_gone(holder):
                    log.warning("taking over ledger lock s3://%s/%s of %s, not refreshed for %d s%s", self.bucket,
                                key, holder, age, "" if age > self.lock_timeout else " (its run is gone)")
                    try:
                        return self._put_lock(key, token, IfMatch=etag)
                    except Exception as exc:
                        if not _conflict(exc):
                            raise
                        continue  # another run took it over first
                if time.monotonic() - since > LOCK_WAIT:
                    raise StorageError(f"the ledger lock s3://{self.bucket}/{key} is held by {holder}: gave up "
                                       f"after {LOCK_WAIT:.0f} s")
                if not said:
                    log.info("waiting for ledger lock s3://%s/%s held by %s", self.bucket, key, holder)
                    said = True
            time.sleep(min(5.0, self.lock_timeout / 8))

    def _put_lock(self, key: str, token: str, **condition: str) -> str:
        body = {"owner": token, "host": socket.gethostname(), "pidns": _pid_namespace(), "pid": os.getpid(),
                "written": datetime.now(UTC).isoformat()}  # changes on every write, and so does the ETag
        answer = self._client().put_object(Bucket=self.bucket, Key=key, Body=json.dumps(body).encode(),
                                           ContentType="application/json", **condition)
        return str(answer["ETag"])

    def _lock_state(self, key: str) -> tuple[str, str, float, dict[str, Any]] | None:
        """(owner token, ETag, seconds since last written by the server's clock, content) of the lock object,
        None when there is none."""
        client = self._client()
        try:
            got = client.get_object(Bucket=self.bucket, Key=key)
        except client.exceptions.NoSuchKey:
            return None
        try:
            content = json.loads(got["Body"].read())
        except ValueError:
            content = None
        content = content if isinstance(content, dict) else {}
        now = parsedate_to_datetime(got["ResponseMetadata"]["HTTPHeaders"]["date"])
        return str(content.get("owner")), str(got["ETag"]), (now - got["LastModified"]).total_seconds(), content


_ABANDONED: set[str] = set()  # tokens of ledger locks this process held and could not release


def _pid_namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""


def _holder_gone(holder: dict[str, Any]) -> bool:
    """The lock's holder is known dead: a lock this very process could not release (the server was down), or
    one whose process, on this host and in this process namespace, no longer exists. Anywhere else only the
    timeout tells; a holder wrongly taken for dead loses its lock on its next refresh and its delivery fails
    before it writes the ledger."""
    if holder.get("owner") in _ABANDONED:
        return True
    pid = holder.get("pid")
    if (holder.get("host") != socket.gethostname() or not holder.get("pidns")
            or holder.get("pidns") != _pid_namespace() or not isinstance(pid, int) or pid == os.getpid()):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def _conflict(exc: Exception) -> bool:
    """A conditional write that lost: precondition failed (412), a concurrent conditional write (409), or the
    object an If-Match named is gone (404)."""
    from botocore.exceptions import ClientError

    return isinstance(exc, ClientError) and (
        exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") in (404, 409, 412)
        or exc.response.get("Error", {}).get("Code") in ("PreconditionFailed", "ConditionalRequestConflict",
                                                          "NoSuchKey"))


def retention_from_env() -> tuple[str, int] | None:
    """The Object Lock retention ``SOHOA_S3_RETENTION`` asks for: ``GOVERNANCE:<days>`` or ``COMPLIANCE:<days>``."""
    value = os.environ.get(RETENTION_ENV, "").strip()
    if not value:
        return None
    mode, _, days = value.upper().partition(":")
    if mode not in ("GOVERNANCE", "COMPLIANCE") or not days.isdigit() or int(days) < 1:
        raise StorageError(f"{RETENTION_ENV}={value!r}: expected GOVERNANCE:<days> or COMPLIANCE:<days>")
    return mode, int(days)


def storage_for(uri: str, s3_client: Any = None) -> Storage:
    """The storage of ``uri``; ``s3_client``: the boto3 client to use for s3:// (an Airflow S3Hook's)."""
    parsed = urlparse(uri)
    if parsed.scheme == "s3":
        return S3Storage(parsed.netloc, nfc(parsed.path.lstrip("/")), s3_client, retention_from_env())
    if parsed.scheme in ("", "file"):
        return LocalStorage(Path(parsed.path if parsed.scheme == "file" else uri).expanduser())
    raise StorageError(f"unsupported storage URI {uri!r}: use a local path, file:// or s3://")
