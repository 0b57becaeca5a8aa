"""The one way records change status: checked, stamped, audited; and compare-and-set for races."""

from __future__ import annotations

import pytest
from sqlmodel import select

from lcadmin.db import read_scope, session_scope
from lcadmin.domain.permissions import Role
from lcadmin.domain.statuses import InvoiceStatus, OrderStatus, PaymentStatus
from lcadmin.models import AuditEvent, Invoice, Payment
from lcadmin.services.errors import InvalidTransition, ServiceError
from lcadmin.services.lifecycle import move, move_if
from tests import factories
from tests.factories import NOW, context
from tests.helpers import race


def test_a_move_sets_the_status_its_timestamp_and_writes_its_audit_event(engine):
    with session_scope(engine) as session:
        company = factories.company(session)
        invoice = factories.invoice(session, company)
        move(session, invoice, InvoiceStatus.PAID, context(), company_id=company.id, subject=f"invoice:{invoice.number}")
        invoice_id = invoice.id
    with read_scope(engine) as session:
        paid = session.get(Invoice, invoice_id)
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "invoice.paid")).one()
    assert (paid.status, paid.paid_at) == ("paid", NOW)
    assert (event.company_id, event.subject, event.ip) == (company.id, f"invoice:{paid.number}", "203.0.113.7")


def test_a_move_the_lifecycle_does_not_list_is_refused_with_a_code(engine):
    with session_scope(engine) as session:
        company = factories.company(session)
        order = factories.order(session, company, status=OrderStatus.PAID)
        with pytest.raises(InvalidTransition) as refused:
            move(session, order, OrderStatus.AWAITING_SIGNATURE, context())
    assert isinstance(refused.value, ServiceError) and refused.value.code == "invalid_transition"
    assert order.status == "paid"


def test_of_concurrent_moves_exactly_one_wins_and_only_it_is_audited(engine):
    with session_scope(engine) as session:
        company = factories.company(session)
        user = factories.account(session, company=company, role=Role.ADMIN)
        invoice = factories.invoice(session, company)
        payment_id = factories.payment(session, company, user, invoice_=invoice, status=PaymentStatus.REQUIRES_ACTION).id

    def fail() -> str:
        with session_scope(engine) as session:
            won = move_if(session, Payment, payment_id, PaymentStatus.REQUIRES_ACTION, PaymentStatus.FAILED, context(),
                          values={"failure_code": "authentication_expired"}, company_id=company.id)
        return "won" if won else "lost"

    assert race(8, fail) == ["lost"] * 7 + ["won"]
    with read_scope(engine) as session:
        payment = session.get(Payment, payment_id)
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "payment.failed")).all()
    assert (payment.status, payment.failure_code) == ("failed", "authentication_expired") and len(events) == 1


def test_a_compare_and_set_from_a_status_that_cannot_move_there_is_a_bug(engine):
    with session_scope(engine) as session, pytest.raises(InvalidTransition):
        move_if(session, Payment, 1, PaymentStatus.SUCCEEDED, PaymentStatus.FAILED, context())
