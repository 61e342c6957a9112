"""Work spread over a pool of processes that Ctrl-C stops without losing what finished.

Sweeps (`fsr_opt.whatif.sweep`) and region runs (`fsr_opt.app.region`) solve independent
riparti in worker processes; an interruption keeps every result already computed.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def _detach_from_ctrl_c() -> None:
    """Worker initialiser: Ctrl-C is the parent's to handle (it keeps what is finished).

    The worker ignores SIGINT and moves to its own process group, so that the terminal's
    Ctrl-C reaches neither it nor the CBC process it starts: a point running when the user
    stops the sweep finishes normally instead of being recorded as a solver failure.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(os, "setpgrp"):
        os.setpgrp()


def default_workers() -> int:
    """The machine's cores (at least 1)."""
    return max(1, os.cpu_count() or 1)


def run_in_pool(
    items: Sequence[T],
    work: Callable[[T], R],
    workers: int,
    finished: Callable[[R], None],
) -> bool:
    """Run `work` on every item in a process pool, calling `finished` here with each result.

    Ctrl-C is the parent's (`_detach_from_ctrl_c`): on a KeyboardInterrupt the items not
    started are cancelled, the running ones finish and are reported too.

    Args:
        items: the work's inputs, picklable.
        work: picklable (a module-level function or a partial of one); it should turn the
            failures it expects into results.
        workers: processes in the pool.
        finished: called in this process with each result, in order of completion.

    Returns:
        True if interrupted.
    """
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_detach_from_ctrl_c)
    futures: list[Future[R]] = []
    reported: set[int] = set()
    interrupted = False
    try:
        futures = [pool.submit(work, item) for item in items]
        for future in as_completed(futures):
            reported.add(id(future))
            finished(future.result())
    except KeyboardInterrupt:
        interrupted = True
        pool.shutdown(wait=True, cancel_futures=True)
        for future in futures:  # items that finished while we stopped: keep them too
            if id(future) in reported or future.cancelled() or not future.done():
                continue
            if future.exception() is None:
                finished(future.result())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return interrupted

