"""The S3 ledger lock: an object created only where there is none and kept fresh while it is held."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from sohoa.storage.base import LOCK, StorageError

log = logging.getLogger("sohoa.storage")  # the name it had as one module

LOCK_TIMEOUT = 600.0  # seconds: an S3 ledger lock nobody has rewritten for this long belongs to a dead run
LOCK_WAIT = 4 * 3600.0  # seconds a delivery waits for the S3 ledger lock before it fails (and is retried)


class S3LedgerLock:
    """The ledger lock of ``S3Storage`` (its ``lock()``), which gives it the bucket, ``lock_timeout``,
    ``_client()`` and ``_key()``."""

    bucket: str
    lock_timeout: float
    _client: Callable[[], Any]
    _key: Callable[..., str]

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
