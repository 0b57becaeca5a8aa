"""The vendor's calendar: instants are UTC, but an invoice's date, its number's year, a receipt's
time and whether an invoice is overdue are read in the vendor's business time zone (a payment
made at 00:30 in Paris on 1 January belongs to the new year)."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo


@lru_cache(maxsize=8)
def zone(name: str) -> ZoneInfo:
    """The time zone named so (``Europe/Paris``)."""
    return ZoneInfo(name)


def business_time(instant: datetime, zone_name: str) -> datetime:
    """``instant`` on the vendor's clocks."""
    return instant.astimezone(zone(zone_name))


def business_date(instant: datetime, zone_name: str) -> date:
    """The vendor's calendar day at ``instant``."""
    return business_time(instant, zone_name).date()
