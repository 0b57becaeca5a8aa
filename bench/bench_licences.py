"""The Licences page with 100 and with 10 000 holders (SQLite): the summary, the first page of 25
and a search, as the page loads them; and a 5 000-line CSV previewed and applied. Prints medians
of 15 runs and the ratio between the two companies; run with `make bench`."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from lcadmin import migrations
from lcadmin.db import create_engine, read_scope, session_scope
from lcadmin.domain.permissions import Role
from lcadmin.models import Seat
from lcadmin.services import licences
from lcadmin.services.licences.pools import recount
from lcadmin.settings import load_settings
from tests import factories

NOW = datetime(2026, 11, 26, 9, tzinfo=UTC)
SETTINGS = load_settings({})


def company_with(engine, holders: int, seats: int):
    with session_scope(engine) as session:
        company = factories.company(session)
        admin = factories.account(session, company=company, role=Role.ADMIN)
        contract, product = factories.seat_pool(session, company, seats=seats)
        session.add_all(Seat(company_id=company.id, contract_id=contract.id, product_id=product.id,
                             email=f"holder{n:05d}@{company.name.lower().replace(' ', '')}.example",
                             full_name=f"Holder {n:05d}", status="active", assigned_at=NOW, updated_at=NOW)
                        for n in range(holders))
        session.flush()
        recount(session, company.id)
        return factories.principal(admin, company), f"{contract.number}:SNA"


def page_load(engine, who) -> float:
    started = time.perf_counter()
    ctx = factories.context(principal=who, now=NOW)
    with read_scope(engine) as session:
        licences.pool_rows(session, ctx, settings=SETTINGS)
        licences.list_holders(session, ctx, settings=SETTINGS)
        licences.list_holders(session, ctx, settings=SETTINGS, search="holder0042")
    return time.perf_counter() - started


def median_ms(work, runs: int = 15) -> float:
    work()  # warm the caches
    return statistics.median(work() for _ in range(runs)) * 1000


def main() -> None:
    engine = create_engine(f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}")
    migrations.upgrade(engine)
    small, _ = company_with(engine, 100, 200)
    large, _ = company_with(engine, 10_000, 20_000)
    small_ms, large_ms = median_ms(lambda: page_load(engine, small)), median_ms(lambda: page_load(engine, large))
    print(f"Licences page (summary, first page, a search): 100 holders {small_ms:.1f} ms, "
          f"10 000 holders {large_ms:.1f} ms, ratio {large_ms / small_ms:.2f}x")
    importer, pool = company_with(engine, 0, 5_000)
    data = "".join(f"new{n}@x.example\n" for n in range(5_000)).encode()
    started = time.perf_counter()
    with read_scope(engine) as session:
        preview = licences.preview_csv(session, factories.context(principal=importer, now=NOW), pool=pool, data=data,
                                       settings=SETTINGS)
    previewed = time.perf_counter() - started
    started = time.perf_counter()
    with session_scope(engine) as session:
        applied = licences.apply_csv(session, factories.context(principal=importer, now=NOW), pool=pool, data=data,
                                     settings=SETTINGS)
    print(f"CSV of 5 000 lines: preview {previewed:.2f} s ({preview.ready} ready), applied in one transaction "
          f"{time.perf_counter() - started:.2f} s ({applied} invited)")


if __name__ == "__main__":
    main()
