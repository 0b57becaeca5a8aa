"""What the Admin Center shows a signed-in user, always scoped to the company of their session.

Every function takes the request context, with the principal resolved from the session on this
very call, and returns small frozen rows of display strings and flags: never table rows.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

import sqlalchemy as sa
from sqlalchemy.orm import aliased
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
from lcadmin.services.invoicing import SERIES, amount_due
from lcadmin.services.licences.pools import pools
from lcadmin.services.paging import Page, fetch_page
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
# The orders list's sort orders, each ending with a unique column (pages never repeat a row)
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


CONTRACTS_ORDER = (col(Contract.end_date).desc(), col(Contract.id).desc())  # current first


def contract_numbers(session: Session, ctx: RequestContext, *, current_first: bool = False) -> list[str]:
    """The numbers of the company's contracts the caller sees (the lists' contract filters offer
    them), in order, or current first as the contracts list shows them."""
    company_id = _require(ctx, Permission.VIEW_BILLING)
    return list(session.exec(select(Contract.number).where(Contract.company_id == company_id,
                                                           scope.contracts(ctx.user))
                             .order_by(*(CONTRACTS_ORDER if current_first else (Contract.number,)))))


def list_contracts(session: Session, ctx: RequestContext, *, page: int = 1) -> Page[ContractRow]:
    """One page of the company's contracts, current first, each with its number of orders and
    their total (orders issued under it, cancelled ones left out)."""
    company_id, locale = _require(ctx, Permission.VIEW_BILLING), ctx.locale
    where = (Contract.company_id == company_id, scope.contracts(ctx.user))
    contracts = fetch_page(session, select(Contract).where(*where).order_by(*CONTRACTS_ORDER),
                           select(sa.func.count()).select_from(Contract).where(*where), page)
    # The orders issued under the page's contracts only (cancelled ones left out)
    totals = select(SalesOrder.contract_id, sa.func.count(SalesOrder.id),
                    sa.func.coalesce(sa.func.sum(SalesOrder.total_minor), 0), sa.func.max(SalesOrder.currency))
    orders = {contract_id: (count, total, currency) for contract_id, count, total, currency in session.exec(
        totals.where(col(SalesOrder.contract_id).in_([c.id for c in contracts]),
                     col(SalesOrder.status).notin_([OrderStatus.DRAFT.value, OrderStatus.CANCELLED.value]))
        .group_by(SalesOrder.contract_id))}
    method_ids = sorted({c.payment_method_id for c in contracts if c.payment_method_id})
    methods = {m.id: m for m in session.exec(select(PaymentMethod).where(
        PaymentMethod.company_id == company_id, col(PaymentMethod.id).in_(method_ids)))} if method_ids else {}

    def row(contract: Contract) -> ContractRow:
        count, total, currency = orders.get(contract.id, (0, 0, None))
        return ContractRow(number=contract.number, title=contract.title,
                           period=_period(contract.start_date, contract.end_date, locale), status=contract.status,
                           status_label=gettext(f"status.contract.{contract.status}", locale),
                           status_tone=status_tone(contract.status), orders=str(count),
                           total=format_money(Money(int(total), currency or "EUR"), locale),
                           method=method_label(methods.get(contract.payment_method_id), locale))

    return contracts.map(row)


def list_orders(session: Session, ctx: RequestContext, *, status: str = "all", sort: str = "newest",
                contract: str = "", page: int = 1) -> Page[OrderRow]:
    """One page of the company's orders with their contract, filtered by status and contract,
    and sorted (newest first, oldest first, by number, or by amount)."""
    company_id, locale = _require(ctx, Permission.VIEW_BILLING), ctx.locale
    where = [SalesOrder.company_id == company_id, SalesOrder.status != OrderStatus.DRAFT.value, scope.orders(ctx.user)]
    if status in ORDER_FILTERS and status != "all":
        where.append(SalesOrder.status == status)
    if contract:
        where.append(col(SalesOrder.contract_id).in_(select(Contract.id).where(Contract.company_id == company_id,
                                                                               Contract.number == contract[:40])))
    rows = (select(SalesOrder, col(Contract.number).label("contract"))
            .join(Contract, Contract.id == SalesOrder.contract_id, isouter=True).where(*where)
            .order_by(*ORDER_SORTS.get(sort, ORDER_SORTS["newest"])))
    found = fetch_page(session, rows, select(sa.func.count()).select_from(SalesOrder).where(*where), page)

    def row(found_row) -> OrderRow:
        order, contract_number = found_row
        return OrderRow(number=order.number, contract=contract_number or "",
                        period=_period(order.start_date, order.end_date, locale), status=order.status,
                        status_label=gettext(f"status.order.{order.status}", locale),
                        status_tone=status_tone(order.status),
                        subtotal=format_money(Money(order.subtotal_minor, order.currency), locale),
                        total=format_money(Money(order.total_minor, order.currency), locale))

    return found.map(row)


# What the customer sees of an invoice's status (``invoice_status``), and "all".
OVERDUE, ISSUED = "overdue", "issued"
INVOICE_FILTERS = ("all", InvoiceStatus.OPEN.value, OVERDUE, InvoiceStatus.PAID.value, InvoiceStatus.VOID.value, ISSUED)


def invoice_status(invoice: Invoice, today: date) -> str:
    """What the customer sees: ``open``, ``overdue`` (open past its due date), ``paid`` or ``void``;
    a credit note in force is ``issued`` (it is owed to the customer, never late).
    :func:`status_conditions` says the same in SQL, for the lists."""
    if invoice.kind == InvoiceKind.CREDIT_NOTE.value and invoice.status == InvoiceStatus.OPEN.value:
        return ISSUED
    if invoice.status == InvoiceStatus.OPEN.value and invoice.due_date and invoice.due_date < today:
        return OVERDUE
    return invoice.status


@functools.lru_cache(maxsize=4)
def status_conditions(today: date) -> Mapping[str, sa.ColumnElement[bool]]:
    """:func:`invoice_status` as SQL: for each status the customer sees, the condition on an
    issued invoice's columns that gives it. Exactly one holds for each invoice that is not a
    draft, so a status filter is a WHERE clause and the list's count is the filtered count.
    Built once a day (the expressions are immutable; bound into each query as they are)."""
    status, kind, due = col(Invoice.status), col(Invoice.kind), col(Invoice.due_date)
    is_open, invoice = status == InvoiceStatus.OPEN.value, kind == InvoiceKind.INVOICE.value  # or a credit note
    return MappingProxyType({
        ISSUED: sa.and_(is_open, kind == InvoiceKind.CREDIT_NOTE.value),
        OVERDUE: sa.and_(is_open, invoice, due < today),
        InvoiceStatus.OPEN.value: sa.and_(is_open, invoice, sa.or_(due.is_(None), due >= today)),
        InvoiceStatus.PAID.value: status == InvoiceStatus.PAID.value,
        InvoiceStatus.VOID.value: status == InvoiceStatus.VOID.value,
    })


@functools.lru_cache(maxsize=4)
def status_column(today: date) -> sa.ColumnElement[str]:
    """The status the customer sees, as a column of the invoice lists (a CASE of
    :func:`status_conditions`)."""
    conditions = status_conditions(today)
    return sa.case((conditions[ISSUED], ISSUED), (conditions[OVERDUE], OVERDUE), else_=col(Invoice.status))


def _number_contains(text: str) -> sa.ColumnElement[bool]:
    """The numbers holding ``text`` (% and _ taken literally)."""
    piece = text.strip().upper()[:40]
    condition = col(Invoice.number).contains(piece, autoescape=True)
    if piece.startswith(SERIES):
        # A number is the series' letter, its year and its rank (F2026-00001): a piece that starts
        # with that letter can only be a number's beginning, a range of the company's number index.
        condition = sa.and_(col(Invoice.number) >= piece, col(Invoice.number) < piece + "\uffff", condition)
    return condition


# Every status but draft: an IN list, which the count reads as ranges of the status index.
LISTED = tuple(s.value for s in InvoiceStatus if s is not InvoiceStatus.DRAFT)
# The invoice list's sortable columns (its headers), each with its tie-breaker (a number is unique).
INVOICE_SORTS = {
    "issue_date": (Invoice.issue_date, Invoice.number),
    "due_date": (Invoice.due_date, Invoice.number),
    "number": (Invoice.number,),
    "total": (Invoice.total_minor, Invoice.number),
}


def list_invoices(session: Session, ctx: RequestContext, *, zone: str, status: str = "all",
                  contract: str = "", period: str = "", search: str = "", online_payment: bool = True,
                  sort: str = "issue_date", descending: bool = True, page: int = 1) -> Page[InvoiceRow]:
    """One page of the company's invoices and credit notes, filtered by status, contract, period
    of issue and a piece of the number, sorted by a column (newest first by default); "overdue"
    is read on the vendor's calendar (``zone``). Filtered, counted, sorted and cut in SQL: only
    the page's rows are loaded and formatted."""
    company_id, locale = _require(ctx, Permission.VIEW_BILLING), ctx.locale
    may_pay, today = online_payment and ctx.user.can(Permission.PAY), business_date(ctx.now, zone)
    where = [Invoice.company_id == company_id, col(Invoice.status).in_(LISTED), scope.invoices(ctx.user)]
    if status in INVOICE_FILTERS and status != "all":
        where.append(status_conditions(today)[status])
    if contract:
        where.append(col(Invoice.order_id).in_(
            select(SalesOrder.id).join(Contract, Contract.id == SalesOrder.contract_id)
            .where(Contract.company_id == company_id, Contract.number == contract[:40])))
    bounds = period_bounds(period)
    if bounds:
        where += [col(Invoice.issue_date) >= bounds[0], col(Invoice.issue_date) <= bounds[1]]
    if search.strip():
        where.append(_number_contains(search))
    columns = INVOICE_SORTS.get(sort, INVOICE_SORTS["issue_date"])
    order = [col(c).desc() if descending else col(c).asc() for c in columns]
    rows = (select(Invoice.id, Invoice.number, Invoice.kind, Invoice.issue_date, Invoice.due_date,
                   Invoice.subtotal_minor, Invoice.total_minor, Invoice.currency,
                   status_column(today).label("shown"), col(Contract.number).label("contract"))
            .select_from(Invoice).join(SalesOrder, SalesOrder.id == Invoice.order_id, isouter=True)
            .join(Contract, Contract.id == SalesOrder.contract_id, isouter=True).order_by(*order))
    found = fetch_page(session, rows, select(sa.func.count()).select_from(Invoice).where(*where), page,
                       keys=select(Invoice.id).where(*where).order_by(*order))
    payable = (InvoiceStatus.OPEN.value, OVERDUE)
    collected = collections_of(session, company_id, ids=[row.id for row in found if row.shown in payable])

    def row(invoice) -> InvoiceRow:
        collecting = shown_status(collected.get(invoice.id)) if invoice.shown in payable else None
        badge = collecting or invoice.shown
        return InvoiceRow(
            number=invoice.number, kind_label=gettext(f"kind.{invoice.kind}", locale), contract=invoice.contract or "",
            issue_date=format_date(invoice.issue_date, locale, "medium") if invoice.issue_date else "",
            due_date=format_date(invoice.due_date, locale, "medium") if invoice.due_date else "",
            subtotal=format_money(Money(invoice.subtotal_minor, invoice.currency), locale),
            total=format_money(Money(invoice.total_minor, invoice.currency), locale), status=invoice.shown,
            status_label=gettext(f"status.invoice.{badge}", locale), status_tone=status_tone(badge),
            # a debit awaiting the bank may still be paid: nothing else may charge the invoice
            can_pay=may_pay and invoice.shown in payable and collecting != "debit_pending")

    return found.map(row)


@dataclass(frozen=True)
class PeriodChoice:
    value: str
    label: str


def _quarters_with_invoices(session: Session, where: list) -> list[date]:
    """The first day of every quarter holding an invoice that meets ``where``.

    Read from the company's issue-date index rather than from every invoice's date (a DISTINCT
    over each date's year and quarter reads them all): its first and last dates, then one probe
    per quarter between them, all in one statement.
    """
    issued = col(Invoice.issue_date)
    first, last = session.exec(select(select(sa.func.min(issued)).where(*where).scalar_subquery(),
                                      select(sa.func.max(issued)).where(*where).scalar_subquery())).one()
    if first is None or last is None:
        return []
    starts = [date(year, month, 1) for year in range(first.year, last.year + 1) for month in (1, 4, 7, 10)
              if date(first.year, first.month - (first.month - 1) % 3, 1) <= date(year, month, 1) <= last]
    found: list[date] = []
    of_company = sa.and_(*where)
    for chunk in (starts[n:n + 400] for n in range(0, len(starts), 400)):  # columns of one SELECT
        held = session.exec(select(*[sa.exists().where(of_company, issued >= start, issued < _next_quarter(start))
                                     for start in chunk])).one()
        held = held if len(chunk) > 1 else (held,)  # a select of one column reads as its value
        found += [start for start, holds in zip(chunk, held, strict=True) if holds]
    return found


def _next_quarter(start: date) -> date:
    return date(start.year + 1, 1, 1) if start.month == 10 else date(start.year, start.month + 3, 1)


def invoice_filter_choices(session: Session, ctx: RequestContext) -> tuple[list[str], list[PeriodChoice]]:
    """The company's contract numbers, and the years and quarters it has invoices in (newest
    first, each year before its quarters), for the filters."""
    company_id, locale = _require(ctx, Permission.VIEW_BILLING), ctx.locale
    where = [Invoice.company_id == company_id, scope.invoices(ctx.user), col(Invoice.issue_date).is_not(None)]
    periods = [PeriodChoice(code, code if "-Q" not in code else gettext(
        "period.quarter", locale, quarter=code[-1], year=code[:4]))
        for code in periods_of(_quarters_with_invoices(session, where))]
    return contract_numbers(session, ctx), periods


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
    collection = collections_of(session, company_id, ids=[invoice.id]).get(invoice.id) if payable else None
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


def _dues(ctx: RequestContext, company_id: int):
    """The company's open invoices (within the caller's scope) with something left to pay: their
    number, due date, currency and what is left once their credit notes are deducted, as a
    subquery (:func:`lcadmin.services.invoicing.amount_due`, for every invoice at once)."""
    credit = aliased(Invoice)
    credited = (select(col(credit.credited_invoice_id).label("invoice_id"),
                       sa.func.sum(credit.total_minor).label("credited"))
                .where(credit.company_id == company_id, credit.kind == InvoiceKind.CREDIT_NOTE.value,
                       credit.status != InvoiceStatus.VOID.value, col(credit.credited_invoice_id).is_not(None))
                .group_by(credit.credited_invoice_id).subquery())
    left = Invoice.total_minor - sa.func.coalesce(credited.c.credited, 0)
    return (select(col(Invoice.number).label("number"), col(Invoice.due_date).label("due_date"),
                   col(Invoice.currency).label("currency"), left.label("left"))
            .join(credited, credited.c.invoice_id == Invoice.id, isouter=True)
            .where(Invoice.company_id == company_id, Invoice.kind == InvoiceKind.INVOICE.value,
                   Invoice.status == InvoiceStatus.OPEN.value, scope.invoices(ctx.user), left > 0)
            .subquery())


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
    dues = _dues(ctx, company_id)
    overdue_left = sa.case((dues.c.due_date < today, dues.c.left), else_=0)
    count, total, late_count, late_total = session.exec(select(
        sa.func.count(), sa.func.coalesce(sa.func.sum(dues.c.left), 0),
        sa.func.count(sa.case((dues.c.due_date < today, 1))), sa.func.coalesce(sa.func.sum(overdue_left), 0)
    ).select_from(dues)).one()
    by_due_date = (dues.c.due_date.asc().nulls_last(), dues.c.number)
    # "Payer" pays the oldest overdue invoice, else the next due: the earliest due either way.
    first = session.exec(select(dues.c.number, dues.c.due_date, dues.c.left, dues.c.currency)
                         .order_by(*by_due_date).limit(1)).first()
    upcoming = session.exec(select(dues.c.number, dues.c.due_date, dues.c.left)
                            .where(sa.or_(dues.c.due_date.is_(None), dues.c.due_date >= today))
                            .order_by(*by_due_date).limit(1)).first()
    first_number, _, first_left, currency = first or ("", None, 0, "EUR")
    next_number, next_due, next_left = upcoming or ("", None, 0)
    money = lambda minor, cur=currency: format_money(Money(int(minor), cur), locale)
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
        amount_due=money(total), open_count=count, overdue=money(late_total), overdue_count=late_count,
        pay_number=first_number, pay_amount=money(first_left) if first else "",
        can_pay=first is not None and online_payment and ctx.user.can(Permission.PAY),
        to_sign=tuple(RelatedRow(o.number, format_date(o.start_date, locale, "medium"),
                                 money(o.total_minor, o.currency)) for o in orders),
        next_number=next_number, next_due=format_date(next_due, locale) if next_due else "",
        next_amount=money(next_left) if upcoming else "",
        last_paid_number=last.number if last else "",
        last_paid_on=format_date(business_date(last.paid_at, zone), locale) if last and last.paid_at else "",
        last_paid_amount=money(amount_due(session, last), last.currency) if last else "",  # credit notes deducted
        last_receipt=receipt or "",
        cards_expiring=expiring_cards(session, company_id, today),
        seats_purchased=sum(pool.purchased for pool in seat_pools),
        seats_available=sum(pool.available for pool in seat_pools),
        shows_licences=ctx.user.can(Permission.VIEW_LICENCES),
    )
