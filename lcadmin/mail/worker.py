"""The background sender: runs beside the app and empties the outbox every couple of seconds."""

from __future__ import annotations

import asyncio
import logging

from lcadmin.db import get_engine
from lcadmin.mail.smtp import deliver_due
from lcadmin.settings import get_settings

log = logging.getLogger(__name__)
POLL_SECONDS = 2.0


async def run_outbox_sender(poll_seconds: float = POLL_SECONDS) -> None:
    """Deliver due e-mails forever (SMTP work runs in a thread, never on the event loop)."""
    while True:
        try:
            settings = get_settings()
            # The development mailbox shows sent messages whole; production keeps no sent body.
            await asyncio.to_thread(deliver_due, get_engine(), settings.smtp, keep_sent_bodies=not settings.is_prod)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - the sender must survive a bad round and try again
            log.exception("outbox sender round failed")
        await asyncio.sleep(poll_seconds)
