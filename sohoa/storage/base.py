"""The interface every storage has, its error, and what its implementations share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from sohoa.vocab import nfc

LOCK = ".ledger.lock"  # beside ledger.jsonl: held while the ledger is read and extended


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


def _in_publishing_order(folder: Path, last: str | None) -> list[tuple[str, Path]]:
    """``files_under(folder)`` with the file ``last`` (the one that says the delivery is complete) at the end."""
    items = [(k, p) for k, p in files_under(folder) if k != last]
    return items + [(last, folder / last)] if last is not None else items

