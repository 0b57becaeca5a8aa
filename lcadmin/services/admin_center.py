"""What the Admin Center shows a signed-in user, always scoped to the company of their session.

Every function takes the :class:`Principal` resolved from the session on this very call and
returns small frozen rows of display strings: never table rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from lcadmin.domain.money import Money
from lcadmin.domain.permissions import Permission
from lcadmin.i18n import gettext
from lcadmin.i18n.format import format_date, format_money
from lcadmin.models import Contract, Invoice, Membership, SalesOrder, UserAccount
from lcadmin.services.errors import NotAllowed
from lcadmin.services.sessions import Principal


@dataclass(frozen=True)
class OrderRow:
    number: str
    contract: str
    period: str
    status: str
    status_label: str
    subtotal: str
    total: str


@dataclass(frozen=True)
class InvoiceRow:
    number: str
    kind_label: str
    issue_date: str
    due_date: str
    subtotal: str
    total: str
    status: str
    status_label: str


@dataclass(frozen=True)
class MemberRow:
    full_name: str
    email: str
    role_label: str


def _require(principal: Principal, permission: Permission) -> int:
    if not principal.can(permission):
        raise NotAllowed("forbidden")
    return principal.company_id


def list_orders(session: Session, principal: Principal, locale: str) -> list[OrderRow]:
    """The company's orders with their contract, newest first."""
    company_id = _require(principal, Permission.VIEW_BILLING)
    rows = session.exec(
        select(SalesOrder, Contract).join(Contract, Contract.id == SalesOrder.contract_id, isouter=True)
        .where(SalesOrder.company_id == company_id).order_by(SalesOrder.start_date.desc(), SalesOrder.id.desc())
    ).all()
    return [
        OrderRow(number=order.number, contract=contract.number if contract else "",
                 period=f"{format_date(order.start_date, locale, 'medium')} – {format_date(order.end_date, locale, 'medium')}",
                 status=order.status, status_label=gettext(f"status.order.{order.status}", locale),
                 subtotal=format_money(Money(order.subtotal_minor, order.currency), locale),
                 total=format_money(Money(order.total_minor, order.currency), locale))
        for order, contract in rows
    ]


def list_invoices(session: Session, principal: Principal, locale: str) -> list[InvoiceRow]:
    """The company's invoices and credit notes, newest first."""
    company_id = _require(principal, Permission.VIEW_BILLING)
    invoices = session.exec(select(Invoice).where(Invoice.company_id == company_id)
                            .order_by(Invoice.issue_date.desc(), Invoice.number.desc())).all()
    return [
        InvoiceRow(number=i.number, kind_label=gettext(f"kind.{i.kind}", locale),
                   issue_date=format_date(i.issue_date, locale, "medium") if i.issue_date else "",
                   due_date=format_date(i.due_date, locale, "medium") if i.due_date else "",
                   subtotal=format_money(Money(i.subtotal_minor, i.currency), locale),
                   total=format_money(Money(i.total_minor, i.currency), locale), status=i.status,
                   status_label=gettext(f"status.invoice.{i.status}", locale))
        for i in invoices
    ]


def list_members(session: Session, principal: Principal, locale: str) -> list[MemberRow]:
    """Who has access to the company, and with which role."""
    company_id = _require(principal, Permission.VIEW_BILLING)
    rows = session.exec(select(UserAccount, Membership).join(Membership, Membership.user_id == UserAccount.id)
                        .where(Membership.company_id == company_id).order_by(UserAccount.full_name)).all()
    return [MemberRow(full_name=user.full_name, email=user.email, role_label=gettext(f"role.{membership.role}", locale))
            for user, membership in rows]
