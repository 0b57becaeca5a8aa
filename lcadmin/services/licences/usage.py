"""Holders' last activity in the vendor's product, imported from the product's export: a CSV of
``email,product,last_active_at`` (ISO 8601 date or instant; a header line is fine). Importing the
same file twice changes nothing: a seat keeps the latest activity it was ever given."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from sqlmodel import Session, col, select

from lcadmin.domain.emails import EmailProblem, normalize_email
from lcadmin.models import Product, Seat
from lcadmin.services.licences.pools import TAKEN


@dataclass(frozen=True)
class UsageImport:
    updated: int  # seats whose last activity moved forward
    unchanged: int  # lines already known (or older than what was known)
    unknown: int  # lines naming no seat held (an unknown address or product)
    invalid: list[int]  # line numbers that could not be read


def _instant(text: str) -> datetime:
    value = text.strip().replace("Z", "+00:00")
    if len(value) == 10:
        return datetime.combine(date.fromisoformat(value), time(12), UTC)
    instant = datetime.fromisoformat(value)
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


def import_usage(session: Session, data: bytes, *, now: datetime) -> UsageImport:
    """Record each line's activity on the seats (invited or active) of that address and product.

    Raises:
        ValueError: The file is not UTF-8 text.
    """
    text = data.decode("utf-8-sig")
    products = {p.code: p.id for p in session.exec(select(Product))}
    updated = unchanged = unknown = 0
    invalid: list[int] = []
    for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if number == 1 and cells and "@" not in cells[0]:
            continue  # a header line
        try:
            email, code, instant = normalize_email(cells[0]), cells[1].upper(), _instant(cells[2])
        except (EmailProblem, IndexError, ValueError):
            invalid.append(number)
            continue
        if instant > now:  # an activity in the future is a mistake in the file
            invalid.append(number)
            continue
        if code not in products:
            unknown += 1
            continue
        held = session.exec(select(Seat.id).where(Seat.email == email, Seat.product_id == products[code],
                                                  col(Seat.status).in_(TAKEN))).all()
        if not held:
            unknown += 1
            continue
        moved = session.exec(sa.update(Seat).where(
            col(Seat.id).in_(held), sa.or_(col(Seat.last_active_at).is_(None), col(Seat.last_active_at) < instant))
            .values(last_active_at=instant)).rowcount
        updated += moved
        unchanged += len(held) - moved
    return UsageImport(updated, unchanged, unknown, invalid)
