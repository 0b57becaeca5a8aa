"""The demo data every demo and test database starts from (see the README's "Demo data").

Loaded only by the CLI (`lcadmin demo-data`) and by tests, never by the app itself. Loading is
idempotent: the data is recognised by Flexis's SIREN and never loaded twice.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, select

from lcadmin.domain.audit import AuditAction
from lcadmin.domain.calendar import business_date
from lcadmin.domain.money import Money
from lcadmin.domain.permissions import Role
from lcadmin.domain.pricing import PricedLine, compute_totals
from lcadmin.domain.statuses import (
    AddressKind,
    BillingFrequency,
    BillingMethod,
    ContactRole,
    ContractStatus,
    OrderStatus,
    PaymentMethodKind,
    PaymentMethodStatus,
    SeatStatus,
)
from lcadmin.models import (
    Address,
    Company,
    CompanyDomain,
    Contact,
    Contract,
    Invoice,
    Membership,
    MembershipContract,
    OrderLine,
    PaymentMethod,
    Product,
    SalesOrder,
    SandboxCustomer,
    SandboxPaymentMethod,
    Seat,
    UserAccount,
    utcnow,
)
from lcadmin.services.audit import record_event
from lcadmin.services.context import system
from lcadmin.services.invoicing import LineInput, issue_invoice, mark_paid
from lcadmin.services.licences.pools import recount
from lcadmin.settings import VendorSettings, get_settings

# Written in the README: the demo accounts sign in with it.
DEMO_PASSWORD = "Northwind-demo-2026"
FLEXIS_SIREN = "552203101"
ACME_SIREN = "483279618"
FLEXIS_ORDER = "FLD102776277396"
FLEXIS_SEATS_ORDER = "FLD102776271108"  # signed: the seats Flexis holds today
_ACME_NAMES = tuple(tuple(name.split()) for name in (
    "Paul Durand", "Julien Moreau", "Sophie Lambert", "Hugo Lefèvre", "Chloé Mercier", "Antoine Blanc",
    "Manon Garnier", "Maxime Faure", "Camille André", "Louis Chevalier", "Inès François", "Nathan Legrand",
    "Jade Gauthier", "Théo Garcia", "Lina Perrin", "Raphaël Robin", "Zoé Clément", "Arthur Morin",
    "Alice Nicolas", "Gabriel Henry", "Louise Rousseau", "Jules Mathieu", "Rose Masson", "Adam Marchand",
    "Anna Duval"))
EUR = "EUR"
VAT_20 = 2000


@dataclass(frozen=True)
class _Line:
    description: str
    quantity: int
    unit_price_minor: int
    description_en: str = ""
    tax_rate_bp: int = VAT_20
    product: str = ""  # the code of the product whose seats the line sells

    def priced(self) -> PricedLine:
        return PricedLine(self.quantity, Money(self.unit_price_minor, EUR), self.tax_rate_bp)


def _company(session: Session, *, name, legal_name, siren, vat, line1, postal_code, city, domain,
             primary: tuple[str, str], billing: tuple[str, str], billing_recipient: str) -> Company:
    company = Company(name=name, legal_name=legal_name, siren=siren, vat_number=vat)
    session.add(company)
    session.flush()
    for kind, recipient in ((AddressKind.REGISTERED, None), (AddressKind.BILLING, billing_recipient)):
        session.add(Address(company_id=company.id, kind=kind.value, recipient=recipient, line1=line1,
                            postal_code=postal_code, city=city, country_code="FR"))
    session.add(CompanyDomain(company_id=company.id, domain=domain))
    for role, (full_name, email) in ((ContactRole.PRIMARY, primary), (ContactRole.BILLING, billing)):
        session.add(Contact(company_id=company.id, role=role.value, full_name=full_name, email=email))
    return company


def _admin(session: Session, company: Company, *, email: str, full_name: str, password_hash: str) -> UserAccount:
    user = UserAccount(email=email, full_name=full_name, password_hash=password_hash, locale="fr")
    session.add(user)
    session.flush()
    session.add(Membership(user_id=user.id, company_id=company.id, role=Role.ADMIN.value))
    return user


def _lines(model, parent_field: str, parent_id: int, lines: list[_Line], products: dict[str, int] | None = None):
    extra = lambda line: {"product_id": products[line.product]} if products and line.product else {}
    return [
        model(**{parent_field: parent_id}, **extra(line), position=index, description=line.description,
              description_en=line.description_en or None,
              quantity=line.quantity, unit_price_minor=line.unit_price_minor,
              tax_rate_bp=line.tax_rate_bp, amount_minor=line.quantity * line.unit_price_minor)
        for index, line in enumerate(lines, start=1)
    ]


def _order(session: Session, company: Company, contract: Contract, *, number: str, status: OrderStatus,
           issued_on: date, frequency: BillingFrequency, lines: list[_Line],
           products: dict[str, int] | None = None) -> SalesOrder:
    totals = compute_totals((line.priced() for line in lines), EUR)
    order = SalesOrder(
        company_id=company.id, contract_id=contract.id, number=number, status=status.value,
        issued_on=issued_on, start_date=contract.start_date, end_date=contract.end_date,
        billing_frequency=frequency.value, billing_method=BillingMethod.INVOICE.value,
        payment_terms_days=30, currency=EUR, subtotal_minor=totals.subtotal.minor,
        tax_minor=totals.tax.minor, total_minor=totals.total.minor,
    )
    session.add(order)
    session.flush()
    session.add_all(_lines(OrderLine, "order_id", order.id, lines, products))
    return order


def _invoice(session: Session, company: Company, order: SalesOrder, *, vendor: VendorSettings, issue_date: date,
             period: tuple[date, date], lines: list[_Line], credits: Invoice | None = None,
             paid_at: datetime | None = None) -> Invoice:
    invoice = issue_invoice(
        session, system(datetime.combine(issue_date, datetime.min.time(), UTC)), company_id=company.id,
        order_id=order.id, issue_date=issue_date, payment_terms_days=0 if credits else order.payment_terms_days,
        period=period, vendor=vendor, credits=credits,
        lines=[LineInput(line.description, line.quantity, line.unit_price_minor, line.tax_rate_bp, line.description_en)
               for line in lines],
    )
    if paid_at is not None:
        mark_paid(session, system(paid_at), invoice)
    return invoice


def _demo_card(session: Session, company: Company, contract: Contract, *, today: date) -> PaymentMethod:
    """Flexis's Visa •••• 4242, saved at the sandbox provider, expiring at the end of the month the
    demo is loaded in (so its expiry notice shows in every fresh demo), paying ``contract``."""
    customer = f"cus_demo{company.id:06d}"
    session.add(SandboxCustomer(customer_id=customer, reference=f"company:{company.id}", name=company.legal_name))
    session.add(SandboxPaymentMethod(method_id=f"pm_demo{company.id:06d}", customer_id=customer, kind="card",
                                     brand="visa", last4="4242", behaviour="succeed"))
    company.provider_customer_id = customer
    card = PaymentMethod(company_id=company.id, kind=PaymentMethodKind.CARD.value,
                         status=PaymentMethodStatus.ACTIVE.value, provider_method_id=f"pm_demo{company.id:06d}",
                         holder_name="Hugo Bernard", card_brand="visa", card_last4="4242", exp_month=today.month,
                         exp_year=today.year, is_default=True)
    session.add_all([company, card])
    session.flush()
    contract.payment_method_id = card.id
    session.add(contract)
    return card


PRODUCTS = (("SNA", "Sales Navigator Advanced", "Sales Navigator Advanced"),
            ("LRN", "Northwind Learning", "Northwind Learning"),
            ("REC", "Northwind Recruiter", "Northwind Recruiter"))
# Flexis's holders of Sales Navigator Advanced besides Hugo Bernard: (name, days since last activity,
# None: never); the last one is only invited.
_FLEXIS_HOLDERS = (("Claire Martin", 1), ("Nadia Benali", 2), ("Lucas Petit", 5), ("Emma Roux", 12),
                   ("Thomas Girard", 41), ("Léa Fontaine", 64), ("Karim Haddad", None))
_FLEXIS_INVITED = "jdupuis@flexis.com"
_LEARNING_HOLDERS = (("Claire Martin", 3), ("Nadia Benali", None), ("Lucas Petit", 33))


def _address(name: str, domain: str) -> str:
    first, last = name.split(" ", 1)
    plain = unicodedata.normalize("NFKD", f"{first[0]}{last}").encode("ascii", "ignore").decode()
    return f"{plain.lower().replace(' ', '')}@{domain}"


def _seats(session: Session, company: Company, contract: Contract, product_id: int, holders, *, now: datetime,
           invited: tuple[str, ...] = (), users: dict[str, UserAccount] | None = None) -> None:
    """Active holders (their last activity ``days`` ago, or never) and invited ones."""
    for name, days in holders:
        email = _address(name, company_domain(session, company))
        user = (users or {}).get(email)
        session.add(Seat(company_id=company.id, contract_id=contract.id, product_id=product_id, email=email,
                         full_name=name, user_id=user.id if user else None, status=SeatStatus.ACTIVE.value,
                         assigned_at=datetime(2026, 1, 5, 9, tzinfo=UTC),
                         activated_at=datetime(2026, 1, 6, 9, tzinfo=UTC),
                         last_active_at=now - timedelta(days=days) if days is not None else None, updated_at=now))
    for email in invited:
        session.add(Seat(company_id=company.id, contract_id=contract.id, product_id=product_id, email=email,
                         status=SeatStatus.INVITED.value, assigned_at=now - timedelta(days=2), updated_at=now))
    session.flush()
    recount(session, company.id)


def company_domain(session: Session, company: Company) -> str:
    """A demo company's e-mail domain."""
    return session.exec(select(CompanyDomain.domain).where(CompanyDomain.company_id == company.id)).one()


def demo_data_present(session: Session) -> bool:
    """Whether the demo companies are already in the database."""
    return session.exec(select(Company.id).where(Company.siren == FLEXIS_SIREN)).first() is not None


def load_demo_data(session: Session, *, password_hash: str, vendor: VendorSettings | None = None,
                   today: date | None = None) -> bool:
    """Add the demo vendor's customers, unless they are there already.

    Args:
        session: An open write session; the caller commits.
        password_hash: The hash of :data:`DEMO_PASSWORD` for the demo admin accounts.
        vendor: The issuer of the demo invoices (the configured vendor when omitted).
        today: The day it is loaded (the demo card expires at the end of its month).

    Returns:
        True when the data was added, False when it was already there.
    """
    if demo_data_present(session):
        return False
    vendor = vendor or get_settings().vendor
    year = (date(2026, 1, 1), date(2026, 12, 31))

    flexis = _company(
        session, name="Flexis", legal_name="Flexis SAS", siren=FLEXIS_SIREN, vat="FR53552203101",
        line1="8 avenue des Ternes", postal_code="75017", city="Paris", domain="flexis.com",
        primary=("Claire Martin", "cmartin@flexis.com"),
        billing=("Service comptabilité", "compta@flexis.com"), billing_recipient="Service comptabilité",
    )
    hugo = _admin(session, flexis, email="hbernard@flexis.com", full_name="Hugo Bernard", password_hash=password_hash)
    products = {}
    for code, name_fr, name_en in PRODUCTS:
        product = Product(code=code, name_fr=name_fr, name_en=name_en)
        session.add(product)
        session.flush()
        products[code] = product.id
    flexis_contract = Contract(company_id=flexis.id, number="CTR-FLX-2026", title="Licences Northwind 2026",
                               start_date=year[0], end_date=year[1], status=ContractStatus.ACTIVE.value)
    session.add(flexis_contract)
    session.flush()
    # A second contract, paid by bank transfer (no order under it yet).
    session.add(Contract(company_id=flexis.id, number="CTR-FLX-SUPPORT", title="Support Premium 2026",
                         start_date=year[0], end_date=year[1], status=ContractStatus.ACTIVE.value))
    _demo_card(session, flexis, flexis_contract, today=today or business_date(utcnow(), vendor.timezone))
    licences = [_Line("Licence Sales Navigator Advanced — 12 mois", 12, 300_00,
                      "Sales Navigator Advanced licence — 12 months", product="SNA")]
    flexis_order = _order(session, flexis, flexis_contract, number=FLEXIS_ORDER,
                          status=OrderStatus.AWAITING_SIGNATURE, issued_on=date(2025, 12, 10),
                          frequency=BillingFrequency.ANNUAL, lines=licences, products=products)
    # The seats in force today: an order signed last year, for the whole of 2026.
    _order(session, flexis, flexis_contract, number=FLEXIS_SEATS_ORDER, status=OrderStatus.SIGNED,
           issued_on=date(2025, 11, 20), frequency=BillingFrequency.ANNUAL, products=products,
           lines=[*licences, _Line("Licence Northwind Learning — 12 mois", 5, 120_00,
                                   "Northwind Learning licence — 12 months", product="LRN")])
    loaded = today or business_date(utcnow(), vendor.timezone)
    now = datetime.combine(loaded, datetime.min.time(), UTC) + timedelta(hours=9)
    _seats(session, flexis, flexis_contract, products["SNA"], (("Hugo Bernard", 0), *_FLEXIS_HOLDERS), now=now,
           invited=(_FLEXIS_INVITED,), users={hugo.email: hugo})
    _seats(session, flexis, flexis_contract, products["LRN"], _LEARNING_HOLDERS, now=now)

    acme = _company(
        session, name="Acme Logistique", legal_name="Acme Logistique SAS", siren=ACME_SIREN,
        vat="FR42483279618", line1="42 quai Rambaud", postal_code="69002", city="Lyon",
        domain="acme-logistique.fr", primary=("Julien Moreau", "jmoreau@acme-logistique.fr"),
        billing=("Comptabilité fournisseurs", "factures@acme-logistique.fr"),
        billing_recipient="Comptabilité fournisseurs",
    )
    paul = _admin(session, acme, email="pdurand@acme-logistique.fr", full_name="Paul Durand",
                  password_hash=password_hash)
    acme_contract = Contract(company_id=acme.id, number="CTR-ACM-2026", title="Licences Northwind 2026",
                             start_date=year[0], end_date=year[1], status=ContractStatus.ACTIVE.value)
    session.add(acme_contract)
    session.flush()
    acme_order = _order(session, acme, acme_contract, number="ACM204455120087", status=OrderStatus.SIGNED,
                        issued_on=date(2025, 12, 15), frequency=BillingFrequency.QUARTERLY,
                        lines=[_Line("Licence Northwind Recruiter — 12 mois", 25, 280_00,
                                     "Northwind Recruiter licence — 12 months", product="REC")], products=products)
    # Acme's 25 seats of Northwind Recruiter are all taken.
    _seats(session, acme, acme_contract, products["REC"],
           tuple((f"{first} {last}", (n * 3) % 20) for n, (first, last) in enumerate(_ACME_NAMES)), now=now,
           users={paul.email: paul})

    # One invoice sequence for the vendor, continuous across customers and in date order.
    quarter = [_Line("Licence Northwind Recruiter — trimestre", 25, 70_00, "Northwind Recruiter licence — quarter")]
    _invoice(session, flexis, flexis_order, vendor=vendor, issue_date=date(2026, 1, 2), period=year,
             lines=licences, paid_at=datetime(2026, 1, 20, 9, 30, tzinfo=UTC))
    acme_q1 = _invoice(session, acme, acme_order, vendor=vendor, issue_date=date(2026, 1, 2),
                       period=(date(2026, 1, 1), date(2026, 3, 31)), lines=quarter,
                       paid_at=datetime(2026, 1, 28, 14, 0, tzinfo=UTC))
    _invoice(session, acme, acme_order, vendor=vendor, credits=acme_q1, issue_date=date(2026, 2, 10),
             period=(date(2026, 1, 1), date(2026, 3, 31)),
             lines=[_Line("Avoir — 1 licence facturée en double au 1er trimestre", 1, 70_00,
                          "Credit — 1 licence invoiced twice in the first quarter")])
    _invoice(session, acme, acme_order, vendor=vendor, issue_date=date(2026, 10, 1),
             period=(date(2026, 10, 1), date(2026, 12, 31)), lines=quarter)
    _invoice(session, flexis, flexis_order, vendor=vendor, issue_date=date(2026, 11, 2),
             period=(date(2026, 11, 1), date(2026, 12, 31)),
             lines=[_Line("Licences supplémentaires Sales Navigator Advanced — 3 × 2 mois", 3, 50_00,
                          "Additional Sales Navigator Advanced licences — 3 × 2 months")])

    _accountant(session, flexis, acme, password_hash=password_hash, today=loaded)
    record_event(session, action=AuditAction.DEMO_DATA_LOADED, outcome="success", detail={"companies": 2})
    return True


ACCOUNTANT = "claire.garnier@cabinet-garnier.fr"


def _accountant(session: Session, flexis: Company, acme: Company, *, password_hash: str, today: date) -> None:
    """An outside accountant acting for both companies (the header's company switcher): in
    Flexis a billing reader limited to the seed's contract, for three months; in Acme a billing
    admin."""
    user = UserAccount(email=ACCOUNTANT, full_name="Claire Garnier", password_hash=password_hash, locale="fr")
    session.add(user)
    session.flush()
    contract = session.exec(select(Contract).where(Contract.number == "CTR-FLX-2026")).one()
    until = datetime.combine(today + timedelta(days=91), datetime.min.time(), tzinfo=UTC)
    reader = Membership(user_id=user.id, company_id=flexis.id, role=Role.BILLING_READER.value, all_contracts=False,
                        access_until=until)
    session.add(reader)
    session.add(Membership(user_id=user.id, company_id=acme.id, role=Role.BILLING_ADMIN.value))
    session.flush()
    session.add(MembershipContract(membership_id=reader.id, contract_id=contract.id))
