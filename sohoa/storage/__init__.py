"""Storage behind one interface: a local folder or ``s3://bucket/prefix``.

Delivery publishes a whole folder atomically: on local disk it is copied under a temporary name,
verified against the SHA-256 of every file, then renamed into place (``report.json`` is the last file
written); on S3 every new or changed object is uploaded under a staging prefix with a SHA-256 checksum the
server verifies, read back, copied server-side to its final key and read back again, and ``report.json``
is copied last so a reader who finds it finds everything else.

One module per part: ``base`` (the ``Storage`` interface, ``StorageError``, ``files_under``), ``local``
(``LocalStorage``), ``s3`` (``S3Storage``, its encryption and Object Lock retention) and ``s3lock`` (the S3
ledger lock).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from sohoa.storage.base import LOCK, Storage, StorageError, files_under
from sohoa.storage.local import LocalStorage
from sohoa.storage.s3 import MULTIPART, RETENTION_ENV, STAGING, S3Storage, retention_from_env
from sohoa.storage.s3lock import LOCK_TIMEOUT, LOCK_WAIT
from sohoa.vocab import nfc

__all__ = [
    "LOCK", "LOCK_TIMEOUT", "LOCK_WAIT", "MULTIPART", "RETENTION_ENV", "STAGING", "LocalStorage", "S3Storage",
    "Storage", "StorageError", "files_under", "retention_from_env", "storage_for",
]


def storage_for(uri: str, s3_client: Any = None) -> Storage:
    """The storage of ``uri``; ``s3_client``: the boto3 client to use for s3:// (an Airflow S3Hook's)."""
    parsed = urlparse(uri)
    if parsed.scheme == "s3":
        return S3Storage(parsed.netloc, nfc(parsed.path.lstrip("/")), s3_client, retention_from_env())
    if parsed.scheme in ("", "file"):
        return LocalStorage(Path(parsed.path if parsed.scheme == "file" else uri).expanduser())
    raise StorageError(f"unsupported storage URI {uri!r}: use a local path, file:// or s3://")
