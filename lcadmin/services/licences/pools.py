"""Seat pools: for a company, a contract and a product, how many seats are **purchased** (the
seats of its signed or paid orders whose period covers today), **assigned** (invited and active
holders) and **available** (the difference, never negative).

The assigned count is kept in :class:`~lcadmin.models.SeatPoolCount`, changed by
:func:`count_taken` in the transaction of every seat that starts or ends: counting a pool reads
one row, not one per holder. :func:`recount` rebuilds it from the seats (data loaded by hand)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from lcadmin.domain.statuses import ContractStatus, OrderStatus, SeatStatus
from lcadmin.models import Contract, OrderLine, Product, SalesOrder, Seat, SeatPoolCount

IN_FORCE = (OrderStatus.SIGNED.value, OrderStatus.PAID.value)
TAKEN = (SeatStatus.INVITED.value, SeatStatus.ACTIVE.value)


def product_name(product: Product, locale: str) -> str:
    """The product's name in ``locale``."""
    return product.name_en if locale == "en" else product.name_fr


@dataclass(frozen=True)
class Pool:
    """One pool of seats: a product under a contract."""

    contract_id: int
    contract_number: str
    product_id: int
    product_code: str
    product: Product
    purchased: int
    assigned: int

    @property
    def available(self) -> int:
        """Seats free to assign (never negative: a pool whose orders ended keeps its holders)."""
        return max(self.purchased - self.assigned, 0)

    @property
    def key(self) -> str:
        """How a page names it: ``CTR-FLX-2026:SNA``."""
        return f"{self.contract_number}:{self.product_code}"


def _purchased(company_id: int, today: date):
    return (select(SalesOrder.contract_id, OrderLine.product_id, sa.func.sum(OrderLine.quantity))
            .join(OrderLine, OrderLine.order_id == SalesOrder.id)
            .where(SalesOrder.company_id == company_id, col(SalesOrder.status).in_(IN_FORCE),
                   SalesOrder.start_date <= today, SalesOrder.end_date >= today,
                   col(OrderLine.product_id).is_not(None))
            .group_by(SalesOrder.contract_id, OrderLine.product_id))


def pools(session: Session, company_id: int, today: date, *, contract_id: int | None = None,
          product_id: int | None = None) -> list[Pool]:
    """The company's pools: every (contract, product) with seats purchased in force or holders,
    ordered by product code, then contract number."""
    bought: dict[tuple[int, int], int] = {}
    query = _purchased(company_id, today)
    if contract_id is not None:
        query = query.where(SalesOrder.contract_id == contract_id)
    if product_id is not None:
        query = query.where(OrderLine.product_id == product_id)
    for contract, product, seats in session.exec(query):
        bought[(contract, product)] = int(seats or 0)
    taken: dict[tuple[int, int], int] = {}
    holders = select(SeatPoolCount).where(SeatPoolCount.company_id == company_id, SeatPoolCount.taken > 0)
    if contract_id is not None:
        holders = holders.where(SeatPoolCount.contract_id == contract_id)
    if product_id is not None:
        holders = holders.where(SeatPoolCount.product_id == product_id)
    for row in session.exec(holders):
        taken[(row.contract_id, row.product_id)] = row.taken
    keys = set(bought) | set(taken)
    if not keys:
        return []
    contracts = {c.id: c for c in session.exec(select(Contract).where(
        col(Contract.id).in_({k[0] for k in keys}), Contract.company_id == company_id))}
    products = {p.id: p for p in session.exec(select(Product).where(col(Product.id).in_({k[1] for k in keys})))}
    rows = [Pool(contract, contracts[contract].number, product, products[product].code, products[product],
                 bought.get((contract, product), 0), taken.get((contract, product), 0))
            for contract, product in keys if contract in contracts and product in products]
    return sorted(rows, key=lambda pool: (pool.product_code, pool.contract_number))


def pool_by_key(session: Session, company_id: int, key: object, today: date, *, lock: bool = False) -> Pool | None:
    """The company's pool a page named (``CTR-…:CODE``), or None. ``lock``: the contract's row is
    locked until the transaction ends, so that two assignments to it are counted one after the
    other (PostgreSQL; SQLite's write transactions already are)."""
    if not isinstance(key, str) or key.count(":") != 1 or len(key) > 90:
        return None
    number, code = key.split(":")
    query = select(Contract).where(Contract.company_id == company_id, Contract.number == number,
                                   Contract.status == ContractStatus.ACTIVE.value)
    contract = session.exec(query.with_for_update() if lock else query).first()
    product = session.exec(select(Product).where(Product.code == code)).first()
    if contract is None or product is None:
        return None
    found = pools(session, company_id, today, contract_id=contract.id, product_id=product.id)
    return found[0] if found else Pool(contract.id, contract.number, product.id, product.code, product, 0, 0)


def count_taken(session: Session, seat: Seat, delta: int) -> None:
    """A seat of the pool started (+1) or ended (-1), in the caller's transaction."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(SeatPoolCount).values(company_id=seat.company_id, contract_id=seat.contract_id,
                                             product_id=seat.product_id, taken=delta)
    session.exec(statement.on_conflict_do_update(index_elements=["company_id", "contract_id", "product_id"],
                                                 set_={"taken": SeatPoolCount.taken + delta}))


def taken_in_company(session: Session, company_id: int) -> int:
    """Every invited or active seat of the company."""
    return int(session.exec(select(sa.func.coalesce(sa.func.sum(SeatPoolCount.taken), 0)).where(
        SeatPoolCount.company_id == company_id)).one())


def recount(session: Session, company_id: int) -> None:
    """Rebuild the company's counts from its seats (after seats were written without
    :func:`count_taken`, as the demo data and the benchmarks do)."""
    session.exec(sa.delete(SeatPoolCount).where(SeatPoolCount.company_id == company_id))
    rows = session.exec(select(Seat.contract_id, Seat.product_id, sa.func.count(Seat.id))
                        .where(Seat.company_id == company_id, col(Seat.status).in_(TAKEN))
                        .group_by(Seat.contract_id, Seat.product_id)).all()
    session.add_all(SeatPoolCount(company_id=company_id, contract_id=contract, product_id=product, taken=int(count))
                    for contract, product, count in rows)
    session.flush()
