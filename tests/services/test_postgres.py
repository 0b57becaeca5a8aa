"""The same migrations, demo data and engine code on the real PostgreSQL server.

The server comes from LCADMIN_TEST_POSTGRES_URL (default: the local server's `test` database).
Each run works in a schema of its own, dropped at the end, so it needs no CREATE DATABASE right.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import func, select

from lcadmin import migrations
from lcadmin.db import create_engine, read_scope, session_scope
from lcadmin.demo import DEMO_PASSWORD, FLEXIS_ORDER, load_demo_data
from lcadmin.models import AuditEvent, Company, Invoice, SalesOrder
from lcadmin.services.passwords import hash_password
from tests.conftest import require

pytestmark = pytest.mark.postgres
POSTGRES_URL = os.environ.get("LCADMIN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _reachable() -> str | None:
    try:
        probe = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with probe.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        probe.dispose()
        return None
    except Exception as error:  # noqa: BLE001 - any failure means: no server to test against
        return f"no PostgreSQL at {POSTGRES_URL} ({type(error).__name__})"


@pytest.fixture(scope="module")
def pg_engine():
    problem = _reachable()
    require(problem is None, problem or "")
    schema = f"lcadmin_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine = create_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


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
