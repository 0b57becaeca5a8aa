"""The demo data is exactly what PRODUCT.md and the README promise, and loads once."""

from datetime import date

from sqlmodel import func, select

from lcadmin.demo import DEMO_PASSWORD, FLEXIS_ORDER, load_demo_data
from lcadmin.domain.money import Money
from lcadmin.i18n.format import format_money
from lcadmin.models import (
    Address,
    AuditEvent,
    Company,
    CompanyDomain,
    Contact,
    Invoice,
    InvoiceLine,
    Membership,
    OrderLine,
    SalesOrder,
    UserAccount,
)
from lcadmin.services.passwords import hash_password, verify_password


def _load(session):
    return load_demo_data(session, password_hash=hash_password(DEMO_PASSWORD))


def test_flexis_is_there_with_its_identity_and_contacts(session):
    assert _load(session)
    flexis = session.exec(select(Company).where(Company.name == "Flexis")).one()
    assert (flexis.legal_name, flexis.siren, flexis.vat_number) == ("Flexis SAS", "552203101", "FR53552203101")
    address = session.exec(select(Address).where(Address.company_id == flexis.id, Address.kind == "registered")).one()
    assert (address.line1, address.postal_code, address.city) == ("8 avenue des Ternes", "75017", "Paris")
    contacts = {c.role: (c.full_name, c.email) for c in session.exec(select(Contact).where(Contact.company_id == flexis.id))}
    assert contacts == {"primary": ("Claire Martin", "cmartin@flexis.com"),
                        "billing": ("Service comptabilité", "compta@flexis.com")}
    domains = session.exec(select(CompanyDomain.domain).where(CompanyDomain.company_id == flexis.id)).all()
    assert domains == ["flexis.com"]


def test_hbernard_already_manages_users_and_aleroy_is_nobody_yet(session):
    _load(session)
    hbernard = session.exec(select(UserAccount).where(UserAccount.email == "hbernard@flexis.com")).one()
    assert hbernard.full_name == "Hugo Bernard"
    assert verify_password(DEMO_PASSWORD, hbernard.password_hash)
    assert not verify_password("wrong password", hbernard.password_hash)
    membership = session.exec(select(Membership).where(Membership.user_id == hbernard.id)).one()
    assert membership.role == "admin"
    assert session.exec(select(UserAccount).where(UserAccount.email == "aleroy@flexis.com")).first() is None
    assert session.exec(select(Contact).where(Contact.email == "aleroy@flexis.com")).first() is None


def test_the_seed_order_has_its_figures(session):
    _load(session)
    order = session.exec(select(SalesOrder).where(SalesOrder.number == FLEXIS_ORDER)).one()
    assert (order.start_date, order.end_date) == (date(2026, 1, 1), date(2026, 12, 31))
    assert (order.billing_frequency, order.billing_method, order.payment_terms_days, order.currency) == (
        "annual", "invoice", 30, "EUR")
    assert format_money(Money(order.subtotal_minor, "EUR"), "fr").replace("\u202f", " ").replace("\u00a0", " ") == "3 600,00 €"
    assert (order.tax_minor, order.total_minor) == (720_00, 4_320_00)
    line = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).one()
    assert (line.quantity, line.unit_price_minor, line.tax_rate_bp, line.amount_minor) == (12, 300_00, 2000, 3_600_00)


def test_flexis_has_a_paid_and_an_open_invoice_for_that_order(session):
    _load(session)
    order = session.exec(select(SalesOrder).where(SalesOrder.number == FLEXIS_ORDER)).one()
    invoices = session.exec(select(Invoice).where(Invoice.order_id == order.id).order_by(Invoice.number)).all()
    assert {invoice.status for invoice in invoices} == {"paid", "open"}
    for invoice in invoices:
        lines = session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)).all()
        assert invoice.subtotal_minor == sum(line.amount_minor for line in lines) > 0
        assert invoice.total_minor == invoice.subtotal_minor + invoice.tax_minor
    paid = next(i for i in invoices if i.status == "paid")
    assert paid.paid_at is not None and paid.paid_at.tzinfo is not None


def test_a_second_company_keeps_isolation_exercised(session):
    _load(session)
    acme = session.exec(select(Company).where(Company.name == "Acme Logistique")).one()
    assert session.exec(select(func.count()).select_from(SalesOrder).where(SalesOrder.company_id == acme.id)).one() >= 1
    acme_invoices = session.exec(select(Invoice).where(Invoice.company_id == acme.id)).all()
    credit_note = next(i for i in acme_invoices if i.kind == "credit_note")
    assert credit_note.credited_invoice_id in {i.id for i in acme_invoices if i.kind == "invoice"}


def test_invoice_numbers_are_one_continuous_sequence_in_date_order(session):
    _load(session)
    invoices = session.exec(select(Invoice).order_by(Invoice.number)).all()
    assert [i.number for i in invoices] == [f"F2026-{n:05d}" for n in range(1, len(invoices) + 1)]
    dates = [i.issue_date for i in invoices]
    assert dates == sorted(dates)


def test_loading_twice_changes_nothing(session):
    assert _load(session)
    counts = [session.exec(select(func.count()).select_from(t)).one() for t in (Company, Invoice, UserAccount)]
    assert not _load(session)
    assert [session.exec(select(func.count()).select_from(t)).one() for t in (Company, Invoice, UserAccount)] == counts
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "demo_data.loaded")).one()
