"""The development mailbox: the outbox as a page, so a demo works without an SMTP server.
It exists only in dev and demo; the handler checks that too, since any client can call it."""

from __future__ import annotations

import reflex as rx

from lcadmin.db import read_scope
from lcadmin.i18n import gettext
from lcadmin.i18n.format import format_date
from lcadmin.mail import outbox
from lcadmin.settings import get_settings
from lcadmin.states.base import active_locale


class MailboxState(rx.State):
    """The latest outgoing e-mails."""

    messages: list[dict[str, str]] = []

    @rx.event
    async def load(self):
        """/dev/mailbox loaded."""
        if get_settings().is_prod:
            self.messages = []
            return
        locale = await active_locale(self)
        with read_scope() as session:
            rows = outbox.latest(session)
        self.messages = [
            {"id": str(m.id), "to": m.to_address, "subject": m.subject,
             "status": gettext(f"status.mail.{m.status}", locale),
             "created": f"{format_date(m.created_at.date(), locale, 'medium')} {m.created_at:%H:%M:%S} UTC",
             # Links in the preview open in a new tab instead of inside the frame.
             "html": m.html_body.replace("<head>", '<head><base target="_blank">', 1), "text": m.text_body}
            for m in rows
        ]
