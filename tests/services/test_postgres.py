"""The same migrations, demo data and engine code on the real PostgreSQL server.

The server comes from LCADMIN_TEST_POSTGRES_URL (default: the local server's `test` database).
Each run works in a schema of its own, dropped at the end, so it needs no CREATE DATABASE right.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import func, select

from lcadmin import migrations
from lcadmin.db import read_scope, session_scope
from lcadmin.demo import DEMO_PASSWORD, FLEXIS_ORDER, load_demo_data
from lcadmin.models import AuditEvent, Company, Invoice, SalesOrder
from lcadmin.services.passwords import hash_password
from tests.factories import context
from tests.helpers import race

pytestmark = pytest.mark.postgres
def test_migrations_apply_on_postgresql_with_nothing_left_over(pg_engine):
    migrations.upgrade(pg_engine)
    migrations.upgrade(pg_engine)
    assert "sales_order" in sa.inspect(pg_engine).get_table_names()
    assert migrations.pending_changes(pg_engine) == []


def test_demo_data_loads_on_postgresql_once(pg_engine):
    migrations.upgrade(pg_engine)
    with session_scope(pg_engine) as session:
        assert load_demo_data(session, password_hash=hash_password(DEMO_PASSWORD))
    with session_scope(pg_engine) as session:
        assert not load_demo_data(session, password_hash=hash_password(DEMO_PASSWORD))
    with read_scope(pg_engine) as session:
        assert session.exec(select(func.count()).select_from(Company)).one() == 2
        order = session.exec(select(SalesOrder).where(SalesOrder.number == FLEXIS_ORDER)).one()
        assert (order.subtotal_minor, order.tax_minor, order.total_minor) == (3_600_00, 720_00, 4_320_00)
        assert {i.status for i in session.exec(select(Invoice).where(Invoice.order_id == order.id))} == {"paid", "open"}
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "demo_data.loaded")).one()
        assert event.occurred_at.tzinfo is not None
        assert event.occurred_at.utcoffset() == UTC.utcoffset(datetime.now(UTC))


def test_postgresql_enforces_the_same_constraints(pg_engine):
    migrations.upgrade(pg_engine)
    with pytest.raises(sa.exc.IntegrityError), session_scope(pg_engine) as session:
        session.add(Invoice(company_id=1, number="X-1", kind="credit_note", status="open"))


def test_tokens_and_proof_counters_hold_under_concurrency_on_postgresql(pg_engine):
    """Ten concurrent clicks on one activation link: one wins. Then five wrong proofs lock."""
    import re
    from datetime import timedelta

    from lcadmin.models import OutboxMessage
    from lcadmin.services import onboarding
    from lcadmin.services.errors import LinkProblem, Throttled
    from lcadmin.settings import load_settings

    settings = load_settings({})
    now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    migrations.upgrade(pg_engine)
    with session_scope(pg_engine) as session:
        load_demo_data(session, password_hash=hash_password(DEMO_PASSWORD))
    with session_scope(pg_engine) as session:
        onboarding.start_access(session, context(ip="192.0.2.1", now=now), email="cmartin@flexis.com",
                                settings=settings)
    with read_scope(pg_engine) as session:
        body = session.exec(select(OutboxMessage.text_body)).one()
    secret = re.search(r"/activate/([A-Za-z0-9_-]+)", body).group(1)

    def click() -> str:
        try:
            with session_scope(pg_engine) as session:
                onboarding.confirm_activation(session, context(ip="192.0.2.1", now=now), secret=secret)
            return "won"
        except LinkProblem as problem:
            return problem.code

    assert race(10, click) == ["link_used"] * 9 + ["won"]

    for n in range(5):
        with pytest.raises(onboarding.ProofRejected), session_scope(pg_engine) as session:
            onboarding.submit_proof(session, context(ip=f"192.0.2.{10 + n}", now=now), email=f"x{n}@example.org",
                                    reference="FLD102776277396", amount="1", settings=settings)
    with pytest.raises(onboarding.ProofRejected), session_scope(pg_engine) as session:  # the company is locked
        onboarding.submit_proof(session, context(ip="192.0.2.99", now=now + timedelta(minutes=1)), email="aleroy@flexis.com",
                                    reference="FLD102776277396", amount="3 600", settings=settings)
    for _ in range(4):  # aleroy's own failures, counted against her address too
        with pytest.raises(onboarding.ProofRejected), session_scope(pg_engine) as session:
            onboarding.submit_proof(session, context(ip="192.0.2.99", now=now + timedelta(minutes=1)), email="aleroy@flexis.com",
                                    reference="FLD102776277396", amount="1", settings=settings)
    with pytest.raises(Throttled), session_scope(pg_engine) as session:
        onboarding.submit_proof(session, context(ip="192.0.2.98", now=now + timedelta(minutes=1)), email="aleroy@flexis.com",
                                    reference="FLD102776277396", amount="3 600", settings=settings)


def test_a_burst_of_concurrent_wrong_proofs_gets_five_tries_and_no_more_on_postgresql(pg_engine):
    """Thirty guesses at once, from thirty addresses and IPs, the right amount among them: the
    company's counter lets five through to the comparison, then locks; the right one is refused."""
    from lcadmin.services import onboarding
    from lcadmin.settings import load_settings

    settings = load_settings({})
    now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    migrations.upgrade(pg_engine)
    with session_scope(pg_engine) as session:
        load_demo_data(session, password_hash=hash_password(DEMO_PASSWORD))
    amounts = iter([str(3000 + n) for n in range(29)] + ["3 600"])
    rows = [(f"b{n}@example.org", f"198.51.100.{n}", next(amounts)) for n in range(30)]
    rows.insert(15, rows.pop())  # the right amount is not among the first five to be sent

    def guess() -> str:
        email, ip, amount = rows.pop(0)
        try:
            with session_scope(pg_engine) as session:
                return onboarding.submit_proof(session, context(ip=ip, now=now), email=email,
                                    reference="FLD102776277396", amount=amount, settings=settings).outcome
        except onboarding.ProofRejected:
            return "rejected"

    assert race(30, guess) == ["rejected"] * 30
    with read_scope(pg_engine) as session:
        failures = session.exec(select(AuditEvent.detail).where(AuditEvent.action == "access.proof")).all()
    compared = [d for d in failures if d.get("reason") != "company_locked"]
    assert len(failures) == 30 and len(compared) == 5
