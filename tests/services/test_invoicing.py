"""Invoice numbers: continuous, no gap, no twin, even with parallel writers; snapshots frozen."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from lcadmin import migrations
from lcadmin.db import read_scope, session_scope
from lcadmin.models import Company, Invoice
from lcadmin.services.invoicing import LineInput, issue_invoice
from lcadmin.settings import load_settings
from tests.factories import context

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
VENDOR = load_settings({}).vendor
LINE = [LineInput("Licence", 2, 100_00, 2000)]


def _issue(engine, *, company_id: int = 1, on: date = date(2026, 11, 26), fail: bool = False) -> str:
    with session_scope(engine) as session:
        invoice = issue_invoice(session, context(now=NOW), company_id=company_id, lines=LINE, issue_date=on,
                                payment_terms_days=30, period=None, vendor=VENDOR)
        if fail:
            raise RuntimeError("the surrounding change failed")
        return invoice.number


def _numbers(engine) -> list[str]:
    with read_scope(engine) as session:
        return sorted(session.exec(select(Invoice.number)).all())


def test_numbers_continue_the_demo_series(demo):
    assert _issue(demo) == "F2026-00006"
    assert _issue(demo) == "F2026-00007"
    assert _issue(demo, on=date(2027, 1, 4)) == "F2027-00001"


def test_a_rolled_back_invoice_leaves_no_gap(demo):
    with pytest.raises(RuntimeError):
        _issue(demo, fail=True)
    assert _issue(demo) == "F2026-00006"


def test_the_customer_snapshot_does_not_follow_later_changes(demo):
    number = _issue(demo)
    with session_scope(demo) as session:
        company = session.get(Company, 1)
        company.legal_name = "Flexis Group SA"
        session.add(company)
    with read_scope(demo) as session:
        invoice = session.exec(select(Invoice).where(Invoice.number == number)).one()
    assert invoice.customer_snapshot["legal_name"] == "Flexis SAS"
    assert invoice.issuer_snapshot["siren"] == "812345676"
    assert (invoice.subtotal_minor, invoice.tax_minor, invoice.total_minor) == (200_00, 40_00, 240_00)
    assert invoice.due_date == date(2026, 12, 26)


def _parallel(engine, writers: int, each: int) -> list[Exception]:
    errors: list[Exception] = []

    def work() -> None:
        for _ in range(each):
            try:
                _issue(engine)
            except Exception as error:
                errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _assert_continuous(engine, issued: int) -> None:
    numbers = [n for n in _numbers(engine) if n.startswith("F2026-")]
    assert numbers == [f"F2026-{n:05d}" for n in range(1, 5 + issued + 1)]


def test_parallel_writers_on_sqlite_get_continuous_unique_numbers(demo):
    assert _parallel(demo, writers=8, each=25) == []
    _assert_continuous(demo, 200)


@pytest.mark.postgres
def test_parallel_writers_on_postgresql_get_continuous_unique_numbers(pg_engine):
    from lcadmin.demo import DEMO_PASSWORD, load_demo_data
    from lcadmin.services.passwords import hash_password

    migrations.upgrade(pg_engine)
    with session_scope(pg_engine) as session:
        load_demo_data(session, password_hash=hash_password(DEMO_PASSWORD), vendor=VENDOR)
    assert _parallel(pg_engine, writers=8, each=25) == []
    _assert_continuous(pg_engine, 200)
