"""Pools sized to the machine: ``SOHOA_WORKERS`` or the cores this process may run on.

Every pool forks its workers from the process that starts it (a task's process): they share what it loaded, die
with it, and hand their log records back to it (``LogCapture``), since a forked child writing into the task's
log stream would interleave with it.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

_in_pool = False  # this process is a pool's worker: its own pools would oversubscribe the cores


def cores() -> int:
    """The cores this process may run on (its CPU affinity: a container's or a taskset's share, not the
    machine's count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def workers() -> int:
    """Worker processes of a pool: ``SOHOA_WORKERS`` or the cores; one inside a pool's worker."""
    if _in_pool:
        return 1
    return max(1, int(os.environ.get("SOHOA_WORKERS", "0") or 0) or cores())


def die_with_parent() -> None:
    """In a forked worker: be killed when the process that started it dies (a task killed with SIGKILL), so that
    no orphan goes on writing into a work folder the retried task has started again."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (AttributeError, OSError):  # not Linux
        pass


class LogCapture(logging.Handler):
    """Keeps the ``sohoa`` log records of a pool worker, to be sent back with its result and logged by the
    process that started the pool (``replay``)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.records.append((record.name, record.levelno, text))

    def take(self) -> list[tuple[str, int, str]]:
        taken, self.records = self.records, []
        return taken


_capture: LogCapture | None = None


def _worker_started() -> None:
    global _in_pool, _capture
    _in_pool = True
    die_with_parent()
    _capture = LogCapture()
    logger = logging.getLogger("sohoa")
    logger.handlers = [_capture]
    logger.propagate = False


def worker_logs() -> list[tuple[str, int, str]]:
    """The log records of this pool worker since the last call (none outside a pool)."""
    return _capture.take() if _capture is not None else []


def replay(records: Iterable[tuple[str, int, str]]) -> None:
    """Log, in this process, the records a pool worker kept (``worker_logs``)."""
    for name, level, text in records:
        logging.getLogger(name).log(level, "%s", text)


def _before_fork() -> None:
    """OpenCV's thread pool, once it ran in this process (a page image resized or blurred), hangs a forked
    child's first OpenCV call: the child inherits its condition variables with the parent's threads waiting on
    them, and no threads. Those threads are stopped before forking; the pool's workers take one page to a core
    anyway (``sohoa.clean``), so OpenCV's own threads would only compete with them."""
    cv2 = sys.modules.get("cv2")
    if cv2 is not None:
        cv2.setNumThreads(1)


def pool(n: int) -> ProcessPoolExecutor:
    """A pool of ``n`` forked workers. Forked, not spawned: a spawned worker would re-import the parent's
    ``__main__``, which under Airflow's task runner (or a script without a main guard) fails."""
    _before_fork()
    return ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork"), initializer=_worker_started)


def process_map(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``[fn(item) for item in items]`` over a pool of forked worker processes (in this process for one item or
    one worker). The first error is raised."""
    todo = list(items)
    n = min(workers(), len(todo))
    if n <= 1:
        return [fn(item) for item in todo]
    results = []
    with pool(n) as executor:
        for result, records in executor.map(partial(logged, fn), todo):
            replay(records)
            results.append(result)
    return results


def logged(fn: Callable[[T], R], item: T) -> tuple[R, list[tuple[str, int, str]]]:
    """``fn(item)`` in a pool worker, with the log records it made (``replay`` them in the pool's process)."""
    return fn(item), worker_logs()


def survivors_map(fn: Callable[[T], R], items: dict[int, T], n: int, failed: Callable[[T, Exception], R],
                  done: Callable[[int, R], None] | None = None, fatal: tuple[type[Exception], ...] = ()
                  ) -> tuple[dict[int, R], list[int]]:
    """``fn`` over ``items`` in a pool of ``n`` workers, results as they come (``done(key, result)`` for each).
    An exception ``fn`` raised is its item's result through ``failed`` (those in ``fatal`` are raised). When a
    worker dies (a crash in a C library), the items it took down with it are run again in a new pool; those
    lost twice are returned, for the caller to run each alone (``alone``) and so find the one that kills."""
    results: dict[int, R] = {}
    todo = dict(items)
    for _ in range(2):
        if not todo:
            break
        with pool(max(1, min(n, len(todo)))) as executor:
            futures: dict[Future[R], int] = {executor.submit(fn, item): key for key, item in todo.items()}
            for future in as_completed(futures):
                key = futures[future]
                try:
                    result = future.result()
                except BrokenProcessPool:
                    continue
                except fatal:
                    for other in futures:
                        other.cancel()
                    raise
                except Exception as exc:  # any error of one item is that item's result
                    result = failed(todo[key], exc)
                results[key] = result
                if done is not None:
                    done(key, result)
        todo = {key: item for key, item in todo.items() if key not in results}
    return results, sorted(todo)


def alone(fn: Callable[[T], R], item: T) -> tuple[bool, R | Exception | None]:
    """``fn(item)`` in a worker process of its own: (True, its result or the exception it raised), or
    (False, None) when the process died."""
    with pool(1) as executor:
        future = executor.submit(fn, item)
        try:
            return True, future.result()
        except BrokenProcessPool:
            return False, None
        except Exception as exc:
            return True, exc

