import pytest
from sqlmodel import select

from lcadmin.domain.audit import AuditAction
from lcadmin.models import AuditEvent
from lcadmin.services.audit import record_event


def test_events_are_written_with_the_change(session):
    record_event(session, action=AuditAction.ACCESS_PROOF, outcome="failure", actor_email="aleroy@flexis.com",
                 ip="203.0.113.9", subject="order:FLD102776277396", detail={"reason": "mismatch"})
    session.flush()
    event = session.exec(select(AuditEvent)).one()
    assert (event.action, event.outcome, event.ip, event.detail) == (
        "access.proof", "failure", "203.0.113.9", {"reason": "mismatch"})
    assert event.occurred_at.tzinfo is not None


@pytest.mark.parametrize("secret", ["password", "token", "amount", "card_number"])
def test_secrets_never_reach_the_audit_trail(session, secret):
    with pytest.raises(ValueError, match=secret):
        record_event(session, action=AuditAction.ACCESS_PROOF, outcome="success", detail={secret: "3600"})


def test_unknown_outcomes_are_refused(session):
    with pytest.raises(ValueError):
        record_event(session, action=AuditAction.ACCESS_PROOF, outcome="maybe")


def test_an_action_outside_the_catalog_is_refused(session):
    """Every action must have its sentence in every language for the audit-log page."""
    with pytest.raises(ValueError):
        record_event(session, action="made.up", outcome="success")
