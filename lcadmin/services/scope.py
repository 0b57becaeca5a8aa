"""Per-contract scope: a billing admin or reader limited to some contracts sees only those
contracts, their orders, their invoices (and credit notes) and the payments of those, in every
list, download, payment, export and search. Each query of a billing document adds the condition
for its table from here; an unscoped caller gets a condition that is always true."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import col, select

from lcadmin.models import Contract, Invoice, Payment, SalesOrder
from lcadmin.services.sessions import Principal


def _ids(principal: Principal) -> list[int] | None:
    return None if principal.contract_ids is None else sorted(principal.contract_ids)


def contracts(principal: Principal) -> sa.ColumnElement[bool]:
    """The contracts the caller may see."""
    ids = _ids(principal)
    return sa.true() if ids is None else col(Contract.id).in_(ids)


def orders(principal: Principal) -> sa.ColumnElement[bool]:
    """The orders the caller may see: those of the contracts in scope."""
    ids = _ids(principal)
    return sa.true() if ids is None else col(SalesOrder.contract_id).in_(ids)


def _scoped_orders(ids: list[int]):
    return select(SalesOrder.id).where(col(SalesOrder.contract_id).in_(ids))


def invoices(principal: Principal) -> sa.ColumnElement[bool]:
    """The invoices and credit notes the caller may see: those of an order of a contract in scope
    (a scoped caller sees no invoice outside every contract)."""
    ids = _ids(principal)
    return sa.true() if ids is None else col(Invoice.order_id).in_(_scoped_orders(ids))


def payments(principal: Principal) -> sa.ColumnElement[bool]:
    """The payments (and their receipts) the caller may see: of an order or an invoice in scope."""
    ids = _ids(principal)
    if ids is None:
        return sa.true()
    scoped_invoices = select(Invoice.id).where(col(Invoice.order_id).in_(_scoped_orders(ids)))
    return sa.or_(col(Payment.order_id).in_(_scoped_orders(ids)), col(Payment.invoice_id).in_(scoped_invoices))
