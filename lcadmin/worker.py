"""``lcadmin worker``: the one process that runs every background job (``lcadmin.jobs``) when
the web processes leave them to it (``LCADMIN_BACKGROUND=worker``).

Each job loops in a thread of its own, as the web processes' lifespan tasks do: e-mail every
couple of seconds, the payment reconciliation and the scheduled rounds about every minute.
Several workers (or workers beside web processes and a cron) may run at once: the jobs' claims
keep each piece of work to one of them (see :mod:`lcadmin.jobs`).

On SIGTERM or SIGINT the worker takes no new work: a round under way is asked to stop (the
e-mail sender after the message it is sending, a scheduled round after its current step) and
given ``grace`` seconds to end. Then the claims still held and not in use are handed back (the
e-mails claimed and not sent are at once due for another sender), the worker logs that it
stopped and exits with status 0. The e-mail being sent when the grace ran out, if any, keeps its
claim, which lapses by itself: its conversation may still have reached the server. A second
signal cuts the wait short.
"""

from __future__ import annotations

import logging
import random
import signal
import threading
import time
from collections.abc import Sequence

from lcadmin.jobs import Loop, background_loops, release_claims, run_round

log = logging.getLogger(__name__)
# Longer than the longest e-mail conversation (lcadmin.mail.smtp.CONVERSATION_AT_MOST, a minute),
# so that a stop normally ends with every round finished; keep the supervisor's own stop timeout
# (systemd's TimeoutStopSec, Kubernetes' terminationGracePeriodSeconds) above it.
STOP_GRACE = 75.0
_POLL = 0.2


class Worker:
    """The background loops of one process, each in its thread, and their orderly stop."""

    def __init__(self, loops: Sequence[Loop], *, grace: float = STOP_GRACE) -> None:
        self.loops = list(loops)
        self.grace = grace
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._signals: list[int] = []

    def start(self) -> None:
        """Start every loop; each runs its first round at once."""
        for loop in self.loops:
            thread = threading.Thread(target=self._run, args=(loop,), name=f"lcadmin {loop.name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        log.info("worker started: %s", ", ".join(f"{loop.name} every {loop.every:g} s" for loop in self.loops))

    def _run(self, loop: Loop) -> None:
        while not self._stop.is_set():
            run_round(loop, self._stop)
            if self._stop.wait(loop.every + random.uniform(0, loop.jitter)):
                break

    def signalled(self, signum: int, _frame=None) -> None:
        """A signal handler: the first signal asks for a stop, a second one cuts the grace short.
        (It only records the signal: the main thread acts on it.)"""
        self._signals.append(signum)

    def wait_for_signal(self) -> int:
        """Block until a stop is asked for; the signal's number."""
        while not self._signals:
            time.sleep(_POLL)
        return self._signals[0]

    def stop(self, reason: str = "asked to") -> list[str]:
        """Stop taking work, wait ``grace`` seconds at most for the rounds under way, hand back
        the claims still held. Returns the loops whose round had not ended in time."""
        self._stop.set()
        log.info("worker stopping (%s): no new work; waiting up to %g s for the rounds under way", reason,
                 self.grace)
        deadline = time.monotonic() + self.grace
        while any(thread.is_alive() for thread in self._threads) and time.monotonic() < deadline \
                and len(self._signals) < 2:
            time.sleep(_POLL)
        unfinished = [loop.name for loop, thread in zip(self.loops, self._threads, strict=True) if thread.is_alive()]
        released = sum(release_claims(loop) for loop in self.loops)
        if unfinished:
            log.warning("worker stopped with rounds still under way (%s): their claims in use lapse by themselves; "
                        "%d handed back", ", ".join(unfinished), released)
        else:
            log.info("worker stopped: every round finished, %d claims handed back", released)
        return unfinished


def run(*, grace: float = STOP_GRACE) -> int:
    """The ``lcadmin worker`` command: every background loop until SIGTERM or SIGINT; returns
    the exit status (0 once stopped)."""
    from lcadmin.logs import log_to_stderr
    from lcadmin.settings import get_settings

    settings = get_settings()
    log_to_stderr(settings.log_format)
    if settings.background == "web":
        log.warning("LCADMIN_BACKGROUND=web: the web processes run these jobs too (safe: each piece of work "
                    "is still done once); set LCADMIN_BACKGROUND=worker to leave them to the workers")
    worker = Worker(background_loops(), grace=grace)
    previous = {signum: signal.signal(signum, worker.signalled) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        worker.start()
        signum = worker.wait_for_signal()
        worker.stop(signal.Signals(signum).name)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0
