"""The order form and its e-signature."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlmodel import select

from lcadmin.db import read_scope, session_scope
from lcadmin.demo import _Line, _order
from lcadmin.domain.statuses import BillingFrequency, OrderStatus
from lcadmin.models import AuditEvent, Company, Contact, Contract, OrderSignature, SalesOrder
from lcadmin.pdf.order_form import render_order_pdf
from lcadmin.services import admin_center, orders
from lcadmin.services.errors import InvalidInput, NotAllowed, NotFound
from lcadmin.services.sessions import Principal
from lcadmin.settings import load_settings
from tests.factories import context

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
VENDOR = load_settings({}).vendor
ORDER = "FLD102776277396"
ADMIN = Principal(1, "hbernard@flexis.com", "Hugo Bernard", 1, "Flexis", "admin")
BILLING = Principal(1, "hbernard@flexis.com", "Hugo Bernard", 1, "Flexis", "billing_admin")
MEMBER = Principal(1, "x@flexis.com", "X", 1, "Flexis", "licence_admin")
ACME = Principal(2, "pdurand@acme-logistique.fr", "Paul Durand", 2, "Acme Logistique", "admin")


def _text(pdf: bytes) -> str:
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _sign(engine, principal=BILLING, locale="fr", **overrides):
    values = {"number": ORDER, "signer_name": "Hugo Bernard", "authorized": True, "vendor": VENDOR} | overrides
    with session_scope(engine) as session:
        return orders.sign_order(session, context(principal=principal, now=NOW, locale=locale, ip="203.0.113.7",
                                                  user_agent="Mozilla/5.0 test"), **values)


def test_the_order_form_pdf_has_the_seeds_fields(demo):
    with read_scope(demo) as session:
        text = _text(orders.order_pdf(session, context(principal=ADMIN, locale="fr"), ORDER, VENDOR))
    for expected in ("Formulaire de commande pour", "Flexis", "Contact principal", "Claire Martin", "Contact de facturation",
                     "compta@flexis.com", "Adresse de facturation", "8 avenue des Ternes", "Numéro de commande", ORDER,
                     "Information sur la commande", "Date de début", "1er janvier 2026", "Date de fin", "31 décembre 2026",
                     "Fréquence de facturation", "Annuelle", "Méthode de facturation", "Facture", "Modalité de paiement",
                     "Paiement à 30 jours", "Devise", "EUR", "Sous-total", "3 600,00 €", "Taxe estimée", "720,00 €",
                     "Montant estimé de la commande (€)", "4 320,00 €"):
        assert expected in text, expected


def test_signing_records_who_when_where_and_the_hash_of_what_was_signed(demo):
    signature = _sign(demo)
    with read_scope(demo) as session:
        document = orders.order_document(session, context(principal=BILLING), ORDER, VENDOR)
        stored = session.exec(select(OrderSignature)).one()
        order = session.exec(select(SalesOrder).where(SalesOrder.number == ORDER)).one()
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "order.signed")).one()
    assert (stored.signer_name, stored.signer_email, stored.ip, stored.user_agent) == (
        "Hugo Bernard", "hbernard@flexis.com", "203.0.113.7", "Mozilla/5.0 test")
    assert stored.signed_at == NOW and order.status == "signed"
    assert stored.document_sha256 == hashlib.sha256(render_order_pdf(document, "fr")).hexdigest()
    assert signature.document_sha256 == event.detail["document_sha256"]


def test_the_signed_pdf_gains_a_certificate_page(demo):
    _sign(demo)
    with read_scope(demo) as session:
        pdf = orders.order_pdf(session, context(principal=BILLING, locale="en"), ORDER, VENDOR)  # kept in the signing language
        stored = session.exec(select(OrderSignature)).one()
    reader = PdfReader(BytesIO(pdf))
    assert len(reader.pages) == 2
    certificate = " ".join(reader.pages[1].extract_text().split())
    assert "Electronic signature certificate" not in certificate  # the signed language was French
    assert "Certificat de signature électronique" in certificate
    assert stored.document_sha256 in certificate.replace(" ", "")
    assert "Hugo Bernard" in certificate and "203.0.113.7" in certificate
    assert "Page 2 sur 2" in certificate  # numbered after the signed page, which says "Page 1 sur 1"


def test_what_was_signed_is_what_is_downloaded_whatever_changes_afterwards(demo):
    _sign(demo)
    with session_scope(demo) as session:  # the billing contact changes, the vendor moves
        contact = session.exec(select(Contact).where(Contact.company_id == 1, Contact.role == "billing")).one()
        signed_contact, contact.full_name = contact.full_name, "Nouvelle Personne"
        session.add(contact)
    moved = replace(VENDOR, address_line1="99 boulevard Haussmann")
    with read_scope(demo) as session:
        pdf = orders.order_pdf(session, context(principal=BILLING, locale="fr"), ORDER, moved)
        stored = session.exec(select(OrderSignature)).one()
    assert hashlib.sha256(stored.document_pdf).hexdigest() == stored.document_sha256
    signed_page = " ".join(PdfReader(BytesIO(pdf)).pages[0].extract_text().split())
    assert signed_page == " ".join(PdfReader(BytesIO(stored.document_pdf)).pages[0].extract_text().split())
    assert signed_contact in signed_page and "Nouvelle Personne" not in signed_page
    assert "10 rue de la Paix" in signed_page and "Haussmann" not in signed_page
    with read_scope(demo) as session:
        assert orders.order_pdf(session, context(principal=BILLING, locale="fr"), ORDER, moved) == pdf  # the same bytes every time


def test_a_signed_order_cannot_be_signed_again(demo):
    _sign(demo)
    with pytest.raises(InvalidInput) as error:
        _sign(demo, signer_name="Someone Else")
    assert error.value.code == "order_not_signable"


@pytest.mark.parametrize(("overrides", "code"), [({"signer_name": " "}, "signer_name_required"),
                                                  ({"authorized": False}, "authorization_required"),
                                                  ({"authorized": "yes"}, "authorization_required")])
def test_a_signature_needs_a_name_and_the_authorization(demo, overrides, code):
    with pytest.raises(InvalidInput) as error:
        _sign(demo, **overrides)
    assert error.value.code == code


@pytest.mark.parametrize("invisible", ["\u200b\u200b\u200b", "\u202e\u202d\u2066", " \u200d\ufeff ", "12345", "..."])
def test_nobody_signs_with_an_invisible_name(demo, invisible):
    with pytest.raises(InvalidInput) as error:
        _sign(demo, signer_name=invisible)
    assert error.value.code == "signer_name_required"


def test_a_signers_name_is_kept_as_it_displays(demo):
    """Bidirectional overrides and zero-width characters are dropped, compatibility forms folded:
    what is recorded is what everyone reads."""
    signature = _sign(demo, signer_name="Hugo\u200b \u202eBernard\u202c  ＨＢ")
    assert signature.signer_name == "Hugo Bernard HB"


def test_only_users_allowed_to_sign_can_sign(demo):
    with pytest.raises(NotAllowed):
        _sign(demo, principal=MEMBER)


@pytest.mark.parametrize("principal", [ACME])
def test_another_companys_order_is_not_found(demo, principal):
    with pytest.raises(NotFound), read_scope(demo) as session:
        orders.order_pdf(session, context(principal=principal, locale="fr"), ORDER, VENDOR)
    with pytest.raises(NotFound):
        _sign(demo, principal=principal)


def test_orders_are_filtered_and_sorted(demo):
    with session_scope(demo) as session:
        flexis = session.get(Company, 1)
        contract = session.exec(select(Contract).where(Contract.number == "CTR-FLX-2026")).one()
        _order(session, flexis, contract, number="FLD900000000001", status=OrderStatus.SIGNED, issued_on=NOW.date(),
               frequency=BillingFrequency.MONTHLY, lines=[_Line("Option", 1, 10_000_00)])
    with read_scope(demo) as session:
        numbers = lambda **kw: [r.number for r in admin_center.list_orders(session, context(principal=ADMIN, locale="fr"), **kw)]
        assert numbers(sort="number") == ["FLD102776271108", "FLD102776277396", "FLD900000000001"]
        assert numbers(sort="amount") == ["FLD900000000001", "FLD102776271108", "FLD102776277396"]
        assert numbers(status="signed") == ["FLD900000000001", "FLD102776271108"]  # newest first
        assert numbers(status="bogus") == numbers()
        assert all(r.number.startswith("FLD") for r in admin_center.list_orders(session, context(principal=ADMIN, locale="fr")))
        assert numbers(contract=contract.number, sort="number") == ["FLD102776271108", "FLD102776277396",
                                                                    "FLD900000000001"]
        assert numbers(contract="ACM-NOT-OURS") == []


def test_contracts_show_their_orders_count_and_total(demo):
    with read_scope(demo) as session:
        support, row = admin_center.list_contracts(session, context(principal=ADMIN, locale="fr"))
        _, english = admin_center.list_contracts(session, context(principal=ADMIN, locale="en"))
    assert support.number == "CTR-FLX-SUPPORT" and support.orders == "0"  # paid by transfer, nothing ordered yet
    assert (support.method, row.method, english.method) == ("Virement bancaire", "Visa •••• 4242", "Visa •••• 4242")
    # the seed's order (4 320,00 €) and the signed order of the seats in force (5 040,00 €)
    assert row.orders == "2" and row.total.replace("\u202f", " ").replace("\u00a0", " ") == "9 360,00 €"
    assert english.total == "€9,360.00"
