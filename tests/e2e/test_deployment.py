"""The deployment as documented: Caddy over HTTPS in front of two instances sharing PostgreSQL
and Redis (see :mod:`tests.e2e.cluster`). One instance stops in the middle of a card payment;
the user carries on through the other with nothing lost."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from lcadmin.demo import DEMO_PASSWORD
from lcadmin.domain.statuses import OutboxStatus, PaymentStatus
from lcadmin.models import Invoice, OutboxMessage, Payment, SandboxIntent, UserAccount, UserSession
from lcadmin.services.sessions import SESSION_COOKIE
from lcadmin.states.auth import AuthState
from tests.conftest import require
from tests.e2e.cluster import Deployment, missing_services
from tests.e2e.test_billing import _card, _sign_in
from tests.sio import SocketClient, handler_name

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def deployment(chromium_path, inbox, tmp_path_factory):
    problem = missing_services()
    require(problem is None, problem or "")
    # "first": every request goes to instance a while it is up, so stopping it cuts the user off it.
    cluster = Deployment(tmp_path_factory.mktemp("deployment"), inbox.port, lb_policy="first")
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


def _session_cookie(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == SESSION_COOKIE)


def test_the_proxy_serves_https_and_reports_the_shared_services(deployment):
    context = deployment.tls_context()  # trusts Caddy's internal CA alone: the chain is checked
    with urllib.request.urlopen(f"{deployment.url}/_health", context=context) as response:
        assert json.load(response) == {"status": True, "db": True, "redis": True}
    with urllib.request.urlopen(f"{deployment.url}/sign-in", context=context) as response:
        # The redirect to the page's folder keeps https (the proxy's scheme, X-Forwarded-Proto).
        assert response.url == f"{deployment.url}/sign-in/"
        assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    request = urllib.request.Request(f"{deployment.url}/_metrics")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, context=context)
    assert refused.value.code == 404  # the metrics are not served to the public

    # The monitoring host reads each instance directly, with the token: every worker's counts.
    instance = deployment.instances["a"]
    request = urllib.request.Request(f"http://127.0.0.1:{instance.port}/_metrics",
                                     headers={"Authorization": f"Bearer {deployment.metrics_token}"})
    with urllib.request.urlopen(request) as response:
        metrics = response.read().decode()
    assert "lcadmin_outbox_pending_messages" in metrics and "lcadmin_database_up 1.0" in metrics


def test_a_payment_goes_on_through_the_other_instance_when_one_stops(browser, deployment, inbox):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}, base_url=deployment.url,
                                  ignore_https_errors=True)  # Chromium does not know Caddy's CA: see the test above
    context.set_default_timeout(30_000)
    page = context.new_page()
    visited = []
    page.on("framenavigated", lambda frame: visited.append(frame.url) if frame == page.main_frame else None)
    try:
        _sign_in(page, deployment.url)
        cookie = _session_cookie(page)
        page.get_by_role("navigation").get_by_role("link", name="Factures").click()
        page.get_by_role("button", name="Payer en ligne F2026-00005").click()
        _card(page.get_by_role("dialog"), "4000 0025 0000 3155")
        expect(page.get_by_role("heading", name="Authentification 3-D Secure")).to_be_visible()
        mails_before = len(inbox.messages)

        # The instance that served everything so far stops, as systemd stops it (SIGTERM).
        assert deployment.instances["a"].stop() == 0
        page.get_by_role("button", name="Confirmer le paiement").click()
        expect(page.get_by_text("la facture F2026-00005 est payée")).to_be_visible()
        page.get_by_role("link", name="Retour à l’Admin Center").click()
        row = page.get_by_role("table", name="Factures").get_by_role("row", name=re.compile("F2026-00005"))
        expect(row).to_contain_text("Payée")

        # The same session: never sent to sign in again, the same cookie, one live session.
        assert _session_cookie(page) == cookie
        assert not [url for url in visited[visited.index(next(u for u in visited if "/admin" in u)):]
                    if "/sign-in" in url]
        receipt = inbox.wait_for("hbernard@flexis.com", "Reçu de paiement — facture F2026-00005", after=mails_before)
        assert "F2026-00005" in receipt.get_body(preferencelist=("plain",)).get_content()
        time.sleep(6)  # three outbox rounds of the remaining workers: a second copy would have left by now
    finally:
        context.close()

    with Session(deployment.engine) as session:
        invoice = session.exec(select(Invoice).where(Invoice.number == "F2026-00005")).one()
        payments = session.exec(select(Payment).where(Payment.invoice_id == invoice.id)).all()
        assert [p.status for p in payments] == [PaymentStatus.SUCCEEDED.value]  # charged once
        # The card network's side (the sandbox's own records): one intent for this amount, succeeded.
        intents = session.exec(select(SandboxIntent).where(SandboxIntent.amount_minor == payments[0].amount_minor)).all()
        assert [(i.intent_id, i.status) for i in intents] == [(payments[0].provider_intent_id, "succeeded")]
        assert invoice.status == "paid"
        user = session.exec(select(UserAccount).where(UserAccount.email == "hbernard@flexis.com")).one()
        live = session.exec(select(UserSession).where(UserSession.user_id == user.id,
                                                      UserSession.ended_at.is_(None))).all()  # type: ignore[union-attr]
        assert len(live) == 1
        # Every e-mail queued left once and arrived once.
        outbox = session.exec(select(OutboxMessage)).all()
        assert outbox and all(m.status == OutboxStatus.SENT.value and m.attempts == 1 for m in outbox), \
            [(m.kind, m.status, m.attempts) for m in outbox]
    received = [(m["To"], m["Subject"]) for m in inbox.messages[mails_before:]]
    assert received.count(("hbernard@flexis.com", "Reçu de paiement — facture F2026-00005")) == 1


def test_a_stopping_instance_first_finishes_the_events_under_way(deployment):
    """SIGTERM in the middle of a sign-in (an argon2 hash and two transactions): the instance
    answers it before it closes, then exits 0."""
    instance = deployment.instances["b"]
    client = SocketClient(f"http://127.0.0.1:{instance.port}", origin=deployment.url, pathname="/sign-in")
    client.hydrate()
    client.emit(handler_name(AuthState, "set_email"), {"value": "hbernard@flexis.com"})
    client.value(AuthState, "email", where=bool)
    before = len(client.updates)
    client.emit(handler_name(AuthState, "sign_in"), {"form": {"password": DEMO_PASSWORD}})
    client.value(AuthState, "working", where=bool, after=before)  # the server has it in hand
    instance.signal_stop()
    answer = client.wait_for(lambda update: "/auth/session" in json.dumps(update.get("events", [])), after=before,
                             timeout=20)
    assert answer and instance.stop() == 0
