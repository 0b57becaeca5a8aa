"""The Admin Center's lists a page at a time, on SQLite and on PostgreSQL: page sizes and totals,
an order that never repeats nor skips a row across pages, the status the customer sees decided
in SQL on the vendor's calendar, the per-contract scope, and nothing of another company."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import col, select

from lcadmin import migrations
from lcadmin.db import read_scope, session_scope
from lcadmin.domain.permissions import Role
from lcadmin.domain.statuses import CollectionStatus, InvoiceStatus, OrderStatus
from lcadmin.models import Collection, Company, Contract, Invoice, PaymentMethod, SalesOrder
from lcadmin.services import admin_center, receipts
from lcadmin.services.paging import PAGE_SIZE, Page, clamp_page
from lcadmin.services.payment_methods.collection import collections_of
from tests import factories

ZONE = "Europe/Paris"
NOW = datetime(2026, 11, 26, 9, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request):
    """A migrated, empty database: this test's SQLite file, or a schema of the PostgreSQL server."""
    if request.param == "sqlite":
        return request.getfixturevalue("engine")
    engine = request.getfixturevalue("pg_engine")
    migrations.upgrade(engine)
    return engine


@dataclasses.dataclass
class World:
    admin: object  # the company's admin's principal
    company_id: int
    contracts: list[int]
    orders: list[int]
    numbers: list[str]  # of its invoices, as issued


def _world(engine, *, invoices: int = 0, dates: int = 5, contracts: int = 1, orders: int = 0) -> World:
    """A company with ``contracts`` contracts, an order under each (and ``orders`` more under the
    first), and ``invoices`` open invoices spread over ``dates`` issue dates and three amounts
    (so that sorting meets ties), alternately under each contract's order."""
    with session_scope(engine) as session:
        company = factories.company(session)
        user = factories.account(session, company=company, role=Role.ADMIN)
        contract_ids, order_rows = [], []
        for n in range(contracts):
            contract = Contract(company_id=company.id, number=f"CTR-{company.id}-{n:02d}", title=f"Contrat {n}",
                                start_date=date(2026, 1, 1), end_date=date(2026, 12, 31) - timedelta(days=n % 3))
            session.add(contract)
            session.flush()
            contract_ids.append(contract.id)
        for n in range(contracts + orders):
            order = factories.order(session, company, status=OrderStatus.SIGNED,
                                    start=date(2026, 1, 1) + timedelta(days=n % 4), end=date(2026, 12, 31),
                                    lines=(("Licences", 1 + n % 3, 100_00),))
            order.contract_id = contract_ids[n if n < contracts else 0]
            session.add(order)
            order_rows.append(order)
        session.flush()
        numbers = []
        for n in range(invoices):
            issued = date(2026, 9, 1) + timedelta(days=n % dates)
            row = factories.invoice(session, company, sales_order=order_rows[n % contracts],
                                    issue_date=issued, lines=(("Licences", 1, (1 + n % 3) * 100_00),))
            numbers.append(row.number)
        return World(factories.principal(user, company), company.id, contract_ids, [o.id for o in order_rows],
                     numbers)


def _all_pages(lister, **kwargs) -> list[Page]:
    first = lister(page=1, **kwargs)
    return [first] + [lister(page=n, **kwargs) for n in range(2, first.pages + 1)]


def test_a_list_is_cut_in_pages_of_25_with_the_total_of_the_list(db):
    world = _world(db, invoices=2 * PAGE_SIZE + 5)
    with read_scope(db) as session:
        ctx = factories.context(principal=world.admin, now=NOW)
        pages = _all_pages(lambda **kw: admin_center.list_invoices(session, ctx, zone=ZONE, **kw))
        assert [len(page) for page in pages] == [25, 25, 5]
        assert {(page.total, page.pages) for page in pages} == {(55, 3)}
        assert [page.page for page in pages] == [1, 2, 3]
        past_the_end = admin_center.list_invoices(session, ctx, zone=ZONE, page=99)
        assert (past_the_end.page, [r.number for r in past_the_end]) == (3, [r.number for r in pages[2]])
        for odd in (0, -3, True, "2", 2.0, None):  # anything but a page number: the first page
            assert admin_center.list_invoices(session, ctx, zone=ZONE, page=odd).page == 1  # type: ignore[arg-type]
        empty = admin_center.list_invoices(session, ctx, zone=ZONE, search="F1999")
        assert (list(empty), empty.total, empty.page, empty.pages) == ([], 0, 1, 1)


@pytest.mark.parametrize(("sort", "key"), [
    ("issue_date", lambda i: (i.issue_date, i.number)), ("due_date", lambda i: (i.due_date, i.number)),
    ("number", lambda i: (i.number,)), ("total", lambda i: (i.total_minor, i.number))])
@pytest.mark.parametrize("descending", [True, False])
def test_pages_follow_one_total_order_never_repeating_nor_skipping_a_row(db, sort, key, descending):
    world = _world(db, invoices=2 * PAGE_SIZE + 3, dates=3)
    with read_scope(db) as session:
        ctx = factories.context(principal=world.admin, now=NOW)
        pages = _all_pages(lambda **kw: admin_center.list_invoices(session, ctx, zone=ZONE, sort=sort,
                                                                   descending=descending, **kw))
        invoices = session.exec(select(Invoice).where(Invoice.company_id == world.company_id)).all()
    expected = [i.number for i in sorted(invoices, key=key, reverse=descending)]
    assert [row.number for page in pages for row in page] == expected


def test_overdue_is_read_on_the_vendors_calendar_in_the_rows_the_filter_and_its_count(db):
    """Due on 31 December: not overdue at 23:30 in Paris that day, overdue at 00:30 on 1 January
    (23:30 UTC), in the row, the filter and the count alike."""
    world = _world(db, invoices=3)
    with session_scope(db) as session:
        session.exec(sa.update(Invoice).where(Invoice.number == world.numbers[0]).values(due_date=date(2026, 12, 31)))
        session.exec(sa.update(Invoice).where(col(Invoice.number).in_(world.numbers[1:])).values(
            due_date=date(2027, 3, 1)))
    for instant, shown in ((datetime(2026, 12, 31, 22, 30, tzinfo=UTC), "open"),
                           (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "overdue")):
        with read_scope(db) as session:
            ctx = factories.context(principal=world.admin, now=instant)
            rows = {r.number: r.status for r in admin_center.list_invoices(session, ctx, zone=ZONE)}
            overdue = admin_center.list_invoices(session, ctx, zone=ZONE, status="overdue")
            still_open = admin_center.list_invoices(session, ctx, zone=ZONE, status="open")
        assert rows == {world.numbers[0]: shown, world.numbers[1]: "open", world.numbers[2]: "open"}
        assert overdue.total == (shown == "overdue") and [r.number for r in overdue] == (
            [world.numbers[0]] if shown == "overdue" else [])
        assert still_open.total == 3 - overdue.total


def test_each_status_filter_is_counted_in_sql_and_agrees_with_the_invoice_page(db):
    world = _world(db)
    with session_scope(db) as session:
        company = session.get(Company, world.company_id)
        order = session.get(SalesOrder, world.orders[0])
        made = {}
        for name, status, issued in (("open", InvoiceStatus.OPEN, date(2026, 11, 20)),
                                     ("overdue", InvoiceStatus.OPEN, date(2026, 9, 1)),
                                     ("paid", InvoiceStatus.PAID, date(2026, 9, 2)),
                                     ("void", InvoiceStatus.VOID, date(2026, 9, 3))):
            made[name] = [factories.invoice(session, company, status=status, issue_date=issued, sales_order=order)
                          for _ in range(3 if name == "overdue" else 2)]
        credited = made["paid"][0]
        made["issued"] = [factories.invoice(session, company, credits=credited, issue_date=date(2026, 10, 1),
                                            lines=(("Avoir", 1, 10_00),), sales_order=order)]  # a credit note in force
        voided_note = factories.invoice(session, company, credits=credited, issue_date=date(2026, 10, 2),
                                        lines=(("Avoir", 1, 5_00),), sales_order=order)
        voided_note.status = InvoiceStatus.VOID.value  # a credit note cancelled
        made["void"].append(voided_note)
        draft = factories.invoice(session, company, sales_order=order)
        draft.status = InvoiceStatus.DRAFT.value  # never listed
        session.add_all([voided_note, draft])
        expected = {name: {i.number for i in rows} for name, rows in made.items()}
    with read_scope(db) as session:
        ctx = factories.context(principal=world.admin, now=NOW)
        everything = admin_center.list_invoices(session, ctx, zone=ZONE)
        assert everything.total == sum(len(numbers) for numbers in expected.values()) == 11
        for status, numbers in expected.items():
            page = admin_center.list_invoices(session, ctx, zone=ZONE, status=status)
            assert page.total == len(numbers) and {r.number for r in page} == numbers, status
            assert {r.status for r in page} == {status}
        today = NOW.date()
        for invoice in session.exec(select(Invoice).where(Invoice.company_id == world.company_id,
                                                          Invoice.status != "draft")):
            shown = next(r.status for r in everything if r.number == invoice.number)
            assert shown == admin_center.invoice_status(invoice, today), invoice.number  # one rule, two readings


def test_a_scoped_reader_sees_only_its_contracts_rows_and_totals(db):
    world = _world(db, invoices=30, contracts=3, orders=27)  # invoices alternate over the three contracts
    with session_scope(db) as session:
        user = factories.account(session, company=session.get(Company, world.company_id),
                                 role=Role.BILLING_READER)
        reader = dataclasses.replace(factories.principal(user, session.get(Company, world.company_id),
                                                         Role.BILLING_READER),
                                     contract_ids=frozenset({world.contracts[1]}))
        paid = session.exec(select(Invoice).where(col(Invoice.number).in_([world.numbers[0], world.numbers[1]]))).all()
        for invoice in paid:
            factories.payment(session, session.get(Company, world.company_id), user, invoice_=invoice)
    with read_scope(db) as session:
        ctx = factories.context(principal=reader, now=NOW)
        invoices = admin_center.list_invoices(session, ctx, zone=ZONE)
        assert invoices.total == 10 and {r.contract for r in invoices} == {f"CTR-{world.company_id}-01"}
        assert {r.number for r in invoices} == set(world.numbers[1::3])
        assert admin_center.list_invoices(session, ctx, zone=ZONE, contract=f"CTR-{world.company_id}-00").total == 0
        orders = admin_center.list_orders(session, ctx)
        assert orders.total == 1 and [r.contract for r in orders] == [f"CTR-{world.company_id}-01"]
        contracts = admin_center.list_contracts(session, ctx)
        assert contracts.total == 1 and [r.number for r in contracts] == [f"CTR-{world.company_id}-01"]
        assert admin_center.contract_numbers(session, ctx) == [f"CTR-{world.company_id}-01"]
        payments = receipts.list_payments(session, ctx, zone=ZONE)
        assert payments.total == 1 and [r.invoice_number for r in payments] == [world.numbers[1]]
        everything = factories.context(principal=world.admin, now=NOW)
        assert admin_center.list_invoices(session, everything, zone=ZONE).total == 30
        assert admin_center.list_orders(session, everything).total == 30
        assert receipts.list_payments(session, everything, zone=ZONE).total == 2


def test_another_companys_rows_never_appear_in_any_list_filter_or_count(db):
    ours, theirs = _world(db, invoices=4), _world(db, invoices=30, orders=2)
    with read_scope(db) as session:
        ctx = factories.context(principal=ours.admin, now=NOW)
        assert admin_center.list_invoices(session, ctx, zone=ZONE).total == 4
        for status in admin_center.INVOICE_FILTERS:
            page = admin_center.list_invoices(session, ctx, zone=ZONE, status=status)
            assert not {r.number for r in page} & set(theirs.numbers)
        assert admin_center.list_invoices(session, ctx, zone=ZONE, search=theirs.numbers[0]).total == 0
        assert admin_center.list_invoices(session, ctx, zone=ZONE, contract=f"CTR-{theirs.company_id}-00").total == 0
        assert admin_center.list_orders(session, ctx).total == 1
        assert admin_center.list_orders(session, ctx, contract=f"CTR-{theirs.company_id}-00").total == 0
        assert [r.number for r in admin_center.list_contracts(session, ctx)] == [f"CTR-{ours.company_id}-00"]
        assert admin_center.invoice_filter_choices(session, ctx)[0] == [f"CTR-{ours.company_id}-00"]


def test_the_search_takes_a_piece_of_the_number_literally(db):
    world = _world(db, invoices=30)
    number = world.numbers[12]  # F2026-000nn
    with read_scope(db) as session:
        ctx = factories.context(principal=world.admin, now=NOW)
        search = lambda text: {r.number for r in admin_center.list_invoices(session, ctx, zone=ZONE, search=text)}
        assert search(number) == {number}
        assert search(number.lower()[:-1]) == {n for n in world.numbers if n.startswith(number[:-1])}  # its beginning
        assert search(number[-4:]) == {n for n in world.numbers if number[-4:] in n}  # a piece inside it
        assert search(number[-4:] + "%") == search("_") == search(number[:6] + "%") == set()


def test_orders_and_contracts_are_paged_too(db):
    world = _world(db, contracts=PAGE_SIZE + 2, orders=8)
    with read_scope(db) as session:
        ctx = factories.context(principal=world.admin, now=NOW)
        orders = _all_pages(lambda **kw: admin_center.list_orders(session, ctx, sort="newest", **kw))
        assert [len(p) for p in orders] == [25, 10] and orders[0].total == 35
        assert len({r.number for p in orders for r in p}) == 35
        contracts = _all_pages(lambda **kw: admin_center.list_contracts(session, ctx, **kw))
        assert [len(p) for p in contracts] == [25, 2] and contracts[1].pages == 2
        rows = [r for p in contracts for r in p]
        assert len({r.number for r in rows}) == 27
        first = next(r for r in rows if r.number == f"CTR-{world.company_id}-00")
        assert first.orders == "9"  # its own order and the eight more: counted for the page's contracts
        by_amount = _all_pages(lambda **kw: admin_center.list_orders(session, ctx, sort="amount", **kw))
        assert len({r.number for p in by_amount for r in p}) == 35


def test_the_payments_history_is_paged(db):
    world = _world(db, invoices=PAGE_SIZE + 1)
    with session_scope(db) as session:
        company = session.get(Company, world.company_id)
        user = factories.account(session, company=company)
        for n, invoice in enumerate(session.exec(select(Invoice).where(Invoice.company_id == company.id)).all()):
            row = factories.payment(session, company, user, invoice_=invoice)
            row.paid_at, row.receipt_number = NOW - timedelta(hours=n % 4), f"R2026-{company.id:03d}{n:04d}"
            session.add(row)
    with read_scope(db) as session:
        ctx = factories.context(principal=world.admin, now=NOW)
        pages = _all_pages(lambda **kw: receipts.list_payments(session, ctx, zone=ZONE, **kw))
    assert [len(p) for p in pages] == [25, 1] and pages[0].total == 26
    assert len({r.receipt_number for p in pages for r in p}) == 26


def test_only_the_pages_collections_are_read(db):
    world = _world(db, invoices=PAGE_SIZE + 2)
    with session_scope(db) as session:
        method = PaymentMethod(company_id=world.company_id, kind="card", status="active", provider_method_id="pm_x",
                               holder_name="Alex Test", card_brand="visa", card_last4="4242", exp_month=12,
                               exp_year=2030, created_at=NOW, updated_at=NOW)
        session.add(method)
        session.flush()
        invoices = session.exec(select(Invoice).where(Invoice.company_id == world.company_id)
                                .order_by(Invoice.issue_date, Invoice.number)).all()
        for invoice, status in ((invoices[0], CollectionStatus.PROCESSING), (invoices[-1], CollectionStatus.SCHEDULED)):
            session.add(Collection(invoice_id=invoice.id, company_id=world.company_id, payment_method_id=method.id,
                                   status=status.value, next_attempt_on=NOW.date(), created_at=NOW, updated_at=NOW))
        oldest, newest = invoices[0], invoices[-1]
    with read_scope(db) as session:
        assert set(collections_of(session, world.company_id)) == {oldest.id, newest.id}  # every one, as before
        assert set(collections_of(session, world.company_id, ids=[oldest.id, 10**9])) == {oldest.id}
        assert collections_of(session, world.company_id, ids=[]) == {}
        ctx = factories.context(principal=world.admin, now=NOW)
        last_page = admin_center.list_invoices(session, ctx, zone=ZONE, page=2)  # newest first: the oldest last
        row = next(r for r in last_page if r.number == oldest.number)
        assert (row.status_label, row.can_pay) == ("Prélèvement en cours", False)


def test_the_period_choices_are_the_years_and_quarters_with_invoices(db):
    world = _world(db)
    with session_scope(db) as session:
        company = session.get(Company, world.company_id)
        for issued in (date(2024, 2, 29), date(2026, 1, 5), date(2026, 3, 31), date(2026, 11, 2)):
            factories.invoice(session, company, issue_date=issued)
    with read_scope(db) as session:
        _, periods = admin_center.invoice_filter_choices(session, factories.context(principal=world.admin, now=NOW))
    assert [(p.value, p.label) for p in periods] == [("2026", "2026"), ("2026-Q4", "T4 2026"), ("2026-Q1", "T1 2026"),
                                                     ("2024", "2024"), ("2024-Q1", "T1 2024")]


def test_clamp_page():
    assert [clamp_page(n, 51) for n in (1, 3, 4, 0, -1, True, "2", None)] == [1, 3, 3, 1, 1, 1, 1, 1]
    assert clamp_page(5, 0) == 1


def _statements(engine):
    """The SQL a block sends, with its parameters."""
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    return seen, lambda: event.remove(engine, "before_cursor_execute", record)


def _plan(engine, run) -> str:
    seen, stop = _statements(engine)
    try:
        run()
    finally:
        stop()
    statement, parameters = next((s, p) for s, p in seen if "LIMIT" in s.upper() and "invoice.number" in s)
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as connection:
        return "\n".join(str(row[-1]) for row in connection.exec_driver_sql(prefix + statement, parameters))


def test_the_invoice_list_of_one_company_reads_an_index_in_its_order_on_sqlite(engine):
    world = _world(engine, invoices=3)

    def first_page(**kwargs):
        with read_scope(engine) as session:
            admin_center.list_invoices(session, factories.context(principal=world.admin, now=NOW), zone=ZONE, **kwargs)

    # The page's keys are read in the index's order (no sort of the company's invoices); only the
    # page's 25 rows are sorted again once read.
    plan = _plan(engine, first_page)
    assert "SEARCH invoice USING INDEX ix_invoice_company_issued (company_id=?)" in plan, plan
    assert plan.count("TEMP B-TREE") == 1, plan
    plan = _plan(engine, lambda: first_page(sort="total", descending=False))
    assert "USING INDEX ix_invoice_company_total" in plan and plan.count("TEMP B-TREE") == 1, plan
    # A status filter's page is cut from the status index alone; a search reads a range of numbers.
    assert "USING COVERING INDEX ix_invoice_company_status" in _plan(engine, lambda: first_page(status="overdue"))
    assert "USING INDEX ix_invoice_company_number" in _plan(engine, lambda: first_page(search="F2026-000"))


@pytest.mark.postgres
def test_the_invoice_list_of_one_company_reads_an_index_on_postgresql(pg_engine):
    migrations.upgrade(pg_engine)
    ours, theirs = _world(pg_engine, invoices=3), _world(pg_engine)
    with session_scope(pg_engine) as session:  # enough invoices in two companies for the planner to choose
        session.execute(sa.insert(Invoice), [
            dict(company_id=ours.company_id if n % 10 == 0 else theirs.company_id, number=f"F2025-{n:06d}",
                 kind="invoice", status="paid", issue_date=date(2025, 1, 1) + timedelta(days=n % 300),
                 due_date=date(2025, 2, 1) + timedelta(days=n % 300), currency="EUR", subtotal_minor=100,
                 tax_minor=20, total_minor=120, created_at=NOW, issuer_snapshot={}, customer_snapshot={})
            for n in range(20_000)])
    with pg_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE invoice")

    def first_page():
        with read_scope(pg_engine) as session:
            admin_center.list_invoices(session, factories.context(principal=ours.admin, now=NOW), zone=ZONE)

    plan = _plan(pg_engine, first_page)
    assert "ix_invoice_company_issued" in plan and "Seq Scan on invoice" not in plan, plan


def test_the_overview_sums_what_is_left_due_and_late_in_sql_with_credit_notes_deducted(db):
    """"Accueil" at once for every open invoice: a credit note takes its amount off its invoice,
    one that covers it all leaves nothing to pay, "late" is by the vendor's calendar, the amounts
    are the caller's scope only, and the queries do not grow with the number of invoices."""
    with session_scope(db) as session:
        company = factories.company(session)
        user = factories.account(session, company=company, role=Role.ADMIN)
        other = factories.company(session)
        late = factories.invoice(session, company, issue_date=date(2026, 9, 1), lines=(("A", 1, 100_00),))
        late_credited = factories.invoice(session, company, issue_date=date(2026, 9, 2), lines=(("B", 1, 50_00),))
        factories.invoice(session, company, issue_date=date(2026, 9, 3), credits=late_credited,
                          lines=(("B", 1, 20_00),))  # 20,00 € back on it (before tax)
        cancelled = factories.invoice(session, company, issue_date=date(2026, 9, 4), lines=(("C", 1, 30_00),))
        factories.invoice(session, company, issue_date=date(2026, 9, 5), credits=cancelled, lines=(("C", 1, 30_00),))
        coming = factories.invoice(session, company, issue_date=date(2026, 11, 20), lines=(("D", 1, 10_00),))
        factories.invoice(session, company, issue_date=date(2026, 9, 1), status=InvoiceStatus.PAID)
        factories.invoice(session, other, issue_date=date(2026, 9, 1), lines=(("Z", 1, 999_00),))
        principal = factories.principal(user, company)
        totals = {row.number: row.total_minor for row in (late, late_credited, coming)}
    seen, queries = _overview_counting_queries(db, principal)
    left_on_credited = totals[late_credited.number] - 24_00  # the credit note's 20,00 € + 20 % VAT
    as_text = lambda minor: f"{minor // 100:,}".replace(",", "\u202f") + f",{minor % 100:02d}\u00a0€"
    assert (seen.open_count, seen.overdue_count) == (3, 2)
    assert seen.amount_due == as_text(totals[late.number] + left_on_credited + totals[coming.number])
    assert seen.overdue == as_text(totals[late.number] + left_on_credited)
    assert (seen.pay_number, seen.pay_amount) == (late.number, as_text(totals[late.number]))  # the oldest late one
    assert (seen.next_number, seen.next_amount) == (coming.number, as_text(totals[coming.number]))
    with session_scope(db) as session:
        company = session.get(Company, principal.company_id)
        for n in range(10):
            factories.invoice(session, company, issue_date=date(2026, 10, 1 + n), lines=(("E", 1, 10_00),))
    again, more_queries = _overview_counting_queries(db, principal)
    assert again.open_count == 13 and more_queries == queries  # not one query per invoice


def _overview_counting_queries(engine, principal):
    queries = []
    listen = lambda *args: queries.append(args[2])
    event.listen(engine, "before_cursor_execute", listen)
    try:
        with read_scope(engine) as session:
            seen = admin_center.overview(session, factories.context(principal=principal, now=NOW), zone=ZONE)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return seen, len(queries)
