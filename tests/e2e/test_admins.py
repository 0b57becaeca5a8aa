"""Admins in Chromium, on the production build: hbernard invites a billing admin, who accepts from
the e-mail's link with an account of their own; hbernard lowers them to billing reader (their next
click signs them out; signed in again they download an invoice and find no pay or sign button),
then removes them (their next click is refused); the accountant of the demo data switches between
Flexis, where she sees one contract, and Acme."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.test_billing import _sign_in

pytestmark = pytest.mark.e2e

INVITEE = "expert.comptable@cabinet.example"
ACCOUNT = "lea.expert@perso.example"
PASSWORD = "un acces pour Lea 2026"


def _row(page, email: str):
    return page.get_by_role("row", name=re.compile(re.escape(email)))


def _change_role(admin, email: str, role: str) -> None:
    _row(admin, email).get_by_role("button", name=f"Modifier {email}").click()
    dialog = admin.get_by_role("dialog")
    dialog.get_by_role("combobox", name="Rôle").click()
    admin.get_by_role("option", name=role, exact=True).click()
    dialog.get_by_role("button", name="Enregistrer").click()
    expect(admin.locator("#admins-notice")).to_contain_text(f"L’accès de {email} est modifié.")


def test_an_invited_admin_is_lowered_then_removed_and_each_change_reaches_their_next_click(prod_app, prod_page,
                                                                                           inbox):
    admin = prod_page()
    _sign_in(admin, prod_app.url)
    admin.get_by_role("navigation").get_by_role("link", name="Administrateurs").click()
    expect(_row(admin, "hbernard@flexis.com")).to_contain_text("Administrateur")
    expect(admin.locator("#role-matrix")).to_contain_text("Lecteur de la facturation")
    admin.get_by_role("button", name="Inviter un administrateur").click()
    dialog = admin.get_by_role("dialog")
    dialog.get_by_label("Adresse e-mail").fill(INVITEE)
    dialog.get_by_role("combobox", name="Rôle").click()
    admin.get_by_role("option", name="Administrateur de la facturation", exact=True).click()
    sent = len(inbox.messages)
    dialog.get_by_role("button", name="Envoyer l’invitation").click()
    expect(admin.locator("#admins-notice")).to_contain_text(f"Invitation envoyée à {INVITEE}.")
    expect(_row(admin, INVITEE)).to_contain_text("Invité")

    mail = inbox.wait_for(INVITEE, "Hugo Bernard vous invite à administrer Flexis", after=sent)
    link = re.search(r"https?://\S+/invitation/[A-Za-z0-9_-]+", mail.get_body(preferencelist=("plain",)).get_content())
    invitee = prod_page()
    invitee.goto(link.group(0))
    expect(invitee.get_by_role("heading", name="Invitation à administrer")).to_be_visible()
    invitee.get_by_role("link", name="Créer un compte").click()
    invitee.get_by_label("Nom complet").fill("Léa Expert")
    invitee.get_by_label("Adresse e-mail").fill(ACCOUNT)  # any address will do
    invitee.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    invitee.get_by_role("button", name="S’inscrire").click()
    expect(invitee).to_have_url(re.compile("/invitation/"))
    invitee.get_by_role("button", name="Accepter l’invitation").click()
    expect(invitee.locator("#invitation-done")).to_contain_text("Administrateur de la facturation pour Flexis")
    invitee.get_by_role("link", name="Ouvrir l’Admin Center").click()
    navigation = invitee.get_by_role("navigation")
    expect(navigation.get_by_role("link", name="Factures")).to_be_visible()
    expect(navigation.get_by_role("link", name="Administrateurs")).to_have_count(0)
    navigation.get_by_role("link", name="Factures").click()
    expect(invitee.get_by_role("button", name=re.compile("^Payer")).first).to_be_visible()

    admin.reload()
    expect(_row(admin, ACCOUNT)).to_contain_text("Actif")
    _change_role(admin, ACCOUNT, "Lecteur de la facturation")
    invitee.get_by_role("navigation").get_by_role("link", name="Contrats et commandes").click()
    expect(invitee).to_have_url(re.compile("/sign-in"))  # lowered: their sessions ended
    invitee.get_by_label("Adresse e-mail").fill(ACCOUNT)
    invitee.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    invitee.get_by_role("button", name="Se connecter").click()
    expect(invitee.locator("#company-name")).to_have_text("Flexis")
    invitee.goto(prod_app.url + "/admin/invoices")
    table = invitee.get_by_role("table", name="Factures")
    expect(table.get_by_role("row").nth(1)).to_be_visible()
    expect(invitee.get_by_role("button", name=re.compile("^Payer"))).to_have_count(0)
    number = table.get_by_role("row").nth(1).get_by_role("rowheader").inner_text().strip()
    with invitee.expect_download() as download:
        invitee.get_by_role("button", name=f"{number} PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    invitee.goto(prod_app.url + "/admin/contracts")
    invitee.get_by_role("link", name="FLD102776277396").click()
    expect(invitee.get_by_role("button", name="Signer la commande")).to_have_count(0)
    invitee.goto(prod_app.url + "/admin/admins")  # a direct address to a section the role lacks
    expect(invitee.locator("#section-forbidden")).to_be_visible()

    admin.reload()
    _row(admin, ACCOUNT).get_by_role("button", name=f"Retirer {ACCOUNT}").click()
    admin.get_by_role("alertdialog").get_by_role("button", name="Retirer l’accès").click()
    expect(admin.locator("#admins-notice")).to_contain_text(f"{ACCOUNT} n’a plus accès à votre entreprise.")
    invitee.get_by_role("navigation").get_by_role("link", name="Factures").click()
    expect(invitee).to_have_url(re.compile("/sign-in"))  # removed: refused at once

    # The activity log shows these changes, and exports them.
    admin.get_by_role("navigation").get_by_role("link", name=re.compile("Journal d.activité")).click()
    admin.get_by_role("combobox", name="Catégorie").click()
    admin.get_by_role("option", name="Administrateurs et accès").click()
    table = admin.get_by_role("table", name=re.compile("Événements du journal"))
    for sentence in ("Invitation d’administrateur envoyée", "Invitation d’administrateur acceptée", "Rôle modifié",
                     "Accès retiré"):
        expect(table.get_by_role("row", name=re.compile(sentence)).first).to_be_visible()
    expect(table.get_by_role("row", name=re.compile("Accès retiré")).first).to_contain_text("Hugo Bernard")
    with admin.expect_download() as download:
        admin.get_by_role("button", name="Exporter (CSV)").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Accès retiré" in exported and "Rôle modifié" in exported and ACCOUNT in exported


def test_the_accountant_switches_company_and_sees_only_her_contract_in_flexis(prod_app, prod_page):
    page = prod_page()
    _sign_in(page, prod_app.url, email="claire.garnier@cabinet-garnier.fr")
    page.get_by_role("navigation").get_by_role("link", name="Contrats et commandes").click()
    contracts = page.get_by_role("table", name="Contrats", exact=True)
    expect(contracts.get_by_role("row", name=re.compile("^CTR-FLX-2026"))).to_be_visible()
    expect(contracts.get_by_role("row", name=re.compile("^CTR-FLX-SUPPORT"))).to_have_count(0)
    page.get_by_role("combobox", name="Changer d’entreprise").click()
    page.get_by_role("option", name=re.compile("^Acme")).click()
    expect(page.locator("#company-name")).to_have_text("Acme Logistique")
    page.get_by_role("navigation").get_by_role("link", name="Contrats et commandes").click()
    expect(page.get_by_role("table", name="Contrats", exact=True)
           .get_by_role("row", name=re.compile("^CTR-ACM-2026"))).to_be_visible()
