"""The work area on S3, so that workers share no disk: Airflow's ``[sohoa] work_uri``
(``AIRFLOW__SOHOA__WORK_URI=s3://bucket/prefix``), reached through the connection ``aws_default``. Unset (the
default), the work area is the folder ``SOHOA_WORK_DIR``, which the workers of a cluster must then share.

With it set, ``SOHOA_WORK_DIR`` is each machine's scratch copy, and every task pulls the part of its batch it
works on before it runs and pushes what it changed after (``sohoa.storage.mirror``), also when it fails, so
that a retry on another machine starts from what this try finished. Scratch copies of batches no task of the
machine used for ``[sohoa] scratch_idle_hours`` are removed."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from operators.base import s3_client

if TYPE_CHECKING:
    from sohoa.storage.mirror import Scope, WorkMirror

AWS_CONN_ID = "aws_default"
log = logging.getLogger(__name__)


def work_uri() -> str:
    from airflow.configuration import conf

    return (conf.get("sohoa", "work_uri", fallback="") or "").strip()


def work_mirror() -> WorkMirror | None:
    """The S3 work area and this machine's scratch copy of it; None when the work area is a folder."""
    uri = work_uri()
    if not uri:
        return None
    from airflow.sdk.exceptions import AirflowFailException

    from sohoa.pipeline import work_root
    from sohoa.storage import S3Storage, storage_for
    from sohoa.storage.mirror import WorkMirror

    storage = storage_for(uri, s3_client(uri, AWS_CONN_ID))
    if not isinstance(storage, S3Storage):
        raise AirflowFailException(f"[sohoa] work_uri {uri!r} must be s3://bucket/prefix: a folder work area is "
                                   "SOHOA_WORK_DIR")
    return WorkMirror(storage, work_root())


def scratch_idle() -> float:
    """Seconds after which a machine removes its scratch copy of a batch no task of it used since: ``[sohoa]
    scratch_idle_hours`` (24 by default; longer than any task runs)."""
    from airflow.configuration import conf

    return 3600 * conf.getfloat("sohoa", "scratch_idle_hours", fallback=24.0)


def batch_of(mirror: WorkMirror, work: str) -> str:
    """The batch id of a work path, which must lie in this machine's scratch copy."""
    path = Path(work)
    if path.parent.resolve() != mirror.local.resolve():
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException(f"the work area {work} is not under SOHOA_WORK_DIR ({mirror.local}): every "
                                   "machine of the cluster must set the same SOHOA_WORK_DIR")
    return path.name


@contextmanager
def mirrored(work: str, scope: Scope, *, writes: bool = True, locked: bool = False) -> Iterator[None]:
    """Pull ``scope`` of the batch of ``work`` before the block and, if it ``writes``, push what it changed
    after, also when it fails; ``locked``: hold the batch's lock on S3 meanwhile. Nothing when the work area is a
    folder."""
    mirror = work_mirror()
    if mirror is None:
        yield
        return
    batch_id = batch_of(mirror, work)
    mirror.evict(scratch_idle())
    with mirror.lock(batch_id) if locked else nullcontext():
        since = mirror.pull(batch_id, scope)
        try:
            yield
        except BaseException:
            if writes:  # what the task finished before it failed, for the retry; never in place of its error
                try:
                    mirror.push(batch_id, scope, since)
                except Exception:
                    log.exception("the work area of batch %s could not be pushed after the task failed", batch_id)
            raise
        if writes:
            mirror.push(batch_id, scope, since)


def pull_inputs(dossiers: Sequence[str]) -> None:
    """Pull the input files the planned pages of ``dossiers`` (work paths) are still to be read from."""
    mirror = work_mirror()
    if mirror is None or not dossiers:
        return
    from sohoa.ingest import planned_inputs
    from sohoa.storage.mirror import Scope

    batch_id = batch_of(mirror, str(Path(dossiers[0]).parent.parent))
    files = [f for d in dossiers for f in planned_inputs(Path(d))]
    mirror.pull(batch_id, Scope(dossiers=frozenset(), batch=False, extra=mirror.inputs_of(batch_id, files)))


def push_import(work: str) -> None:
    """After a batch's import: the work area on S3 holds exactly what the import left (it starts a batch
    afresh)."""
    mirror = work_mirror()
    if mirror is not None:
        from sohoa.storage.mirror import EVERYTHING

        mirror.push(batch_of(mirror, work), EVERYTHING, None)


def _located(path: Path) -> tuple[WorkMirror, str, str] | None:
    """The S3 work area and the (batch id, key) of a scratch file; None when the work area is a folder."""
    mirror = work_mirror()
    if mirror is None:
        return None
    rel = Path(path).resolve().relative_to(mirror.local.resolve()).parts
    return mirror, rel[0], "/".join(rel[1:])


def pull_file(path: Path) -> bool:
    """Bring one file of the work area into this machine's scratch copy, when it is on S3; whether it was there."""
    found = _located(path)
    return found is not None and found[0].pull_file(found[1], found[2])


def push_file(path: Path) -> None:
    """Send one file this machine wrote in its scratch copy to the work area on S3."""
    if found := _located(path):
        found[0].push_file(found[1], found[2])
