"""The flow's handlers: live validation, outcomes, and the session check on every privileged call."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlmodel import select

from lcadmin.db import session_scope
from lcadmin.models import UserAccount, utcnow
from lcadmin.services import sessions
from lcadmin.settings import get_settings
from lcadmin.states.access import AccessState
from lcadmin.states.auth import AuthState
from lcadmin.states.invoices import InvoicesState
from lcadmin.states.mailbox import MailboxState
from lcadmin.states.orders import OrdersState
from lcadmin.states.shell import ShellState
from lcadmin.states.tab import app_states
from tests.helpers import PROD_SERVICES


def _redirect_path(event) -> str:
    return str(event)


def _signed_in_cookie(email: str) -> str:
    now = utcnow()
    with session_scope() as session:
        user = session.exec(select(UserAccount).where(UserAccount.email == email)).one()
        code = sessions.create_handoff(session, user_id=user.id, company_id=sessions.default_company_id(session, user.id, now),
                                       return_to="http://localhost:3000/admin", ip=None, now=now)
    with session_scope() as session:
        raw_id, _ = sessions.redeem_handoff(session, code=code, binding=sessions.handoff_binding(code, get_settings().secret_key),
                                            previous_session=None, ip=None, user_agent="",
                                            settings=get_settings(), now=now)
    return f"lcadmin_locale=fr; lcadmin_session={raw_id}"


def test_zero_euros_is_refused_as_she_types(app_db, browser):
    tab = browser()
    access = tab.state(AccessState)
    tab.call(access.set_amount, "0")
    assert access.amount_error == "Le sous-total ou le total ne peut pas être de 0 €"
    tab.call(access.set_amount, "3 600")
    assert access.amount_error == ""
    tab.call(access.set_amount, "-5")
    assert access.amount_error


def test_a_free_mail_address_gets_a_hint(app_db, browser):
    tab = browser()
    access = tab.state(AccessState)
    tab.call(access.set_email, "anne.leroy@gmail.com")
    assert access.free_mail and access.email_error == ""
    tab.call(access.set_email, "aleroy@flexis.com")
    assert not access.free_mail


def test_the_email_step_leads_to_the_proof_for_aleroy(app_db, browser):
    tab = browser()
    access = tab.state(AccessState)
    tab.call(access.set_email, " ALeroy@Flexis.com")
    tab.call(access.submit_email, {})
    assert (access.step, access.email) == ("proof", "aleroy@flexis.com")
    tab.call(access.set_reference, "FLD102776277396")
    tab.call(access.set_amount, "3 601")
    tab.call(access.submit_proof, {})
    assert access.step == "proof"
    assert access.form_error.startswith("Impossible de vérifier votre autorisation avec ces informations.")
    tab.call(access.set_amount, "3 600")
    tab.call(access.submit_proof, {})
    assert access.step == "activation_sent"


def test_handlers_survive_hostile_arguments(app_db, browser):
    tab = browser()
    access = tab.state(AccessState)
    for junk in (None, 42, ["x"], {"a": 1}, "x" * 100_000):
        tab.call(access.set_email, junk)
        tab.call(access.set_amount, junk)
        tab.call(access.set_reference, junk)
    assert len(access.email) <= 320 and len(access.amount) <= 40


def test_admin_pages_need_a_session_on_every_call(app_db, browser):
    for cookie in ("", "lcadmin_session=forged", "lcadmin_session=" + "A" * 43, "garbage;;=="):
        tab = browser(cookie=cookie)
        admin, orders = tab.state(ShellState), tab.state(OrdersState)
        assert "/sign-in" in _redirect_path(tab.call(admin.load))
        assert "/sign-in" in _redirect_path(tab.call(orders.load))
        assert orders.orders == [] and orders.contracts == [] and admin.company_name == ""


def test_an_expired_session_signs_in_again_back_to_the_same_page(app_db, browser):
    tab = browser(path="/admin/orders/[number]", url="/admin/orders/FLD102776277396?tab=lines",
                  params={"number": "FLD102776277396"})
    assert "/sign-in?next=/admin/orders/FLD102776277396%3Ftab%3Dlines" in str(tab.call(tab.state(ShellState).load))
    # The sign-in page holds ?next=…; its hand-off returns there, and only to an Admin Center page.
    for next_path, expected in (("/admin/orders/FLD102776277396?tab=lines", "/admin/orders/FLD102776277396?tab=lines"),
                                ("//evil.example/admin", "/admin"), ("https://evil.example", "/admin"),
                                ("/administrator", "/admin"), ("/sign-up", "/admin")):
        tab = browser(path="/sign-in", url="/sign-in?" + urlencode({"next": next_path}))
        auth = tab.state(AuthState)
        tab.call(auth.set_email, "hbernard@flexis.com")
        code = parse_qs(urlsplit(re.search(r"assign\((\"[^\"]+\")", str(tab.call(
            auth.sign_in, {"password": "Northwind-demo-2026"}))).group(1).strip('"')).query)["code"][0]
        with session_scope() as session:
            _, return_to = sessions.redeem_handoff(
                session, code=code, binding=sessions.handoff_binding(code, get_settings().secret_key),
                previous_session=None, ip=None, user_agent="", settings=get_settings(), now=utcnow())
        assert return_to == "http://localhost:3000" + expected, next_path


def test_the_header_of_a_public_page_knows_who_is_signed_in(app_db, browser):
    shell = (tab := browser(cookie=_signed_in_cookie("hbernard@flexis.com"))).state(ShellState)
    assert tab.call(shell.identify) is None
    assert (shell.user_name, shell.company_name) == ("Hugo Bernard", "Flexis")
    for cookie in ("", "lcadmin_session=forged"):  # a visitor: "Se connecter", and no redirect
        shell = (tab := browser(cookie=cookie)).state(ShellState)
        assert tab.call(shell.identify) is None and shell.user_name == "" and shell.company_name == ""


def test_a_signed_in_user_sees_only_their_companys_documents(app_db, browser):
    tab = browser(cookie=_signed_in_cookie("hbernard@flexis.com"))
    admin, orders = tab.state(ShellState), tab.state(OrdersState)
    tab.call(admin.load)
    tab.call(orders.load)
    assert admin.company_name == "Flexis"
    assert [row["number"] for row in orders.orders] == ["FLD102776271108", "FLD102776277396"]
    assert orders.orders[1]["subtotal"].replace("\u202f", " ").replace("\u00a0", " ") == "3 600,00 €"
    assert [row["number"] for row in orders.contracts] == ["CTR-FLX-SUPPORT", "CTR-FLX-2026"]
    tab.call(orders.set_status, "paid")
    assert orders.orders == []
    tab.call(orders.set_status, "awaiting_signature")
    assert [row["number"] for row in orders.orders] == ["FLD102776277396"]
    tab.call(orders.set_sort, "amount; DROP TABLE")  # unknown sort: the default one
    assert orders.sort == "newest" and len(orders.orders) == 1
    tab.call(orders.set_contract, "CTR-ACM-2026")  # another company's contract: nothing of theirs
    assert orders.orders == []
    tab.call(orders.set_contract, "CTR-FLX-2026")
    assert [row["number"] for row in orders.orders] == ["FLD102776277396"]  # still awaiting signature only
    assert orders.contract_numbers == ["CTR-FLX-SUPPORT", "CTR-FLX-2026"]
    invoices = tab.state(InvoicesState)
    tab.call(invoices.load)
    assert {row["number"] for row in invoices.rows} == {"F2026-00001", "F2026-00005"}

    acme = browser(cookie=_signed_in_cookie("pdurand@acme-logistique.fr"))
    acme_invoices = acme.state(InvoicesState)
    acme.call(acme_invoices.load)
    assert "F2026-00001" not in {row["number"] for row in acme_invoices.rows}


def test_terms_cannot_be_accepted_without_an_activation_of_this_tab(app_db, browser):
    tab = browser(cookie=_signed_in_cookie("hbernard@flexis.com"))
    auth = tab.state(AuthState)
    tab.call(auth.accept_and_continue, {})
    assert auth.form_error.startswith("Aucune activation en cours")


def test_accepting_while_signed_out_goes_to_sign_in(app_db, browser):
    tab = browser()
    auth = tab.state(AuthState)
    assert "/sign-in" in str(tab.call(auth.accept_and_continue, {}))


def test_sign_in_failure_keeps_the_email_and_shows_why(app_db, browser):
    tab = browser()
    auth = tab.state(AuthState)
    tab.call(auth.set_email, "hbernard@flexis.com")
    assert tab.call(auth.sign_in, {"email": "hbernard@flexis.com", "password": "not the password"}) is None
    assert auth.email == "hbernard@flexis.com"
    assert auth.form_error == "Adresse e-mail ou mot de passe incorrect."


def test_sign_in_hands_off_to_the_cookie_route(app_db, browser):
    tab = browser()
    auth = tab.state(AuthState)
    tab.call(auth.set_email, "hbernard@flexis.com")
    event = tab.call(auth.sign_in, {"email": "hbernard@flexis.com", "password": "Northwind-demo-2026"})
    assert "/auth/session?code=" in str(event)


def test_a_typed_password_never_reaches_the_state_store(app_db, browser):
    """The password travels with the submitted form only: no var holds it, so the pickled tab
    (what the disk or Redis state manager writes after every event) never contains it."""
    tab = browser()
    auth = tab.state(AuthState)
    tab.call(auth.set_email, "hbernard@flexis.com")
    tab.call(auth.clear_errors)
    tab.call(auth.sign_in, {"email": "hbernard@flexis.com", "password": "Wrong-but-secret-2026"})
    tab.call(auth.set_full_name, "Anne Leroy")
    tab.call(auth.sign_up, {"password": "Refused-because-taken-2026"})
    tab.call(auth.sign_in, {"email": "hbernard@flexis.com", "password": "Northwind-demo-2026"})
    stored = b"".join(tab.state(cls)._serialize() for cls in app_states())
    for secret in (b"Wrong-but-secret-2026", b"Refused-because-taken-2026", b"Northwind-demo-2026"):
        assert secret not in stored


def test_no_state_has_a_var_for_a_secret():
    """No var that can hold text is named for a password or card data (a flag such as
    ``show_password``, a message such as ``card_error``, or a list of view rows such as the
    wallet's ``cards``, whose rows show only a brand and last four digits, is fine)."""
    for cls in app_states():
        for name, field in cls.get_fields().items():
            if isinstance(field.default_value(), bool | list) or name.endswith("_error"):
                continue
            assert not re.search(r"password|passwd|card|cvc|iban", name, re.IGNORECASE), f"{cls.__name__}.{name}"


def test_sign_out_ends_the_session_server_side(app_db, browser):
    cookie = _signed_in_cookie("hbernard@flexis.com")
    tab = browser(cookie=cookie)
    assert "/auth/sign-out" in str(tab.call(tab.state(AuthState).sign_out))
    again = browser(cookie=cookie)
    assert "/sign-in" in str(again.call(again.state(ShellState).load))


def test_the_mailbox_shows_the_outbox_to_this_machine_in_dev(app_db, browser):
    tab = browser(ip="127.0.0.1")
    access = tab.state(AccessState)
    tab.call(access.set_email, "cmartin@flexis.com")
    tab.call(access.submit_email, {})
    mailbox = tab.state(MailboxState)
    tab.call(mailbox.load)
    assert mailbox.messages[0]["subject"] == "Bienvenue dans le Northwind Admin Center"


@pytest.mark.parametrize(("ip", "env"), [("203.0.113.50", {}), ("192.168.1.20", {}), ("127.0.0.1", {"LCADMIN_ENV": "demo"}),
                                         ("127.0.0.1", {"LCADMIN_ENV": "prod", "LCADMIN_SECRET_KEY": "s" * 40,
                                                        "LCADMIN_PUBLIC_URL": "https://admin.example.com", **PROD_SERVICES})])
def test_the_mailbox_shows_nothing_to_anyone_else(app_db, browser, monkeypatch, ip, env):
    """Its links activate accounts: another machine, a demo or production sees none of them."""
    tab = browser(ip=ip)
    tab.call(tab.state(AccessState).set_email, "cmartin@flexis.com")
    tab.call(tab.state(AccessState).submit_email, {})
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    mailbox = tab.state(MailboxState)
    tab.call(mailbox.load)
    assert mailbox.messages == []


@pytest.mark.parametrize(("env", "details"), [({}, True), ({"LCADMIN_ENV": "demo"}, False),
                                              ({"LCADMIN_ENV": "prod", "LCADMIN_SECRET_KEY": "s" * 40,
                                                "LCADMIN_PUBLIC_URL": "https://admin.example.com", **PROD_SERVICES}, False)])
def test_a_failing_handler_tells_the_browser_nothing_of_the_failure_outside_dev(monkeypatch, caplog, env, details):
    from lcadmin.transport import backend_error

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        shown = str(backend_error(RuntimeError("database at 10.0.0.7 refused user lcadmin")))
    finally:
        get_settings.cache_clear()
    assert "Une erreur inattendue s" in shown and "référence" in shown
    assert ("10.0.0.7" in shown) is details
    assert "10.0.0.7" in caplog.text  # the operator still finds it, under the same reference
    reference = re.search(r"référence ([0-9a-f]{8})", shown).group(1)
    assert reference in caplog.text
