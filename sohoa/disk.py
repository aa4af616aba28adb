"""The file systems sohoa writes to: a full disk named as such, and folders replaced in one step.

A stage that runs out of space on the work area's disk (or a local output's) fails at once with that disk
named, never with a misleading reason: a tool that failed while its disk was full (Tesseract, pdftoppm,
OpenCV, a decoder) failed for lack of space, not because of the page it was working on, so no page is ever
quarantined for it. Retrying cannot help until someone frees space, so the operators fail such a task without
retries.

Folders are published with ``renameat2(RENAME_EXCHANGE)`` (Linux): a reader of the target sees the old folder
or the new one, never none and never a half-written one; where a file system cannot exchange, two renames.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)
# a tool that failed while its disk had less than this free failed for lack of space: a page's outputs (PNG, OCR
# working copy, hOCR, text PDF) take a few MB
MARGIN = 16 * 1024 * 1024

Place = tuple[str, Path]  # (what it is for people: "the work area", "the output"; a path on the disk)


class DiskFullError(OSError):
    """No space left on the disk of the work area or of the output; the message names the disk."""

    def __str__(self) -> str:
        return str(self.strerror)  # the sentence alone, without OSError's "[Errno 28]"


def _existing(path: Path) -> Path:
    path = Path(os.path.abspath(path))
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def free_bytes(path: Path) -> int:
    st = os.statvfs(_existing(path))
    return st.f_bavail * st.f_frsize


def _mount(path: Path) -> tuple[str, str, str]:
    """(mount point, file system type, source) of the file system holding ``path``."""
    target = _existing(path).resolve()
    best = ("/", "?", "?")
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        lines = []
    for line in lines:
        fields = line.split()
        if "-" not in fields:
            continue
        point = fields[4].encode().decode("unicode_escape")  # spaces are written \040
        tail = fields[fields.index("-") + 1:]
        if (target == Path(point) or Path(point) in target.parents) and len(point) >= len(best[0]):
            best = (point, tail[0] if tail else "?", tail[1] if len(tail) > 1 else "?")
    return best


def _size(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"


def describe(role: str, path: Path) -> str:
    """``role``'s disk in words: where it is mounted, what it is, how much is free."""
    st = os.statvfs(_existing(path))
    point, fstype, source = _mount(path)
    return (f"the disk of {role} {path} is full (or too small for what it must hold): file system {source} "
            f"({fstype}) mounted at {point}, {_size(st.f_bavail * st.f_frsize)} free of "
            f"{_size(st.f_blocks * st.f_frsize)}")


def is_full_error(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in FULL_ERRNOS


def _holds(place: Path, name: object) -> bool:
    if not isinstance(name, str | bytes | os.PathLike):
        return False
    try:
        return os.stat(_existing(Path(os.fsdecode(name)))).st_dev == os.stat(_existing(place)).st_dev
    except OSError:
        return False


def full_disk(exc: BaseException, places: Iterable[Place]) -> DiskFullError | None:
    """The DiskFullError ``exc`` means: a write refused for lack of space (ENOSPC, EDQUOT), or any failure while
    one of ``places`` has less than MARGIN free; None when it is neither."""
    if isinstance(exc, DiskFullError):
        return exc
    candidates = [(role, Path(path)) for role, path in places]
    if not candidates:
        return None
    if is_full_error(exc):
        names = [getattr(exc, "filename", None), getattr(exc, "filename2", None)]
        named = [c for c in candidates if any(_holds(c[1], n) for n in names)]
        role, path = min(named or candidates, key=lambda c: free_bytes(c[1]))
    else:
        short = [c for c in candidates if free_bytes(c[1]) < MARGIN]
        if not short:
            return None
        role, path = min(short, key=lambda c: free_bytes(c[1]))
    return DiskFullError(errno.ENOSPC, f"{describe(role, path)}; free space there (or give {role} a larger disk), "
                                       f"then run the task again ({type(exc).__name__}: {exc})")


def raise_if_full(exc: BaseException, *places: Place) -> None:
    """Raise the DiskFullError ``exc`` means (see full_disk), else return: the caller handles ``exc``."""
    if (full := full_disk(exc, places)) is not None:
        raise full from exc


@contextmanager
def guard(*places: Place) -> Iterator[None]:
    """Any failure inside that a full disk of ``places`` explains becomes a DiskFullError naming it."""
    try:
        yield
    except Exception as exc:
        raise_if_full(exc, *places)
        raise


@cache
def _renameat2() -> object | None:
    try:
        func = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return func


AT_FDCWD, RENAME_EXCHANGE = -100, 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap ``a`` and ``b`` in one step; False when the system or the file system cannot."""
    func = _renameat2()
    if func is None:
        return False
    if func(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:  # type: ignore[operator]
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def replace_dir(new: Path, target: Path) -> None:
    """Put the finished folder ``new`` in place of ``target`` (same file system) in one step and remove the old
    one. A reader of ``target`` never sees it missing or half-written, even if this process dies meanwhile: what
    it leaves is ``new`` holding the old folder, which the next publication sweeps."""
    if target.exists():
        if not _exchange(new, target):
            aside = target.with_name(f".{target.name}.old")
            shutil.rmtree(aside, ignore_errors=True)
            os.replace(target, aside)
            os.replace(new, target)
            new = aside
        shutil.rmtree(new, ignore_errors=True)
    else:
        os.rename(new, target)
