"""The background jobs every web process runs beside the app (Reflex lifespan tasks).

Their work runs in a thread, never on the event loop. Several processes may run them at once:
each job claims or settles its work with conditional statements in the database, so every
e-mail leaves once and every payment is settled once.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable

from lcadmin.db import get_engine, session_scope
from lcadmin.mail.smtp import deliver_due
from lcadmin.payments import get_provider
from lcadmin.services.context import system
from lcadmin.services.payments import settle_unfinished_attempts
from lcadmin.settings import get_settings

log = logging.getLogger(__name__)
OUTBOX_EVERY = 2.0
RECONCILE_EVERY = 60.0


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


async def run_outbox_sender() -> None:
    """Deliver due e-mails every couple of seconds."""
    await _every(OUTBOX_EVERY, "outbox sender", _send_outbox)


async def run_payment_reconciler() -> None:
    """Settle, about every minute, what payment attempts cut short left behind."""
    await _every(RECONCILE_EVERY, "payment reconciliation", _reconcile_payments, jitter=10.0)
