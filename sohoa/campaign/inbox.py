"""The campaign's inbox: one folder per batch (a local folder or an ``s3://`` prefix), where scanning stations
drop batches and write a file named ``READY`` last. A folder without it is still being copied: left alone.

Ready batches are ordered by priority, 1 first: the number a batch is given (``READY`` holding JSON
``{"priority": N}``, or a ``priority`` / ``Ưu tiên`` column of its catalogue, the smallest of its rows), else the
rank of the first topic its catalogue names (by default land, civil status, justice, then public-service
records, as the seeds ask: ranks 1 to 4), else after all of them; then the oldest marker first.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sohoa.storage import LocalStorage, S3Storage, Storage, StorageError
from sohoa.vocab import fold, nfc

MARKER = "READY"
CATALOGUES = ("dossiers.csv", "dossiers.xlsx")
PRIORITY_HEADINGS = ("priority", "ưu tiên", "mức ưu tiên", "độ ưu tiên", "thứ tự ưu tiên")
# Topics the seeds put first, in order; each is a rank, its words separated by "|".
DEFAULT_TOPICS = (
    "đất đai|địa chính|quyền sử dụng đất|giao đất|thu hồi đất|quy hoạch sử dụng đất",
    "hộ tịch|khai sinh|khai tử|kết hôn|nuôi con nuôi|hộ khẩu",
    "tư pháp|thi hành án|công chứng|chứng thực|tòa án|lý lịch tư pháp",
    "dịch vụ công|thủ tục hành chính|một cửa|cấp phép|giấy phép",
)


@dataclass(frozen=True)
class ReadyBatch:
    name: str  # the folder's name: the batch_id of its run
    uri: str  # the batch's own folder or prefix
    priority: float  # 1 first
    why: str  # where the priority came from, in words
    ready_at: str  # when READY was written (ISO), as the storage tells


def batch_folders(storage: Storage) -> list[str]:
    """Names of the inbox's sub-folders (NFC, sorted)."""
    if isinstance(storage, LocalStorage):
        if not storage.root.is_dir():
            raise StorageError(f"the inbox {storage.root} is not a folder")
        return sorted(nfc(p.name) for p in storage.root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if isinstance(storage, S3Storage):
        prefix = storage._key() + "/" if storage.prefix else ""
        names: set[str] = set()
        for page in storage._client().get_paginator("list_objects_v2").paginate(
                Bucket=storage.bucket, Prefix=prefix, Delimiter="/"):
            names |= {nfc(p["Prefix"][len(prefix):].rstrip("/")) for p in page.get("CommonPrefixes", [])}
        return sorted(n for n in names if n and not n.startswith("."))
    raise StorageError(f"an inbox must be a local folder or an s3:// prefix, not {storage.uri}")


def _marker_time(storage: Storage, name: str) -> str | None:
    key = f"{name}/{MARKER}"
    if isinstance(storage, LocalStorage):
        path = storage.root / key
        return datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds") if path.is_file() else None
    if isinstance(storage, S3Storage):
        from botocore.exceptions import ClientError

        try:
            head = storage._client().head_object(Bucket=storage.bucket, Key=storage._key(key))
        except ClientError as exc:
            if exc.response["Error"].get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return str(head["LastModified"].astimezone(UTC).isoformat(timespec="seconds"))
    return None


def _key(text: str) -> str:
    return " ".join(nfc(text).casefold().split())


def _number(value: Any) -> float | None:
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        return None
    return number if number > 0 else None


def catalogue_rows(storage: Storage, name: str) -> list[dict[str, str]]:
    """The rows of a batch's catalogue (none when it has none, or when it cannot be read: its run will say why)."""
    from sohoa.catalogue import CatalogueError, read_catalogue

    for file_name in CATALOGUES:
        data = storage.read_bytes(f"{name}/{file_name}")
        if data is None:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / file_name
            path.write_bytes(data)
            try:
                return read_catalogue(path)[1]
            except CatalogueError:
                return []
    return []


def topic_rank(texts: list[str], topics: tuple[str, ...] | list[str]) -> tuple[int, str] | None:
    """(rank, topic word) of the first topic any of ``texts`` names, words compared without tone marks."""
    folded = [f" {' '.join(fold(t).split())} " for t in texts if t]
    for rank, topic in enumerate(topics, 1):
        for word in (w.strip() for w in topic.split("|") if w.strip()):
            needle = f" {' '.join(fold(word).split())} "
            if any(needle in re.sub(r"[^A-Z0-9]+", " ", text) for text in folded):
                return rank, word
    return None


def batch_priority(storage: Storage, name: str, topics: tuple[str, ...] | list[str] = DEFAULT_TOPICS) -> tuple[float, str]:
    """(priority, why) of one batch of the inbox."""
    marker = storage.read_bytes(f"{name}/{MARKER}") or b""
    try:
        said = json.loads(marker.decode("utf-8")) if marker.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        said = {}
    if isinstance(said, dict) and (number := _number(said.get("priority", ""))) is not None:
        return number, f"{MARKER} gives priority {number:g}"
    rows = catalogue_rows(storage, name)
    given = [n for row in rows for heading, value in row.items()
             if _key(heading) in PRIORITY_HEADINGS and (n := _number(value)) is not None]
    if given:
        return min(given), f"the catalogue gives priority {min(given):g}"
    texts = [name] + [v for row in rows for v in row.values() if isinstance(v, str)]
    if found := topic_rank(texts, topics):
        return float(found[0]), f"its catalogue names {found[1]!r} (topic {found[0]})"
    return float(len(topics) + 1), "no priority given and no priority topic named"


def ready_batches(storage: Storage, topics: tuple[str, ...] | list[str] = DEFAULT_TOPICS) -> tuple[list[ReadyBatch], list[str]]:
    """(ready batches in the order to start them, folders still waiting for their marker)."""
    ready, waiting = [], []
    for name in batch_folders(storage):
        when = _marker_time(storage, name)
        if when is None:
            waiting.append(name)
            continue
        priority, why = batch_priority(storage, name, topics)
        ready.append(ReadyBatch(name, f"{storage.uri.rstrip('/')}/{name}", priority, why, when))
    ready.sort(key=lambda b: (b.priority, b.ready_at, b.name))
    return ready, waiting
