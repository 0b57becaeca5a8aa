"""CPU-bound work at a lower scheduling priority than the requests.

Hashing a password (0.1 s by design) and laying out a PDF are the app's CPU-heavy steps. They
run in threads or processes of their own that first lower their own priority, so that on a busy
machine the event loop and the quick requests get the processor first, and the slow step waits a
little longer instead of every bystander.
"""

from __future__ import annotations

import contextlib
import os
import threading

NICENESS = 10


def lower_priority() -> None:
    """Lower the calling thread's priority (on Linux a thread has a niceness of its own; in a
    worker process's first thread it is the process's). Elsewhere the work runs as it is."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)
