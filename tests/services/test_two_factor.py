"""Two-step verification: enrolment, the code asked at sign-in (once only, throttled like a
password), recovery codes, turning it off, and a company's policy that requires it."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlmodel import select

from lcadmin.db import read_scope, session_scope
from lcadmin.domain.audit import AuditAction
from lcadmin.domain.permissions import Permission, Role
from lcadmin.models import (
    AuditEvent,
    Company,
    OutboxMessage,
    RecoveryCode,
    TwoFactorChallenge,
    UserAccount,
    UserSession,
)
from lcadmin.services import accounts, sessions, two_factor
from lcadmin.services.errors import InvalidInput, NotAllowed, Throttled
from lcadmin.services.tokens import digest
from lcadmin.services.two_factor.codes import unseal
from lcadmin.settings import load_settings
from tests import factories
from tests.factories import NOW, PASSWORD, context

KEY = "tests-secret-key-for-two-step-verification-0123456789"
ISSUER = "Northwind Admin Center"


@pytest.fixture
def people(engine):
    """An admin of a company, as a session of theirs resolves (ids and principal)."""
    with session_scope(engine) as session:
        company = factories.company(session, name="Flexis Test")
        user = factories.account(session, email="anne@flexis.example", company=company, role=Role.ADMIN)
        return {"user_id": user.id, "company_id": company.id, "principal": factories.principal(user, company),
                "email": user.email}


def _ctx(people, now=NOW, ip="203.0.113.7"):
    return context(principal=people["principal"], now=now, ip=ip)


def _enrol(engine, people, now=NOW, raw_id=None) -> tuple[str, list[str]]:
    """Turn it on for ``people`` (from the session ``raw_id``, which stays: the account's other
    sessions end); the secret (as the app would hold it) and the recovery codes."""
    with session_scope(engine) as session:
        enrolment = two_factor.start_enrolment(session, _ctx(people, now), secret_key=KEY, issuer=ISSUER)
    secret = enrolment.manual_key.replace(" ", "")
    with session_scope(engine) as session:
        codes = two_factor.confirm_enrolment(session, _ctx(people, now), code=pyotp.TOTP(secret).at(now),
                                             secret_key=KEY, raw_id=raw_id)
    return secret, codes


def _user(engine, user_id) -> UserAccount:
    with read_scope(engine) as session:
        return session.get(UserAccount, user_id)


def _events(engine, action: AuditAction) -> list[AuditEvent]:
    with read_scope(engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action.value)
                                 .order_by(AuditEvent.id)).all())


def _challenge(engine, user_id, now=NOW, ip="203.0.113.7") -> str:
    with session_scope(engine) as session:
        key = two_factor.open_challenge(session, context(now=now, ip=ip), user_id=user_id)
    assert key
    return key


def _complete(engine, key, code, now=NOW, ip="203.0.113.7") -> int:
    with session_scope(engine) as session:
        return two_factor.complete_challenge(session, context(now=now, ip=ip), key=key, code=code, secret_key=KEY)


def _refusal(call) -> str:
    with pytest.raises((InvalidInput, NotAllowed)) as error:
        call()
    return error.value.code


def test_enrolment_with_the_right_code_turns_it_on_with_ten_single_use_recovery_codes(engine, people):
    with session_scope(engine) as session:
        enrolment = two_factor.start_enrolment(session, _ctx(people), secret_key=KEY, issuer=ISSUER)
    assert enrolment.qr_code.startswith("data:image/svg+xml")
    secret = enrolment.manual_key.replace(" ", "")
    assert len(secret) == 32 and enrolment.manual_key.count(" ") == 7
    stored = _user(engine, people["user_id"])
    assert stored.two_factor_enabled_at is None  # not yet: the app has not proved it holds the secret
    assert secret not in (stored.totp_secret_encrypted or "") and unseal(stored.totp_secret_encrypted, KEY) == secret

    with session_scope(engine) as session:  # two sessions of the account: the one enrolling stays
        for marker in ("k", "o"):
            session.add(UserSession(id_hash=digest(marker * 43), user_id=people["user_id"], created_at=NOW,
                                    last_seen_at=NOW, expires_at=NOW + timedelta(hours=1)))
    with session_scope(engine) as session:
        codes = two_factor.confirm_enrolment(session, _ctx(people), code=pyotp.TOTP(secret).at(NOW), secret_key=KEY,
                                             raw_id="k" * 43)
    with read_scope(engine) as session:
        ended = {row.id_hash: row.ended_at for row in session.exec(select(UserSession))}
        told = [m.subject for m in session.exec(select(OutboxMessage).where(OutboxMessage.kind == "two_factor_enabled"))]
    assert ended == {digest("k" * 43): None, digest("o" * 43): NOW}  # whoever held only the password is out
    assert told == ["Validation en deux étapes activée sur votre compte"]
    assert len(codes) == len(set(codes)) == 10
    assert all(len(code) == 19 and code.count("-") == 3 for code in codes)
    assert _user(engine, people["user_id"]).two_factor_enabled_at == NOW
    with read_scope(engine) as session:
        hashes = [row.code_hash for row in session.exec(select(RecoveryCode)).all()]
        status = two_factor.two_factor_status(session, _ctx(people), zone="Europe/Paris")
    assert len(hashes) == 10 and not {code.replace("-", "") for code in codes} & set(hashes)  # stored hashed
    assert (status.enabled, status.recovery_left, status.enabled_on) == (True, 10, "26 novembre 2026")
    assert [e.outcome for e in _events(engine, AuditAction.TWO_FACTOR_ENABLED)] == ["success"]


def test_a_wrong_code_does_not_turn_it_on(engine, people):
    with session_scope(engine) as session:
        enrolment = two_factor.start_enrolment(session, _ctx(people), secret_key=KEY, issuer=ISSUER)
    right = pyotp.TOTP(enrolment.manual_key.replace(" ", "")).at(NOW)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    def confirm(code):
        with session_scope(engine) as session:
            two_factor.confirm_enrolment(session, _ctx(people), code=code, secret_key=KEY)

    assert _refusal(lambda: confirm(wrong)) == "code_wrong"
    assert _refusal(lambda: confirm("12 34")) == "code_malformed"
    assert _refusal(lambda: confirm("  ")) == "code_empty"
    assert _refusal(lambda: confirm("7K2M-QX9D-4HTR-W1ZP")) == "code_malformed"  # the app itself must confirm
    assert _user(engine, people["user_id"]).two_factor_enabled_at is None
    assert [(e.outcome, e.detail["reason"]) for e in _events(engine, AuditAction.TWO_FACTOR_ENABLED)] == [
        ("denied", "code_wrong")]
    confirm(right)
    assert _user(engine, people["user_id"]).two_factor_enabled_at is not None


def test_a_code_is_accepted_once_and_never_an_older_one_after_it(engine, people):
    secret, _ = _enrol(engine, people)  # the enrolment used the code of NOW's step
    totp = pyotp.TOTP(secret)
    key = _challenge(engine, people["user_id"])
    assert _refusal(lambda: _complete(engine, key, totp.at(NOW))) == "code_used"  # the same code again
    later = NOW + timedelta(seconds=30)
    assert _complete(engine, key, totp.at(later), now=later) == people["user_id"]
    key = _challenge(engine, people["user_id"], now=later)
    # The previous step's code is inside the window, but a later step was already accepted.
    assert _refusal(lambda: _complete(engine, key, totp.at(NOW), now=later)) == "code_used"
    assert _refusal(lambda: _complete(engine, key, totp.at(later), now=later)) == "code_used"
    denied = [e.detail["reason"] for e in _events(engine, AuditAction.TWO_FACTOR_CHALLENGE) if e.outcome == "denied"]
    assert denied == ["code_used", "code_used", "code_used"]


def test_a_code_one_step_away_is_accepted_two_steps_away_is_not(engine, people):
    secret, _ = _enrol(engine, people)
    totp, at = pyotp.TOTP(secret), NOW + timedelta(minutes=10)
    key = _challenge(engine, people["user_id"], now=at)
    assert _refusal(lambda: _complete(engine, key, totp.at(at + timedelta(seconds=60)), now=at)) == "code_wrong"
    assert _refusal(lambda: _complete(engine, key, totp.at(at - timedelta(seconds=60)), now=at)) == "code_wrong"
    assert _complete(engine, key, totp.at(at + timedelta(seconds=30)), now=at) == people["user_id"]


def test_the_password_alone_is_enough_without_two_step_verification(engine, people):
    with session_scope(engine) as session:
        assert two_factor.open_challenge(session, context(), user_id=people["user_id"]) is None


def test_a_challenge_is_single_use_and_lasts_five_minutes(engine, people):
    secret, _ = _enrol(engine, people)
    totp, at = pyotp.TOTP(secret), NOW + timedelta(minutes=1)
    key = _challenge(engine, people["user_id"], now=at)
    assert _complete(engine, key, totp.at(at), now=at) == people["user_id"]
    again = at + timedelta(seconds=30)
    assert _refusal(lambda: _complete(engine, key, totp.at(again), now=again)) == "code_step_expired"

    key = _challenge(engine, people["user_id"], now=again)
    late = again + two_factor.CHALLENGE_TTL
    assert _refusal(lambda: _complete(engine, key, totp.at(late), now=late)) == "code_step_expired"
    for forged in ("", "x" * 500, "not-a-key"):
        assert _refusal(lambda forged=forged: _complete(engine, forged, totp.at(late), now=late)) == "code_step_expired"
    with read_scope(engine) as session:
        assert session.exec(select(TwoFactorChallenge.key_hash)).all()[0] != key  # only its hash is stored


def test_a_recovery_code_works_once(engine, people):
    _, codes = _enrol(engine, people)
    key = _challenge(engine, people["user_id"])
    typed = codes[3].lower().replace("-", " ").replace("0", "o")  # as someone copies it by hand
    assert _complete(engine, key, typed) == people["user_id"]
    key = _challenge(engine, people["user_id"])
    assert _refusal(lambda: _complete(engine, key, codes[3])) == "code_wrong"
    assert [e.detail["left"] for e in _events(engine, AuditAction.TWO_FACTOR_RECOVERY_USED)] == [9]
    assert _complete(engine, key, codes[4]) == people["user_id"]
    with read_scope(engine) as session:  # the owner hears of each recovery code used
        assert len(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "two_factor_recovery")).all()) == 2


def test_wrong_codes_at_sign_in_are_throttled_like_wrong_passwords(engine, people):
    secret, _ = _enrol(engine, people)
    totp = pyotp.TOTP(secret)
    key = _challenge(engine, people["user_id"])
    wrong = f"{(int(totp.at(NOW)) + 500_000) % 1_000_000:06d}"
    for _ in range(5):
        assert _refusal(lambda: _complete(engine, key, wrong)) == "code_wrong"
    later = NOW + timedelta(seconds=30)
    with pytest.raises(Throttled):  # even the right code, now
        _complete(engine, key, totp.at(later), now=later)
    with pytest.raises(Throttled), session_scope(engine) as session:  # and the password: the same locks
        accounts.authenticate(session, context(now=later), email=people["email"], password=PASSWORD)
    # Another IP is not locked by these (a stranger cannot lock the owner out from elsewhere).
    other = _challenge(engine, people["user_id"], now=later, ip="198.51.100.9")
    assert _complete(engine, other, totp.at(later), now=later, ip="198.51.100.9") == people["user_id"]
    reasons = [e.detail.get("reason") for e in _events(engine, AuditAction.TWO_FACTOR_CHALLENGE)]
    assert reasons == ["code_wrong"] * 5 + ["locked", None]


def test_text_that_is_no_code_is_refused_and_not_counted(engine, people):
    secret, _ = _enrol(engine, people)
    key = _challenge(engine, people["user_id"])
    for junk in (None, 42, ["123456"], "", "12345", "1234567", "١٢٣٤٥٦", "12\x003456", "a\ud800b", "x" * 100_000,
                 "' OR 1=1 --"):
        assert _refusal(lambda junk=junk: _complete(engine, key, junk)) in ("code_empty", "code_malformed")
    later = NOW + timedelta(seconds=30)
    assert _complete(engine, key, pyotp.TOTP(secret).at(later), now=later) == people["user_id"]  # nothing was locked


def test_it_is_turned_off_with_a_current_code_only(engine, people):
    secret, codes = _enrol(engine, people)
    totp, later = pyotp.TOTP(secret), NOW + timedelta(seconds=30)

    def disable(code, now=later):
        with session_scope(engine) as session:
            two_factor.disable_two_factor(session, _ctx(people, now), code=code, secret_key=KEY)

    assert _refusal(lambda: disable(f"{(int(totp.at(later)) + 1) % 1_000_000:06d}")) == "code_wrong"
    assert _user(engine, people["user_id"]).two_factor_enabled_at is not None
    disable(totp.at(later))
    user = _user(engine, people["user_id"])
    assert (user.two_factor_enabled_at, user.totp_secret_encrypted, user.totp_last_step) == (None, None, None)
    with read_scope(engine) as session:
        assert session.exec(select(RecoveryCode)).all() == []
        assert two_factor.open_challenge(session, context(), user_id=people["user_id"]) is None
    assert _refusal(lambda: disable(codes[0])) == "two_factor_off"
    assert [e.outcome for e in _events(engine, AuditAction.TWO_FACTOR_DISABLED)] == ["denied", "success"]


def test_it_is_turned_off_with_a_recovery_code_too(engine, people):
    _, codes = _enrol(engine, people)
    with session_scope(engine) as session:
        two_factor.disable_two_factor(session, _ctx(people), code=codes[0], secret_key=KEY)
    assert _user(engine, people["user_id"]).two_factor_enabled_at is None


def test_new_recovery_codes_replace_the_old_ones(engine, people):
    secret, old = _enrol(engine, people)
    later = NOW + timedelta(seconds=30)
    with session_scope(engine) as session:
        new = two_factor.regenerate_recovery_codes(session, _ctx(people, later), code=pyotp.TOTP(secret).at(later),
                                                   secret_key=KEY)
    assert len(new) == 10 and not set(new) & set(old)
    key = _challenge(engine, people["user_id"], now=later)
    assert _refusal(lambda: _complete(engine, key, old[0], now=later)) == "code_wrong"
    assert _complete(engine, key, new[0], now=later) == people["user_id"]
    assert [e.outcome for e in _events(engine, AuditAction.TWO_FACTOR_RECOVERY_CODES)] == ["success"]


def test_codes_on_the_security_page_are_throttled_per_account(engine, people):
    secret, _ = _enrol(engine, people)
    later = NOW + timedelta(seconds=30)
    right = pyotp.TOTP(secret).at(later)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    def disable(code, ip):
        with session_scope(engine) as session:
            two_factor.disable_two_factor(session, _ctx(people, later, ip=ip), code=code, secret_key=KEY)

    for n in range(5):  # from five IPs: the lock is the account's, a stolen session gains nothing by moving
        assert _refusal(lambda n=n: disable(wrong, f"198.51.100.{n}")) == "code_wrong"
    with pytest.raises(Throttled):
        disable(right, "203.0.113.99")
    assert _user(engine, people["user_id"]).two_factor_enabled_at is not None


def test_a_secret_sealed_under_another_key_matches_no_code(engine, people):
    secret, codes = _enrol(engine, people)
    later = NOW + timedelta(seconds=30)
    key = _challenge(engine, people["user_id"], now=later)
    with pytest.raises(InvalidInput) as error, session_scope(engine) as session:
        two_factor.complete_challenge(session, context(now=later), key=key, code=pyotp.TOTP(secret).at(later),
                                      secret_key="another-secret-key-entirely-0123456789")
    assert error.value.code == "code_wrong"
    assert _complete(engine, key, codes[0], now=later) == people["user_id"]  # the recovery codes still work


def test_the_policy_needs_manage_admins_and_the_admins_own_enrolment(engine, people):
    with session_scope(engine) as session:
        company = session.get(Company, people["company_id"])
        reader = factories.account(session, email="reader@flexis.example", company=company, role=Role.BILLING_READER)
        reader_ctx = context(principal=factories.principal(reader, company, Role.BILLING_READER))
    with pytest.raises(NotAllowed) as error, session_scope(engine) as session:
        two_factor.set_two_factor_policy(session, reader_ctx, required=True)
    assert error.value.code == "forbidden"
    with pytest.raises(NotAllowed) as error, session_scope(engine) as session:
        two_factor.set_two_factor_policy(session, _ctx(people), required=True)
    assert error.value.code == "two_factor_self_first"

    _enrol(engine, people)
    with session_scope(engine) as session:
        policy = two_factor.set_two_factor_policy(session, _ctx(people), required=True)
    assert (policy.company, policy.required, policy.caller_enrolled) == ("Flexis Test", True, True)
    with read_scope(engine) as session:
        assert session.get(Company, people["company_id"]).require_two_factor
    events = _events(engine, AuditAction.TWO_FACTOR_POLICY)
    assert [(e.company_id, e.detail, e.actor_user_id) for e in events] == [
        (people["company_id"], {"required": True}, people["user_id"])]
    with session_scope(engine) as session:
        two_factor.set_two_factor_policy(session, _ctx(people), required=True)  # no change, no event
        two_factor.set_two_factor_policy(session, _ctx(people), required=False)
    assert [e.detail for e in _events(engine, AuditAction.TWO_FACTOR_POLICY)] == [{"required": True},
                                                                                  {"required": False}]


def test_the_policy_holds_every_member_without_it_until_they_enrol(engine, people):
    settings = load_settings({})
    _enrol(engine, people)
    with session_scope(engine) as session:
        company = session.get(Company, people["company_id"])
        other = factories.account(session, email="marc@flexis.example", company=company, role=Role.BILLING_ADMIN)
        other_id, other_email = other.id, other.email
        two_factor.set_two_factor_policy(session, _ctx(people), required=True)
        code = sessions.create_handoff(session, user_id=other_id, company_id=company.id, return_to="/", ip=None,
                                       now=NOW)
    with session_scope(engine) as session:
        raw_id, _ = sessions.redeem_handoff(session, code=code, binding=sessions.handoff_binding(code, settings.secret_key),
                                            previous_session=None, ip=None, user_agent="", settings=settings, now=NOW)
    with read_scope(engine) as session:
        principal = sessions.resolve_session(session, raw_id, settings=settings, now=NOW)
        assert principal.two_factor_due and not principal.can(Permission.VIEW_BILLING)
        assert two_factor.enrolment_due(session, other_id, people["company_id"])
        with pytest.raises(NotAllowed) as error:
            sessions.require_principal(session, raw_id, settings=settings, now=NOW, permission=Permission.VIEW_BILLING)
        assert error.value.code == "two_factor_required"
        # Their own security page still works: no permission is needed for it.
        assert sessions.require_principal(session, raw_id, settings=settings, now=NOW).user_id == other_id
    other_people = {"user_id": other_id, "principal": principal, "email": other_email}
    _enrol(engine, other_people, raw_id=raw_id)
    with read_scope(engine) as session:
        principal = sessions.resolve_session(session, raw_id, settings=settings, now=NOW)
        assert not principal.two_factor_due and principal.can(Permission.VIEW_BILLING)
        assert not two_factor.enrolment_due(session, other_id, people["company_id"])


def test_the_last_sign_in_is_the_one_that_passed_both_steps(engine, people):
    secret, _ = _enrol(engine, people)
    before = _user(engine, people["user_id"]).last_sign_in_at
    later = NOW + timedelta(minutes=3)
    with session_scope(engine) as session:
        accounts.authenticate(session, context(now=later), email=people["email"], password=PASSWORD)
    assert _user(engine, people["user_id"]).last_sign_in_at == before  # the password alone: not yet
    assert [e.detail for e in _events(engine, AuditAction.ACCOUNT_SIGN_IN)][-1] == {"step": "password"}
    key = _challenge(engine, people["user_id"], now=later)
    _complete(engine, key, pyotp.TOTP(secret).at(later), now=later)
    assert _user(engine, people["user_id"]).last_sign_in_at == later
