"""Licences in Chromium, on the production build (one origin, as the sign-up's cookie hand-off
needs): hbernard assigns a seat to a new address, the invitee signs up from the e-mail's link and
activates it, the holder shows "Actif"; removing the licence frees the seat."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_billing import _sign_in

pytestmark = pytest.mark.e2e

SNA = '[data-pool="CTR-FLX-2026:SNA"]'


def _counts(assigned: int, purchased: int, available: int) -> re.Pattern:
    """A pool's line, "Attribuées : 9 sur 12 · disponibles : 3" (French puts a thin space before ":")."""
    return re.compile(rf"Attribuées\s?: {assigned} sur {purchased} · disponibles\s?: {available}")


def test_a_seat_assigned_by_e_mail_is_activated_by_the_invitee_then_removed(prod_app, prod_page, inbox):
    admin = prod_page()
    _sign_in(admin, prod_app.url)
    admin.get_by_role("navigation").get_by_role("link", name="Licences", exact=True).click()
    pool = admin.locator(SNA)
    expect(pool).to_contain_text(_counts(9, 12, 3))
    admin.get_by_role("button", name="Attribuer des licences").click()
    dialog = admin.get_by_role("dialog")
    dialog.get_by_role("combobox", name="Licence").click()
    admin.get_by_role("option", name=re.compile("Sales Navigator Advanced · CTR-FLX-2026")).click()
    emails = dialog.get_by_label("Adresses e-mail")
    emails.fill("nouvelle.recrue@flexis.com, pas-une-adresse")
    dialog.get_by_role("combobox", name="Langue de l’e-mail d’invitation").focus()  # leaving the field checks it
    expect(dialog.locator("#emails-refused")).to_contain_text("pas-une-adresse")
    dialog.get_by_role("button", name="Envoyer les invitations").click()  # refused: nothing is sent
    expect(dialog.locator("#emails-error")).to_contain_text("n’est pas une adresse e-mail valide")
    emails.fill("nouvelle.recrue@flexis.com")
    dialog.get_by_role("combobox", name="Langue de l’e-mail d’invitation").focus()
    expect(dialog.locator("#emails-checked")).to_have_text("1 adresse valide.")
    sent = len(inbox.messages)
    dialog.get_by_role("button", name="Envoyer les invitations").click()
    expect(admin.locator("#licences-notice")).to_contain_text("Invitation envoyée à nouvelle.recrue@flexis.com.")
    expect(pool).to_contain_text(_counts(10, 12, 2))

    mail = inbox.wait_for("nouvelle.recrue@flexis.com", "Vous avez reçu une licence Sales Navigator Advanced",
                          after=sent)
    link = re.search(r"https?://\S+/licence/[A-Za-z0-9_-]+", mail.get_body(preferencelist=("plain",)).get_content())
    invitee = prod_page()
    invitee.goto(link.group(0))
    expect(invitee.get_by_role("heading", name="Vous avez reçu une licence")).to_be_visible()
    expect(invitee.get_by_text("Flexis vous attribue une licence")).to_be_visible()
    invitee.get_by_role("link", name="Créer un compte").click()
    invitee.get_by_label("Nom complet").fill("Nina Nouvelle")
    invitee.get_by_label("Adresse e-mail").fill("nina.nouvelle@perso.example")  # any address will do
    invitee.get_by_label("Mot de passe", exact=True).fill("une licence pour Nina 2026")
    invitee.get_by_role("button", name="S’inscrire").click()
    expect(invitee).to_have_url(re.compile("/licence/"))  # back on the link once signed up
    invitee.get_by_role("button", name="Activer ma licence").click()
    expect(invitee.locator("#licence-done")).to_have_text("Votre licence Sales Navigator Advanced de Flexis est active.")

    admin.reload()
    admin.get_by_label("Rechercher un titulaire").fill("nouvelle.recrue")
    row = admin.get_by_role("table", name="Titulaires").get_by_role("row", name=re.compile("nouvelle.recrue"))
    expect(row).to_contain_text("Actif")
    expect(row).to_contain_text("Nina Nouvelle")
    row.get_by_role("button", name="Retirer nouvelle.recrue@flexis.com").click()
    confirm = admin.get_by_role("alertdialog")
    expect(confirm).to_contain_text("Retirer la licence de nouvelle.recrue@flexis.com ?")
    confirm.get_by_role("button", name="Retirer la licence").click()
    expect(admin.locator("#licences-notice")).to_contain_text("Licence retirée à nouvelle.recrue@flexis.com")
    expect(pool).to_contain_text(_counts(9, 12, 3))
    inbox.wait_for("nouvelle.recrue@flexis.com", "Votre licence Sales Navigator Advanced a été retirée", after=sent)


def test_a_csv_with_a_bad_line_shows_its_verdicts_and_applies_nothing_until_fixed(prod_app, prod_page):
    page = prod_page()
    _sign_in(page, prod_app.url)
    page.goto(prod_app.url + "/admin/licences")
    pool = page.locator('[data-pool="CTR-FLX-2026:LRN"]')
    expect(pool).to_contain_text(_counts(3, 5, 2))
    page.get_by_role("button", name="Importer un fichier CSV").click()
    dialog = page.get_by_role("dialog")
    upload = dialog.locator("input[type=file]")
    upload.set_input_files(files=[{"name": "equipe.csv", "mimeType": "text/csv",
                                   "buffer": b"email,product\nmarie.curie@flexis.com,LRN\nnot-an-address,LRN\n"}])
    expect(dialog.locator("#import-counts")).to_have_text(re.compile(r"Lignes prêtes\s?: 1 · à corriger\s?: 1"))
    expect(dialog.get_by_role("row", name=re.compile("not-an-address"))).to_contain_text("Adresse e-mail non valide")
    expect(dialog.get_by_role("button", name="Appliquer")).to_be_disabled()
    upload.set_input_files(files=[{"name": "equipe.csv", "mimeType": "text/csv",
                                   "buffer": b"marie.curie@flexis.com;LRN\n"}])  # semicolons: said so
    expect(dialog.locator("#licences-csv-error")).to_contain_text("points-virgules")
    upload.set_input_files(files=[{"name": "equipe.csv", "mimeType": "text/csv",
                                   "buffer": b"email,product\nmarie.curie@flexis.com,LRN\n"}])
    expect(dialog.locator("#import-counts")).to_have_text(re.compile(r"Lignes prêtes\s?: 1 · à corriger\s?: 0"))
    dialog.get_by_role("button", name="Appliquer").click()
    expect(page.locator("#licences-notice")).to_contain_text(re.compile(r"Invitations envoyées\s?: 1\."))
    expect(pool).to_contain_text(_counts(4, 5, 1))


def test_buying_three_seats_goes_through_the_order_form_and_its_signature(prod_app, prod_page):
    page = prod_page()
    _sign_in(page, prod_app.url)
    page.goto(prod_app.url + "/admin/licences")
    pool = page.locator(SNA)
    expect(pool).to_contain_text(re.compile(r"sur 12 · disponibles\s?: 3"))
    page.get_by_role("button", name="Acheter des licences supplémentaires").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("combobox", name="Licence").click()
    page.get_by_role("option", name=re.compile("Sales Navigator Advanced · CTR-FLX-2026")).click()
    quantity = dialog.get_by_label("Nombre de licences")
    quantity.fill("0")
    expect(dialog.locator("#buy-quantity-error")).to_contain_text("entre 1 et 1 000")
    quantity.fill("3")
    expect(dialog.locator("#buy-total")).to_contain_text("TTC")
    dialog.get_by_role("button", name="Préparer la commande").click()

    expect(page).to_have_url(re.compile(r"/admin/orders/A2026\d+"))  # the order form, to sign
    expect(page.get_by_text(re.compile("Licences supplémentaires Sales Navigator Advanced")).first).to_be_visible()
    page.get_by_label("Nom complet du signataire").fill("Hugo Bernard")
    page.get_by_role("checkbox", name=re.compile("autorise Northwind")).click()
    page.get_by_role("button", name="Signer la commande").click()
    expect(page.locator("#signed-note")).to_contain_text("Commande signée par Hugo Bernard")

    page.goto(prod_app.url + "/admin/licences")
    expect(pool).to_contain_text(re.compile(r"sur 15 · disponibles\s?: 6"))  # three more, at once
