"""Test data built to order, so that a test says what it needs instead of leaning on the demo's
numbers: a company with its contacts and domain, an account with a role, an order with lines,
an invoice in a given status, a payment, and the request context a use case is called with.

Every factory writes into the session it is given and flushes, so ids are known; the caller's
transaction commits them. The demo data (``lcadmin.demo``) stays for the browser journeys.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, select

from lcadmin.domain.identifiers import french_vat_number, luhn_ok
from lcadmin.domain.permissions import Role
from lcadmin.domain.statuses import (
    AddressKind,
    BillingFrequency,
    BillingMethod,
    ContactRole,
    InvoiceStatus,
    OrderStatus,
    PaymentStatus,
)
from lcadmin.models import (
    Address,
    Company,
    CompanyDomain,
    Contact,
    Contract,
    Invoice,
    Membership,
    OrderLine,
    Payment,
    Product,
    SalesOrder,
    UserAccount,
)
from lcadmin.services.context import RequestContext
from lcadmin.services.invoicing import LineInput, issue_invoice
from lcadmin.services.passwords import hash_password
from lcadmin.services.sessions import Principal
from lcadmin.settings import load_settings

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
PASSWORD = "un long chemin vers la facture"
VENDOR = load_settings({}).vendor
_serial = itertools.count(1)


def context(*, principal: Principal | None = None, now: datetime = NOW, ip: str | None = "203.0.113.7",
            locale: str = "fr", user_agent: str | None = "Mozilla/5.0 (tests)") -> RequestContext:
    """The request context of a call, by a principal or by an anonymous visitor."""
    return RequestContext(now=now, ip=ip, user_agent=user_agent, locale=locale, principal=principal)


def _siren() -> str:
    while True:
        base = f"{700_000_000 + next(_serial) * 10:09d}"[:8]
        for key in "0123456789":
            if luhn_ok(base + key):
                return base + key


def company(session: Session, *, name: str | None = None, domain: str | None = None,
            primary: tuple[str, str] | None = None, billing: tuple[str, str] | None = None) -> Company:
    """A customer with its registered and billing addresses, its e-mail domain, and its primary and
    billing contacts (at that domain unless given)."""
    n = next(_serial)
    name = name or f"Société {n}"
    domain = domain or f"societe{n}.example"
    siren = _siren()
    row = Company(name=name, legal_name=f"{name} SAS", siren=siren, vat_number=french_vat_number(siren))
    session.add(row)
    session.flush()
    for kind in (AddressKind.REGISTERED, AddressKind.BILLING):
        session.add(Address(company_id=row.id, kind=kind.value, line1=f"{n} rue du Test", postal_code="75001",
                            city="Paris", country_code="FR"))
    session.add(CompanyDomain(company_id=row.id, domain=domain))
    for role, (full_name, email) in ((ContactRole.PRIMARY, primary or ("Paule Principale", f"primary@{domain}")),
                                     (ContactRole.BILLING, billing or ("Comptabilité", f"billing@{domain}"))):
        session.add(Contact(company_id=row.id, role=role.value, full_name=full_name, email=email))
    session.flush()
    return row


def account(session: Session, *, email: str | None = None, full_name: str = "Alex Test",
            company: Company | None = None, role: Role | None = Role.ADMIN, locale: str = "fr",
            password: str | None = None) -> UserAccount:
    """A user account (hashed with the tests' cheap parameters), with ``role`` in ``company``."""
    user = UserAccount(email=email or f"user{next(_serial)}@perso.example", full_name=full_name,
                       password_hash=hash_password(password or PASSWORD), locale=locale)
    session.add(user)
    session.flush()
    if company is not None and role is not None:
        session.add(Membership(user_id=user.id, company_id=company.id, role=role.value))
        session.flush()
    return user


def principal(user: UserAccount, company: Company | None, role: Role | None = Role.ADMIN) -> Principal:
    """How a session of ``user`` in ``company`` resolves."""
    return Principal(user_id=user.id, email=user.email, full_name=user.full_name,
                     company_id=company.id if company else None, company_name=company.name if company else None,
                     role=role.value if role else None)


def order(session: Session, company: Company, *, status: OrderStatus = OrderStatus.AWAITING_SIGNATURE,
          lines: tuple[tuple[str, int, int], ...] = (("Licences", 12, 300_00),), number: str | None = None,
          start: date = date(2026, 1, 1), end: date = date(2026, 12, 31), tax_rate_bp: int = 2000) -> SalesOrder:
    """An order with its lines (description, quantity, unit price in cents), in ``status``."""
    subtotal = sum(quantity * price for _, quantity, price in lines)
    tax = round(subtotal * tax_rate_bp / 10_000)
    row = SalesOrder(company_id=company.id, number=number or f"ORD{next(_serial):012d}", status=status.value,
                     issued_on=start, start_date=start, end_date=end, billing_frequency=BillingFrequency.ANNUAL.value,
                     billing_method=BillingMethod.INVOICE.value, payment_terms_days=30, currency="EUR",
                     subtotal_minor=subtotal, tax_minor=tax, total_minor=subtotal + tax)
    session.add(row)
    session.flush()
    session.add_all(OrderLine(order_id=row.id, position=i, description=d, quantity=q, unit_price_minor=p,
                              tax_rate_bp=tax_rate_bp, amount_minor=q * p)
                    for i, (d, q, p) in enumerate(lines, start=1))
    session.flush()
    return row


def invoice(session: Session, company: Company, *, status: InvoiceStatus = InvoiceStatus.OPEN,
            lines: tuple[tuple[str, int, int], ...] = (("Licences", 1, 150_00),), issue_date: date = NOW.date(),
            terms_days: int = 30, sales_order: SalesOrder | None = None, credits: Invoice | None = None) -> Invoice:
    """An issued invoice (or a credit note of ``credits``), numbered in the one series, in ``status``."""
    row = issue_invoice(session, context(now=datetime.combine(issue_date, datetime.min.time(), UTC)),
                        company_id=company.id, lines=[LineInput(d, q, p, 2000) for d, q, p in lines],
                        issue_date=issue_date, payment_terms_days=terms_days, period=None, vendor=VENDOR,
                        order_id=sales_order.id if sales_order else None, credits=credits)
    if status is not InvoiceStatus.OPEN:
        row.status = status.value  # a fixture may start anywhere in the lifecycle
        if status is InvoiceStatus.PAID:
            row.paid_at = NOW
        session.add(row)
        session.flush()
    return row


def payment(session: Session, company: Company, by: UserAccount, *, invoice_: Invoice,
            status: PaymentStatus = PaymentStatus.SUCCEEDED, created_at: datetime = NOW) -> Payment:
    """A recorded card payment of an invoice."""
    row = Payment(company_id=company.id, invoice_id=invoice_.id, idempotency_key=uuid.uuid4().hex,
                  amount_minor=invoice_.total_minor, currency=invoice_.currency,
                  provider_intent_id=f"pi_{uuid.uuid4().hex[:24]}", status=status.value, card_brand="visa",
                  card_last4="4242", created_by=by.id, created_at=created_at, updated_at=created_at + timedelta(0),
                  paid_invoice_id=invoice_.id if status is PaymentStatus.SUCCEEDED else None)
    session.add(row)
    session.flush()
    return row


def seat_pool(session: Session, company: Company, *, seats: int, status: OrderStatus = OrderStatus.SIGNED,
              start: date = date(2026, 1, 1), end: date = date(2026, 12, 31)) -> tuple[Contract, Product]:
    """A contract of ``company`` holding ``seats`` seats of Sales Navigator Advanced (code SNA)
    through one order in ``status`` for ``start``–``end``."""
    contract = Contract(company_id=company.id, number=f"CTR-{company.id}", title="Licences",
                        start_date=date(2026, 1, 1), end_date=date(2026, 12, 31))
    session.add(contract)
    product = session.exec(select(Product).where(Product.code == "SNA")).first() or Product(
        code="SNA", name_fr="Sales Navigator Advanced", name_en="Sales Navigator Advanced")
    session.add(product)
    session.flush()
    sold = order(session, company, status=status, start=start, end=end, lines=(("Sales Navigator Advanced", seats,
                                                                                300_00),))
    sold.contract_id = contract.id
    line = session.exec(select(OrderLine).where(OrderLine.order_id == sold.id)).one()
    line.product_id = product.id
    session.add_all([sold, line])
    session.flush()
    return contract, product


def contracted_order(session: Session, company: Company) -> tuple[Contract, SalesOrder]:
    """A contract of 2026 ("CTR-<company id>") and an order under it, as collections and the
    background rounds need (an invoice of the order is then one of the contract's)."""
    contract = Contract(company_id=company.id, number=f"CTR-{company.id}", title="Licences",
                        start_date=date(2026, 1, 1), end_date=date(2026, 12, 31))
    session.add(contract)
    session.flush()
    row = order(session, company)
    row.contract_id = contract.id
    session.add(row)
    return contract, row
