"""E-mail leaves through a real SMTP server (aiosmtpd, in-process); nothing is lost while it is down."""

from __future__ import annotations

import asyncio
import smtplib
import socket
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from lcadmin.db import read_scope, session_scope
from lcadmin.mail import smtp
from lcadmin.mail.outbox import enqueue, mark_failed, mark_sent, retry_delay
from lcadmin.mail.smtp import deliver_due, refused_for_good, send_one
from lcadmin.mail.templates import activation_mail, password_changed_mail
from lcadmin.models import OutboxMessage
from lcadmin.settings import load_settings

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_port():
    return _free_port()


@contextmanager
def _server(port, handler=None):
    """A real SMTP server on ``port`` while the block runs; yields its handler."""
    handler = handler or Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


def _smtp(port):
    return load_settings({"LCADMIN_SMTP_HOST": "127.0.0.1", "LCADMIN_SMTP_PORT": str(port)}).smtp


def _queue(engine):
    with session_scope(engine) as session:
        enqueue(session, to="cmartin@flexis.com", kind="activation", now=NOW,
                mail=activation_mail("fr", company="Flexis", link="http://localhost:3000/activate/abc", hours=24))


def test_mail_is_delivered_as_text_and_html(engine, smtp_port):
    with _server(smtp_port) as inbox:
        _queue(engine)
        assert deliver_due(engine, _smtp(smtp_port), NOW) == (1, 0)
    [message] = inbox.messages
    assert message["Subject"] == "Bienvenue dans le Northwind Admin Center"
    assert message["To"] == "cmartin@flexis.com"
    assert "Northwind Admin Center" in message["From"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "http://localhost:3000/activate/abc" in text
    assert 'href="http://localhost:3000/activate/abc"' in html and "Activer mon compte" in html
    with read_scope(engine) as session:
        assert session.exec(select(OutboxMessage)).one().status == "sent"


def test_a_long_french_subject_arrives_word_for_word(engine, smtp_port):
    """Folded into encoded words, "a été modifié" used to arrive as "a  étémodifié"."""
    with _server(smtp_port) as inbox:
        with session_scope(engine) as session:
            enqueue(session, to="hbernard@flexis.com", kind="password_changed", now=NOW,
                    mail=password_changed_mail("fr"))
        assert deliver_due(engine, _smtp(smtp_port), NOW) == (1, 0)
    assert inbox.messages[0]["Subject"] == "Le mot de passe de votre compte Northwind Admin Center a été modifié"


def test_nothing_is_lost_while_the_server_is_down(engine, smtp_port):
    _queue(engine)
    assert deliver_due(engine, _smtp(smtp_port), NOW) == (0, 1)  # nobody listens on that port
    with read_scope(engine) as session:
        message = session.exec(select(OutboxMessage)).one()
    assert (message.status, message.attempts) == ("pending", 1)
    assert message.next_attempt_at > NOW and message.last_error
    assert deliver_due(engine, _smtp(smtp_port), NOW + timedelta(seconds=1)) == (0, 0)  # backing off

    with _server(smtp_port) as inbox:
        assert deliver_due(engine, _smtp(smtp_port), message.next_attempt_at) == (1, 0)
    assert len(inbox.messages) == 1


def _message(engine) -> OutboxMessage:
    with read_scope(engine) as session:
        return session.exec(select(OutboxMessage)).one()


def test_an_outage_of_days_is_waited_out_and_then_given_up(engine, smtp_port):
    _queue(engine)
    when = NOW
    for _ in range(40):  # a day and a half of failures, an hour apart at most
        deliver_due(engine, _smtp(smtp_port), when)
        when = _message(engine).next_attempt_at
    assert _message(engine).status == "pending" and when > NOW + timedelta(hours=30)
    deliver_due(engine, _smtp(smtp_port), NOW + timedelta(days=5))
    assert _message(engine).status == "failed"


class Refusing(Inbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 5.1.1 No such mailbox"


def test_a_mailbox_refused_for_good_is_not_tried_again(engine, smtp_port):
    with _server(smtp_port, Refusing()):
        _queue(engine)
        assert deliver_due(engine, _smtp(smtp_port), NOW) == (0, 1)
    message = _message(engine)
    assert message.status == "failed" and "550" in message.last_error


def test_in_production_a_sent_message_keeps_no_body(engine, smtp_port):
    with _server(smtp_port) as inbox:
        _queue(engine)
        assert deliver_due(engine, _smtp(smtp_port), NOW, keep_sent_bodies=False) == (1, 0)
    assert "/activate/abc" in inbox.messages[0].get_body(("plain",)).get_content()
    message = _message(engine)
    assert (message.status, message.to_address, message.text_body, message.html_body) == \
        ("sent", "cmartin@flexis.com", "", "")


def test_back_off_grows_and_is_capped():
    delays = [retry_delay(n) for n in range(1, 15)]
    assert delays[0] == timedelta(seconds=10)
    assert delays == sorted(delays)
    assert max(delays) == timedelta(hours=1)


def test_a_rolled_back_change_sends_nothing(engine):
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        enqueue(session, to="x@flexis.com", kind="activation", now=NOW,
                mail=activation_mail("en", company="Flexis", link="http://localhost:3000/activate/x", hours=24))
        raise RuntimeError("the change failed")
    with read_scope(engine) as session:
        assert session.exec(select(OutboxMessage)).all() == []


@pytest.mark.parametrize(("error", "final"), [
    (smtplib.SMTPRecipientsRefused({"x@flexis.com": (550, b"No such mailbox")}), True),
    (smtplib.SMTPRecipientsRefused({"x@flexis.com": (450, b"Mailbox busy")}), False),
    (smtplib.SMTPDataError(554, b"Message rejected"), True),
    (smtplib.SMTPDataError(451, b"Try later"), False),
    (smtplib.SMTPAuthenticationError(535, b"Bad credentials"), False),  # our configuration, not the message
    (smtplib.SMTPSenderRefused(550, b"Sender refused", "lcadmin@northwind.example"), False),
    (ConnectionRefusedError(), False),
])
def test_only_a_refusal_of_the_message_itself_is_final(error, final):
    assert refused_for_good(error) is final


def _queue_many(engine, count):
    with session_scope(engine) as session:
        for n in range(count):
            enqueue(session, to=f"n{n}@flexis.com", kind="activation", now=NOW,
                    mail=activation_mail("fr", company="Flexis", link=f"http://localhost:3000/activate/{n}", hours=24))


class StopsTheSender(Inbox):
    """Accepts the first message, and meanwhile the sender is asked to stop."""

    def __init__(self, stop):
        super().__init__()
        self.stop = stop

    async def handle_DATA(self, server, session, envelope):
        self.stop.set()
        return await super().handle_DATA(server, session, envelope)


def test_a_sender_asked_to_stop_sends_the_message_under_way_and_hands_back_the_rest(engine, smtp_port):
    _queue_many(engine, 4)
    stop = threading.Event()
    with _server(smtp_port, StopsTheSender(stop)) as inbox:
        assert deliver_due(engine, _smtp(smtp_port), NOW, stop=stop) == (1, 0)
        with read_scope(engine) as session:
            messages = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [(m.status, m.claimed_until) for m in messages] == [("sent", None)] + [("pending", None)] * 3
        assert deliver_due(engine, _smtp(smtp_port), NOW) == (3, 0)  # handed back: due again at once
    assert len(inbox.messages) == 4


def test_a_claim_too_short_to_outlast_another_conversation_is_handed_back(engine, smtp_port, monkeypatch):
    """A sender sends only while its claim would outlast the conversation (plus a margin for other
    hosts' clocks): past that, another sender could take the message and send it a second time."""
    _queue_many(engine, 2)
    monkeypatch.setattr(smtp, "CLAIM_MARGIN", smtp.CLAIM_FOR)
    with _server(smtp_port) as inbox:
        assert deliver_due(engine, _smtp(smtp_port), NOW) == (0, 0)
        assert inbox.messages == []
        with read_scope(engine) as session:
            assert {(m.status, m.claimed_until) for m in session.exec(select(OutboxMessage))} == {("pending", None)}
        monkeypatch.undo()
        assert deliver_due(engine, _smtp(smtp_port), NOW) == (2, 0)


class Dawdling(Inbox):
    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(10)
        return await super().handle_DATA(server, session, envelope)


def test_a_conversation_is_cut_once_it_has_lasted_its_deadline(smtp_port):
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = "a@example.org", "b@example.org", "x"
    email.set_content("x")
    with _server(smtp_port, Dawdling()) as inbox:
        started = time.monotonic()
        with pytest.raises((smtplib.SMTPServerDisconnected, OSError)):
            send_one(_smtp(smtp_port), email, deadline=timedelta(seconds=0.5))
        assert time.monotonic() - started < 5
    assert inbox.messages == []


def test_a_message_recorded_already_is_not_recorded_again(engine):
    """A sender whose claim had lapsed records its outcome after another sender's: the first
    record stands."""
    _queue(engine)
    with session_scope(engine) as session:
        message_id = session.exec(select(OutboxMessage.id)).one()
        mark_sent(session, message_id, NOW)
    with session_scope(engine) as session:
        mark_sent(session, message_id, NOW + timedelta(seconds=5))
        mark_failed(session, message_id, "SMTPServerDisconnected", NOW + timedelta(seconds=5))
    message = _message(engine)
    assert (message.status, message.attempts, message.sent_at, message.last_error) == ("sent", 1, NOW, None)
