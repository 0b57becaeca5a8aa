"""Attacks on the app as deployed: production build on one origin, driven by Chromium and by a
hand-written Socket.IO client sending the frames the browser would, and some it never would.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import select

from lcadmin.db import read_scope, session_scope
from lcadmin.models import ActivationRequest, Membership, UserAccount, UserSession, utcnow
from lcadmin.services import sessions
from lcadmin.settings import load_settings
from lcadmin.states.access import AccessState
from lcadmin.states.auth import AuthState
from lcadmin.states.invoices import InvoicesState
from lcadmin.states.tab import PendingActivationState
from tests.e2e.test_activation import WELCOME_FR, _link
from tests.e2e.test_billing import _sign_in as sign_in
from tests.e2e.test_billing import sign_out
from tests.sio import ROOT, SocketClient, handler_name

pytestmark = pytest.mark.e2e

ATTACKER_PASSWORD = "Attaquant-de-passage-2026"


def _settings(app):
    return load_settings({"LCADMIN_ENV": "demo", "LCADMIN_SECRET_KEY": app.secret_key, "LCADMIN_PUBLIC_URL": app.url})


def _cookie_for(app, email: str) -> str:
    """A signed-in session of ``email``, as the sign-in hand-off would leave it in a browser."""
    settings, now = _settings(app), utcnow()
    with session_scope(app.engine) as session:
        user = session.exec(select(UserAccount).where(UserAccount.email == email)).one()
        code = sessions.create_handoff(session, user_id=user.id, company_id=sessions.default_company_id(session, user.id, now),
                                       return_to=app.url + "/admin", ip=None, now=now)
    with session_scope(app.engine) as session:
        raw_id, _ = sessions.redeem_handoff(session, code=code, binding=sessions.handoff_binding(code, app.secret_key),
                                            previous_session=None, ip=None, user_agent="", settings=settings, now=now)
    return f"{sessions.SESSION_COOKIE}={raw_id}"


def _client(app, **kwargs) -> SocketClient:
    client = SocketClient(app.url, origin=app.url, **kwargs)
    client.hydrate()
    return client


def _sign_up_over_the_socket(app, email: str) -> str:
    """A stranger signs up as the page would, then takes the HTTP hand-off: their session cookie."""
    client = _client(app, pathname="/sign-up")
    client.emit(handler_name(AuthState, "set_full_name"), {"value": "Eve Passante"})
    client.emit(handler_name(AuthState, "set_email"), {"value": email})
    before = len(client.updates)
    client.emit(handler_name(AuthState, "sign_up"), {"form": {"password": ATTACKER_PASSWORD}})
    client.wait_for(lambda update: "/auth/session" in json.dumps(update.get("events", [])), after=before)
    script = next(e["payload"]["javascript_code"] for e in client.events("_call_script", after=before)
                  if "/auth/session" in e["payload"]["javascript_code"])
    code = parse_qs(urlsplit(json.loads(re.search(r"assign\((.+)\)", script).group(1))).query)["code"][0]
    binding = client.value(AuthState, "handoff_binding", where=bool)
    client.close()
    response = httpx.get(f"{app.url}/auth/session", params={"code": code},
                         cookies={sessions.HANDOFF_BINDING_COOKIE: binding}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return f"{sessions.SESSION_COOKIE}={response.cookies[sessions.SESSION_COOKIE]}"


def _memberships(app, email: str) -> list[int]:
    with read_scope(app.engine) as session:
        user = session.exec(select(UserAccount).where(UserAccount.email == email)).one()
        return list(session.exec(select(Membership.company_id).where(Membership.user_id == user.id)))


def test_nobody_can_finish_an_activation_someone_else_verified(prod_app, prod_page, inbox):
    """The hole: any signed-in account could name someone else's verified activation request and
    become billing admin of that company. Another company's admin and a fresh sign-up try every
    way in over the websocket while the real requester is between her link and her sign-in."""
    page, received = prod_page(), len(inbox.messages)
    page.goto(prod_app.url + "/billing/access")
    page.get_by_label("Adresse e-mail professionnelle").fill("cmartin@flexis.com")
    page.get_by_role("button", name="Suivant").click()
    expect(page.get_by_role("heading", name="Consultez votre messagerie")).to_be_visible()
    link = _link(inbox.wait_for("cmartin@flexis.com", WELCOME_FR, after=received), prod_app.url, public=prod_app.url)
    page.goto(link)
    page.get_by_role("button", name="Activer mon compte").click()
    expect(page.get_by_text("finaliser l’activation de la facturation de Flexis")).to_be_visible()
    with read_scope(prod_app.engine) as session:
        request = session.exec(select(ActivationRequest).where(ActivationRequest.business_email == "cmartin@flexis.com")
                               .order_by(ActivationRequest.id.desc())).first()
    assert request.status == "verified"
    flexis = request.company_id

    attackers = {"pdurand@acme-logistique.fr": _cookie_for(prod_app, "pdurand@acme-logistique.fr"),
                 "eve@attaque.example": _sign_up_over_the_socket(prod_app, "eve@attaque.example")}
    for email, cookie in attackers.items():
        attacker = _client(prod_app, cookie=cookie, pathname="/billing/accept")
        attacker.emit(handler_name(AuthState, "remember_activation"), {"request_id": request.id, "company_name": "Flexis"})
        attacker.emit(handler_name(PendingActivationState, "setvar"), {"var_name": "_secret", "value": "guess"})
        attacker.emit(handler_name(PendingActivationState, "setvar"), {"var_name": "company", "value": "Flexis"})
        attacker.emit(f"{ROOT}.reflex___state____update_vars_internal_state.update_vars_internal",
                      {"vars": {f"{PendingActivationState.get_full_name()}._secret": "guess",
                                f"{PendingActivationState.get_full_name()}.company": "Flexis"}})
        before = len(attacker.updates)
        attacker.emit(handler_name(AuthState, "accept_and_continue"), {"_form": {}})
        assert attacker.value(AuthState, "form_error", where=bool, after=before).startswith("Aucune activation en cours")
        assert attacker.alive()
        attacker.close()
        assert flexis not in _memberships(prod_app, email)
    assert "remember_activation" in prod_app.log()  # dropped as unknown, in one short line

    # The real requester finishes in one piece.
    page.get_by_role("link", name="S’inscrire").click()
    page.get_by_label("Nom complet").fill("Claire Martin")
    page.get_by_label("Adresse e-mail").fill("claire.martin@perso.example")
    page.get_by_label("Mot de passe", exact=True).fill("un long chemin vers la facture")
    page.get_by_role("button", name="S’inscrire").click()
    page.get_by_role("button", name="Accepter et continuer").click()
    expect(page.locator("#company-name")).to_have_text("Flexis")
    assert flexis in _memberships(prod_app, "claire.martin@perso.example")


def test_a_lone_surrogate_is_refused_next_to_the_field_and_the_tab_stays_connected(prod_app):
    client = _client(prod_app, pathname="/billing/access")
    before = len(client.updates)
    client.emit(handler_name(AccessState, "set_email"), {"value": "a\ud800b@flexis.com"})
    assert "caractères invisibles ou de contrôle" in client.value(AccessState, "email_error", where=bool, after=before)
    for name, payload in ((handler_name(AccessState, "set_reference"), {"value": "FLD\x00"}),
                          (f"{ROOT}.hydrate_and_load", {"vars": {"x.chosen_locale": "\udfff"}})):
        client.emit(name, payload)
    client.emit(handler_name(AccessState, "set_email"), {"value": "ok"}, router_data={"pathname": "/\ud800"})
    assert client.alive()
    client.close()
    again = _client(prod_app, token=client.token, pathname="/billing/access")  # and so does its next load
    assert again.alive() and not again.other_events
    again.close()


def test_logs_never_carry_cookies_passwords_or_card_data_and_stay_short(prod_app):
    secret_cookie = _cookie_for(prod_app, "hbernard@flexis.com")
    client = _client(prod_app, cookie=secret_cookie, pathname="/admin/invoices")
    client.emit(f"{ROOT}.no_such_handler", {"password": "hunter2-hunter2-hunter2", "card_number": "4242424242424242"})
    client.emit(f"{ROOT}.no_such_handler", {"junk": "x" * 100_000})  # oversized
    for n in range(60):
        client.emit(f"{ROOT}.flood_{n}", {"n": n})
    client.emit(handler_name(AuthState, "sign_in"), {"form": {"password": "Wrong-but-secret-2026"}})
    client.emit(handler_name(InvoicesState, "download_pdf"), {"number": "F2026-00001\x00"})
    assert client.alive()
    client.close()
    log = prod_app.log()
    for secret in (secret_cookie.partition("=")[2], "hunter2", "4242424242424242", "Wrong-but-secret-2026", "x" * 100):
        assert secret not in log
    dropped = [line for line in log.splitlines() if "dropped an event" in line]
    assert 0 < len(dropped) <= 12  # a few lines a minute, then only a count
    assert max(len(line) for line in log.splitlines()) < 2_500


def _frames(page) -> list[str]:
    received: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: received.append(str(payload))))
    return received


def _sign_in(page, app_url: str) -> None:
    """Hugo Bernard signs in and opens the invoices."""
    sign_in(page, app_url)
    page.get_by_role("navigation").get_by_role("link", name="Factures").click()
    expect(page.get_by_role("row", name=re.compile("F2026-00001"))).to_be_visible()


def test_signing_out_on_one_origin_leaves_nothing_for_the_next_user_of_the_tab(prod_app, prod_page):
    page = prod_page()
    _sign_in(page, prod_app.url)
    token = page.evaluate("window.sessionStorage.getItem('token')")
    sign_out(page)
    expect(page.get_by_role("button", name="Accéder à la facturation")).to_be_visible()
    assert not any(c["name"] == sessions.SESSION_COOKIE for c in page.context.cookies())
    frames = _frames(page)
    page.goto(prod_app.url + "/admin/invoices")  # the same tab, the same client token
    expect(page.get_by_role("heading", name="Connectez-vous au Northwind Admin Center")).to_be_visible()
    assert page.evaluate("window.sessionStorage.getItem('token')") == token
    assert frames and not any("F2026-00001" in frame or "Flexis" in frame for frame in frames)


def test_an_expired_session_leaves_nothing_for_the_next_user_of_the_tab(prod_app, prod_page):
    page = prod_page()
    _sign_in(page, prod_app.url)
    token = page.evaluate("window.sessionStorage.getItem('token')")
    with session_scope(prod_app.engine) as session:  # the owner walked away: the idle timeout passed
        for row in session.exec(select(UserSession).where(UserSession.ended_at.is_(None))):
            row.last_seen_at = utcnow() - timedelta(hours=2)
            session.add(row)
    frames = _frames(page)
    page.reload()
    expect(page.get_by_role("heading", name="Connectez-vous au Northwind Admin Center")).to_be_visible()
    assert page.evaluate("window.sessionStorage.getItem('token')") == token
    assert frames and not any("F2026-00001" in frame for frame in frames)


def test_production_pages_carry_the_security_headers_and_break_nothing(prod_app, prod_page):
    page = prod_page()
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
    response = page.goto(prod_app.url + "/")
    headers = response.headers
    policy = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy and "'unsafe-inline'" not in policy.split(";")[1]
    assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "strict-transport-security" not in headers  # plain http here; set when the public URL is https
    _sign_in(page, prod_app.url)
    with page.expect_download() as download:
        page.get_by_role("button", name="F2026-00001 PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert violations == []
    page.goto(prod_app.url + "/dev/mailbox")  # not a page outside dev: its links activate accounts
    expect(page.get_by_text("404")).to_be_visible()
    expect(page.get_by_role("heading", name="Boîte d’envoi (développement)")).to_have_count(0)


def _flexis_receipt(app) -> str:
    """Flexis pays F2026-00005 online (through the services, on the running app's database)."""
    from lcadmin.domain.cards import CardInput
    from lcadmin.payments.sandbox import SandboxProvider
    from lcadmin.services import payments
    from lcadmin.services.sessions import Principal
    from tests.factories import context

    with read_scope(app.engine) as session:
        hugo = session.exec(select(UserAccount).where(UserAccount.email == "hbernard@flexis.com")).one()
    flexis = Principal(hugo.id, hugo.email, hugo.full_name, 1, "Flexis", "admin")
    with session_scope(app.engine) as session:
        payments.pay(session, context(principal=flexis, now=utcnow()), kind="invoice", number="F2026-00005",
                     idempotency_key="attack-test-receipt", card=CardInput("4242 4242 4242 4242", "12/30", "123"),
                     provider=SandboxProvider(app.engine), vendor=_settings(app).vendor)
    from lcadmin.models import Payment

    with read_scope(app.engine) as session:
        return session.exec(select(Payment.receipt_number).where(Payment.idempotency_key == "attack-test-receipt")).one()


def test_another_companys_receipts_and_invoice_pages_give_nothing_away(prod_app):
    from lcadmin.states.invoice import InvoiceState

    receipt = _flexis_receipt(prod_app)
    acme = _cookie_for(prod_app, "pdurand@acme-logistique.fr")
    client = _client(prod_app, cookie=acme, pathname="/admin/invoices")
    for number in (receipt, "R2026-00001", "R2026-99999", "", "R2026-%", "' OR 1=1 --", "x" * 5000):
        before = len(client.updates)
        client.emit(handler_name(InvoicesState, "download_receipt"), {"number": number})
        client.drain(0.4)
        assert client.events("_download", after=before) == []
        sent = json.dumps(client.updates[before:]).replace(f'{number}:receipt', "")  # its own busy flag, echoed
        assert "Flexis" not in sent and "4242" not in sent and "F2026-00005" not in sent
    for column in ("total", "number; DROP TABLE invoice", ["x"], {"a": 1}, None):
        client.emit(handler_name(InvoicesState, "sort_by"), {"column": column})
    assert client.alive()
    client.close()
    # Flexis's invoice page, opened by Acme (the number is the page's, as any URL): not found.
    page = _client(prod_app, cookie=acme, pathname="/admin/invoices/F2026-00005")
    updates = page.hydrate()
    before = len(page.updates)
    page.emit(handler_name(InvoiceState, "load"), {}, router_data={
        "pathname": "/admin/invoices/[number]", "query": {"number": "F2026-00005"},
        "asPath": "/admin/invoices/F2026-00005"})
    assert page.value(InvoiceState, "error", where=bool, after=before) == "Document introuvable."
    assert not any("F2026-00005" in json.dumps(u.get("delta", {}).get(InvoiceState.get_full_name(), {}).get(
        "view_rx_state_", {})) for u in updates + page.updates)
    page.close()
