"""The seed's activation flow in Chromium, with the e-mails received by a real SMTP server.

All journeys share one app and one database. They come from one IP (127.0.0.1), so the journey
that locks the proof step runs last in this module.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_billing import sign_out

pytestmark = pytest.mark.e2e

WELCOME_FR = "Bienvenue dans le Northwind Admin Center"
WELCOME_EN = "Welcome to the Northwind Admin Center"


def _link(message, app_url: str, path: str = "activate", public: str = "http://localhost:3000") -> str:
    text = message.get_body(("plain",)).get_content()
    match = re.search(rf"(https?://[^/\s]+)(/{path}/[A-Za-z0-9_-]+)", text)
    assert match, text
    assert match.group(1) == public  # LCADMIN_PUBLIC_URL
    return app_url + match.group(2)  # the development app listens on another port


def _open_access_form(page, app_url: str):
    page.goto(app_url + "/")
    page.get_by_role("button", name="Accéder à la facturation").click()
    expect(page.get_by_role("heading", name="Gérer la facturation dans le Northwind Admin Center")).to_be_visible()


def _email_step(page, email: str, next_name: str = "Suivant", label: str = "Adresse e-mail professionnelle"):
    page.get_by_label(label).fill(email)
    page.get_by_role("button", name=next_name).click()


def _prove(page, reference: str, amount: str):
    page.get_by_label("Numéro de commande ou de facture").fill(reference)
    page.get_by_label("Sous-total ou total").fill(amount)
    page.get_by_role("button", name="Suivant").click()


def test_aleroy_proves_authority_and_signs_up_with_another_address(new_page, app_url, inbox):
    page = new_page()
    _open_access_form(page, app_url)
    expect(page.get_by_role("button", name="Annuler")).to_be_visible()
    _email_step(page, "aleroy@flexis.com")
    expect(page.get_by_label("Numéro de commande ou de facture")).to_be_visible()
    _prove(page, "FLD102776277396", "3 600")
    expect(page.get_by_role("heading", name="Consultez votre messagerie")).to_be_visible()
    expect(page.get_by_text("spams")).to_be_visible()

    welcome = inbox.wait_for("aleroy@flexis.com", WELCOME_FR)
    assert "Activer mon compte" in welcome.get_body(("html",)).get_content()
    for contact in ("cmartin@flexis.com", "compta@flexis.com"):  # the contacts are told, with a way to report
        alert = inbox.wait_for(contact, "Accès à la facturation de Flexis\u00a0: aleroy@flexis.com")
        assert "FLD102776277396" in alert.get_body(("plain",)).get_content()

    link = _link(welcome, app_url)
    page.goto(link)  # opening the link does not use it
    page.goto(link)
    page.get_by_role("button", name="Activer mon compte").click()
    expect(page.get_by_role("heading", name="Connectez-vous au Northwind Admin Center")).to_be_visible()
    page.get_by_role("link", name="S’inscrire").click()
    page.get_by_label("Nom complet").fill("Anne Leroy")
    page.get_by_label("Adresse e-mail").fill("anne.leroy@perso.example")
    password = page.get_by_label("Mot de passe", exact=True)
    password.fill("un long chemin vers la facture")
    expect(password).to_have_attribute("type", "password")
    page.get_by_role("checkbox", name="Afficher le mot de passe").click()
    expect(password).to_have_attribute("type", "text")
    page.get_by_role("button", name="S’inscrire").click()

    expect(page.get_by_role("heading", name="Conditions d’utilisation du Northwind Admin Center")).to_be_visible()
    # The terms and their version are above the button, and the button alone accepts them.
    expect(page.get_by_text("version 2026.1)")).to_be_visible()
    expect(page.get_by_role("checkbox")).to_have_count(0)
    full = page.get_by_role("link", name="Lire les conditions complètes")
    expect(full).to_have_attribute("href", "/terms")
    page.get_by_role("button", name="Accepter et continuer").click()  # one click finishes the activation

    expect(page.locator("#company-name")).to_have_text("Flexis")
    granted = inbox.wait_for("compta@flexis.com", "Accès à la facturation de Flexis activé\u00a0: anne.leroy@perso.example")
    assert "aleroy@flexis.com" in granted.get_body(("plain",)).get_content()
    navigation = page.get_by_role("navigation")
    for section in ("Contrats et commandes", "Factures", "Modes de paiement", "Licences"):
        expect(navigation.get_by_role("link", name=section, exact=True)).to_be_visible()
    navigation.get_by_role("link", name="Contrats et commandes").click()
    row = page.get_by_role("row", name=re.compile("FLD102776277396"))
    expect(row).to_contain_text(re.compile(r"3\s600,00\s€"))
    cookie = next(c for c in page.context.cookies() if c["name"] == "lcadmin_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    page.goto(link)  # the used link is refused, with a way to start again
    expect(page.get_by_role("heading", name="Ce lien n’est plus valable")).to_be_visible()
    expect(page.get_by_text("Ce lien a déjà été utilisé.")).to_be_visible()
    expect(page.get_by_role("link", name="Recommencer")).to_have_attribute("href", "/billing/access")


def test_the_primary_contact_gets_the_email_directly(new_page, app_url, inbox):
    page = new_page()
    _open_access_form(page, app_url)
    _email_step(page, "cmartin@flexis.com")
    expect(page.get_by_role("heading", name="Consultez votre messagerie")).to_be_visible()
    message = inbox.wait_for("cmartin@flexis.com", WELCOME_FR)
    page.goto(_link(message, app_url))
    expect(page.get_by_role("button", name="Activer mon compte")).to_be_visible()
    expect(page.get_by_text("Flexis").first).to_be_visible()


def test_hbernard_is_told_to_sign_in_gets_no_email_and_signs_in_and_out(new_page, app_url, inbox):
    received = len(inbox.to("hbernard@flexis.com"))
    page = new_page()
    _open_access_form(page, app_url)
    _email_step(page, "hbernard@flexis.com")
    expect(page.get_by_role("heading", name="Connectez-vous")).to_be_visible()
    expect(page.get_by_text("vous ne recevrez pas d’e-mail")).to_be_visible()
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_label("Adresse e-mail").fill("hbernard@flexis.com")
    page.get_by_label("Mot de passe", exact=True).fill("Northwind-demo-2026")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("#company-name")).to_have_text("Flexis")
    sign_out(page)
    expect(page.get_by_role("button", name="Accéder à la facturation")).to_be_visible()
    page.goto(app_url + "/admin")
    expect(page.get_by_role("heading", name="Connectez-vous au Northwind Admin Center")).to_be_visible()
    assert not any(c["name"] == "lcadmin_session" for c in page.context.cookies())
    assert len(inbox.to("hbernard@flexis.com")) == received


def test_zero_euros_is_refused_as_she_types(new_page, app_url):
    page = new_page()
    _open_access_form(page, app_url)
    _email_step(page, "aleroy@flexis.com")
    page.get_by_label("Sous-total ou total").fill("0")
    expect(page.get_by_text("Le sous-total ou le total ne peut pas être de 0 €")).to_be_visible()
    page.get_by_label("Sous-total ou total").fill("0,5")
    expect(page.get_by_text("Le sous-total ou le total ne peut pas être de 0 €")).to_be_hidden()


def test_an_english_journey(new_page, app_url, inbox):
    page = new_page(locale="en-US")
    page.goto(app_url + "/")
    page.get_by_role("button", name="Access billing").click()
    expect(page.get_by_role("heading", name="Manage billing in the Northwind Admin Center")).to_be_visible()
    _email_step(page, "compta@flexis.com", next_name="Next", label="Business e-mail address")
    expect(page.get_by_role("heading", name="Check your mailbox")).to_be_visible()
    message = inbox.wait_for("compta@flexis.com", WELCOME_EN)
    page.goto(_link(message, app_url))
    page.get_by_role("button", name="Activate my account").click()
    expect(page.get_by_role("heading", name="Sign in to the Northwind Admin Center")).to_be_visible()
    expect(page.get_by_text("finish activating billing for Flexis")).to_be_visible()


def test_wrong_amounts_get_the_generic_error_and_then_lock(new_page, app_url, inbox):
    """Runs last: it locks the proof step for this IP and for Acme."""
    page = new_page()
    _open_access_form(page, app_url)
    _email_step(page, "jdoe@acme-logistique.fr")
    generic = page.get_by_text("Impossible de vérifier votre autorisation avec ces informations.")
    for amount in ("7 001", "7 002", "7 003", "7 004", "7 005"):
        page.get_by_label("Numéro de commande ou de facture").fill("ACM204455120087")
        page.get_by_label("Sous-total ou total").fill(amount)
        expect(generic).to_be_hidden()  # typing clears the last refusal, so each one seen below is new
        page.get_by_role("button", name="Suivant").click()
        expect(generic).to_be_visible()
    _prove(page, "ACM204455120087", "7 000")  # the right subtotal, too late
    expect(page.get_by_text(re.compile(r"Trop de tentatives\. Pour votre sécurité, réessayez dans \d+ min\."))).to_be_visible()
    assert inbox.to("jdoe@acme-logistique.fr") == []
