"""Assigning seats from a CSV file, and exporting the holders.

The file: one address per line, optionally followed by a product code (``alice@x.fr,SNA``), with or
without a header line. A preview gives each line its verdict (ok, invalid e-mail, duplicate,
already holds a seat, not enough seats, unknown product) before anything is applied; applying
checks the file again and invites everyone in one transaction, or no one. What is not such a
file (another encoding, semicolons, a binary file, too many lines) is refused with a message
saying so, and changes nothing.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from lcadmin.domain.audit import AuditAction
from lcadmin.domain.emails import EmailProblem, normalize_email
from lcadmin.domain.permissions import Permission
from lcadmin.models import Company, Contract, Product, Seat
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import InvalidInput
from lcadmin.services.licences.pools import TAKEN, Pool, count_taken, pools, product_name
from lcadmin.services.licences.seats import (
    audit_seat,
    business_today,
    find_pool,
    manager_company,
    send_invitation,
)
from lcadmin.settings import Settings

MAX_BYTES = 2 * 1024 * 1024
MAX_LINES = 10_000
VERDICTS = ("ok", "invalid_email", "duplicate", "already_holds", "not_enough_seats", "unknown_product")


@dataclass(frozen=True)
class CsvLine:
    number: int  # in the file, from 1
    email: str  # as typed when invalid, normalised otherwise
    product: str  # its code ("" for the chosen licence's)
    verdict: str


@dataclass(frozen=True)
class Preview:
    lines: tuple[CsvLine, ...]
    ready: int  # lines that would be applied
    problems: int


def _text(data: bytes) -> str:
    """The file as text.

    Raises:
        InvalidInput (field ``csv``): ``csv_empty``, ``csv_too_large``, ``csv_binary``, ``csv_encoding``.
    """
    if not data:
        raise InvalidInput("csv_empty", "csv")
    if len(data) > MAX_BYTES:
        raise InvalidInput("csv_too_large", "csv")
    if b"\x00" in data[:8192]:
        raise InvalidInput("csv_binary", "csv")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput("csv_encoding", "csv") from error


def read_rows(data: bytes) -> list[tuple[int, str, str]]:
    """(line number, address, product code) of each line that holds something, the header left out.

    Raises:
        InvalidInput (field ``csv``): those of :func:`_text`, ``csv_semicolons``, ``csv_too_long``,
            ``csv_columns`` (more than two columns), ``csv_empty``.
    """
    text = _text(data)
    lines = text.splitlines()
    if len(lines) > MAX_LINES + 1:
        raise InvalidInput("csv_too_long", "csv")
    if any(";" in line and "," not in line for line in lines[:50] if line.strip()):
        raise InvalidInput("csv_semicolons", "csv")
    rows = []
    for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if len(cells) > 2:
            raise InvalidInput("csv_columns", "csv")
        email, product = cells[0], (cells[1] if len(cells) > 1 else "").upper()
        if number == 1 and "@" not in email and ("mail" in email.lower() or "adresse" in email.lower()):
            continue  # a header line
        rows.append((number, email, product))
    if not rows:
        raise InvalidInput("csv_empty", "csv")
    return rows


def _pool_for(code: str, chosen: Pool, by_product: dict[str, list[Pool]]) -> Pool | None:
    """The pool a line's product code takes from: the chosen licence's, or that product's pool
    with the most seats free."""
    if not code or code == chosen.product_code:
        return chosen
    candidates = by_product.get(code, [])
    return max(candidates, key=lambda pool: pool.available) if candidates else None


def _judge(session: Session, company_id: int, rows, chosen: Pool, today: date) -> list[tuple[CsvLine, Pool | None]]:
    by_product: dict[str, list[Pool]] = {}
    for pool in pools(session, company_id, today):
        by_product.setdefault(pool.product_code, []).append(pool)
    holders = {(seat.product_id, seat.email) for seat in session.exec(select(Seat).where(
        Seat.company_id == company_id, col(Seat.status).in_(TAKEN)))}
    seen: set[tuple[str, str]] = set()
    taken: Counter[str] = Counter()
    judged = []
    for number, typed, code in rows:
        pool = _pool_for(code, chosen, by_product)
        try:
            email = normalize_email(typed[:320])
        except EmailProblem:
            judged.append((CsvLine(number, typed[:80], code, "invalid_email"), None))
            continue
        if pool is None:
            verdict = "unknown_product"
        elif (pool.product_code, email) in seen:
            verdict = "duplicate"
        elif (pool.product_id, email) in holders:
            verdict = "already_holds"
        elif taken[pool.key] >= pool.available:
            verdict = "not_enough_seats"
        else:
            verdict = "ok"
            taken[pool.key] += 1
        if pool is not None:
            seen.add((pool.product_code, email))
        judged.append((CsvLine(number, email, code or chosen.product_code, verdict), pool))
    return judged


def preview_csv(session: Session, ctx: RequestContext, *, pool: str, data: bytes, settings: Settings) -> Preview:
    """Each line's verdict, nothing changed.

    Raises:
        NotAllowed: Without the licence permission. NotFound: ``pool_not_found``.
        InvalidInput (field ``csv``): a file that is not one (see :func:`read_rows`).
    """
    company_id = manager_company(ctx, Permission.MANAGE_LICENCES)
    chosen = find_pool(session, company_id, pool, business_today(ctx, settings))
    judged = [line for line, _ in _judge(session, company_id, read_rows(data), chosen, business_today(ctx, settings))]
    ready = sum(1 for line in judged if line.verdict == "ok")
    return Preview(tuple(judged), ready, len(judged) - ready)


def apply_csv(session: Session, ctx: RequestContext, *, pool: str, data: bytes, settings: Settings) -> int:
    """Invite every line's address, in one transaction, if every line is ok; otherwise nothing.

    Returns:
        How many were invited.

    Raises:
        InvalidInput: ``csv_has_problems`` (field ``csv``) when a line is not ok (checked again:
            the pool may have changed since the preview), and those of :func:`preview_csv`.
    """
    company_id = manager_company(ctx, Permission.MANAGE_LICENCES)
    today = business_today(ctx, settings)
    chosen = find_pool(session, company_id, pool, today, lock=True)
    rows = read_rows(data)
    # every pool of the company counted under its contract's lock (PostgreSQL; SQLite's write
    # transaction already is)
    session.exec(select(Contract.id).where(Contract.company_id == company_id).with_for_update()).all()
    judged = _judge(session, company_id, rows, chosen, today)
    if any(line.verdict != "ok" for line, _ in judged):
        raise InvalidInput("csv_has_problems", "csv")
    company = session.get(Company, company_id)
    for line, target in judged:
        assert target is not None
        seat = Seat(company_id=company_id, contract_id=target.contract_id, product_id=target.product_id,
                    email=line.email, invite_locale=ctx.locale, assigned_at=ctx.now, updated_at=ctx.now,
                    assigned_by=ctx.user.user_id)
        session.add(seat)
        session.flush()
        count_taken(session, seat, +1)
        send_invitation(session, ctx, seat, product_name(target.product, ctx.locale), company, settings)
        audit_seat(session, ctx, AuditAction.SEAT_INVITED, seat, pool=target.key, source="csv")
    return len(judged)


def export_holders(session: Session, ctx: RequestContext, *, settings: Settings) -> tuple[str, bytes]:
    """The holders (invited and active) as CSV: e-mail, name, product, contract, status, assigned
    on, last activity (ISO dates), UTF-8 with a BOM so that a spreadsheet reads the accents."""
    company_id = manager_company(ctx, Permission.MANAGE_LICENCES)
    rows = session.exec(select(Seat, Product.code, Contract.number).join(Product, Product.id == Seat.product_id)
                        .join(Contract, Contract.id == Seat.contract_id)
                        .where(Seat.company_id == company_id, col(Seat.status).in_(TAKEN))
                        .order_by(Product.code, Seat.email)).all()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["email", "name", "product", "contract", "status", "assigned_on", "last_active"])
    for seat, code, number in rows:
        writer.writerow([seat.email, _safe(seat.full_name or ""), code, number, seat.status,
                         seat.assigned_at.date().isoformat(),
                         seat.last_active_at.date().isoformat() if seat.last_active_at else ""])
    return "licences.csv", ("\ufeff" + out.getvalue()).encode("utf-8")


def _safe(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
