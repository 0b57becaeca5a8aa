"""Delivering the outbox over SMTP (the LCADMIN_SMTP_* settings)."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlalchemy.engine import Engine

from lcadmin.db import session_scope
from lcadmin.mail.outbox import claim_due, mark_failed, mark_sent
from lcadmin.models import OutboxMessage, utcnow
from lcadmin.settings import SmtpSettings

log = logging.getLogger(__name__)


# Python's header folder splits a long non-ASCII subject into encoded words and loses the space
# between two of them ("a été modifié" arrives as "a  étémodifié"); headers are folded only past
# the limit RFC 5322 allows instead, so that each subject stays in one piece.
_POLICY = policy.SMTP.clone(max_line_length=998)


def build_message(message: OutboxMessage, mail_from: str) -> EmailMessage:
    """A MIME message with a plain-text part and an HTML alternative."""
    email = EmailMessage(policy=_POLICY)
    email["Subject"] = message.subject
    email["From"] = mail_from
    email["To"] = message.to_address
    email["Date"] = formatdate(localtime=False, usegmt=True)
    domain = mail_from.rpartition("@")[2].rstrip(">").strip() or "localhost"
    email["Message-ID"] = make_msgid(domain=domain)
    email.set_content(message.text_body)
    email.add_alternative(message.html_body, subtype="html")
    if message.attachment:
        email.add_attachment(message.attachment, maintype="application", subtype="pdf",
                             filename=message.attachment_name or "document.pdf")
    return email


def send_one(smtp: SmtpSettings, email: EmailMessage) -> None:
    """Hand one message to the SMTP server (raises on any failure)."""
    with smtplib.SMTP(smtp.host, smtp.port, timeout=15) as client:
        if smtp.starttls:
            client.starttls()
        if smtp.username:
            client.login(smtp.username, smtp.password)
        client.send_message(email)


def refused_for_good(error: Exception) -> bool:
    """This very message was refused with a 5xx answer (an unknown mailbox, a rejected message):
    sending it again would change nothing. Everything else is worth another try: no connection,
    4xx answers, a dropped line, and also 5xx answers about our side (bad credentials, a refused
    sender), which a fixed configuration cures and which must not fail the whole queue."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500


def deliver_due(engine: Engine, smtp: SmtpSettings, now: datetime | None = None, *,
                keep_sent_bodies: bool = True) -> tuple[int, int]:
    """Deliver what is due. Each message is claimed, sent, then marked in its own transaction, so
    an SMTP outage loses nothing: the message is retried with back-off.

    Returns:
        (sent, failed) counts.
    """
    now = now or utcnow()
    with session_scope(engine) as session:
        claimed = [(m.id, build_message(m, smtp.mail_from)) for m in claim_due(session, now)]
    sent = failed = 0
    for message_id, email in claimed:
        try:
            send_one(smtp, email)
        except (OSError, smtplib.SMTPException) as error:
            failed += 1
            log.warning("outbox message %s not delivered: %s", message_id, error)
            with session_scope(engine) as session:
                mark_failed(session, message_id, f"{type(error).__name__}: {error}", now,
                            permanent=refused_for_good(error))
        else:
            sent += 1
            with session_scope(engine) as session:
                mark_sent(session, message_id, now, keep_body=keep_sent_bodies)
    return sent, failed
