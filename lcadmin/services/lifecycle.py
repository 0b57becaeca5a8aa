"""The one way a record changes status (the lifecycles are in ``lcadmin.domain.statuses``).

- :func:`move` moves a record loaded in the session: it checks the move against the record's
  lifecycle, sets the status, its ``updated_at`` and the timestamp the target names (an
  invoice's ``paid_at``, a message's ``sent_at``), and writes the move's audit event.
- :func:`move_if` is the compare-and-set variant for races (two tabs, two processes): one
  conditional UPDATE from the expected statuses; only the caller whose row count is 1 won, and
  only the winner's move is audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from lcadmin.domain.statuses import InvitationStatus, InvoiceStatus, OutboxStatus, can_move, move_action
from lcadmin.services.audit import record_event
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import InvalidTransition

# The column each target stamps with the moment of the move (by lifecycle: an order's "paid" is
# equal to an invoice's as a string, and must not stamp it).
_STAMPED = {(InvoiceStatus, InvoiceStatus.PAID.value): "paid_at", (OutboxStatus, OutboxStatus.SENT.value): "sent_at",
            (InvitationStatus, InvitationStatus.ACCEPTED.value): "accepted_at"}


def _status_of(record: Any, target: StrEnum) -> StrEnum:
    return type(target)(record.status)


def _stamps(model: type[SQLModel], target: StrEnum, ctx: RequestContext) -> dict[str, Any]:
    columns = {name for name in model.model_fields}
    stamps = {"updated_at": ctx.now} if "updated_at" in columns else {}
    stamped = _STAMPED.get((type(target), target.value))
    if stamped in columns:
        stamps[stamped] = ctx.now
    return stamps


def _audit(session: Session, target: StrEnum, ctx: RequestContext, *, company_id: int | None, subject: str | None,
           detail: dict[str, Any] | None, actor_email: str | None) -> None:
    action = move_action(target)
    if action is None:
        return
    record_event(session, action=action, outcome="success", actor_user_id=ctx.actor_id,
                 actor_email=actor_email or (ctx.principal.email if ctx.principal else None), company_id=company_id,
                 ip=ctx.ip, subject=subject, detail=detail, now=ctx.now)


def move(session: Session, record: Any, target: StrEnum, ctx: RequestContext, *, company_id: int | None = None,
         subject: str | None = None, detail: dict[str, Any] | None = None, actor_email: str | None = None) -> None:
    """Move ``record`` (a row of a table with a ``status`` column) to ``target`` and audit it.

    Raises:
        InvalidTransition: The record's lifecycle does not list this move from where it is.
    """
    current = _status_of(record, target)
    if not can_move(current, target):
        raise InvalidTransition(f"{type(record).__name__} {getattr(record, 'id', '?')}: {current} -> {target}")
    record.status = target.value
    for column, value in _stamps(type(record), target, ctx).items():
        setattr(record, column, value)
    session.add(record)
    _audit(session, target, ctx, company_id=company_id, subject=subject, detail=detail, actor_email=actor_email)


def move_if(session: Session, model: Any, record_id: int, expected: StrEnum | Iterable[StrEnum],
            target: StrEnum, ctx: RequestContext, *, values: dict[str, Any] | None = None,
            company_id: int | None = None, subject: str | None = None, detail: dict[str, Any] | None = None,
            actor_email: str | None = None) -> bool:
    """Move the row ``record_id`` of ``model`` to ``target`` if it is still in one of ``expected``
    (and set ``values`` with it), in one conditional UPDATE.

    Returns:
        Whether this caller made the move (False: another request moved it first).

    Raises:
        InvalidTransition: One of ``expected`` may not move to ``target`` (a bug, whatever the row).
    """
    expected = (expected,) if isinstance(expected, StrEnum) else tuple(expected)
    for status in expected:
        if not can_move(status, target):
            raise InvalidTransition(f"{model.__name__}: {status} -> {target}")
    statement = (sa.update(model).where(model.id == record_id, model.status.in_([s.value for s in expected]))
                 .values(status=target.value, **_stamps(model, target, ctx), **(values or {})))
    won = session.exec(statement).rowcount == 1
    if won:
        _audit(session, target, ctx, company_id=company_id, subject=subject, detail=detail, actor_email=actor_email)
    return won
