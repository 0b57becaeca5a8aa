"""Sign-up, sign-in and server-side sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from lcadmin.db import read_scope, session_scope
from lcadmin.domain.permissions import Permission
from lcadmin.models import (
    AuditEvent,
    Company,
    Contract,
    Membership,
    MembershipContract,
    SessionHandoff,
    ThrottleFailure,
    UserAccount,
    UserSession,
)
from lcadmin.services import accounts, passwords, sessions
from lcadmin.services.errors import InvalidInput, NotAllowed, Throttled
from lcadmin.services.tokens import digest
from tests.factories import context
from tests.helpers import race

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
IP = "203.0.113.7"
GOOD = "un long chemin vers la facture"


def _sign_up(engine, *, ip=IP, now=NOW, **overrides):
    values = {"full_name": "Anne Leroy", "email": "anne@perso.example", "password": GOOD} | overrides
    with session_scope(engine) as session:
        return accounts.sign_up(session, context(ip=ip, now=now), **values)


@pytest.mark.parametrize(("overrides", "code", "field"), [
    ({"full_name": "  "}, "name_required", "full_name"),
    ({"full_name": "\u200b\u200b\u200b"}, "name_required", "full_name"),  # zero-width spaces
    ({"full_name": "\u202e\u2066 1"}, "name_required", "full_name"),  # bidi controls and a digit
    ({"full_name": "A" * 201}, "name_too_long", "full_name"),
    ({"email": "anne"}, "email_invalid", "email"),
    ({"email": "hbernard@flexis.com"}, "email_taken", "email"),
    ({"email": "HBernard@Flexis.com"}, "email_taken", "email"),
    ({"password": "short"}, "password_too_short", "password"),
    ({"password": "x" * 257 + "yz"}, "password_too_long", "password"),
    ({"password": "password1234"}, "password_common", "password"),
    ({"password": "iloveyou12345"}, "password_common", "password"),
    ({"password": "azertyuiopqs"}, "password_common", "password"),  # a keyboard row
    ({"password": "1234567890ab"}, "password_common", "password"),  # a sequence
    ({"password": "motdepasse123"}, "password_common", "password"),  # a word, in French
])
def test_sign_up_refuses_with_a_code_per_field(demo, overrides, code, field):
    with pytest.raises(InvalidInput) as error:
        _sign_up(demo, **overrides)
    assert (error.value.code, error.value.field) == (code, field)


def test_passwords_are_nfkc_normalised_argon2id_hashes(demo):
    account = _sign_up(demo, password="Ｃafé au lait sans sucre")  # full-width C, composed é
    with read_scope(demo) as session:
        stored = session.get(UserAccount, account.user_id).password_hash
    assert stored.startswith("$argon2id$")
    assert _sign_in(demo, email="anne@perso.example", password="Cafe\u0301 au lait sans sucre")


def test_sign_in_accepts_the_right_password_only(demo):
    assert _sign_in(demo, email=" HBERNARD@flexis.com").full_name == "Hugo Bernard"
    for wrong in ("northwind-demo-2026", "", "Northwind-demo-2026 "):
        with pytest.raises(NotAllowed) as error:
            _sign_in(demo, password=wrong, ip=f"198.51.100.{len(wrong)}")
        assert error.value.code == "invalid_credentials"


def test_unknown_accounts_cost_one_password_check_too(demo, monkeypatch):
    checked = []
    real = passwords.check_password
    monkeypatch.setattr(accounts, "check_password", lambda p, h: checked.append(h) or real(p, h))
    with pytest.raises(NotAllowed) as error:
        _sign_in(demo, email="nobody@flexis.com", password=GOOD)
    assert error.value.code == "invalid_credentials"
    assert len(checked) == 1 and checked[0].startswith("$argon2id$")


def _sign_in(engine, email="hbernard@flexis.com", password="Northwind-demo-2026", ip=IP, now=NOW):
    with session_scope(engine) as session:
        return accounts.authenticate(session, context(ip=ip, now=now), email=email, password=password)


def test_sign_in_is_throttled_per_address_from_one_ip_and_never_locks_the_owner_out(demo):
    for _ in range(5):
        with pytest.raises(NotAllowed):
            _sign_in(demo, password="guess")
    with pytest.raises(Throttled) as locked:
        _sign_in(demo)  # the right password, from the guesser's IP: locked
    assert locked.value.until >= NOW + timedelta(minutes=5)
    with read_scope(demo) as session:
        outcomes = [e.outcome for e in session.exec(select(AuditEvent).where(AuditEvent.action == "account.sign_in"))]
    assert outcomes == ["failure"] * 5 + ["denied"]
    assert _sign_in(demo, ip="198.51.100.9").full_name == "Hugo Bernard"  # hbernard at her desk
    assert _sign_in(demo, email="pdurand@acme-logistique.fr", ip=IP).email == "pdurand@acme-logistique.fr"
    assert _sign_in(demo, now=locked.value.until + timedelta(seconds=1)).full_name == "Hugo Bernard"


def test_one_ip_guessing_many_addresses_is_locked(demo):
    for n in range(30):
        with pytest.raises(NotAllowed):
            _sign_in(demo, email=f"user{n}@flexis.com", password="guess")
    with pytest.raises(Throttled):
        _sign_in(demo)
    assert _sign_in(demo, ip="198.51.100.9").full_name == "Hugo Bernard"


def test_guessing_one_password_from_many_ips_is_capped(demo):
    for n in range(50):
        with pytest.raises(NotAllowed):
            _sign_in(demo, password="guess", ip=f"198.51.{n // 250}.{n % 250}")
    with pytest.raises(Throttled) as locked:
        _sign_in(demo, ip="192.0.2.77")  # the right password, from yet another IP
    assert locked.value.until == NOW + timedelta(minutes=15)  # and never longer
    assert _sign_in(demo, email="pdurand@acme-logistique.fr").email == "pdurand@acme-logistique.fr"


def test_a_password_typed_into_the_address_field_is_written_nowhere(demo):
    with pytest.raises(NotAllowed):
        _sign_in(demo, email="Mon-Secret-De-Famille-2026", password="x")
    with read_scope(demo) as session:
        written = " ".join(str(row.model_dump()) for model in (AuditEvent, ThrottleFailure)
                           for row in session.exec(select(model)))
    assert "account.sign_in" in written and "secret-de-famille" not in written.lower()


def test_sign_ups_are_limited_per_ip(demo):
    for n in range(10):
        with pytest.raises(InvalidInput):
            _sign_up(demo, email="hbernard@flexis.com", password=f"{GOOD} {n}")  # taken
    with pytest.raises(Throttled):
        _sign_up(demo)
    assert _sign_up(demo, ip="198.51.100.9").email == "anne@perso.example"


def _session_for(engine, settings, email="hbernard@flexis.com", previous=None, now=NOW):
    with session_scope(engine) as session:
        user = session.exec(select(UserAccount).where(UserAccount.email == email)).one()
        code = sessions.create_handoff(session, user_id=user.id, company_id=sessions.default_company_id(session, user.id, now),
                                       return_to="http://localhost:3000/admin", ip=IP, now=now)
    with session_scope(engine) as session:
        return code, sessions.redeem_handoff(session, code=code, binding=sessions.handoff_binding(code, settings.secret_key),
                                             previous_session=previous, ip=IP, user_agent="pytest", settings=settings,
                                             now=now)


def _resolve(engine, settings, raw_id, now=NOW):
    with session_scope(engine) as session:
        return sessions.resolve_session(session, raw_id, settings=settings, now=now)


def test_a_handoff_code_gives_one_session_once(demo, settings):
    code, (raw_id, return_to) = _session_for(demo, settings)
    assert return_to == "http://localhost:3000/admin"
    assert len(raw_id) >= 43
    with session_scope(demo) as session:
        assert sessions.redeem_handoff(session, code=code, binding=sessions.handoff_binding(code, settings.secret_key),
                                       previous_session=None, ip=IP, user_agent="", settings=settings, now=NOW) is None
    principal = _resolve(demo, settings, raw_id)
    assert (principal.email, principal.company_name, principal.role) == ("hbernard@flexis.com", "Flexis", "admin")
    assert principal.can(Permission.VIEW_BILLING) and principal.can(Permission.MANAGE_ADMINS)
    with read_scope(demo) as session:
        assert raw_id not in {row.id_hash for row in session.exec(select(UserSession))}
        # used, the code keeps no address (one may carry an invitation's secret in ?next=)
        assert [h.return_to for h in session.exec(select(SessionHandoff))] == [""]


def test_handoff_codes_left_unused_are_deleted_an_hour_after_they_lapse(demo, settings):
    with session_scope(demo) as session:
        sessions.create_handoff(session, user_id=1, company_id=None, return_to="/invitation/secret", ip=IP, now=NOW)
    _session_for(demo, settings, now=NOW + timedelta(minutes=30))
    with read_scope(demo) as session:
        assert len(session.exec(select(SessionHandoff)).all()) == 2  # lapsed, but not for an hour yet
    _session_for(demo, settings, now=NOW + timedelta(hours=2))
    with read_scope(demo) as session:
        assert [h.return_to for h in session.exec(select(SessionHandoff))] == [""]  # the code just used


def test_an_expired_handoff_code_is_refused(demo, settings):
    with session_scope(demo) as session:
        code = sessions.create_handoff(session, user_id=1, company_id=None, return_to="/", ip=IP, now=NOW)
    with session_scope(demo) as session:
        assert sessions.redeem_handoff(session, code=code, binding=sessions.handoff_binding(code, settings.secret_key),
                                       previous_session=None, ip=IP, user_agent="", settings=settings,
                                       now=NOW + timedelta(minutes=2)) is None


def test_a_handoff_code_works_only_in_the_browser_that_signed_in(demo, settings):
    """Login CSRF: someone keeps the code of their own sign-in and has a victim's browser open it."""
    with session_scope(demo) as session:
        code = sessions.create_handoff(session, user_id=1, company_id=1, return_to="/admin", ip=IP, now=NOW)
    for binding in (None, "", "é-non-ascii", sessions.handoff_binding("another-code", settings.secret_key),
                    sessions.handoff_binding(code, "another-secret-key-of-32-characters!")):
        with session_scope(demo) as session:
            assert sessions.redeem_handoff(session, code=code, binding=binding, previous_session=None, ip=IP,
                                           user_agent="", settings=settings, now=NOW) is None
    with session_scope(demo) as session:  # refused attempts did not use it up
        assert sessions.redeem_handoff(session, code=code, binding=sessions.handoff_binding(code, settings.secret_key),
                                       previous_session=None, ip=IP, user_agent="", settings=settings, now=NOW)


def test_signing_in_again_rotates_the_session_id(demo, settings):
    _, (first, _) = _session_for(demo, settings)
    _, (second, _) = _session_for(demo, settings, previous=first)
    assert first != second
    assert _resolve(demo, settings, first) is None
    assert _resolve(demo, settings, second) is not None


def test_sessions_end_when_idle_or_too_old(demo, settings):
    _, (raw_id, _) = _session_for(demo, settings)
    assert _resolve(demo, settings, raw_id, NOW + timedelta(minutes=settings.session_idle_minutes - 1))
    later = NOW + timedelta(minutes=settings.session_idle_minutes - 1)
    assert _resolve(demo, settings, raw_id, later + timedelta(minutes=settings.session_idle_minutes - 1))
    assert _resolve(demo, settings, raw_id, later + timedelta(minutes=settings.session_idle_minutes * 3)) is None
    _, (busy, _) = _session_for(demo, settings)
    moment = NOW
    while moment < NOW + timedelta(hours=settings.session_max_hours - 1):
        moment += timedelta(minutes=10)
        assert _resolve(demo, settings, busy, moment)
    assert _resolve(demo, settings, busy, NOW + timedelta(hours=settings.session_max_hours, minutes=1)) is None


def test_sign_out_ends_the_session_server_side(demo, settings):
    _, (raw_id, _) = _session_for(demo, settings)
    with session_scope(demo) as session:
        assert sessions.end_session(session, raw_id, NOW)
    assert _resolve(demo, settings, raw_id) is None


def test_the_principal_is_read_afresh_on_every_call(demo, settings):
    """The account, the session's company and the membership there are read on each call: any
    change to them holds from the next one."""
    _, (raw_id, _) = _session_for(demo, settings)

    def change(*statements) -> None:
        with session_scope(demo) as session:
            for statement in statements:
                session.exec(statement)

    hugo = select(UserAccount.id).where(UserAccount.email == "hbernard@flexis.com").scalar_subquery()
    his = (Membership.user_id == hugo) & (Membership.company_id == select(Company.id).where(
        Company.name == "Flexis").scalar_subquery())
    principal = _resolve(demo, settings, raw_id)
    assert (principal.company_name, principal.role, principal.contract_ids, principal.two_factor_due) == (
        "Flexis", "admin", None, False)
    change(sa.update(Company).where(Company.name == "Flexis").values(require_two_factor=True))
    assert _resolve(demo, settings, raw_id).two_factor_due
    change(sa.update(Company).where(Company.name == "Flexis").values(require_two_factor=False),
           sa.update(Membership).where(his).values(role="billing_reader", all_contracts=False))
    principal = _resolve(demo, settings, raw_id)
    assert (principal.role, principal.contract_ids) == ("billing_reader", frozenset())
    assert principal.can(Permission.VIEW_BILLING) and not principal.can(Permission.PAY)
    with session_scope(demo) as session:
        session.add(MembershipContract(membership_id=session.exec(select(Membership.id).where(his)).one(),
                                       contract_id=session.exec(select(Contract.id).where(
                                           Contract.number == "CTR-FLX-SUPPORT")).one()))
    support = _resolve(demo, settings, raw_id).contract_ids
    assert support is not None and len(support) == 1
    change(sa.update(Membership).where(his).values(access_until=NOW))
    principal = _resolve(demo, settings, raw_id)
    assert principal.company_id is None and principal.role is None and principal.access_until is None
    assert not principal.can(Permission.VIEW_BILLING)
    change(sa.delete(MembershipContract), sa.delete(Membership).where(his))
    assert _resolve(demo, settings, raw_id).company_id is None  # signed in, in no company
    change(sa.update(UserAccount).where(UserAccount.email == "hbernard@flexis.com").values(is_active=False))
    assert _resolve(demo, settings, raw_id) is None


def test_a_session_without_a_company_resolves_to_its_account_alone(demo, settings):
    with session_scope(demo) as session:
        user_id = session.exec(select(UserAccount.id).where(UserAccount.email == "hbernard@flexis.com")).one()
        code = sessions.create_handoff(session, user_id=user_id, company_id=None, return_to="/", ip=IP, now=NOW)
    with session_scope(demo) as session:
        raw_id, _ = sessions.redeem_handoff(session, code=code, binding=sessions.handoff_binding(code, settings.secret_key),
                                            previous_session=None, ip=IP, user_agent="", settings=settings, now=NOW)
    principal = _resolve(demo, settings, raw_id)
    assert (principal.email, principal.company_id, principal.company_name, principal.role) == (
        "hbernard@flexis.com", None, None, None)


def test_an_idle_session_is_ended_and_a_used_one_touched_at_most_once_a_minute(demo, settings):
    _, (raw_id, _) = _session_for(demo, settings)

    def row() -> UserSession:
        with read_scope(demo) as session:
            return session.exec(select(UserSession).where(UserSession.id_hash == digest(raw_id))).one()

    assert _resolve(demo, settings, raw_id, NOW + sessions.TOUCH_EVERY / 2).seen_at == NOW
    assert row().last_seen_at == NOW
    later = NOW + sessions.TOUCH_EVERY
    assert _resolve(demo, settings, raw_id, later).seen_at == later
    assert row().last_seen_at == later
    with read_scope(demo) as session:  # a read resolves without writing
        assert sessions.resolve_session(session, raw_id, settings=settings, now=later + 2 * sessions.TOUCH_EVERY,
                                        record_activity=False).seen_at == later
    assert row().last_seen_at == later
    idle = later + timedelta(minutes=settings.session_idle_minutes, seconds=1)
    assert _resolve(demo, settings, raw_id, idle) is None
    assert row().ended_at == idle
    assert _resolve(demo, settings, raw_id, later) is None  # ended stays ended


@pytest.mark.parametrize("cookie", [None, "", "forged", "x" * 500])
def test_no_or_forged_cookie_means_signed_out(demo, settings, cookie):
    assert _resolve(demo, settings, cookie) is None
    with pytest.raises(NotAllowed) as error, session_scope(demo) as session:
        sessions.require_principal(session, cookie, settings=settings, now=NOW)
    assert error.value.code == "signed_out"


def test_a_sign_up_name_is_kept_as_it_displays(demo):
    account = _sign_up(demo, full_name="Anne\u200b \u202eLeroy\u202c")
    assert account.full_name == "Anne Leroy"



def test_a_hash_made_with_older_parameters_is_upgraded_at_sign_in(demo):
    from passlib.context import CryptContext

    older = CryptContext(schemes=["argon2"], argon2__memory_cost=128, argon2__rounds=1, argon2__parallelism=1)
    with session_scope(demo) as session:
        user = session.exec(select(UserAccount).where(UserAccount.email == "hbernard@flexis.com")).one()
        user.password_hash = older.hash("Northwind-demo-2026")
        session.add(user)
        before = user.password_hash
    _sign_in(demo)
    with read_scope(demo) as session:
        after = session.exec(select(UserAccount).where(UserAccount.email == "hbernard@flexis.com")).one().password_hash
    assert after != before and "m=256" in after and "m=128" in before  # today's parameters (the tests' cheap ones)
    assert _sign_in(demo).email == "hbernard@flexis.com"


def test_a_burst_of_concurrent_guesses_gets_five_checks_and_no_more(demo, monkeypatch):
    """The hash runs outside any transaction, so each attempt is counted before it is checked."""
    checked = []
    real = passwords.check_password
    monkeypatch.setattr(accounts, "check_password", lambda p, h: checked.append(p) or real(p, h))

    def guess() -> str:
        try:
            _sign_in(demo, password="guess")
        except (NotAllowed, Throttled) as error:
            return error.code
        return "signed_in"

    results = race(12, guess)
    assert len(checked) <= 5 and results.count("invalid_credentials") == len(checked)
    assert set(results) <= {"invalid_credentials", "throttled"}
    with pytest.raises(Throttled):  # and the address is locked for this IP afterwards, right password or not
        _sign_in(demo)


def test_a_right_password_takes_its_attempt_back(demo):
    for _ in range(4):
        with pytest.raises(NotAllowed):
            _sign_in(demo, password="guess")
    for _ in range(3):
        assert _sign_in(demo).email == "hbernard@flexis.com"  # four failures still, never five
    with pytest.raises(NotAllowed):
        _sign_in(demo, password="guess")
    with pytest.raises(Throttled):
        _sign_in(demo)
