"""Rendering documents in worker processes, so that a long PDF never holds the web process's GIL.

A worker thread keeps a render off the event loop, but reportlab's layout is Python code: while
it runs, the event loop waits for the interpreter lock between every few instructions, and every
user of the process feels a 200-line invoice. A small pool of spawned processes renders instead,
at a lower priority (:mod:`lcadmin.cpu`); the thread that asked only waits. Documents are frozen
dataclasses of plain values, so they travel to the workers as they are, and bytes come back. The
web process stops them at its shutdown (:func:`shutdown`).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from lcadmin.cpu import lower_priority

_pool: ProcessPoolExecutor | None = None
_closed = False
_lock = threading.Lock()


def _executor() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            # Spawned, not forked: the web process runs threads, which a fork would copy mid-step.
            _pool = ProcessPoolExecutor(max_workers=max(1, min(2, os.cpu_count() or 1)),
                                        mp_context=multiprocessing.get_context("spawn"),
                                        initializer=lower_priority)
        return _pool


def shutdown() -> None:
    """Stop the workers once the renders under way are done (at the web process's shutdown).
    A render asked for afterwards (a background round still finishing) runs in its own thread:
    no new pool is started that would keep the stopping process alive."""
    global _pool, _closed
    with _lock:
        pool, _pool, _closed = _pool, None, True
    if pool is not None:
        pool.shutdown(wait=True)


def render(renderer: Callable[..., bytes], *args: Any) -> bytes:
    """``renderer(*args)`` in a worker process (``renderer`` must be a module-level function)."""
    with _lock:
        closed = _closed
    if closed:
        return renderer(*args)
    return _executor().submit(renderer, *args).result()

