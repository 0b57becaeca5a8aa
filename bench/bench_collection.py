"""Automatic collection throughput: 300 open invoices due today, each on a contract paid by a
saved card, collected by one round of the job on SQLite (each one charged at the sandbox,
recorded, settled, its receipt numbered, rendered and queued). Prints the round's time and the
time per invoice; run with `make bench`."""

from __future__ import annotations

import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lcadmin import migrations
from lcadmin.db import create_engine, session_scope
from lcadmin.domain.cards import CardInput
from lcadmin.domain.permissions import Role
from lcadmin.models import Contract
from lcadmin.payments.sandbox import SandboxProvider
from lcadmin.services import payment_methods
from lcadmin.services.context import system
from lcadmin.settings import load_settings
from tests import factories

INVOICES = 300
ISSUED = date(2026, 11, 26)


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    engine = create_engine(f"sqlite:///{folder / 'bench.db'}")
    migrations.upgrade(engine)
    settings = load_settings({})
    provider = SandboxProvider(engine, today=ISSUED)
    with session_scope(engine) as session:
        company = factories.company(session)
        user = factories.account(session, company=company, role=Role.BILLING_ADMIN)
        contract = Contract(company_id=company.id, number="CTR-BENCH", title="Bench", start_date=date(2026, 1, 1),
                            end_date=date(2026, 12, 31))
        session.add(contract)
        session.flush()
        order = factories.order(session, company)
        order.contract_id = contract.id
        for _ in range(INVOICES):
            factories.invoice(session, company, sales_order=order, issue_date=ISSUED, terms_days=30)
        principal = factories.principal(user, company, Role.BILLING_ADMIN)
    with session_scope(engine) as session:
        payment_methods.start_card_setup(
            session, factories.context(principal=principal),
            form=payment_methods.CardSetupInput("Bench Holder", CardInput("4242 4242 4242 4242", "12/28", "123"),
                                                True),
            idempotency_key=uuid.uuid4().hex, provider=provider, settings=settings)
    due = datetime(2026, 12, 26, 9, tzinfo=UTC)
    started = time.perf_counter()
    with session_scope(engine) as session:
        scheduled = payment_methods.schedule_collections(session, system(due - timedelta(days=30)), settings=settings)
    scheduling = time.perf_counter() - started
    started = time.perf_counter()
    with session_scope(engine) as session:
        collected = payment_methods.collect_due(session, system(due), provider=provider, settings=settings)
    collecting = time.perf_counter() - started
    print(f"scheduled {scheduled} collections in {scheduling:.2f} s ({scheduling / scheduled * 1000:.1f} ms each)")
    print(f"collected {collected} invoices in {collecting:.2f} s ({collecting / collected * 1000:.1f} ms each, "
          "receipt PDF included)")


if __name__ == "__main__":
    main()
