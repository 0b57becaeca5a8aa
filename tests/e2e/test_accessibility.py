"""WCAG 2.2 AA, checked by axe-core on the production build: every page and every state a journey
passes through (forms with their errors, dialogs, the menus), in both languages and both themes.
A serious or critical finding fails the test."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.a11y import check

pytestmark = pytest.mark.e2e

WORDS = {"fr": {"sign_in": "Se connecter", "email": "Adresse e-mail", "password": "Mot de passe",
                "invoices": "Factures", "contracts": "Contrats et commandes", "pay": "Payer en ligne",
                "next": "Suivant", "access": "Accéder à la facturation", "cards": "Cartes bancaires",
                "add_card": "Ajouter une carte", "save_card": "Enregistrer la carte",
                "add_mandate": "Ajouter un mandat SEPA", "sign_mandate": "Signer le mandat", "remove": "Supprimer",
                "holders": "Titulaires", "assign": "Attribuer des licences", "send": "Envoyer les invitations",
                "import": "Importer un fichier CSV", "buy": "Acheter des licences supplémentaires",
                "unassign": "Retirer", "matrix": "Qui peut faire quoi", "invite": "Inviter un administrateur",
                "send_invite": "Envoyer l’invitation", "remove_admin": "Retirer"},
         "en": {"sign_in": "Sign in", "email": "E-mail address", "password": "Password",
                "invoices": "Invoices", "contracts": "Contracts and orders", "pay": "Pay online",
                "next": "Next", "access": "Access billing", "cards": "Cards", "add_card": "Add a card",
                "save_card": "Save card", "add_mandate": "Add a SEPA mandate", "sign_mandate": "Sign the mandate",
                "remove": "Remove", "holders": "Holders", "assign": "Assign licences", "send": "Send the invitations",
                "import": "Import a CSV file", "buy": "Buy more licences", "unassign": "Remove",
                "matrix": "Who can do what", "invite": "Invite an admin", "send_invite": "Send the invitation",
                "remove_admin": "Remove"}}


@pytest.mark.parametrize(("locale", "scheme"), [("fr", "light"), ("fr", "dark"), ("en", "light"), ("en", "dark")])
def test_every_page_and_state_meets_wcag_22_aa(prod_app, prod_page, locale, scheme):
    words = WORDS[locale]
    page = prod_page(locale="fr-FR" if locale == "fr" else "en-GB", color_scheme=scheme)
    page.emulate_media(reduced_motion="reduce")  # colours are measured at rest, not halfway through a fade
    where = f"{locale}/{scheme}"

    for path in ("/", "/terms", "/nowhere", "/password/forgot", "/sign-up", "/activate/" + "x" * 43,
                 "/decision/" + "x" * 43, "/password/reset/" + "x" * 43):
        page.goto(prod_app.url + path)
        expect(page.get_by_role("heading", level=1).first).to_be_visible()
        check(page, f"{where} {path}")

    page.goto(prod_app.url + "/billing/access")
    page.get_by_role("button", name=words["next"]).click()  # an empty address: the field's error
    expect(page.get_by_role("alert").first).to_be_visible()
    check(page, f"{where} access, refused")
    page.get_by_label(re.compile(words["email"].split()[0], re.I)).first.fill("aleroy@flexis.com")
    page.get_by_role("button", name=words["next"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    check(page, f"{where} access, proof step")

    page.goto(prod_app.url + "/sign-in")
    page.get_by_role("button", name=words["sign_in"]).click()
    check(page, f"{where} sign-in, refused")
    page.get_by_label(words["email"]).fill("hbernard@flexis.com")
    page.get_by_label(words["password"], exact=True).fill("Northwind-demo-2026")
    page.get_by_role("button", name=words["sign_in"]).click()
    expect(page.locator("#company-name")).to_have_text("Flexis")
    expect(page.locator("#tile-due")).to_be_visible()
    check(page, f"{where} /admin")
    page.locator("#account-menu").click()
    expect(page.get_by_role("menu")).to_be_visible()
    page.wait_for_timeout(300)
    check(page, f"{where} account menu")
    page.keyboard.press("Escape")

    navigation = page.get_by_role("navigation")
    navigation.get_by_role("link", name=words["contracts"]).click()
    expect(page.get_by_role("link", name="FLD102776277396")).to_be_visible()
    check(page, f"{where} contracts")
    page.get_by_role("link", name="FLD102776277396").click()
    expect(page.locator("#order-total")).to_be_visible()
    check(page, f"{where} order")
    sign = page.locator("#sign-authorize")
    if sign.count():  # not yet signed: the signature form, refused with its errors
        page.get_by_role("button", name=re.compile("Signer la commande|Sign the order")).click()
        expect(page.get_by_role("alert").first).to_be_visible()
        check(page, f"{where} order, signature refused")
    navigation.get_by_role("link", name=words["invoices"]).click()
    expect(page.get_by_role("link", name="F2026-00001")).to_be_visible()
    check(page, f"{where} invoices")
    page.get_by_role("link", name="F2026-00001").click()
    expect(page.locator("#invoice-title")).to_be_visible()
    check(page, f"{where} invoice page")
    page.go_back()
    page.get_by_role("button", name=re.compile(words["pay"])).first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    page.wait_for_timeout(300)
    check(page, f"{where} payment dialog")
    page.keyboard.press("Escape")
    page.goto(prod_app.url + "/admin/licences")
    expect(page.get_by_role("heading", name=words["holders"])).to_be_visible()
    check(page, f"{where} /admin/licences")
    page.get_by_role("button", name=words["assign"]).click()
    page.get_by_role("dialog").get_by_role("button", name=words["send"]).click()  # no address: refused
    expect(page.get_by_role("dialog").locator(".field-error:not(:empty)").first).to_be_visible()
    page.mouse.move(0, 0)  # colours at rest, not under the pointer that clicked
    page.wait_for_timeout(300)
    check(page, f"{where} assign dialog, refused")
    page.keyboard.press("Escape")
    for opener in ("import", "buy"):
        page.get_by_role("button", name=words[opener]).click()
        expect(page.get_by_role("dialog")).to_be_visible()
        page.wait_for_timeout(300)
        check(page, f"{where} {opener} dialog")
        page.keyboard.press("Escape")
        expect(page.get_by_role("dialog")).to_have_count(0)
    page.get_by_role("button", name=re.compile(f"^{words['unassign']} .*@flexis.com")).first.click()
    expect(page.get_by_role("alertdialog")).to_be_visible()
    page.wait_for_timeout(300)
    check(page, f"{where} unassign dialog")
    page.keyboard.press("Escape")

    # The admins, the invitation form with a refusal shown, the removal's confirmation
    page.goto(prod_app.url + "/admin/admins")
    expect(page.get_by_role("heading", name=words["matrix"])).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("claire.garnier"))).to_be_visible()
    check(page, f"{where} /admin/admins")
    page.get_by_role("button", name=words["invite"]).click()
    page.get_by_role("dialog").get_by_role("button", name=words["send_invite"]).click()  # no address: refused
    expect(page.get_by_role("dialog").locator(".field-error:not(:empty)").first).to_be_visible()
    page.mouse.move(0, 0)
    page.wait_for_timeout(300)
    check(page, f"{where} invite dialog, refused")
    page.keyboard.press("Escape")
    page.get_by_role("button", name=f"{words['remove_admin']} claire.garnier@cabinet-garnier.fr").click()
    expect(page.get_by_role("alertdialog")).to_be_visible()
    page.wait_for_timeout(300)
    check(page, f"{where} remove admin dialog")
    page.keyboard.press("Escape")

    # The activity log, and the account's security page (two-step verification, sessions)
    for path in ("/admin/activity", "/admin/security"):
        page.goto(prod_app.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.wait_for_timeout(1500)  # the rows, loaded after the frame
        check(page, f"{where} {path}")

    # The wallet, and each of its dialogs with a refusal shown
    page.goto(prod_app.url + "/admin/payment-methods")
    expect(page.get_by_role("heading", name=words["cards"])).to_be_visible()
    check(page, f"{where} payment methods")
    for opener, submit in (("add_card", "save_card"), ("add_mandate", "sign_mandate")):
        page.get_by_role("button", name=words[opener]).click()
        dialog = page.get_by_role("dialog")
        dialog.locator("input[name=holder_name]").fill("Hugo Bernard")
        dialog.get_by_role("button", name=words[submit]).click()  # the other fields empty: refused as typed
        expect(dialog.locator(".field-error:not(:empty)").first).to_be_visible()
        page.wait_for_timeout(300)
        check(page, f"{where} {opener} dialog, refused")
        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)
    page.get_by_role("button", name=re.compile(f"^{words['remove']} ")).first.click()
    expect(page.get_by_role("alertdialog")).to_be_visible()
    page.wait_for_timeout(300)
    check(page, f"{where} remove dialog")
    page.keyboard.press("Escape")


def test_titles_headings_focus_and_the_theme_toggle_speak_for_themselves(prod_app, prod_page):
    page = prod_page()
    page.goto(prod_app.url + "/sign-in")
    expect(page).to_have_title("Se connecter · Northwind Admin Center")
    toggle = page.get_by_role("button", name="Thème sombre")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    toggle.click()
    page.get_by_label("Adresse e-mail").fill("hbernard@flexis.com")
    page.get_by_label("Mot de passe", exact=True).fill("Northwind-demo-2026")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("#company-name")).to_have_text("Flexis")
    expect(page).to_have_title("Accueil · Northwind Admin Center")
    page.get_by_role("navigation").get_by_role("link", name="Factures").click()
    expect(page).to_have_title("Factures · Northwind Admin Center")
    expect(page.get_by_role("heading", level=1)).to_have_text("Factures")  # each page its own h1
    expect(page.get_by_role("heading", level=1)).to_be_focused()  # focus follows the route change
    page.get_by_role("radio", name="English").click()
    expect(page).to_have_title("Invoices · Northwind Admin Center")
    page.get_by_role("radio", name="Français").click()
    pay = page.get_by_role("button", name="Payer en ligne F2026-00005")
    pay.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(pay).to_be_focused()  # back to the control that opened it
