"""The "Sécurité du compte" page and the code step of sign-in, called as the browser calls them:
enrolment, the code at sign-in, the policy's redirect, ending other sessions, and nothing secret
left in the tab's state store."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pyotp
import sqlalchemy as sa
from sqlmodel import select

from lcadmin.db import session_scope
from lcadmin.demo import DEMO_PASSWORD
from lcadmin.models import Company, TwoFactorChallenge, UserAccount, UserSession, utcnow
from lcadmin.services import sessions
from lcadmin.settings import get_settings
from lcadmin.states.auth import AuthState
from lcadmin.states.orders import OrdersState
from lcadmin.states.security import SecurityState, TwoFactorPolicyState
from lcadmin.states.shell import ShellState
from lcadmin.states.tab import app_states
from tests.states.test_flow_states import _signed_in_cookie

HUGO = "hbernard@flexis.com"


def _plain(text: str) -> str:
    """A message without French typography (typographic apostrophes, no-break spaces)."""
    return text.replace("\u2019", "'").replace("\u00a0", " ").replace("\u202f", " ")


def _stored(tab) -> bytes:
    """What the state manager would write for this tab (every state, pickled)."""
    return b"".join(tab.state(cls)._serialize() for cls in app_states())


def _revealed(event) -> list:
    """What a handler put on the page through ``assets/reveal.js`` (the arguments of its script)."""
    script = dict((str(name), value) for name, value in event.args)["javascript_code"]._var_value
    return json.loads("[" + script[script.index("(") + 1:script.rindex(")")] + "]")


def _enrol(browser, email=HUGO, tab=None) -> tuple[str, list[str]]:
    """Turn two-step verification on through the page (of ``tab``, or of a new signed-in tab:
    the account's other sessions then end); the secret (as the app holds it) and the codes."""
    tab = tab or browser(cookie=_signed_in_cookie(email), path="/admin/security")
    page = tab.state(SecurityState)
    tab.call(page.load)
    key, _ = _revealed(tab.call(page.start_enrolment))
    secret = key.replace(" ", "")
    [codes] = _revealed(tab.call(page.confirm_enrolment, {"code": pyotp.TOTP(secret).now()}))
    assert page.enabled, page.code_error
    return secret, codes


def _handoff_return(event) -> str:
    """Where the hand-off code inside a sign-in's navigation sends the browser (redeemed here)."""
    code = parse_qs(urlsplit(re.search(r"assign\((\"[^\"]+\")", str(event)).group(1).strip('"')).query)["code"][0]
    with session_scope() as session:
        _, return_to = sessions.redeem_handoff(
            session, code=code, binding=sessions.handoff_binding(code, get_settings().secret_key),
            previous_session=None, ip=None, user_agent="", settings=get_settings(), now=utcnow())
    return return_to


def _password_step(browser, email=HUGO):
    tab = browser(path="/sign-in")
    auth = tab.state(AuthState)
    tab.call(auth.set_email, email)
    return tab, auth, tab.call(auth.sign_in, {"password": DEMO_PASSWORD})


def _next_code(secret: str) -> str:
    """The code of the next 30-second step (the current one was spent on enrolling)."""
    return pyotp.TOTP(secret).at(utcnow() + timedelta(seconds=30))


def test_enrolling_on_the_page_shows_the_codes_once_and_keeps_the_secret_out_of_the_state(app_db, browser):
    tab = browser(cookie=_signed_in_cookie(HUGO), path="/admin/security")
    page = tab.state(SecurityState)
    tab.call(page.load)
    assert page.loaded and not page.enabled and [row["current"] for row in page.sessions] == ["true"]
    key, qr_code = _revealed(tab.call(page.start_enrolment))
    assert page.enrolling and qr_code.startswith("data:image/svg+xml")
    secret = key.replace(" ", "")
    assert secret.encode() not in _stored(tab) and key.encode() not in _stored(tab)  # on the page only
    tab.call(page.confirm_enrolment, {"code": "12"})
    assert _plain(page.code_error) == "Saisissez les 6 chiffres du code, ou un code de secours comme 7K2M-QX9D-4HTR-W1ZP."
    right = pyotp.TOTP(secret).now()
    tab.call(page.confirm_enrolment, {"code": f"{(int(right) + 1) % 1_000_000:06d}"})
    assert page.code_error.startswith("Code incorrect ou expiré") and not page.enabled
    [shown] = _revealed(tab.call(page.confirm_enrolment, {"code": right}))
    assert page.enabled and page.notice == "enabled" and page.code_error == ""
    assert len(shown) == len(set(shown)) == 10 and page.codes_shown and page.recovery_left == 10
    assert not page.enrolling and secret.encode() not in _stored(tab)
    assert not any(code.encode() in _stored(tab) for code in shown)  # the store never holds the codes
    tab.call(page.done_with_codes)
    assert not page.codes_shown
    tab.call(page.load)  # the page opened again: nothing of the codes is shown
    assert page.enabled and not page.codes_shown and page.recovery_left == 10


def test_sign_in_asks_for_the_code_before_any_session_exists(app_db, browser):
    secret, codes = _enrol(browser)
    tab, auth, event = _password_step(browser)
    assert event is None and auth.code_step and "/auth/session" not in str(event)
    assert auth._challenge and "_challenge" not in AuthState.base_vars  # backend-only: never sent
    tab.call(auth.verify_code, {"code": "abc"})
    assert auth.code_error.startswith("Saisissez les 6 chiffres")
    tab.call(auth.verify_code, {"code": f"{(int(_next_code(secret)) + 1) % 1_000_000:06d}"})
    assert auth.code_error.startswith("Code incorrect ou expiré")
    code = _next_code(secret)
    assert _handoff_return(tab.call(auth.verify_code, {"code": code})) == "http://localhost:3000/admin"
    assert code.encode() not in _stored(tab) and DEMO_PASSWORD.encode() not in _stored(tab)

    replay, replay_auth, _ = _password_step(browser)  # the same code, in another tab
    assert replay.call(replay_auth.verify_code, {"code": code}) is None
    assert _plain(replay_auth.code_error).startswith("Ce code a déjà été utilisé")
    # A recovery code works once; "Utiliser un code de secours" only changes what the field asks for.
    replay.call(replay_auth.toggle_recovery)
    assert replay_auth.recovery_mode
    assert "/auth/session?code=" in str(replay.call(replay_auth.verify_code, {"code": codes[0]}))
    again, again_auth, _ = _password_step(browser)
    again.call(again_auth.verify_code, {"code": codes[0]})
    assert again_auth.code_error.startswith("Code incorrect ou expiré")


def test_wrong_codes_at_sign_in_lock_as_wrong_passwords_do(app_db, browser):
    secret, _ = _enrol(browser)
    tab, auth, _ = _password_step(browser)
    wrong = f"{(int(_next_code(secret)) + 500_000) % 1_000_000:06d}"
    for _ in range(5):
        tab.call(auth.verify_code, {"code": wrong})
        assert auth.code_error.startswith("Code incorrect")
    assert tab.call(auth.verify_code, {"code": _next_code(secret)}) is None
    assert auth.code_error.startswith("Trop de tentatives. Pour votre sécurité, réessayez dans")
    tab.call(auth.cancel_code)
    assert not auth.code_step
    assert tab.call(auth.sign_in, {"password": DEMO_PASSWORD}) is None  # the password too, from here
    assert auth.form_error.startswith("Trop de tentatives")


def test_a_code_step_older_than_five_minutes_goes_back_to_the_password(app_db, browser):
    secret, _ = _enrol(browser)
    tab, auth, _ = _password_step(browser)
    with session_scope() as session:
        session.exec(sa.update(TwoFactorChallenge).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert tab.call(auth.verify_code, {"code": _next_code(secret)}) is None
    assert not auth.code_step and auth.code_error == ""
    assert _plain(auth.form_error) == "Le délai pour saisir le code est écoulé : saisissez de nouveau votre mot de passe."


def test_hostile_codes_and_a_forged_challenge_change_nothing(app_db, browser):
    secret, _ = _enrol(browser)
    tab, auth, _ = _password_step(browser)
    for junk in (None, 42, {"code": None}, {"code": ["123456"]}, {"code": "\x00" * 6}, {"code": "a\ud800"},
                 {"code": "9" * 100_000}):
        assert tab.call(auth.verify_code, junk) is None
        assert auth.code_step and auth.code_error
    stranger = browser(path="/sign-in")  # a tab that never typed the password has no challenge
    stranger_auth = stranger.state(AuthState)
    assert stranger.call(stranger_auth.verify_code, {"code": _next_code(secret)}) is None
    assert stranger_auth.form_error.startswith("Le délai pour saisir le code est écoulé")


def _require_two_factor(name: str = "Flexis") -> None:
    with session_scope() as session:
        session.exec(sa.update(Company).where(Company.name == name).values(require_two_factor=True))


def test_a_company_requiring_it_sends_a_member_without_it_to_enrol(app_db, browser):
    _require_two_factor()
    _, auth, event = _password_step(browser)
    assert not auth.code_step
    assert _handoff_return(event) == "http://localhost:3000/admin/security"
    cookie = _signed_in_cookie(HUGO)
    admin = browser(cookie=cookie, path="/admin/contracts")
    orders = admin.state(OrdersState)
    redirect = str(admin.call(orders.load))  # the company's data: enrol first
    assert "_redirect" in redirect and "/admin/security" in redirect and "/sign-in" not in redirect
    assert orders.orders == []
    assert admin.call(admin.state(ShellState).load) is None  # the header and the security page still work
    page = admin.state(SecurityState)
    admin.call(page.load)
    assert page.loaded and page.required_by == "Flexis" and not page.enabled
    _enrol(browser, tab=admin)
    assert admin.call(orders.load) is None and orders.orders  # enrolled: the same session sees the data
    _, auth, _ = _password_step(browser)
    assert auth.code_step  # and from now on the sign-in asks for the code


def test_signing_out_everywhere_else_from_the_page(app_db, browser):
    here, elsewhere, other_account = (_signed_in_cookie(HUGO), _signed_in_cookie(HUGO),
                                      _signed_in_cookie("pdurand@acme-logistique.fr"))
    tab = browser(cookie=here, path="/admin/security")
    page = tab.state(SecurityState)
    tab.call(page.load)
    assert len(page.sessions) == 2 and page.sessions[0]["current"] == "true"
    with session_scope() as session:
        acme_row = session.exec(select(UserSession.id).join(UserAccount, UserAccount.id == UserSession.user_id)
                                .where(UserAccount.email == "pdurand@acme-logistique.fr")).one()
    tab.call(page.end_session, str(acme_row))  # another account's session: nothing happens
    assert page.sessions_error == "Cette session est déjà fermée."
    tab.call(page.end_session, "x\x00y")
    tab.call(page.end_others)
    assert page.notice == "ended_others" and [row["current"] for row in page.sessions] == ["true"]
    gone = browser(cookie=elsewhere)
    assert "/sign-in" in str(gone.call(gone.state(ShellState).load))
    acme = browser(cookie=other_account)
    assert acme.call(acme.state(ShellState).load) is None
    assert tab.call(tab.state(ShellState).load) is None


def test_ending_one_other_session_by_its_row(app_db, browser):
    here, phone = _signed_in_cookie(HUGO), _signed_in_cookie(HUGO)
    tab = browser(cookie=here, path="/admin/security")
    page = tab.state(SecurityState)
    tab.call(page.load)
    other = next(row["key"] for row in page.sessions if row["current"] == "")
    tab.call(page.end_session, other)
    assert page.notice == "ended_one" and len(page.sessions) == 1
    gone = browser(cookie=phone)
    assert "/sign-in" in str(gone.call(gone.state(ShellState).load))


def test_the_policy_card_needs_the_admins_own_enrolment_first(app_db, browser):
    tab = browser(cookie=_signed_in_cookie(HUGO), path="/admin/admins")
    card = tab.state(TwoFactorPolicyState)
    tab.call(card.load)
    assert card.loaded and card.company == "Flexis" and not card.required and not card.caller_enrolled
    tab.call(card.set_required, True)
    assert _plain(card.error) == "Activez d'abord la validation en deux étapes sur votre propre compte."
    assert not card.required
    _enrol(browser, tab=tab)
    tab.call(card.set_required, "true")  # not a boolean: read as "off"
    assert not card.required
    tab.call(card.set_required, True)
    assert card.required and card.saved and card.error == ""
    with session_scope() as session:
        assert session.exec(select(Company.require_two_factor).where(Company.name == "Flexis")).one()
    _enrol(browser, "pdurand@acme-logistique.fr")
    acme = browser(cookie=_signed_in_cookie("pdurand@acme-logistique.fr"))
    acme_card = acme.state(TwoFactorPolicyState)
    acme.call(acme_card.set_required, False)  # Acme's admin acts on Acme, the session's company, only
    acme.call(acme_card.load)
    assert acme_card.company == "Acme Logistique" and not acme_card.required
    with session_scope() as session:
        assert session.exec(select(Company.require_two_factor).where(Company.name == "Flexis")).one()


def test_someone_without_a_company_has_the_page_too(app_db, browser):
    from lcadmin.services import accounts
    from tests.factories import context

    with session_scope() as session:
        accounts.sign_up(session, context(now=utcnow()), full_name="Nina Nouvelle", email="nina@perso.example",
                         password="une licence pour Nina 2026")
    tab = browser(cookie=_signed_in_cookie("nina@perso.example"), path="/admin/security")
    shell, page = tab.state(ShellState), tab.state(SecurityState)
    assert tab.call(shell.load) is None and shell.company_name == ""
    assert tab.call(page.load) is None
    assert page.loaded and not page.enabled and page.required_by == "" and len(page.sessions) == 1
    key, _ = _revealed(tab.call(page.start_enrolment))
    [codes] = _revealed(tab.call(page.confirm_enrolment, {"code": pyotp.TOTP(key.replace(" ", "")).now()}))
    assert page.enabled and len(codes) == 10
