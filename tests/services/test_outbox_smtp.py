"""E-mail leaves through a real SMTP server (aiosmtpd, in-process); nothing is lost while it is down."""

from __future__ import annotations

import smtplib
import socket
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from lcadmin.db import read_scope, session_scope
from lcadmin.mail.outbox import enqueue, retry_delay
from lcadmin.mail.smtp import deliver_due, refused_for_good
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
