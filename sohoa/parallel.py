"""Pools sized to the machine: ``SOHOA_WORKERS`` or the number of cores."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def workers() -> int:
    return max(1, int(os.environ.get("SOHOA_WORKERS", "0")) or (os.cpu_count() or 1))


def die_with_parent() -> None:
    """In a forked worker: be killed when the process that started it dies (a task killed with SIGKILL), so that
    no orphan goes on writing into a work folder the retried task has started again."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (AttributeError, OSError):  # not Linux
        pass


def process_map(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``[fn(item) for item in items]`` over a pool of forked worker processes (in this process for one item or
    one worker). Forked, not spawned: a spawned worker would re-import the parent's ``__main__``, which under
    Airflow's task runner (or a script without a main guard) fails. The first error is raised."""
    todo = list(items)
    n = min(workers(), len(todo))
    if n <= 1:
        return [fn(item) for item in todo]
    with ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork"), initializer=die_with_parent) as pool:
        return list(pool.map(fn, todo))
