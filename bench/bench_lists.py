"""The invoices page with 1 000 and with 100 000 invoices in one company, on SQLite and on
PostgreSQL: the page's load as its state makes it (the filters' choices, the first page of
invoices, the first page of payments), the "En retard" filter, and a search by a number's
beginning; and the size of the page's rows as the browser receives them (JSON). Both companies
live in the same database. Prints medians of 15 runs and the ratio between the two companies;
run with `make bench`.

PostgreSQL comes from LCADMIN_TEST_POSTGRES_URL (default: the local server's `test` database),
in a schema of its own, dropped at the end; it is left out when the server cannot be reached.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa

from lcadmin import migrations
from lcadmin.db import create_engine, read_scope, session_scope
from lcadmin.domain.permissions import Role
from lcadmin.domain.statuses import OrderStatus
from lcadmin.models import Contract, Invoice, Payment
from lcadmin.services import admin_center, receipts
from tests import factories

NOW = datetime(2026, 11, 26, 9, tzinfo=UTC)
ZONE = "Europe/Paris"
YEARS = 8  # invoices issued over the last eight years, the newest a few days ago
POSTGRES_URL = os.environ.get("LCADMIN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _status(age_days: int, n: int) -> str:
    """Paid as they age, a few left open (overdue once past due) or voided."""
    if age_days < 30:
        return "open" if n % 3 else "paid"
    if n % 50 == 7:
        return "open"  # overdue
    return "void" if n % 100 == 13 else "paid"


def company_with(engine, invoices: int):
    """A company, its admin, two contracts with an order each, ``invoices`` invoices issued
    over the years (1 in 100 a credit note), and a card payment for every other paid one."""
    with session_scope(engine) as session:
        company = factories.company(session)
        admin = factories.account(session, company=company, role=Role.ADMIN)
        orders = []
        for n in range(2):
            contract = Contract(company_id=company.id, number=f"CTR-{company.id}-{n}", title="Licences",
                                start_date=date(2019, 1, 1), end_date=date(2026, 12, 31))
            session.add(contract)
            session.flush()
            order = factories.order(session, company, status=OrderStatus.SIGNED)
            order.contract_id = contract.id
            orders.append(order)
        session.flush()
        first_day, span = NOW.date() - timedelta(days=365 * YEARS), 365 * YEARS
        rows, payments = [], []
        for n in range(invoices):
            issued = first_day + timedelta(days=span * n // invoices)
            age = (NOW.date() - issued).days
            kind = "credit_note" if n % 100 == 99 else "invoice"
            status = _status(age, n) if kind == "invoice" else ("open" if n % 200 == 99 else "void")
            number = f"F{issued.year}-{company.id:02d}{n:06d}"
            rows.append(dict(company_id=company.id, order_id=orders[n % 2].id, number=number, kind=kind,
                             credited_invoice_id=None, status=status, issue_date=issued,
                             due_date=issued + timedelta(days=30), currency="EUR", subtotal_minor=100_00 + n % 997,
                             tax_minor=20_00, total_minor=120_00 + n % 997, created_at=NOW, issuer_snapshot={},
                             customer_snapshot={}, paid_at=NOW if status == "paid" else None))
        ids = iter(session.execute(sa.insert(Invoice).returning(Invoice.id, sort_by_parameter_order=True),
                                   [{**row, "kind": "invoice"} if row["kind"] == "credit_note" else row
                                    for row in rows]).scalars().all())
        for row, invoice_id in zip(rows, ids, strict=True):
            row["id"] = invoice_id
        credit_notes = [row for row in rows if row["kind"] == "credit_note"]
        for row in credit_notes:  # each corrects the invoice before it
            session.execute(sa.update(Invoice).where(Invoice.id == row["id"]).values(
                kind="credit_note", credited_invoice_id=row["id"] - 1))
        for n, row in enumerate(rows):
            if row["status"] == "paid" and row["kind"] == "invoice" and n % 2 == 0:
                paid = datetime.combine(row["issue_date"], datetime.min.time(), UTC) + timedelta(days=10)
                payments.append(dict(company_id=company.id, invoice_id=row["id"], paid_invoice_id=row["id"],
                                     idempotency_key=uuid.uuid4().hex, amount_minor=row["total_minor"],
                                     currency="EUR", provider_intent_id=f"pi_{n}", status="succeeded",
                                     card_brand="visa", card_last4="4242", method_kind="card",
                                     receipt_number=f"R{paid.year}-{company.id:02d}{n:06d}", paid_at=min(paid, NOW),
                                     created_at=paid, updated_at=paid))
        if payments:
            session.execute(sa.insert(Payment), payments)
        searched = rows[len(rows) // 2]["number"][:-1]  # a number less its last digit: up to ten invoices
        return factories.principal(admin, company), searched


def page_load(engine, who) -> int:
    """What InvoicesState.load asks for; returns the size of the rows sent, in bytes of JSON."""
    ctx = factories.context(principal=who, now=NOW)
    with read_scope(engine) as session:
        contracts, periods = admin_center.invoice_filter_choices(session, ctx)
        invoices = admin_center.list_invoices(session, ctx, zone=ZONE)
        payments = receipts.list_payments(session, ctx, zone=ZONE)
    return len(json.dumps({"rows": [asdict(r) for r in invoices], "payments": [asdict(r) for r in payments],
                           "contracts": contracts, "periods": [asdict(p) for p in periods]}).encode())


def overdue(engine, who) -> int:
    with read_scope(engine) as session:
        return admin_center.list_invoices(session, factories.context(principal=who, now=NOW), zone=ZONE,
                                          status="overdue").total


def search(engine, who, text: str) -> int:
    with read_scope(engine) as session:
        return admin_center.list_invoices(session, factories.context(principal=who, now=NOW), zone=ZONE,
                                          search=text).total


def median_ms(work, runs: int = 15) -> tuple[float, float]:
    """The median and the slowest of ``runs`` calls, in ms (after one to warm the caches)."""
    work()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def bench(label: str, engine, analyze) -> None:
    migrations.upgrade(engine)
    started = time.perf_counter()
    small, small_search = company_with(engine, 1_000)
    large, large_search = company_with(engine, 100_000)
    analyze(engine)
    print(f"{label}: 101 000 invoices written in {time.perf_counter() - started:.0f} s")
    for name, work in (("page load (choices, page 1, payments)", lambda who, _: page_load(engine, who)),
                       ("status filter: overdue", lambda who, _: overdue(engine, who)),
                       ("search by a number's beginning", lambda who, text: search(engine, who, text)),
                       ("search by digits inside the number", lambda who, _: search(engine, who, "00042"))):
        (small_ms, _), (large_ms, large_max) = (median_ms(lambda work=work: work(small, small_search)),
                                                median_ms(lambda work=work: work(large, large_search)))
        print(f"  {name:40} 1k {small_ms:7.1f} ms   100k {large_ms:7.1f} ms (slowest {large_max:6.1f} ms)   "
              f"ratio {large_ms / small_ms:4.2f}x")
    print(f"  rows sent on page load: 1k {page_load(engine, small)} bytes, 100k {page_load(engine, large)} bytes")


def _no_statistics(engine) -> None:
    """The app never runs ANALYZE on SQLite: its plans must hold without statistics."""


def _analyze_postgres(engine) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")  # what autovacuum does after such a load


def main() -> None:
    engine = create_engine(f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}")
    bench("SQLite", engine, _no_statistics)
    engine.dispose()
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as connection:
            schema = f"lcadmin_bench_{uuid.uuid4().hex[:12]}"
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    except sa.exc.OperationalError as error:
        print(f"PostgreSQL: left out ({type(error).__name__}: no server at {POSTGRES_URL})")
        return
    try:
        engine = create_engine(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
        bench("PostgreSQL", engine, _analyze_postgres)
        engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


if __name__ == "__main__":
    main()
