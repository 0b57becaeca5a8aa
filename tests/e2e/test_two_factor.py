"""Two-step verification in Chromium, on the production build (one origin, as the cookie
hand-off needs): hbernard opens "Sécurité du compte" from the account menu, enrols with the key
shown for typing by hand, signs out, signs in again with his password and a code, then turns it
off with one of his recovery codes."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pyotp
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from lcadmin.db import session_scope
from lcadmin.models import RecoveryCode, UserAccount
from tests.e2e.test_billing import _sign_in, sign_out

pytestmark = pytest.mark.e2e

HUGO = "hbernard@flexis.com"


def _code(secret: str) -> str:
    """The code of the next 30-second step: the current one was used to enrol, and the next is
    inside the window the server accepts."""
    return pyotp.TOTP(secret).at(time.time() + 30)


@pytest.fixture
def hugo_without_two_factor(prod_app):
    """The production app's demo data is shared by the session's journeys: whatever happens
    here, hbernard signs in with his password alone afterwards."""
    yield
    with session_scope(prod_app.engine) as session:
        user_id = session.exec(sa.select(UserAccount.id).where(UserAccount.email == HUGO)).scalar_one()
        session.exec(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
        session.exec(sa.update(UserAccount).where(UserAccount.id == user_id).values(
            totp_secret_encrypted=None, two_factor_enabled_at=None, totp_last_step=None))


def test_enrol_then_sign_in_with_a_code(prod_app, prod_page, hugo_without_two_factor):
    page = prod_page()
    _sign_in(page, prod_app.url)
    page.locator("#account-menu").click()
    page.get_by_role("menuitem", name="Sécurité du compte").click()
    expect(page.get_by_role("heading", name="Sécurité du compte", level=1)).to_be_visible()
    expect(page.locator("#two-factor-status")).to_have_text("Désactivée")
    expect(page.locator("#sessions-card").get_by_text("Cette session")).to_be_visible()

    page.get_by_role("button", name="Activer la validation en deux étapes").click()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    secret = page.locator("#setup-key").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    page.get_by_label("Code de vérification").fill("000000" if _code(secret) != "000000" else "111111")
    page.get_by_role("button", name="Activer", exact=True).click()
    expect(page.locator("#enrol-code-error")).to_contain_text("Code incorrect")
    page.get_by_label("Code de vérification").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Activer", exact=True).click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    expect(page.locator("#security-notice")).to_contain_text("La validation en deux étapes est activée")
    recovery_code = page.locator("#recovery-codes li").first.inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", recovery_code)
    with page.expect_download() as download:  # built in the page: the codes never sat in a state var
        page.get_by_role("button", name="Télécharger").click()
    assert download.value.suggested_filename == "recovery-codes.txt"
    saved = Path(download.value.path()).read_text(encoding="utf-8")
    assert recovery_code in saved and len(re.findall(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}", saved)) == 10
    page.get_by_role("button", name="J’ai conservé mes codes").click()
    expect(page.locator("#two-factor-status")).to_have_text("Activée")
    expect(page.locator("#recovery-left")).to_contain_text("10 sur 10")

    sign_out(page)
    # The sign-out is a navigation of its own (POST, then home): let it end before the next one.
    expect(page.get_by_role("button", name="Accéder à la facturation")).to_be_visible()
    page.goto(prod_app.url + "/sign-in")
    page.get_by_label("Adresse e-mail").fill(HUGO)
    page.get_by_label("Mot de passe", exact=True).fill("Northwind-demo-2026")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Validation en deux étapes")).to_be_visible()
    page.get_by_label("Code de vérification").fill(_code(secret))
    page.get_by_role("button", name="Vérifier").click()
    expect(page.locator("#company-name")).to_have_text("Flexis")

    page.goto(prod_app.url + "/admin/security")
    page.get_by_role("button", name="Désactiver", exact=True).click()
    page.get_by_label("Code de vérification").fill(recovery_code)  # a recovery code will do too
    page.get_by_role("button", name="Désactiver la validation en deux étapes").click()
    expect(page.locator("#security-notice")).to_contain_text("La validation en deux étapes est désactivée")
    expect(page.locator("#two-factor-status")).to_have_text("Désactivée")
