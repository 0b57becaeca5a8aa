"""The background jobs: e-mail delivery (every couple of seconds), the reconciliation of payment
attempts cut short, and the scheduled rounds (collections scheduled and made, card expiry
notices, removed methods detached at the provider, notices of ending accesses), about every
minute.

Where they run is ``LCADMIN_BACKGROUND``: ``web`` (the default) runs them as Reflex lifespan
tasks in every web process, beside the app; ``worker`` leaves them to the one ``lcadmin worker``
process (:mod:`lcadmin.worker`). ``lcadmin jobs run`` runs each once, for a cron. Their work runs
in a thread, never on the event loop.

The guarantee: each piece of work is done once, however many processes run the same job at the
same moment (web processes, workers, a cron). Every job claims what it works on before working
on it: on PostgreSQL it locks the rows it picks, passing over those another process holds
(``lcadmin.db.skip_locked``), so that processes split the work and none waits on rows another is
working on; then a conditional UPDATE takes each row (a claim with an end, ``claimed_until`` and
the like, when the work spans a provider call or an SMTP conversation). On SQLite, which has no
row locks, write transactions run one at a time (``BEGIN IMMEDIATE``) and the same conditional
UPDATEs decide. No transaction stays open across an SMTP conversation or a provider call. So
every e-mail leaves once, every payment attempt cut short is settled once, every invoice is
collected once and every notice is sent once. A process that crashes mid-work leaves its claims
to lapse, and the work is taken up again (with the same idempotency keys at the provider, so
nothing is charged twice; an e-mail the server had accepted just before the crash may leave a
second time, as with any mail queue).

A process that stops (SIGTERM for the worker, shutdown for a web process) takes no new work,
lets the round under way finish for a bounded time, and hands back the e-mails it had claimed
and not sent.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from lcadmin.db import get_engine, session_scope
from lcadmin.mail.smtp import HeldClaims, deliver_due
from lcadmin.payments import get_provider
from lcadmin.services import admins, payment_methods
from lcadmin.services.context import system
from lcadmin.services.payments import settle_unfinished_attempts
from lcadmin.settings import get_settings

log = logging.getLogger(__name__)
OUTBOX_EVERY = 2.0
RECONCILE_EVERY = 60.0
WALLET_EVERY = 60.0
# A web process shutting down waits this long for the round under way (Reflex gives a cancelled
# lifespan task 5 s), then hands back what it still holds.
SHUTDOWN_WAIT = 4.0


def _holds_nothing() -> int:
    return 0


@dataclass(frozen=True)
class Loop:
    """One background job: ``work(stop)`` every ``every`` seconds (plus up to ``jitter``, so that
    processes started together drift apart). ``stop`` is set when the process stops: a round
    checks it between its steps. ``release`` hands back the claims a round under way still holds
    and is not using (it may be called from another thread); returns how many."""

    name: str
    every: float
    work: Callable[[threading.Event], object]
    jitter: float = 0.0
    release: Callable[[], int] = _holds_nothing


def send_outbox(stop: threading.Event | None = None, held: HeldClaims | None = None) -> tuple[int, int]:
    """Deliver the due e-mails; returns (sent, failed)."""
    settings = get_settings()
    # The development mailbox shows sent messages whole; production keeps no sent body.
    sent, failed = deliver_due(get_engine(), settings.smtp, keep_sent_bodies=not settings.is_prod, stop=stop,
                               held=held)
    if sent or failed:
        log.info("outbox: %d sent, %d failed", sent, failed)
    return sent, failed


def reconcile_payments(*, now: datetime | None = None) -> int:
    """Settle what payment attempts cut short left behind; returns how many were settled."""
    with session_scope() as session:
        settled = settle_unfinished_attempts(session, system(now), provider=get_provider(),
                                             vendor=get_settings().vendor)
    if settled:
        log.info("payments: settled %d unfinished attempts", settled)
    return settled


def _stopping(stop: threading.Event | None) -> bool:
    return stop is not None and stop.is_set()


def wallet_round(stop: threading.Event | None = None, *, now: datetime | None = None) -> dict[str, int]:
    """One round of the wallet's jobs: collections scheduled (SEPA debits announced) and made,
    card expiry notices, removed methods detached at the provider. Once ``stop`` is set, the
    steps not begun are left to the next round (of this process or another)."""
    settings, provider = get_settings(), get_provider()
    steps: list[tuple[str, Callable]] = []
    if settings.automatic_collection:
        steps += [("scheduled", lambda s, c: payment_methods.schedule_collections(s, c, settings=settings)),
                  ("collected", lambda s, c: payment_methods.collect_due(s, c, provider=provider, settings=settings))]
    steps += [("expiry_notices", lambda s, c: payment_methods.send_expiry_notices(s, c, settings=settings)),
              ("detached", lambda s, c: payment_methods.detach_removed(s, c, provider=provider))]
    counts = {}
    with session_scope() as session:
        ctx = system(now)
        for name, step in steps:
            if _stopping(stop):
                break
            counts[name] = step(session, ctx)
    if any(counts.values()):
        log.info("wallet: %s", ", ".join(f"{name} {count}" for name, count in counts.items()))
    return counts


def access_round(*, now: datetime | None = None) -> dict[str, int]:
    """One round of the admins' jobs: the notices of time-limited accesses ending within a week."""
    with session_scope() as session:
        sent = admins.send_access_expiry_notices(session, system(now), settings=get_settings())
    if sent:
        log.info("admins: %d access end notices", sent)
    return {"access_notices": sent}


def scheduled_round(stop: threading.Event | None = None, *, now: datetime | None = None) -> dict[str, int]:
    """The wallet's round, then the admins' (one loop for both: each is a handful of queries)."""
    counts = wallet_round(stop, now=now)
    if not _stopping(stop):
        counts |= access_round(now=now)
    return counts


def run_once() -> dict[str, int]:
    """Every job once, for a cron (``lcadmin jobs run``): safe beside running web processes and workers."""
    counts = {"payments_settled": reconcile_payments(), **scheduled_round()}
    send_outbox()
    return counts


def outbox_loop() -> Loop:
    """The e-mail sender, with the claims of its own rounds."""
    held = HeldClaims()
    return Loop("outbox sender", OUTBOX_EVERY, lambda stop: send_outbox(stop, held), release=held.release)


def reconciliation_loop() -> Loop:
    """The payment reconciliation."""
    return Loop("payment reconciliation", RECONCILE_EVERY, lambda _stop: reconcile_payments(), jitter=10.0)


def scheduled_loop() -> Loop:
    """The wallet's and the admins' scheduled rounds."""
    return Loop("scheduled jobs", WALLET_EVERY, scheduled_round, jitter=10.0)


def background_loops() -> list[Loop]:
    """Every background job, as one process runs them (fresh loops, holding no claims)."""
    return [outbox_loop(), reconciliation_loop(), scheduled_loop()]


def run_round(loop: Loop, stop: threading.Event) -> None:
    """One round of ``loop``, surviving its failures (logged; the next round tries again)."""
    try:
        loop.work(stop)
    except Exception:
        log.exception("%s: the round failed", loop.name)


def release_claims(loop: Loop) -> int:
    """Hand back what ``loop``'s round under way holds and is not using (logged)."""
    try:
        released = loop.release()
    except Exception:  # the database is unreachable: the claims lapse by themselves
        log.warning("%s: its claims could not be handed back; they lapse by themselves", loop.name, exc_info=True)
        return 0
    if released:
        log.info("%s: handed back %d claims", loop.name, released)
    return released


async def run_loop(loop: Loop) -> None:
    """Run ``loop`` until cancelled (a web process's lifespan task), each round in a thread.

    Cancelled when the process shuts down, it asks the round under way to stop, waits for it
    :data:`SHUTDOWN_WAIT` at most, and hands back the claims that round still holds and is not
    using (the e-mail being sent, if any, keeps its claim: its conversation may still succeed).
    """
    stop = threading.Event()
    while True:
        current = asyncio.ensure_future(asyncio.to_thread(run_round, loop, stop))
        try:
            await asyncio.shield(current)
            await asyncio.sleep(loop.every + random.uniform(0, loop.jitter))
        except asyncio.CancelledError:
            stop.set()
            if not current.done():
                await asyncio.wait({current}, timeout=SHUTDOWN_WAIT)
            await asyncio.to_thread(release_claims, loop)
            raise


async def run_outbox_sender() -> None:
    """Deliver due e-mails every couple of seconds."""
    await run_loop(outbox_loop())


async def run_payment_reconciler() -> None:
    """Settle, about every minute, what payment attempts cut short left behind."""
    await run_loop(reconciliation_loop())


async def run_scheduled_jobs() -> None:
    """Collect, notify and tidy the wallet, and announce ending accesses, about every minute."""
    await run_loop(scheduled_loop())
