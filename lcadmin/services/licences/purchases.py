""""Acheter des licences supplémentaires": an add-on order for the rest of the contract's term.

The seats are priced as the contract already pays them (the unit price of the product on its
signed order in force), prorated by day (``lcadmin.domain.pricing.prorated_unit_price``), and the
order goes through the existing order form and e-signature: once signed, the seats are in force
at once (the pool counts signed orders whose period covers today) and its invoice is issued, paid
like the contract's others (collected on its due date, today, when the contract is paid by a
saved card or mandate; by transfer within the order's terms otherwise). Someone who manages
licences without the right to sign orders prepares it, and the billing admins are asked to sign.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from lcadmin import paths
from lcadmin.domain.audit import AuditAction
from lcadmin.domain.money import Money
from lcadmin.domain.permissions import Permission
from lcadmin.domain.pricing import PricedLine, compute_totals, prorated_unit_price
from lcadmin.domain.statuses import BillingMethod, OrderStatus, PaymentMethodKind
from lcadmin.i18n import gettext
from lcadmin.i18n.format import format_date, format_money
from lcadmin.mail import templates
from lcadmin.mail.outbox import enqueue
from lcadmin.models import Company, Contract, OrderLine, PaymentMethod, SalesOrder
from lcadmin.services.audit import record_event
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import InvalidInput, NotAllowed, NotFound
from lcadmin.services.invoicing import allocate_number
from lcadmin.services.licences.pools import IN_FORCE, Pool, product_name
from lcadmin.services.licences.seats import business_today, find_pool
from lcadmin.services.memberships import holders_of
from lcadmin.settings import Settings

MAX_SEATS = 1000


@dataclass(frozen=True)
class Quote:
    """What buying ``quantity`` seats costs, as the page shows it before the order is made."""

    product: str
    contract: str
    quantity: str
    period: str
    unit_price: str  # prorated, excluding tax
    subtotal: str
    tax: str
    total: str


def may_buy(ctx: RequestContext) -> bool:
    """Whether the caller may order more seats: they manage licences, or they sign orders."""
    return ctx.user.company_id is not None and (ctx.user.can(Permission.MANAGE_LICENCES)
                                                or ctx.user.can(Permission.SIGN_ORDERS))


def _may_prepare(ctx: RequestContext) -> int:
    if not may_buy(ctx):
        raise NotAllowed("forbidden")
    return ctx.user.company_id or 0


def _pool_in_scope(session: Session, ctx: RequestContext, company_id: int, pool: str, today: date, *,
                   lock: bool = False) -> Pool:
    """The pool, when its contract is within the caller's scope (a billing admin limited to some
    contracts orders seats on those only).

    Raises:
        NotFound: ``pool_not_found``.
    """
    found = find_pool(session, company_id, pool, today, lock=lock)
    if not ctx.user.sees_contract(found.contract_id):
        raise NotFound("pool_not_found")
    return found


def _quantity(value: object) -> int:
    text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_SEATS:
        raise InvalidInput("seats_quantity", "quantity")
    return int(text)


def _priced_line(session: Session, pool: Pool, today: date) -> OrderLine:
    """The line of the contract's signed order in force that sells this product (its price)."""
    line = session.exec(select(OrderLine).join(SalesOrder, SalesOrder.id == OrderLine.order_id).where(
        SalesOrder.contract_id == pool.contract_id, col(SalesOrder.status).in_(IN_FORCE),
        SalesOrder.start_date <= today, SalesOrder.end_date >= today, OrderLine.product_id == pool.product_id)
        .order_by(col(SalesOrder.start_date).asc(), col(SalesOrder.id).asc())).first()
    if line is None:
        raise InvalidInput("product_not_on_contract", "pool")
    return line


def _terms(session: Session, pool: Pool, today: date):
    contract = session.get(Contract, pool.contract_id)
    if today > contract.end_date:
        raise InvalidInput("contract_ended", "pool")
    line = _priced_line(session, pool, today)
    order = session.get(SalesOrder, line.order_id)
    unit = prorated_unit_price(line.unit_price_minor, start=today, term_start=order.start_date,
                               term_end=order.end_date)
    return contract, order, line, unit


def quote_seats(session: Session, ctx: RequestContext, *, pool: str, quantity: object, settings: Settings) -> Quote:
    """What the seats would cost bought today, for the rest of the term.

    Raises:
        NotAllowed, NotFound (``pool_not_found``), InvalidInput (``seats_quantity``,
            ``product_not_on_contract``, ``contract_ended``).
    """
    company_id, today = _may_prepare(ctx), business_today(ctx, settings)
    found, count = _pool_in_scope(session, ctx, company_id, pool, today), _quantity(quantity)
    _, order, line, unit = _terms(session, found, today)
    totals = compute_totals([PricedLine(count, Money(unit, order.currency), line.tax_rate_bp)], order.currency)
    money = lambda amount: format_money(amount, ctx.locale)
    return Quote(product_name(found.product, ctx.locale), found.contract_number, str(count),
                 f"{format_date(today, ctx.locale)} – {format_date(order.end_date, ctx.locale)}",
                 money(Money(unit, order.currency)), money(totals.subtotal), money(totals.tax), money(totals.total))


def order_seats(session: Session, ctx: RequestContext, *, pool: str, quantity: object,
                settings: Settings) -> tuple[str, bool]:
    """Make the add-on order (awaiting signature). Returns its number, and whether the caller may
    sign it (otherwise the billing admins were asked to).

    Raises:
        As :func:`quote_seats`.
    """
    company_id, today = _may_prepare(ctx), business_today(ctx, settings)
    found, count = _pool_in_scope(session, ctx, company_id, pool, today, lock=True), _quantity(quantity)
    contract, in_force, line, unit = _terms(session, found, today)
    totals = compute_totals([PricedLine(count, Money(unit, in_force.currency), line.tax_rate_bp)], in_force.currency)
    method = session.get(PaymentMethod, contract.payment_method_id) if contract.payment_method_id else None
    billing = (BillingMethod.INVOICE if method is None else BillingMethod.CARD
               if method.kind == PaymentMethodKind.CARD.value else BillingMethod.SEPA_DEBIT)
    number = allocate_number(session, year=today.year, series="A").replace("-", "")  # "A202600001"
    order = SalesOrder(company_id=company_id, contract_id=contract.id, number=number,
                       status=OrderStatus.AWAITING_SIGNATURE.value, issued_on=today, start_date=today,
                       end_date=in_force.end_date, billing_frequency=in_force.billing_frequency,
                       billing_method=billing.value, payment_terms_days=in_force.payment_terms_days,
                       currency=in_force.currency, subtotal_minor=totals.subtotal.minor, tax_minor=totals.tax.minor,
                       total_minor=totals.total.minor, add_on=True, created_at=ctx.now)
    session.add(order)
    session.flush()
    period = {locale: f"{format_date(today, locale)} – {format_date(in_force.end_date, locale)}"
              for locale in ("fr", "en")}
    session.add(OrderLine(order_id=order.id, position=1, product_id=found.product_id, quantity=count,
                          description=gettext("licences.addon_line", "fr", product=found.product.name_fr,
                                              period=period["fr"]),
                          description_en=gettext("licences.addon_line", "en", product=found.product.name_en,
                                                 period=period["en"]),
                          unit_price_minor=unit, tax_rate_bp=line.tax_rate_bp, amount_minor=unit * count))
    record_event(session, action=AuditAction.SEATS_ORDERED, outcome="success", actor_user_id=ctx.user.user_id,
                 actor_email=ctx.user.email, company_id=company_id, ip=ctx.ip, subject=f"order:{number}",
                 detail={"pool": found.key, "seats": count}, now=ctx.now)
    may_sign = ctx.user.can(Permission.SIGN_ORDERS)
    if not may_sign:
        _ask_to_sign(session, ctx, company_id, number, found, count, settings)
    return number, may_sign


def _ask_to_sign(session: Session, ctx: RequestContext, company_id: int, number: str, pool: Pool, count: int,
                 settings: Settings) -> None:
    """The company's signers of that contract get the order to sign."""
    company = session.get(Company, company_id)
    link = settings.public_url.rstrip("/") + paths.order(number)
    for user in holders_of(session, company_id, Permission.SIGN_ORDERS, ctx.now, contract_id=pool.contract_id):
        locale = user.locale if user.locale in ("fr", "en") else "fr"
        mail = templates.seats_to_sign_mail(locale, company=company.name, number=number,
                                            product=product_name(pool.product, locale), seats=str(count),
                                            requester=ctx.user.email, link=link)
        enqueue(session, to=user.email, mail=mail, kind="seats_to_sign", now=ctx.now)
