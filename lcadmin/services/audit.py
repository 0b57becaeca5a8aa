"""The audit trail: one row per step that matters, written in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlmodel import Session

from lcadmin.domain.audit import AuditAction
from lcadmin.domain.statuses import AuditOutcome
from lcadmin.models import AuditEvent, utcnow
from lcadmin.services.errors import Throttled

# Keys whose values must never reach the audit trail, whatever a caller passes.
_SECRET_KEYS = frozenset({"password", "token", "amount", "card_number", "cvc", "iban"})


def record_event(
    session: Session,
    *,
    action: AuditAction,
    outcome: str,
    actor_user_id: int | None = None,
    actor_email: str | None = None,
    company_id: int | None = None,
    ip: str | None = None,
    subject: str | None = None,
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Add an audit event to ``session`` (committed with the change it describes).

    Raises:
        ValueError: ``action`` is not an :class:`AuditAction` (each has its sentence in every
            language), ``outcome`` is not an :class:`AuditOutcome`, or ``detail`` names a secret.
    """
    action, _ = AuditAction(action), AuditOutcome(outcome)
    leaked = _SECRET_KEYS.intersection(detail or {})
    if leaked:
        raise ValueError(f"audit details must not carry secrets: {sorted(leaked)}")
    event = AuditEvent(
        occurred_at=now or utcnow(), action=action.value, outcome=outcome, actor_user_id=actor_user_id,
        actor_email=actor_email, company_id=company_id, ip=ip, subject=subject, detail=detail or {},
    )
    session.add(event)
    return event


@contextmanager
def lock_refusals_recorded(session: Session, *, action: AuditAction, actor_email: str | None, ip: str | None,
                           now: datetime) -> Iterator[None]:
    """Audit a step that a throttle lock refuses within the block, and commit that event: the
    refusal then propagates, and must stay on record although the step itself is rolled back."""
    try:
        yield
    except Throttled:
        record_event(session, action=action, outcome="denied", actor_email=actor_email, ip=ip,
                     detail={"reason": "locked"}, now=now)
        session.commit()
        raise
