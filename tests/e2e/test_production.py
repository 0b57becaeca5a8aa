"""The ways in and out on the production build, one origin, as deployed: the sign-in, sign-up and
sign-out hand-offs must reach the HTTP routes that set and drop the cookie (a same-host client-side
navigation would end on a 404), the header's account menu, the return to the page a lapsed
session left, the branded 404 page and the full terms."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_activation import _link
from tests.e2e.test_billing import sign_out

pytestmark = pytest.mark.e2e

PASSWORD = "une phrase assez longue pour signer"


def _no_reflex_404(page) -> None:
    expect(page.get_by_text("404: Page not found")).to_have_count(0)
    expect(page.get_by_role("heading", name="Cette page n’existe pas")).to_have_count(0)


@pytest.mark.parametrize("width", [1280, 375])
def test_sign_up_sign_out_and_sign_in_again_on_one_origin(prod_app, prod_page, width):
    page = prod_page(width=width)
    page.goto(prod_app.url + "/")
    page.get_by_role("banner").get_by_role("link", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Connectez-vous au Northwind Admin Center")).to_be_visible()
    page.get_by_role("link", name="S’inscrire").click()
    email = f"zoe.nouvelle.{width}@perso.example"
    page.get_by_label("Nom complet").fill("Zoé Nouvelle")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="S’inscrire").click()

    # Through /auth/session and back: the cookie is set and the Admin Center opens.
    expect(page).to_have_url(re.compile(re.escape(prod_app.url) + r"/admin/?$"))  # the static server adds the slash
    expect(page.locator("#account-menu")).to_contain_text("Zoé Nouvelle")
    expect(page.get_by_text("Votre compte n’a encore accès à aucune entreprise", exact=False)).to_be_visible()
    _no_reflex_404(page)
    assert any(c["name"] == "lcadmin_session" and c["httpOnly"] for c in page.context.cookies())

    sign_out(page)  # a POST to /auth/sign-out, which drops the cookie
    expect(page).to_have_url(prod_app.url + "/")
    expect(page.get_by_role("banner").get_by_role("link", name="Se connecter")).to_be_visible()
    assert not any(c["name"] == "lcadmin_session" for c in page.context.cookies())

    page.goto(prod_app.url + "/admin/invoices?status=open")  # signed out: sign in, then back here
    expect(page).to_have_url(re.compile(r"/sign-in/?\?next=/admin/invoices/?%3Fstatus%3Dopen$"))
    page.get_by_label("Adresse e-mail").fill("hbernard@flexis.com")
    page.get_by_label("Mot de passe", exact=True).fill("Northwind-demo-2026")
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(re.escape(prod_app.url) + r"/admin/invoices/?\?status=open$"))
    expect(page.locator("#company-name")).to_have_text("Flexis")
    expect(page.locator("#account-menu")).to_contain_text("Hugo Bernard")
    _no_reflex_404(page)


def test_an_unknown_address_gets_a_page_of_its_own_in_the_visitors_language(prod_app, prod_page):
    page = prod_page()
    page.goto(prod_app.url + "/nulle-part")
    expect(page.get_by_role("heading", name="Cette page n’existe pas")).to_be_visible()
    expect(page.get_by_role("link", name="Retour à l’accueil")).to_have_attribute("href", "/")
    expect(page.get_by_role("main").get_by_role("link", name="Se connecter")).to_be_visible()
    page.get_by_role("radio", name="English").click()
    expect(page.get_by_role("heading", name="This page does not exist")).to_be_visible()
    page.get_by_role("link", name="Back to home").click()
    expect(page).to_have_url(prod_app.url + "/")

    english = prod_page(locale="en-GB")
    english.goto(prod_app.url + "/admin/nothing-here")
    expect(english.get_by_role("heading", name="This page does not exist")).to_be_visible()


def test_the_full_terms_are_a_public_page_with_their_version(prod_app, prod_page):
    page = prod_page()
    page.goto(prod_app.url + "/terms")
    expect(page.get_by_role("heading", name="Conditions d’utilisation du Northwind Admin Center")).to_be_visible()
    expect(page.get_by_text("Version 2026.1", exact=False)).to_be_visible()
    expect(page.get_by_role("heading", level=2)).to_have_count(7)


def test_a_forgotten_password_is_reset_by_e_mail_and_every_session_ends(prod_app, prod_page, inbox):
    email, new_password = "pdurand@acme-logistique.fr", "le nouveau chemin de Pierre vers Lyon"
    elsewhere = prod_page()  # Pierre is signed in on another computer
    elsewhere.goto(prod_app.url + "/sign-in")
    elsewhere.get_by_label("Adresse e-mail").fill(email)
    elsewhere.get_by_label("Mot de passe", exact=True).fill("Northwind-demo-2026")
    elsewhere.get_by_role("button", name="Se connecter").click()
    expect(elsewhere.locator("#company-name")).to_have_text("Acme Logistique")

    page = prod_page(width=375)
    for address in ("personne@acme-logistique.fr", email):  # the same answer, account or not
        page.goto(prod_app.url + "/sign-in")
        page.get_by_role("link", name="Mot de passe oublié ?").click()
        # (the sign-in form has a field of the same name: wait for the page that was asked for)
        expect(page.get_by_role("heading", name="Mot de passe oublié ?")).to_be_visible()
        page.get_by_label("Adresse e-mail").fill(address)
        page.get_by_role("button", name="Envoyer le lien").click()
        expect(page.get_by_role("heading", name="Vérifiez votre messagerie")).to_be_visible()
        expect(page.get_by_role("status")).to_contain_text(f"Si un compte existe pour {address}")
    mail = inbox.wait_for(email, "Choisissez un nouveau mot de passe pour le Northwind Admin Center")
    assert not inbox.to("personne@acme-logistique.fr")
    link = _link(mail, prod_app.url, "password/reset", public=prod_app.url)

    page.goto(link)
    page.goto(link)  # opening it twice does not use it
    expect(page.get_by_role("heading", name="Choisissez un nouveau mot de passe")).to_be_visible()
    page.get_by_label("Mot de passe", exact=True).fill("password1234")
    page.get_by_role("button", name="Changer le mot de passe").click()
    expect(page.get_by_text("trop courant", exact=False)).to_be_visible()
    page.get_by_label("Mot de passe", exact=True).fill(new_password)
    page.get_by_role("button", name="Changer le mot de passe").click()
    expect(page.get_by_role("heading", name="Mot de passe modifié")).to_be_visible()
    inbox.wait_for(email, "Le mot de passe de votre compte Northwind Admin Center a été modifié")

    elsewhere.reload()  # the other computer's session ended with the reset
    expect(elsewhere.get_by_role("heading", name="Connectez-vous au Northwind Admin Center")).to_be_visible()
    page.get_by_role("link", name="Se connecter").last.click()
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(new_password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("#company-name")).to_have_text("Acme Logistique")
    page.goto(link)  # used
    expect(page.get_by_text("Ce lien a déjà été utilisé.")).to_be_visible()

    # The e-mail itself, on a phone: one column, the button, its link in plain text, who sent it.
    page.set_content(mail.get_body(("html",)).get_content())
    expect(page.get_by_role("link", name="Choisir un nouveau mot de passe")).to_be_visible()
    expect(page.get_by_text("Si le bouton ne fonctionne pas", exact=False)).to_be_visible()
    expect(page.get_by_text("facturation@northwind.example", exact=False)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_two_minutes_before_an_idle_session_ends_the_page_offers_to_stay(prod_app, prod_page):
    page = prod_page()
    page.clock.install()
    page.goto(prod_app.url + "/sign-in")
    page.get_by_label("Adresse e-mail").fill("hbernard@flexis.com")
    page.get_by_label("Mot de passe", exact=True).fill("Northwind-demo-2026")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("#company-name")).to_have_text("Flexis")
    page.get_by_role("navigation").get_by_role("link", name="Factures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Factures")
    page.wait_for_timeout(1500)  # the page's once-a-second check has seen the new page before time is sped up
    warning = page.get_by_role("alertdialog", name="Vous êtes toujours là ?")
    expect(warning).to_be_hidden()
    page.clock.run_for("27:30")
    expect(warning).to_be_hidden()
    page.clock.run_for("01:00")  # 28:30 without activity: two minutes left
    expect(warning).to_be_visible()
    expect(warning.get_by_role("button", name="Rester connecté")).to_be_focused()
    warning.get_by_role("button", name="Rester connecté").click()
    expect(warning).to_be_hidden()
    page.clock.run_for("29:00")  # counted again from "Rester connecté"
    expect(warning).to_be_visible()
    page.clock.run_for("01:05")  # the time is up: to sign in, and back here afterwards
    expect(page).to_have_url(re.compile(r"/sign-in/?\?next=/admin/invoices/?$"))
