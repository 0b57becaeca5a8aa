"""Delivering the outbox over SMTP (the LCADMIN_SMTP_* settings).

Each message is sent once, however many senders run at once: a sender claims a batch in one
short transaction (``outbox.claim_due``), talks to the SMTP server with no transaction open, and
records each outcome in a transaction of its own. A conversation lasts at most
:data:`CONVERSATION_AT_MOST`, and a sender sends a message of its batch only while its claim is
sure to outlast that conversation (:data:`CLAIM_MARGIN` to spare for the clocks of other hosts):
what it cannot send in time, or is asked to stop before sending, it hands back at once. Only a crash
between the server's acceptance and the record sends a message again (after its claim lapses),
as any mail queue does.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import socket
import threading
import time
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlalchemy.engine import Engine

from lcadmin.db import session_scope
from lcadmin.mail.outbox import CLAIM_FOR, claim_due, mark_failed, mark_sent
from lcadmin.mail.outbox import release as release_messages
from lcadmin.models import OutboxMessage, utcnow
from lcadmin.settings import SmtpSettings

log = logging.getLogger(__name__)
# Each wait for the server (connecting, each answer) gives up after this long.
SMTP_TIMEOUT_S = 15
# Once connected, a conversation is cut past this, however slowly the server keeps answering.
SEND_DEADLINE = timedelta(seconds=45)
CONVERSATION_AT_MOST = timedelta(seconds=SMTP_TIMEOUT_S) + SEND_DEADLINE
# What a claim must still have left, beyond one conversation, for the next message to be sent.
CLAIM_MARGIN = timedelta(seconds=30)


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


def _cut(client: smtplib.SMTP) -> None:
    sock = client.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)


def send_one(smtp: SmtpSettings, email: EmailMessage, *, deadline: timedelta = SEND_DEADLINE) -> None:
    """Hand one message to the SMTP server (raises on any failure). Once connected, the
    conversation is cut (an ``SMTPServerDisconnected`` failure) when it has lasted ``deadline``."""
    with smtplib.SMTP(smtp.host, smtp.port, timeout=SMTP_TIMEOUT_S) as client:
        watchdog = threading.Timer(deadline.total_seconds(), _cut, args=(client,))
        watchdog.daemon = True
        watchdog.start()
        try:
            if smtp.starttls:
                client.starttls()
            if smtp.username:
                client.login(smtp.username, smtp.password)
            client.send_message(email)
        finally:
            watchdog.cancel()


def refused_for_good(error: Exception) -> bool:
    """This very message was refused with a 5xx answer (an unknown mailbox, a rejected message):
    sending it again would change nothing. Everything else is worth another try: no connection,
    4xx answers, a dropped line, and also 5xx answers about our side (bad credentials, a refused
    sender), which a fixed configuration cures and which must not fail the whole queue."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500


class HeldClaims:
    """The outbox messages one sender has claimed and neither sent nor handed back yet; safe to
    use from another thread, which is how a stopping process hands back the claims of a sender
    still busy with a slow server (:meth:`release`): the message under way is never among them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._engine: Engine | None = None
        self._claimed_until: datetime | None = None
        self._waiting: list[int] = []

    def hold(self, engine: Engine, message_ids: list[int], claimed_until: datetime) -> None:
        """A batch was just claimed (until ``claimed_until``)."""
        with self._lock:
            self._engine, self._claimed_until, self._waiting = engine, claimed_until, list(message_ids)

    def take(self, message_id: int) -> bool:
        """The sender is about to send ``message_id``: False when it was handed back meanwhile."""
        with self._lock:
            if message_id not in self._waiting:
                return False
            self._waiting.remove(message_id)
            return True

    def release(self) -> int:
        """Hand back every claimed message not sent yet. Returns how many were."""
        with self._lock:
            waiting, self._waiting = self._waiting, []
            if not waiting or self._engine is None or self._claimed_until is None:
                return 0
            with session_scope(self._engine) as session:
                return release_messages(session, waiting, self._claimed_until)


def deliver_due(engine: Engine, smtp: SmtpSettings, now: datetime | None = None, *,
                keep_sent_bodies: bool = True, batch: int = 20, stop: threading.Event | None = None,
                held: HeldClaims | None = None) -> tuple[int, int]:
    """Deliver what is due: claim up to ``batch`` messages (one short transaction), send each
    with no transaction open, and record each outcome in a transaction of its own, so an SMTP
    outage loses nothing (the message is retried with back-off) and a slow server holds no
    database lock.

    Args:
        engine: The database.
        smtp: The server to deliver to.
        now: The instant the claims and records are dated (now when omitted).
        keep_sent_bodies: Keep a sent message's body (the development mailbox shows it).
        batch: At most this many messages are claimed.
        stop: Once set, no further message is sent; those claimed are handed back.
        held: Where the claims are kept while they are held (a stopping process hands back
            from there what this call could not).

    Returns:
        (sent, failed) counts.
    """
    now = now or utcnow()
    held = held or HeldClaims()
    with session_scope(engine) as session:
        claimed = [(m.id, build_message(m, smtp.mail_from)) for m in claim_due(session, now, batch)]
    # Measured on this process's own clock, which no other host's can shorten.
    send_until = time.monotonic() + (CLAIM_FOR - CONVERSATION_AT_MOST - CLAIM_MARGIN).total_seconds()
    held.hold(engine, [message_id for message_id, _ in claimed], now + CLAIM_FOR)
    sent = failed = 0
    try:
        for message_id, email in claimed:
            if (stop is not None and stop.is_set()) or time.monotonic() > send_until or not held.take(message_id):
                break
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
    finally:
        try:
            released = held.release()
        except Exception:  # the database is unreachable: the claims lapse by themselves
            log.warning("outbox: the unsent claimed messages could not be handed back", exc_info=True)
        else:
            if released:
                log.info("outbox: %d claimed messages handed back unsent", released)
    return sent, failed
