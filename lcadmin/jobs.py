"""The background jobs every web process runs beside the app (Reflex lifespan tasks), and the
same rounds for a cron on a host (``lcadmin jobs run``).

Their work runs in a thread, never on the event loop. Several processes may run them at once
(and a cron beside them): each job claims or settles its work with conditional statements in
the database, so every e-mail leaves once, every payment is settled once, and no invoice is
collected twice.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable

from lcadmin.db import get_engine, session_scope
from lcadmin.mail.smtp import deliver_due
from lcadmin.payments import get_provider
from lcadmin.services import admins, payment_methods
from lcadmin.services.context import system
from lcadmin.services.payments import settle_unfinished_attempts
from lcadmin.settings import get_settings

log = logging.getLogger(__name__)
OUTBOX_EVERY = 2.0
RECONCILE_EVERY = 60.0
WALLET_EVERY = 60.0


async def _every(seconds: float, name: str, work: Callable[[], object], *, jitter: float = 0.0) -> None:
    """Run ``work`` in a thread every ``seconds`` (plus up to ``jitter``), surviving its failures."""
    while True:
        try:
            await asyncio.to_thread(work)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s: the round failed", name)
        await asyncio.sleep(seconds + random.uniform(0, jitter))


def _send_outbox() -> None:
    settings = get_settings()
    # The development mailbox shows sent messages whole; production keeps no sent body.
    deliver_due(get_engine(), settings.smtp, keep_sent_bodies=not settings.is_prod)


def _reconcile_payments() -> None:
    with session_scope() as session:
        settled = settle_unfinished_attempts(session, system(), provider=get_provider(), vendor=get_settings().vendor)
    if settled:
        log.info("payments: settled %d unfinished attempts", settled)


def wallet_round() -> dict[str, int]:
    """One round of the wallet's jobs: collections scheduled (SEPA debits announced) and made,
    card expiry notices, removed methods detached at the provider."""
    settings, provider = get_settings(), get_provider()
    counts = {}
    with session_scope() as session:
        ctx = system()
        if settings.automatic_collection:
            counts["scheduled"] = payment_methods.schedule_collections(session, ctx, settings=settings)
            counts["collected"] = payment_methods.collect_due(session, ctx, provider=provider, settings=settings)
        counts["expiry_notices"] = payment_methods.send_expiry_notices(session, ctx, settings=settings)
        counts["detached"] = payment_methods.detach_removed(session, ctx, provider=provider)
    if any(counts.values()):
        log.info("wallet: %s", ", ".join(f"{name} {count}" for name, count in counts.items()))
    return counts


def access_round() -> dict[str, int]:
    """One round of the admins' jobs: the notices of time-limited accesses ending within a week."""
    with session_scope() as session:
        sent = admins.send_access_expiry_notices(session, system(), settings=get_settings())
    if sent:
        log.info("admins: %d access end notices", sent)
    return {"access_notices": sent}


def scheduled_round() -> dict[str, int]:
    """The wallet's round, then the admins' (one loop for both: each is a handful of queries)."""
    return {**wallet_round(), **access_round()}


def run_once() -> dict[str, int]:
    """Every job once, for a cron (``lcadmin jobs run``): safe beside running web processes."""
    with session_scope() as session:
        settled = settle_unfinished_attempts(session, system(), provider=get_provider(), vendor=get_settings().vendor)
    counts = {"payments_settled": settled, **scheduled_round()}
    _send_outbox()
    return counts


async def run_outbox_sender() -> None:
    """Deliver due e-mails every couple of seconds."""
    await _every(OUTBOX_EVERY, "outbox sender", _send_outbox)


async def run_payment_reconciler() -> None:
    """Settle, about every minute, what payment attempts cut short left behind."""
    await _every(RECONCILE_EVERY, "payment reconciliation", _reconcile_payments, jitter=10.0)


async def run_scheduled_jobs() -> None:
    """Collect, notify and tidy the wallet, and announce ending accesses, about every minute."""
    await _every(WALLET_EVERY, "scheduled jobs", scheduled_round, jitter=10.0)
