"""Contracts, orders and invoices in Chromium: the seed's order form, its e-signature, downloads."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from facturx import get_facturx_xml_from_pdf
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from pypdf import PdfReader

pytestmark = pytest.mark.e2e


ACME = ("pdurand@acme-logistique.fr", "Northwind-demo-2026", "Acme Logistique")


def _sign_in(page, app_url, email="hbernard@flexis.com", password="Northwind-demo-2026", company="Flexis"):
    page.goto(app_url + "/sign-in")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("#company-name")).to_have_text(company)


def sign_out(page, name="Se déconnecter"):
    """Through the header's account menu (opened again if the page, still loading its data,
    redrew the header under it)."""
    for attempt in range(3):
        page.locator("#account-menu").click()
        try:
            page.get_by_role("menuitem", name=name).click(timeout=5_000)
            return
        except PlaywrightTimeout:
            if attempt == 2:
                raise


@pytest.fixture
def aleroy(e2e_db_url):
    """Anne Leroy's account, billing admin of Flexis, as the activation journey leaves it (created
    here when this module runs on its own)."""
    from sqlmodel import select

    from lcadmin.db import create_engine, session_scope
    from lcadmin.domain.permissions import Role
    from lcadmin.models import Membership, UserAccount, utcnow
    from lcadmin.services.accounts import sign_up
    from tests.factories import context

    engine = create_engine(e2e_db_url)
    with session_scope(engine) as session:
        user = session.exec(select(UserAccount).where(UserAccount.email == "anne.leroy@perso.example")).first()
        if user is None:
            account = sign_up(session, context(now=utcnow(), ip=None), full_name="Anne Leroy",
                              email="anne.leroy@perso.example", password="un long chemin vers la facture")
            session.add(Membership(user_id=account.user_id, company_id=1, role=Role.BILLING_ADMIN.value))
    engine.dispose()
    return "anne.leroy@perso.example", "un long chemin vers la facture"


def test_the_order_form_shows_the_seeds_fields_and_is_signed(new_page, app_url, aleroy):
    page = new_page()
    _sign_in(page, app_url, *aleroy)
    page.get_by_role("navigation").get_by_role("link", name="Contrats et commandes").click()
    page.get_by_role("link", name="FLD102776277396").click()
    expect(page.get_by_role("heading", name="Formulaire de commande pour Flexis")).to_be_visible()
    for text in ("Contact principal", "Contact de facturation", "Adresse de facturation", "Numéro de commande",
                 "Information sur la commande", "Date de début", "Date de fin", "Fréquence de facturation",
                 "Méthode de facturation", "Modalité de paiement", "Devise", "Sous-total", "Taxe estimée",
                 "Montant estimé de la commande (€)", "Je signe ici et autorise Northwind"):
        expect(page.get_by_text(text, exact=True).first).to_be_visible()
    expect(page.locator("#order-subtotal")).to_have_text(re.compile(r"3\s600,00\s€"))

    expect(page.locator("#sign-amount")).to_contain_text(re.compile(r"4\s320,00\s€"))  # what is signed for
    expect(page.locator('.order-step[aria-current="step"]')).to_contain_text("Signer")
    page.get_by_role("button", name="Signer la commande").click()
    expect(page.get_by_text("Saisissez votre nom complet.")).to_be_visible()
    page.get_by_label("Nom complet du signataire").fill("Anne Leroy")
    expect(page.get_by_text("Saisissez votre nom complet.")).to_be_hidden()  # gone as she types
    page.get_by_role("button", name="Signer la commande").click()
    expect(page.get_by_text("Cochez la case d’autorisation pour signer.")).to_be_visible()
    page.get_by_role("checkbox", name=re.compile("autorise Northwind")).click()
    expect(page.get_by_text("Cochez la case d’autorisation pour signer.")).to_be_hidden()
    page.get_by_role("button", name="Signer la commande").click()
    expect(page.locator("#signed-note")).to_contain_text("Commande signée par Anne Leroy")
    expect(page.get_by_role("button", name="Signer la commande")).to_have_count(0)

    with page.expect_download() as download:
        page.get_by_role("button", name="Bon de commande (PDF)").click()
    assert download.value.suggested_filename == "FLD102776277396.pdf"
    reader = PdfReader(download.value.path())
    assert len(reader.pages) == 2 and "Anne Leroy" in reader.pages[1].extract_text()

    # "Accéder au paiement en ligne": a declined card first, then 4242 4242 4242 4242.
    expect(page.get_by_text("Terminez cette commande en utilisant notre option de paiement en ligne")).to_be_visible()
    page.get_by_role("button", name="Payer en ligne").click()
    dialog = page.get_by_role("dialog")
    _card(dialog, "4000 0000 0000 0002")
    expect(dialog.get_by_text("Paiement refusé par la banque. Essayez une autre carte.")).to_be_visible()
    _card(dialog, "4242 4242 4242 4242")
    expect(page.locator("#payment-succeeded")).to_contain_text("la facture F2026-00006 est payée")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_text("Payée", exact=True).first).to_be_visible()
    # Review, sign, pay: all three done, with when it was paid, its invoice and its receipt.
    steps = page.get_by_role("list", name="Étapes de la commande")
    expect(steps.locator(".order-step.done")).to_have_count(3)
    expect(page.locator("#order-paid")).to_contain_text("Commande payée le")
    expect(page.locator("#order-paid").get_by_role("link", name="Facture F2026-00006")).to_be_visible()
    expect(page.locator("#order-paid").get_by_role("button", name=re.compile(r"^Reçu R2026-\d{5}$"))).to_be_visible()


def _card(dialog, number: str) -> None:
    dialog.get_by_label("Numéro de carte").fill(number)
    dialog.get_by_label("Date d’expiration (MM/AA)").fill("12/30")
    dialog.get_by_label("Cryptogramme (CVC)").fill("123")
    dialog.get_by_role("button", name=re.compile(r"^Payer [0-9€][0-9\s,.€]*$")).click()


def test_an_open_invoice_is_paid_after_3d_secure(new_page, app_url):
    page = new_page()
    _sign_in(page, app_url)
    page.get_by_role("navigation").get_by_role("link", name="Factures").click()
    page.get_by_role("button", name="Payer en ligne F2026-00005").click()
    _card(page.get_by_role("dialog"), "4000 0025 0000 3155")
    expect(page.get_by_role("heading", name="Authentification 3-D Secure")).to_be_visible()
    expect(page.get_by_text(re.compile(r"180,00\s€"))).to_be_visible()
    page.get_by_role("button", name="Confirmer le paiement").click()
    expect(page.get_by_text("la facture F2026-00005 est payée")).to_be_visible()
    page.get_by_role("link", name="Retour à l’Admin Center").click()
    expect(page.get_by_role("table", name="Factures").get_by_role("row", name=re.compile("F2026-00005"))).to_contain_text("Payée")

    # Its receipt is in the payments history, and the invoice's own page says it is paid.
    history = page.get_by_role("table", name="Historique des paiements")
    receipt = history.get_by_role("row", name=re.compile("F2026-00005"))
    number = receipt.get_by_role("rowheader").inner_text()
    assert re.fullmatch(r"R2026-\d{5}", number) and "VISA •••• 3155" in receipt.inner_text()
    page.get_by_role("link", name="F2026-00005").first.click()
    expect(page.locator("#invoice-title")).to_have_text("Facture F2026-00005")
    expect(page.locator("#paid-note")).to_contain_text("Acquittée le")
    expect(page.locator("#paid-note")).to_contain_text("par carte bancaire")
    expect(page.locator('#invoice-lines [data-label="Reste à payer"]')).to_have_text(re.compile(r"0,00\s€"))
    with page.expect_download() as download:
        page.get_by_role("button", name=f"Reçu (PDF) {number}").click()
    assert download.value.suggested_filename == f"Recu-{number}.pdf"
    text = PdfReader(download.value.path()).pages[0].extract_text()
    assert "Reçu de paiement" in text and number in text and "F2026-00005" in text
    with page.expect_download() as download:
        page.get_by_role("button", name="PDF", exact=True).click()
    assert "Acquittée le" in PdfReader(download.value.path()).pages[0].extract_text()


def test_invoices_download_as_pdf_and_facturx(new_page, app_url, aleroy):
    page = new_page()
    _sign_in(page, app_url, *aleroy)
    page.get_by_role("navigation").get_by_role("link", name="Factures").click()
    row = page.get_by_role("row", name=re.compile("F2026-00001"))
    expect(row).to_contain_text("Payée")
    # At 1280 px a row's actions fit on one line, with nothing to scroll sideways.
    assert page.evaluate("[...document.querySelectorAll('.table-scroll')].every(t => t.scrollWidth <= t.clientWidth)")
    for name in ("Payer en ligne F2026-00005", "F2026-00005 Factur-X"):
        if page.get_by_role("button", name=name).count():
            _inside_the_screen(page.get_by_role("button", name=name), 1240)
    with page.expect_download() as download:
        page.get_by_role("button", name="F2026-00001 PDF").click()
    assert download.value.suggested_filename == "F2026-00001.pdf"
    text = PdfReader(download.value.path()).pages[0].extract_text()
    assert "F2026-00001" in text and "Flexis SAS" in text
    with page.expect_download() as download:
        page.get_by_role("button", name="F2026-00001 Factur-X").click()
    with open(download.value.path(), "rb") as handle:
        filename, xml = get_facturx_xml_from_pdf(BytesIO(handle.read()))
    assert filename == "factur-x.xml" and b"<ram:ID>F2026-00001</ram:ID>" in xml


def test_the_order_form_in_english(new_page, app_url):
    page = new_page(locale="en-US")
    page.goto(app_url + "/sign-in")
    page.get_by_label("E-mail address").fill("pdurand@acme-logistique.fr")
    page.get_by_label("Password", exact=True).fill("Northwind-demo-2026")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#company-name")).to_have_text("Acme Logistique")
    page.get_by_role("navigation").get_by_role("link", name="Contracts and orders").click()
    page.get_by_role("link", name="ACM204455120087").click()
    expect(page.get_by_role("heading", name="Order form for Acme Logistique")).to_be_visible()
    for text in ("Primary contact", "Billing contact", "Billing address", "Order information", "Billing frequency",
                 "Quarterly", "Estimated tax", "Estimated order amount (€)", "€8,400.00"):
        expect(page.get_by_text(text, exact=True).first).to_be_visible()
    expect(page.get_by_text("Go to online payment")).to_be_visible()


def test_the_card_form_formats_and_checks_as_typed_on_a_phone_and_keeps_what_was_typed(new_page, app_url):
    page = new_page(width=375)
    _sign_in(page, app_url, *ACME)  # Acme's overdue invoice: no test here pays it
    page.get_by_role("navigation").get_by_role("link", name="Factures").click()
    page.get_by_role("button", name="Payer en ligne F2026-00004").click()
    dialog = page.get_by_role("dialog")
    number, expiry, cvc = (dialog.get_by_label(label) for label in
                           ("Numéro de carte", "Date d’expiration (MM/AA)", "Cryptogramme (CVC)"))
    number.press_sequentially("4242424242424241")
    expect(number).to_have_value("4242 4242 4242 4241")  # grouped as typed
    expect(dialog.locator("#card-brand")).to_have_text("Visa")
    expect(dialog.locator("#card_number-check")).to_have_text("Ce numéro de carte n’est pas valide.")
    expect(number).to_have_attribute("aria-invalid", "true")
    number.press("Backspace")
    number.press_sequentially("2")
    expect(dialog.locator("#card_number-check")).to_have_text("")
    expiry.press_sequentially("1220")  # a phone's numeric keypad has no "/"
    expect(expiry).to_have_value("12 / 20")
    expect(dialog.locator("#card_expiry-check")).to_have_text("Cette carte a expiré.")
    for _ in range(2):
        expiry.press("Backspace")
    expiry.press_sequentially("30")
    expect(expiry).to_have_value("12 / 30")
    expect(dialog.locator("#card_expiry-check")).to_have_text("")
    cvc.press_sequentially("12345")
    expect(cvc).to_have_value("123")  # three digits on a Visa card
    number.fill("")
    number.press_sequentially("378282246310005")
    expect(number).to_have_value("3782 822463 10005")
    expect(dialog.locator("#card-brand")).to_have_text("American Express")
    expect(dialog.locator("#card_cvc-check")).to_contain_text("4 chiffres")
    dialog.get_by_role("button", name=re.compile(r"^Payer [0-9€][0-9\s,.€]*$")).click()  # refused in the browser: nothing sent
    expect(cvc).to_be_focused()
    # A declined card: the message is the form's, and every field keeps what was typed.
    number.fill("")
    number.press_sequentially("4000000000000002")
    cvc.fill("")
    cvc.press_sequentially("123")
    dialog.get_by_role("button", name=re.compile(r"^Payer [0-9€][0-9\s,.€]*$")).click()
    expect(dialog.get_by_text("Paiement refusé par la banque. Essayez une autre carte.")).to_be_visible()
    expect(number).to_have_value("4000 0000 0000 0002")
    expect(expiry).to_have_value("12 / 30")
    expect(cvc).to_have_value("123")
    box = dialog.get_by_role("button", name=re.compile(r"^Payer [0-9€][0-9\s,.€]*$")).bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375


@pytest.fixture
def slow_server(monkeypatch):
    """The app's use cases take 1.5 s more (the dev harness runs the backend in this process)."""
    import time

    from lcadmin.services import admin_center, payments

    def slowed(work):
        def slow(*args, **kwargs):
            time.sleep(1.5)
            return work(*args, **kwargs)
        return slow

    monkeypatch.setattr(admin_center, "list_invoices", slowed(admin_center.list_invoices))
    monkeypatch.setattr(payments, "pay", slowed(payments.pay))


@pytest.mark.parametrize("width", [1280, 375])
def test_a_slow_server_shows_skeleton_rows_and_a_working_button(new_page, app_url, slow_server, width):
    page = new_page(width=width)
    _sign_in(page, app_url, *ACME)
    page.get_by_role("navigation").get_by_role("link", name="Factures").click()
    expect(page.locator(".list-loading").first).to_be_visible()  # not "Aucune facture pour le moment"
    expect(page.get_by_text("Aucune facture pour le moment")).to_have_count(0)
    expect(page.locator(".list-loading")).to_have_count(0, timeout=10_000)
    expect(page.get_by_text("F2026-00004").first).to_be_visible()
    page.get_by_role("button", name="Payer en ligne F2026-00004").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Numéro de carte").fill("4000 0000 0000 0002")
    dialog.get_by_label("Date d’expiration (MM/AA)").fill("12/30")
    dialog.get_by_label("Cryptogramme (CVC)").fill("123")
    dialog.get_by_role("button", name=re.compile(r"^Payer [0-9€][0-9\s,.€]*$")).click()
    working = dialog.get_by_role("button", name="Paiement en cours…")
    expect(working).to_be_visible()
    expect(working).to_be_disabled()
    expect(dialog.get_by_label("Numéro de carte")).to_have_value("4000 0000 0000 0002")  # not cleared
    expect(dialog.get_by_text("Paiement refusé par la banque. Essayez une autre carte.")).to_be_visible(timeout=10_000)
    expect(dialog.get_by_role("button", name=re.compile(r"^Payer [0-9€][0-9\s,.€]*$"))).to_be_enabled()


def _inside_the_screen(locator, width=375) -> None:
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box


def test_on_a_phone_rows_become_cards_with_their_amounts_and_actions_in_view(new_page, app_url):
    page = new_page(width=375)
    _sign_in(page, app_url)
    page.get_by_role("navigation").get_by_role("link", name="Factures").click()
    row = page.get_by_role("row", name=re.compile("F2026-00001"))
    for text in ("Total TTC", "Statut", "Télécharger"):  # each line says what it is
        expect(row.locator(f'[data-label="{text}"]')).to_be_visible()
    _inside_the_screen(row.locator('[data-label="Total TTC"]'))
    _inside_the_screen(page.get_by_role("button", name="F2026-00001 Factur-X"))
    if page.get_by_role("button", name="Payer en ligne F2026-00005").count():  # until another test pays it
        _inside_the_screen(page.get_by_role("button", name="Payer en ligne F2026-00005"))
    page.get_by_role("navigation").get_by_role("link", name="Contrats et commandes").click()
    _inside_the_screen(page.get_by_role("row", name=re.compile("FLD102776277396")).locator('[data-label="Total TTC"]'))
    page.get_by_role("link", name="FLD102776277396").click()
    for amount in ("#order-subtotal", "#order-total"):  # the totals, above "Signer la commande"
        expect(page.locator(amount)).to_be_visible()
        _inside_the_screen(page.locator(amount))
    line = page.get_by_role("table", name="Détail de la commande").get_by_role("row").nth(1)
    for label in ("Prix unitaire HT", "Montant HT"):
        _inside_the_screen(line.locator(f'[data-label="{label}"]'))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_switching_language_mid_page_changes_every_status_date_and_amount(new_page, app_url):
    page = new_page()
    _sign_in(page, app_url)
    page.get_by_role("navigation").get_by_role("link", name="Factures").click()
    row = page.get_by_role("table", name="Factures").get_by_role("row", name=re.compile("F2026-00001"))
    expect(row).to_contain_text("Payée")
    expect(row).to_contain_text(re.compile(r"4\s320,00\s€"))
    table = page.get_by_role("table", name="Factures")
    expect(page.locator(".row-count").first).to_have_text(f"{table.get_by_role('rowheader').count()} documents")
    header = page.get_by_role("columnheader", name="Numéro")
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(page.get_by_role("table", name="Factures").get_by_role("rowheader").first).to_have_text("F2026-00001")
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    page.get_by_role("radio", name="English").click()  # no reload
    row = page.get_by_role("table", name="Invoices").get_by_role("row", name=re.compile("F2026-00001"))
    expect(row).to_contain_text("Paid")
    expect(row).to_contain_text("€4,320.00")
    expect(row).to_contain_text("Jan 2026")
    expect(page.get_by_text("Payée")).to_have_count(0)
    page.get_by_role("link", name="F2026-00001").first.click()
    expect(page.locator("#paid-note")).to_contain_text("Paid on")
    page.get_by_role("radio", name="Français").click()
    expect(page.locator("#paid-note")).to_contain_text("Acquittée le")


@pytest.mark.parametrize("width", [1280, 375])
def test_home_of_the_admin_center_shows_what_is_due_late_to_sign_and_paid(new_page, app_url, width):
    page = new_page(width=width)
    _sign_in(page, app_url, *ACME)  # lands on "Accueil"
    expect(page.locator("#tile-due")).to_contain_text("À payer")
    expect(page.locator("#overview-overdue")).to_contain_text("en retard")
    expect(page.locator("#tile-sign")).to_contain_text("Aucune commande n’attend votre signature.")
    expect(page.locator("#tile-last")).to_contain_text("F2026-00002")
    pay = page.get_by_role("button", name=re.compile(r"^Payer .*\(F2026-00004\)$"))
    _inside_the_screen(pay, width)
    pay.click()
    expect(page.get_by_role("dialog")).to_contain_text("F2026-00004")
    page.get_by_role("button", name="Annuler").click()
    expect(page.get_by_role("dialog")).to_have_count(0)


@pytest.fixture
def paged_company(e2e_db_url):
    """A company of its own (the demo's lists stay as the other journeys know them) holding 30
    invoices of 2024, two pages of them, and its admin's sign-in (created once)."""
    from datetime import date, timedelta

    from sqlmodel import select

    from lcadmin.db import create_engine, session_scope
    from lcadmin.domain.permissions import Role
    from lcadmin.domain.statuses import InvoiceStatus
    from lcadmin.models import Membership, UserAccount, utcnow
    from lcadmin.services.accounts import sign_up
    from tests import factories

    email, password, name = "pager@paginee.example", "un long chemin vers la facture", "Paginée"
    engine = create_engine(e2e_db_url)
    with session_scope(engine) as session:
        if session.exec(select(UserAccount).where(UserAccount.email == email)).first() is None:
            company = factories.company(session, name=name, domain="paginee.example")
            account = sign_up(session, factories.context(now=utcnow(), ip=None), full_name="Paule Pager", email=email,
                              password=password)
            session.add(Membership(user_id=account.user_id, company_id=company.id, role=Role.ADMIN.value))
            for n in range(30):
                factories.invoice(session, company, issue_date=date(2024, 3, 1) + timedelta(days=n),
                                  status=InvoiceStatus.PAID)
    engine.dispose()
    return email, password, name


@pytest.mark.parametrize("width", [1280, 375])
def test_the_invoices_list_pages_through_its_invoices(new_page, app_url, paged_company, width):
    page = new_page(width=width)
    _sign_in(page, app_url, *paged_company)
    page.get_by_role("navigation").get_by_role("link", name="Factures").click()
    table, pager = page.get_by_role("table", name="Factures"), page.get_by_role("navigation", name="Pages des factures")
    expect(pager).to_contain_text("1–25 sur 30")
    expect(page.locator(".row-count").first).to_have_text("30 documents")  # the whole list, not the page
    expect(table.get_by_role("rowheader")).to_have_count(25)
    expect(table.get_by_role("rowheader").first).to_have_text("F2024-00030")  # newest first
    previous, following = (pager.get_by_role("button", name=name) for name in ("Précédent", "Suivant"))
    expect(previous).to_be_disabled()
    _inside_the_screen(following, width)
    following.click()
    expect(pager).to_contain_text("26–30 sur 30")
    expect(table.get_by_role("rowheader")).to_have_count(5)
    expect(table.get_by_role("rowheader").last).to_have_text("F2024-00001")
    expect(following).to_be_disabled()
    expect(previous).to_be_enabled()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_label("Rechercher un numéro").fill("F2024-0001")  # a search: its first page
    expect(pager).to_contain_text("1–10 sur 10")
    expect(table.get_by_role("rowheader").first).to_have_text("F2024-00019")
    expect(pager.get_by_role("button")).to_have_count(0)  # one page: its count alone
