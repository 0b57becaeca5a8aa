"""What the Admin Center shows a signed-in user, always scoped to the company of their session.

Every function takes the request context, with the principal resolved from the session on this
very call, and returns small frozen rows of display strings and flags: never table rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from lcadmin.domain.calendar import business_date
from lcadmin.domain.money import Money
from lcadmin.domain.periods import period_bounds, periods_of
from lcadmin.domain.permissions import Permission
from lcadmin.domain.statuses import InvoiceKind, InvoiceStatus, OrderStatus
from lcadmin.i18n import gettext
from lcadmin.i18n.format import format_date, format_money
from lcadmin.models import Contract, Invoice, Payment, PaymentMethod, SalesOrder
from lcadmin.pdf.invoice import paid_line
from lcadmin.services import scope
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import NotAllowed
from lcadmin.services.invoice_documents import invoice_document
from lcadmin.services.invoicing import amount_due
from lcadmin.services.licences.pools import pools
from lcadmin.services.payment_methods.collection import collection_note, collections_of, shown_status
from lcadmin.services.payment_methods.wallet import expiring_cards, method_label
from lcadmin.services.views import status_tone
from lcadmin.settings import VendorSettings


@dataclass(frozen=True)
class OrderRow:
    number: str
    contract: str
    period: str
    status: str
    status_label: str
    status_tone: str
    subtotal: str
    total: str


@dataclass(frozen=True)
class InvoiceRow:
    number: str
    kind_label: str
    contract: str
    issue_date: str
    due_date: str
    subtotal: str
    total: str
    status: str
    status_label: str
    status_tone: str
    can_pay: bool  # open or overdue, online payment on, and the caller may pay


def _period(start: date, end: date, locale: str) -> str:
    return f"{format_date(start, locale, 'medium')} – {format_date(end, locale, 'medium')}"


def _require(ctx: RequestContext, permission: Permission) -> int:
    company_id = ctx.user.company_id
    if company_id is None or not ctx.user.can(permission):
        raise NotAllowed("forbidden")
    return company_id


ORDER_FILTERS = ("all", *(s.value for s in OrderStatus if s is not OrderStatus.DRAFT))
ORDER_SORTS = {
    "newest": (col(SalesOrder.start_date).desc(), col(SalesOrder.id).desc()),
    "oldest": (SalesOrder.start_date, SalesOrder.id),
    "number": (SalesOrder.number,),
    "amount": (col(SalesOrder.total_minor).desc(), col(SalesOrder.id).desc()),
}


@dataclass(frozen=True)
class ContractRow:
    number: str
    title: str
    period: str
    status: str
    status_label: str
    status_tone: str
    orders: str
    total: str
    method: str = ""  # how it is paid ("Visa •••• 4242", "Virement bancaire"), changed on the wallet page


def list_contracts(session: Session, ctx: RequestContext) -> list[ContractRow]:
    """The company's contracts, current first, each with its number of orders and their total
    (orders issued under it, cancelled ones left out)."""
    company_id, locale = _require(ctx, Permission.VIEW_BILLING), ctx.locale
    counted = sa.and_(SalesOrder.contract_id == Contract.id,
                      col(SalesOrder.status).notin_([OrderStatus.DRAFT.value, OrderStatus.CANCELLED.value]))
    rows = session.exec(
        select(Contract, sa.func.count(SalesOrder.id), sa.func.coalesce(sa.func.sum(SalesOrder.total_minor), 0),
               sa.func.max(SalesOrder.currency))
        .join(SalesOrder, counted, isouter=True).where(Contract.company_id == company_id, scope.contracts(ctx.user))
        .group_by(Contract.id).order_by(col(Contract.end_date).desc(), col(Contract.id).desc())).all()
    methods = {m.id: m for m in session.exec(select(PaymentMethod).where(PaymentMethod.company_id == company_id))}
    return [ContractRow(number=c.number, title=c.title,
                        period=_period(c.start_date, c.end_date, locale),
                        status=c.status, status_label=gettext(f"status.contract.{c.status}", locale),
                        status_tone=status_tone(c.status), orders=str(count),
                        total=format_money(Money(total, currency or "EUR"), locale),
                        method=method_label(methods.get(c.payment_method_id), locale))
            for c, count, total, currency in rows]


def list_orders(session: Session, ctx: RequestContext, *, status: str = "all", sort: str = "newest",
                contract: str = "") -> list[OrderRow]:
    """The company's orders with their contract, filtered by status and contract, and sorted
    (newest first, oldest first, by number, or by amount)."""
    company_id, locale = _require(ctx, Permission.VIEW_BILLING), ctx.locale
    query = (select(SalesOrder, Contract).join(Contract, Contract.id == SalesOrder.contract_id, isouter=True)
             .where(SalesOrder.company_id == company_id, SalesOrder.status != OrderStatus.DRAFT.value,
                    scope.orders(ctx.user)))
    if status in ORDER_FILTERS and status != "all":
        query = query.where(SalesOrder.status == status)
    if contract:
        query = query.where(Contract.number == contract[:40])
    rows = session.exec(query.order_by(*ORDER_SORTS.get(sort, ORDER_SORTS["newest"]))).all()
    return [
        OrderRow(number=order.number, contract=contract.number if contract else "",
                 period=_period(order.start_date, order.end_date, locale),
                 status=order.status, status_label=gettext(f"status.order.{order.status}", locale),
                 status_tone=status_tone(order.status),
                 subtotal=format_money(Money(order.subtotal_minor, order.currency), locale),
                 total=format_money(Money(order.total_minor, order.currency), locale))
        for order, contract in rows
    ]


# What the customer sees of an invoice's status (``invoice_status``), and "all".
OVERDUE, ISSUED = "overdue", "issued"
INVOICE_FILTERS = ("all", InvoiceStatus.OPEN.value, OVERDUE, InvoiceStatus.PAID.value, InvoiceStatus.VOID.value, ISSUED)


def invoice_status(invoice: Invoice, today: date) -> str:
    """What the customer sees: ``open``, ``overdue`` (open past its due date), ``paid`` or ``void``;
    a credit note in force is ``issued`` (it is owed to the customer, never late)."""
    if invoice.kind == InvoiceKind.CREDIT_NOTE.value and invoice.status == InvoiceStatus.OPEN.value:
        return ISSUED
    if invoice.status == InvoiceStatus.OPEN.value and invoice.due_date and invoice.due_date < today:
        return OVERDUE
    return invoice.status


# The invoice list's sortable columns (its headers), each with its tie-breaker.
INVOICE_SORTS = {
    "issue_date": (Invoice.issue_date, Invoice.number),
    "due_date": (Invoice.due_date, Invoice.number),
    "number": (Invoice.number,),
    "total": (Invoice.total_minor, Invoice.number),
}


def list_invoices(session: Session, ctx: RequestContext, *, zone: str, status: str = "all",
                  contract: str = "", period: str = "", search: str = "",
                  online_payment: bool = True, sort: str = "issue_date", descending: bool = True) -> list[InvoiceRow]:
    """The company's invoices and credit notes, filtered by status, contract, period of issue and a
    piece of the number, sorted by a column (newest first by default); "overdue" is read on the
    vendor's calendar (``zone``)."""
    company_id, locale = _require(ctx, Permission.VIEW_BILLING), ctx.locale
    may_pay, today = online_payment and ctx.user.can(Permission.PAY), business_date(ctx.now, zone)
    query = (select(Invoice, Contract).join(SalesOrder, SalesOrder.id == Invoice.order_id, isouter=True)
             .join(Contract, Contract.id == SalesOrder.contract_id, isouter=True)
             .where(Invoice.company_id == company_id, Invoice.status != InvoiceStatus.DRAFT.value,
                    scope.invoices(ctx.user)))
    if contract:
        query = query.where(Contract.number == contract)
    bounds = period_bounds(period)
    if bounds:
        query = query.where(Invoice.issue_date >= bounds[0], Invoice.issue_date <= bounds[1])
    if search.strip():
        query = query.where(col(Invoice.number).contains(search.strip().upper()[:40], autoescape=True))  # % and _ too
    rows = []
    collected = collections_of(session, company_id)
    columns = INVOICE_SORTS.get(sort, INVOICE_SORTS["issue_date"])
    order = [col(column).desc() if descending else col(column).asc() for column in columns]
    for invoice, contract_row in session.exec(query.order_by(*order)):
        shown = invoice_status(invoice, today)
        if status != "all" and shown != status:
            continue
        collecting = shown_status(collected.get(invoice.id)) if shown in (InvoiceStatus.OPEN.value, OVERDUE) else None
        badge = collecting or shown
        rows.append(InvoiceRow(
            number=invoice.number, kind_label=gettext(f"kind.{invoice.kind}", locale),
            contract=contract_row.number if contract_row else "",
            issue_date=format_date(invoice.issue_date, locale, "medium") if invoice.issue_date else "",
            due_date=format_date(invoice.due_date, locale, "medium") if invoice.due_date else "",
            subtotal=format_money(Money(invoice.subtotal_minor, invoice.currency), locale),
            total=format_money(Money(invoice.total_minor, invoice.currency), locale), status=shown,
            status_label=gettext(f"status.invoice.{badge}", locale), status_tone=status_tone(badge),
            # a debit awaiting the bank may still be paid: nothing else may charge the invoice
            can_pay=may_pay and shown in (InvoiceStatus.OPEN.value, OVERDUE) and collecting != "debit_pending"))
    return rows


@dataclass(frozen=True)
class PeriodChoice:
    value: str
    label: str


def invoice_filter_choices(session: Session, ctx: RequestContext) -> tuple[list[str], list[PeriodChoice]]:
    """The company's contract numbers, and the years and quarters it has invoices in (newest
    first, each year before its quarters), for the filters."""
    company_id, locale = _require(ctx, Permission.VIEW_BILLING), ctx.locale
    contracts = list(session.exec(select(Contract.number).where(Contract.company_id == company_id,
                                                                scope.contracts(ctx.user))
                                  .order_by(Contract.number)))
    dates = session.exec(select(Invoice.issue_date).where(Invoice.company_id == company_id, scope.invoices(ctx.user),
                                                          col(Invoice.issue_date).is_not(None))).all()
    periods = [PeriodChoice(code, code if "-Q" not in code else gettext(
        "period.quarter", locale, quarter=code[-1], year=code[:4])) for code in periods_of(dates)]
    return contracts, periods


@dataclass(frozen=True)
class InvoiceLineRow:
    description: str
    quantity: str
    unit_price: str
    amount: str


@dataclass(frozen=True)
class RelatedRow:
    number: str
    issue_date: str
    total: str


@dataclass(frozen=True)
class InvoiceDetail:
    """One invoice or credit note as its page shows it."""

    number: str
    kind_label: str
    is_credit_note: bool
    status_label: str
    status_tone: str
    issue_date: str
    due_date: str
    contract: str
    order_number: str
    lines: tuple[InvoiceLineRow, ...]
    subtotal: str
    tax: str
    total: str
    amount_due: str
    paid_note: str  # "Acquittée le … par carte bancaire", or ""
    credit_notes: tuple[RelatedRow, ...]  # against this invoice
    corrects: str  # the invoice a credit note corrects, or ""
    can_pay: bool
    collection_note: str = ""  # its automatic collection: when, with what, or why it failed
    collection_tone: str = ""  # info, warning, danger


def invoice_detail(session: Session, ctx: RequestContext, number: str, *, vendor: VendorSettings,
                   online_payment: bool = True) -> InvoiceDetail:
    """The invoice page: its lines, totals, what is left to pay, the credit notes against it.

    Raises:
        NotAllowed: Without billing access. NotFound: ``invoice_not_found`` (another company's too).
    """
    document, locale = invoice_document(session, ctx, number, vendor), ctx.locale
    company_id = ctx.user.company_id
    invoice = session.exec(select(Invoice).where(Invoice.number == document.number,
                                                 Invoice.company_id == company_id)).one()
    order = session.get(SalesOrder, invoice.order_id) if invoice.order_id else None
    contract = session.get(Contract, order.contract_id) if order and order.contract_id else None
    money = lambda minor: format_money(Money(minor, invoice.currency), locale)
    shown = invoice_status(invoice, business_date(ctx.now, vendor.timezone))
    credits = session.exec(select(Invoice).where(Invoice.credited_invoice_id == invoice.id, scope.invoices(ctx.user),
                                                 Invoice.status != InvoiceStatus.DRAFT.value)
                           .order_by(Invoice.issue_date)).all()
    payable = not document.is_credit_note and shown in (InvoiceStatus.OPEN.value, OVERDUE)
    due = amount_due(session, invoice) if payable else 0
    collection = collections_of(session, company_id).get(invoice.id) if payable else None
    collecting = shown_status(collection)
    note, tone = collection_note(session, collection, locale)
    shown = collecting or shown
    return InvoiceDetail(
        number=invoice.number, kind_label=gettext(f"kind.{invoice.kind}", locale),
        is_credit_note=document.is_credit_note, status_label=gettext(f"status.invoice.{shown}", locale),
        status_tone=status_tone(shown), issue_date=format_date(document.issue_date, locale),
        due_date="" if document.is_credit_note else format_date(document.due_date, locale),
        contract=contract.number if contract else "", order_number=order.number if order else "",
        lines=tuple(InvoiceLineRow(line.text(locale), str(line.quantity), money(line.unit_price_minor),
                                   money(line.amount_minor)) for line in document.lines),
        subtotal=money(document.subtotal_minor), tax=money(document.tax_minor), total=money(document.total_minor),
        amount_due=money(due), paid_note=paid_line(document, locale) if document.paid_on else "",
        credit_notes=tuple(RelatedRow(c.number, format_date(c.issue_date, locale, "medium"), money(c.total_minor))
                           for c in credits),
        corrects=document.credited_number or "",
        can_pay=online_payment and ctx.user.can(Permission.PAY) and due > 0 and collecting != "debit_pending",
        collection_note=note, collection_tone=tone,
    )


@dataclass(frozen=True)
class Overview:
    """"Accueil": what a billing admin needs at a glance."""

    amount_due: str  # every open invoice's amount left to pay, credit notes deducted
    open_count: int
    overdue: str  # the part of it past its due date
    overdue_count: int
    pay_number: str  # the invoice "Payer" pays first: the oldest overdue, else the next due ("" for none)
    pay_amount: str
    can_pay: bool
    to_sign: tuple[RelatedRow, ...]  # orders awaiting signature (number, start date, total)
    next_number: str  # the next invoice falling due
    next_due: str
    next_amount: str
    last_paid_number: str  # the last invoice paid
    last_paid_on: str
    last_paid_amount: str
    last_receipt: str  # its receipt, when paid online
    cards_expiring: int = 0  # saved cards in use that expire within 30 days: to replace
    seats_purchased: int = 0  # licences in force, every product together
    seats_available: int = 0
    shows_billing: bool = True  # the role sees billing: the four billing tiles
    shows_licences: bool = True  # the role sees licences: the licences tile


_NOTHING = dict(amount_due="", open_count=0, overdue="", overdue_count=0, pay_number="", pay_amount="",
                can_pay=False, to_sign=(), next_number="", next_due="", next_amount="", last_paid_number="",
                last_paid_on="", last_paid_amount="", last_receipt="")


def overview(session: Session, ctx: RequestContext, *, zone: str, online_payment: bool = True) -> Overview:
    """Amounts due and overdue, the orders to sign, the next invoice due and the last payment, for
    a role that sees billing; the licences in force, for one that sees licences (a licence admin
    gets that tile alone).

    Raises:
        NotAllowed: Without a role in the company.
    """
    company_id, locale = ctx.user.company_id, ctx.locale
    if company_id is None or ctx.user.role is None or ctx.user.two_factor_due:
        raise NotAllowed("forbidden")
    today = business_date(ctx.now, zone)
    seat_pools = pools(session, company_id, today) if ctx.user.can(Permission.VIEW_LICENCES) else []
    if not ctx.user.can(Permission.VIEW_BILLING):
        return Overview(**_NOTHING, seats_purchased=sum(pool.purchased for pool in seat_pools),
                        seats_available=sum(pool.available for pool in seat_pools), shows_billing=False)
    open_invoices = session.exec(select(Invoice).where(
        Invoice.company_id == company_id, Invoice.kind == InvoiceKind.INVOICE.value,
        Invoice.status == InvoiceStatus.OPEN.value, scope.invoices(ctx.user))
        .order_by(Invoice.due_date, Invoice.number)).all()
    due = [(invoice, amount_due(session, invoice)) for invoice in open_invoices]
    due = [(invoice, left) for invoice, left in due if left > 0]
    overdue = [(invoice, left) for invoice, left in due if invoice.due_date and invoice.due_date < today]
    currency = due[0][0].currency if due else "EUR"
    money = lambda minor, cur=currency: format_money(Money(minor, cur), locale)
    first = (overdue or due or [(None, 0)])[0]
    upcoming = next(((invoice, left) for invoice, left in due if not invoice.due_date or invoice.due_date >= today),
                    (None, 0))
    orders = session.exec(select(SalesOrder).where(
        SalesOrder.company_id == company_id, SalesOrder.status == OrderStatus.AWAITING_SIGNATURE.value,
        scope.orders(ctx.user))
        .order_by(SalesOrder.start_date)).all()
    last = session.exec(select(Invoice).where(Invoice.company_id == company_id, scope.invoices(ctx.user),
                                              Invoice.status == InvoiceStatus.PAID.value,
                                              col(Invoice.paid_at).is_not(None))
                        .order_by(col(Invoice.paid_at).desc())).first()
    receipt = session.exec(select(Payment.receipt_number).where(Payment.paid_invoice_id == last.id)).first() \
        if last else None
    return Overview(
        amount_due=money(sum(left for _, left in due)), open_count=len(due),
        overdue=money(sum(left for _, left in overdue)), overdue_count=len(overdue),
        pay_number=first[0].number if first[0] else "", pay_amount=money(first[1]) if first[0] else "",
        can_pay=bool(first[0]) and online_payment and ctx.user.can(Permission.PAY),
        to_sign=tuple(RelatedRow(o.number, format_date(o.start_date, locale, "medium"),
                                 money(o.total_minor, o.currency)) for o in orders),
        next_number=upcoming[0].number if upcoming[0] else "",
        next_due=format_date(upcoming[0].due_date, locale) if upcoming[0] and upcoming[0].due_date else "",
        next_amount=money(upcoming[1]) if upcoming[0] else "",
        last_paid_number=last.number if last else "",
        last_paid_on=format_date(business_date(last.paid_at, zone), locale) if last and last.paid_at else "",
        last_paid_amount=money(amount_due(session, last), last.currency) if last else "",  # credit notes deducted
        last_receipt=receipt or "",
        cards_expiring=expiring_cards(session, company_id, today),
        seats_purchased=sum(pool.purchased for pool in seat_pools),
        seats_available=sum(pool.available for pool in seat_pools),
        shows_licences=ctx.user.can(Permission.VIEW_LICENCES),
    )
