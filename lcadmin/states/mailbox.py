"""The development mailbox: the outbox as a page, so a developer works without an SMTP server.

It shows live activation, approval and report links, so it exists only in ``dev`` (the page is
not even registered in ``demo`` or ``prod``) and answers only a browser on the same machine;
the handler checks both, since any client can call it."""

from __future__ import annotations

import reflex as rx

from lcadmin.i18n import gettext
from lcadmin.i18n.format import format_date
from lcadmin.mail import outbox
from lcadmin.settings import get_settings
from lcadmin.states.base import active_locale, client_ip, is_loopback
from lcadmin.states.service import run


class MailboxState(rx.State):
    """The latest outgoing e-mails."""

    messages: list[dict[str, str]] = []

    @rx.event
    async def load(self):
        """/dev/mailbox loaded."""
        self.messages = []
        if not get_settings().is_dev or not is_loopback(client_ip(self)):
            return
        locale = await active_locale(self)
        done = await run(self, lambda session, ctx: outbox.latest(session), signed_in=False)
        if done.ok:
            self.messages = [
                {"id": str(m.id), "to": m.to_address, "subject": m.subject,
                 "status": gettext(f"status.mail.{m.status}", locale),
                 "created": f"{format_date(m.created_at.date(), locale, 'medium')} {m.created_at:%H:%M:%S} UTC",
                 # Links in the preview open in a new tab instead of inside the frame.
                 "html": m.html_body.replace("<head>", '<head><base target="_blank">', 1), "text": m.text_body}
                for m in done.value
            ]
