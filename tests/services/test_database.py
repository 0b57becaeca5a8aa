"""The engine's integrity settings and the migrations, on a real SQLite file."""

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import select

from lcadmin import migrations
from lcadmin.db import read_scope, session_scope
from lcadmin.models import Address, AuditEvent, Company


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(engine):
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_foreign_keys_are_enforced(engine):
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(Address(company_id=999, kind="billing", line1="x", postal_code="1", city="y"))


def test_check_constraints_guard_statuses(engine):
    with session_scope(engine) as session:
        company = Company(name="A", legal_name="A SAS", siren="552203101")
        session.add(company)
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(Address(company_id=company.id, kind="holiday-home", line1="x", postal_code="1", city="y"))


def test_a_failing_block_rolls_back_everything_it_wrote(engine):
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        session.add(Company(name="Gone", legal_name="Gone SAS", siren="552203101"))
        session.flush()
        raise RuntimeError("boom")
    with read_scope(engine) as session:
        assert session.exec(select(Company)).all() == []


def test_instants_come_back_as_aware_utc(engine):
    paris = timezone(timedelta(hours=1))
    with session_scope(engine) as session:
        session.add(AuditEvent(action="x", outcome="success", occurred_at=datetime(2026, 1, 1, 10, 0, tzinfo=paris)))
    with read_scope(engine) as session:
        event = session.exec(select(AuditEvent)).one()
    assert event.occurred_at == datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    assert event.occurred_at.tzinfo is UTC


def test_naive_instants_are_refused(engine):
    with pytest.raises(StatementError), session_scope(engine) as session:
        session.add(AuditEvent(action="x", outcome="success", occurred_at=datetime(2026, 1, 1, 10, 0)))


def test_parallel_writers_never_lose_an_update(engine):
    """Eight threads read-then-increment one counter 25 times each: with BEGIN IMMEDIATE every
    increment lands and no writer meets 'database is locked'."""
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE counter (value INTEGER NOT NULL)")
        connection.exec_driver_sql("INSERT INTO counter VALUES (0)")
    errors: list[Exception] = []

    def bump() -> None:
        for _ in range(25):
            try:
                with session_scope(engine) as session:
                    value = session.exec(sa.text("SELECT value FROM counter")).scalar_one()
                    session.exec(sa.text("UPDATE counter SET value = :v").bindparams(v=value + 1))
            except Exception as error:
                errors.append(error)

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT value FROM counter").scalar() == 200


def test_readers_are_not_blocked_by_a_writer(engine):
    with session_scope(engine) as writer:
        writer.add(Company(name="A", legal_name="A SAS", siren="552203101"))
        writer.flush()
        with read_scope(engine) as reader:  # a second connection, while the write lock is held
            assert reader.exec(select(Company)).all() == []


def test_migrations_leave_nothing_for_makemigrations(engine):
    assert migrations.pending_changes(engine) == []


def test_migrations_apply_to_an_empty_database_and_again_without_effect(tmp_path):
    from lcadmin.db import create_engine

    engine = create_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    migrations.upgrade(engine)
    migrations.upgrade(engine)
    tables = set(sa.inspect(engine).get_table_names())
    assert {"company", "contact", "user_account", "membership", "contract", "sales_order", "order_line",
            "invoice", "invoice_line", "audit_event", "company_domain", "address"} <= tables
    assert migrations.pending_changes(engine) == []
    engine.dispose()
