""""Mot de passe oublié ?": the same answer for every address, a one-hour single-use link, every
session ended by the new password."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from lcadmin.db import read_scope, session_scope
from lcadmin.models import AuditEvent, UserSession
from lcadmin.services import password_reset, sessions
from lcadmin.services.errors import InvalidInput, LinkProblem, NotAllowed, Throttled
from tests.factories import context
from tests.services.test_accounts_sessions import IP, NOW, _session_for, _sign_in
from tests.services.test_onboarding import link_secret, outbox

NEW = "un tout autre chemin vers la facture"


def _ask(engine, settings, email="hbernard@flexis.com", ip=IP, now=NOW):
    with session_scope(engine) as session:
        return password_reset.request_reset(session, context(ip=ip, now=now), email=email, settings=settings)


def _reset(engine, secret, password=NEW, ip=IP, now=NOW):
    with session_scope(engine) as session:
        return password_reset.reset_password(session, context(ip=ip, now=now), secret=secret, password=password)


def _state(engine, secret, now=NOW):
    with read_scope(engine) as session:
        return password_reset.reset_link_state(session, context(now=now), secret=secret)


def test_an_account_gets_a_link_and_an_unknown_address_the_same_answer_and_nothing(demo, settings):
    assert _ask(demo, settings) is None
    assert _ask(demo, settings, email="personne@flexis.com") is None  # the same answer, no error
    mails = outbox(demo)
    assert [m.to_address for m in mails] == ["hbernard@flexis.com"]
    assert mails[0].subject == "Choisissez un nouveau mot de passe pour le Northwind Admin Center"
    assert "60 minutes" in mails[0].text_body
    with read_scope(demo) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "password.reset_requested")).all()
    assert [e.outcome for e in events] == ["success", "failure"]
    assert all(e.actor_email is None for e in events)  # the typed address is not kept with the event


@pytest.mark.parametrize(("typed", "code"), [("", "email_empty"), ("hbernard", "email_invalid")])
def test_only_the_text_typed_is_refused(demo, settings, typed, code):
    with pytest.raises(InvalidInput) as error:
        _ask(demo, settings, email=typed)
    assert (error.value.code, error.value.field) == (code, "email")


def test_the_new_password_works_the_old_one_no_longer_and_every_session_ends(demo, settings):
    _, (first, _) = _session_for(demo, settings)
    _, (second, _) = _session_for(demo, settings)
    _ask(demo, settings)
    secret = link_secret(outbox(demo)[-1], "password/reset")
    assert _state(demo, secret) == "valid" and _state(demo, secret) == "valid"  # looking never uses it
    with pytest.raises(InvalidInput) as weak:
        _reset(demo, secret, password="password1234")
    assert (weak.value.code, weak.value.field) == ("password_common", "password")
    assert _state(demo, secret) == "valid"  # a refused password leaves the link usable
    assert _reset(demo, secret) == "hbernard@flexis.com"
    assert _sign_in(demo, password=NEW).email == "hbernard@flexis.com"
    with pytest.raises(NotAllowed):
        _sign_in(demo, password="Northwind-demo-2026")
    with read_scope(demo) as session:
        for raw_id in (first, second):
            assert sessions.resolve_session(session, raw_id, settings=settings, now=NOW, record_activity=False) is None
        assert session.exec(select(UserSession).where(UserSession.ended_at.is_(None))).all() == []
    changed = outbox(demo, "hbernard@flexis.com")[-1]
    assert changed.subject == "Le mot de passe de votre compte Northwind Admin Center a été modifié"
    with pytest.raises(LinkProblem) as used:
        _reset(demo, secret, password="encore un autre chemin de traverse")
    assert used.value.code == "link_used"


def test_the_link_lasts_an_hour_and_a_newer_one_replaces_it(demo, settings):
    _ask(demo, settings)
    first = link_secret(outbox(demo)[-1], "password/reset")
    _ask(demo, settings, now=NOW + timedelta(minutes=1))
    second = link_secret(outbox(demo)[-1], "password/reset")
    assert _state(demo, first) == "used" and _state(demo, second) == "valid"
    later = NOW + timedelta(minutes=62)
    assert _state(demo, second, now=later) == "expired"
    with pytest.raises(LinkProblem) as expired:
        _reset(demo, second, now=later)
    assert expired.value.code == "link_expired"
    for guess in ("", "x" * 43, second[:-1]):
        with pytest.raises(LinkProblem):
            _reset(demo, guess)


def test_an_address_gets_three_links_an_hour_and_an_ip_ten_requests(demo, settings):
    for minute in range(5):
        _ask(demo, settings, now=NOW + timedelta(minutes=minute))  # the answer never changes
    assert len(outbox(demo, "hbernard@flexis.com")) == 3
    for n in range(5):
        _ask(demo, settings, email=f"inconnu{n}@flexis.com", now=NOW + timedelta(minutes=6))
    with pytest.raises(Throttled):
        _ask(demo, settings, email="encore@flexis.com", now=NOW + timedelta(minutes=7))
    _ask(demo, settings, email="pdurand@acme-logistique.fr", ip="198.51.100.9", now=NOW + timedelta(minutes=7))
    assert len(outbox(demo, "pdurand@acme-logistique.fr")) == 1  # another visitor is not affected


def test_choosing_passwords_is_throttled_per_ip(demo, settings):
    for _ in range(10):
        with pytest.raises(LinkProblem):
            _reset(demo, "x" * 43)
    with pytest.raises(Throttled):
        _reset(demo, "x" * 43)
