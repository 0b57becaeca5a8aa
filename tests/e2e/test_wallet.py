"""The wallet ("Modes de paiement") in Chromium: a card saved through 3-D Secure for every
contract at once, a card in use removed with its replacement chosen in the same dialog, a SEPA
mandate refused as mistyped then signed and downloaded, a contract switched to bank transfer."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.test_billing import _sign_in

pytestmark = pytest.mark.e2e


def _wallet(page, app_url):
    _sign_in(page, app_url)
    page.get_by_role("navigation").get_by_role("link", name="Modes de paiement").click()
    expect(page.get_by_role("heading", name="Cartes bancaires")).to_be_visible()


def _card(page, label):
    return page.locator(f'.method-card[data-method="{label}"]')


def test_a_new_card_through_3d_secure_pays_every_contract_in_three_clicks(new_page, app_url, inbox):
    page = new_page()
    _wallet(page, app_url)
    expect(page.locator("#wallet-expiring")).to_contain_text("Une carte expire bientôt")
    expect(_card(page, "Visa •••• 4242")).to_contain_text("Expire bientôt")
    page.get_by_role("button", name="Ajouter une carte").click()
    dialog = page.get_by_role("dialog")

    # A mistake is refused next to its field, as typed and by the server, and nothing is saved.
    dialog.get_by_label("Numéro de carte").fill("4000 0025 0000 3156")
    expect(dialog.locator("#card_number-check")).to_have_text("Ce numéro de carte n’est pas valide.")
    dialog.get_by_label("Numéro de carte").fill("4000 0025 0000 3155")
    dialog.locator("#card_expiry").fill("1229")
    dialog.locator("#card_cvc").fill("123")
    dialog.get_by_role("button", name="Enregistrer la carte").click()
    expect(dialog.locator("#holder_name-error")).to_have_text("Saisissez le nom du titulaire.")
    expect(dialog.get_by_label("Numéro de carte")).to_have_value("4000 0025 0000 3155")  # nothing typed is lost
    dialog.get_by_label("Nom du titulaire de la carte").fill("Hugo Bernard")
    mails_before = len(inbox.messages)

    # The three clicks once the card is entered: "use for all", save, and the bank's confirmation.
    dialog.get_by_text("Utiliser pour tous mes contrats").click()
    dialog.get_by_role("button", name="Enregistrer la carte").click()
    expect(page.get_by_role("heading", name="Authentification 3-D Secure")).to_be_visible()
    expect(page.get_by_text("Visa •••• 3155")).to_be_visible()
    page.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_text("Carte Visa •••• 3155 enregistrée.")).to_be_visible()

    page.get_by_role("link", name="Retour aux modes de paiement").click()
    new = _card(page, "Visa •••• 3155")
    expect(new).to_contain_text("Par défaut")
    expect(new).to_contain_text("Paie : CTR-FLX-2026, CTR-FLX-SUPPORT")
    expect(_card(page, "Visa •••• 4242")).to_contain_text("Ne paie aucun contrat")
    for number in ("CTR-FLX-2026", "CTR-FLX-SUPPORT"):
        row = page.get_by_role("table", name="Méthode de facturation").get_by_role("row", name=re.compile(number))
        expect(row.get_by_role("combobox")).to_have_text("Visa •••• 3155")
    notice = inbox.wait_for("compta@flexis.com", "Vos modes de paiement ont été modifiés — Flexis", after=mails_before)
    body = notice.get_body(preferencelist=("plain",)).get_content()
    assert "hbernard@flexis.com" in body and "La carte Visa •••• 3155 a été ajoutée." in body
    assert "CTR-FLX-2026, CTR-FLX-SUPPORT" in body and "/admin/payment-methods" in body


def test_removing_the_card_in_use_asks_which_method_takes_over(new_page, app_url):
    page = new_page()
    _wallet(page, app_url)
    in_use = page.locator('.method-card:has-text("Par défaut")').first
    label = in_use.get_attribute("data-method")
    in_use.get_by_role("button", name=re.compile("^Supprimer")).click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text(f"Supprimer la carte {label} ?")
    expect(dialog).to_contain_text("Choisissez celui qui prend le relais")
    dialog.get_by_role("combobox", name="Remplacé par").click()
    page.get_by_role("option", name="Virement bancaire").click()
    dialog.get_by_role("button", name="Supprimer la carte").click()
    expect(page.locator("#wallet-notice")).to_contain_text("Modification enregistrée")
    expect(_card(page, label)).to_have_count(0)
    table = page.get_by_role("table", name="Méthode de facturation")
    for number in ("CTR-FLX-2026", "CTR-FLX-SUPPORT"):
        expect(table.get_by_role("row", name=re.compile(number)).get_by_role("combobox")).to_have_text(
            "Virement bancaire")


def test_a_mistyped_iban_is_refused_as_typed_then_a_mandate_is_signed_and_downloads(new_page, app_url, inbox):
    page = new_page()
    _wallet(page, app_url)
    page.get_by_role("button", name="Ajouter un mandat SEPA").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("En signant ce formulaire de mandat, vous autorisez Northwind SAS")
    expect(dialog.locator("#mandate-creditor")).to_contain_text("FR72ZZZ123456")
    dialog.get_by_label("Titulaire du compte").fill("Flexis SAS")
    dialog.get_by_label("Adresse").fill("8 avenue des Ternes")
    dialog.get_by_label("Code postal").fill("75017")
    dialog.get_by_label("Ville").fill("Paris")
    iban = dialog.get_by_label("IBAN")
    iban.press_sequentially("fr1420041010050500013m02607")  # the last digit mistyped
    expect(iban).to_have_value("FR14 2004 1010 0505 0001 3M02 607")  # grouped by four as typed
    expect(dialog.locator("#iban-check")).to_have_text(
        "Cet IBAN contient une erreur de saisie : sa clé de contrôle ne correspond pas.")
    dialog.get_by_label("Votre nom complet, comme signature").fill("Hugo Bernard")
    dialog.get_by_text("J’autorise le créancier ci-dessus").click()
    dialog.get_by_role("button", name="Signer le mandat").click()  # the browser refuses to send it
    expect(dialog.locator("#iban-check")).not_to_be_empty()
    iban.fill("")
    iban.press_sequentially("FR1420041010050500013M02606")
    expect(dialog.locator("#iban-check")).to_be_empty()
    dialog.get_by_label("Votre nom complet, comme signature").click()  # leaving the IBAN checks it on the server
    expect(dialog.locator("#iban-bank")).to_contain_text("BIC PSSTFRPP")
    mails_before = len(inbox.messages)
    dialog.get_by_role("button", name="Signer le mandat").click()
    expect(page.locator("#wallet-notice")).to_contain_text("Mandat signé : Prélèvement SEPA •••• 2606")
    mandate = _card(page, "Prélèvement SEPA •••• 2606")
    expect(mandate).to_contain_text("FR•• •••• 2606 · BIC PSSTFRPP")
    expect(mandate).to_contain_text("Actif")
    reference = re.search(r"RUM\s*:\s*(LCA-\S+)", mandate.inner_text()).group(1)
    with page.expect_download() as download:
        mandate.get_by_role("button", name=f"Mandat PDF {reference}").click()
    assert download.value.suggested_filename == f"Mandat-SEPA-{reference}.pdf"
    text = " ".join(PdfReader(download.value.path()).pages[0].extract_text().split())
    assert reference in text and "FR72ZZZ123456" in text and "FR14 2004 1010 0505 0001 3M02 606" in text
    signed = inbox.wait_for("hbernard@flexis.com", f"Votre mandat de prélèvement SEPA {reference} — Flexis",
                            after=mails_before)
    assert [part.get_filename() for part in signed.iter_attachments()] == [f"Mandat-SEPA-{reference}.pdf"]
    inbox.wait_for("compta@flexis.com", f"Votre mandat de prélèvement SEPA {reference} — Flexis", after=mails_before)


def test_a_contract_switches_to_bank_transfer_at_once(new_page, app_url, inbox):
    page = new_page(width=375)
    _wallet(page, app_url)
    first_change = len(inbox.messages)
    table = page.get_by_role("table", name="Méthode de facturation")
    row = table.get_by_role("row", name=re.compile("CTR-FLX-SUPPORT"))
    row.get_by_role("combobox").click()
    choice = page.get_by_role("option", name=re.compile("Prélèvement SEPA"))
    if choice.count() == 0:  # this test alone: the demo card is the only method
        choice = page.get_by_role("option", name="Visa •••• 4242")
    chosen = choice.first.inner_text()
    choice.first.click()
    expect(page.locator("#wallet-notice")).to_contain_text("Modification enregistrée")
    expect(row.get_by_role("combobox")).to_have_text(chosen)
    inbox.wait_for("compta@flexis.com", "Vos modes de paiement ont été modifiés — Flexis", after=first_change)
    mails_before = len(inbox.messages)
    row.get_by_role("combobox").click()
    page.get_by_role("option", name="Virement bancaire").click()
    expect(row.get_by_role("combobox")).to_have_text("Virement bancaire")
    notice = inbox.wait_for("compta@flexis.com", "Vos modes de paiement ont été modifiés — Flexis", after=mails_before)
    assert "Le contrat CTR-FLX-SUPPORT est désormais payé par Virement bancaire" in \
        notice.get_body(preferencelist=("plain",)).get_content()
