from datetime import date

import pytest

from lcadmin.domain.identifiers import (
    french_vat_number,
    is_valid_siren,
    is_valid_vat_number,
)
from lcadmin.domain.money import Money
from lcadmin.domain.periods import period_bounds, periods_of
from lcadmin.domain.permissions import Permission, Role, has_permission
from lcadmin.domain.pricing import PricedLine, compute_totals
from lcadmin.domain.references import normalize_reference
from lcadmin.services.throttle import ip_key


def test_siren_and_vat_numbers_are_checked_by_their_keys():
    assert is_valid_siren("552203101")
    assert not is_valid_siren("552203102")
    assert not is_valid_siren("55220310")
    assert french_vat_number("552203101") == "FR53552203101"
    assert is_valid_vat_number("FR19812345676")
    assert not is_valid_vat_number("FR20812345676")
    assert is_valid_vat_number("DE123456789")


@pytest.mark.parametrize("typed", ["FLD102776277396", "fld102776277396", "FLD-1027-7627-7396",
                                   " fld 1027 7627 7396 ", "FLD\u00a0102776277396", "ＦＬＤ102776277396"])
def test_references_are_compared_without_case_blanks_or_dashes(typed):
    assert normalize_reference(typed) == "FLD102776277396"


def test_the_flexis_order_adds_up_as_on_the_order_form():
    totals = compute_totals([PricedLine(12, Money(300_00, "EUR"), 2000)], "EUR")
    assert totals.subtotal == Money(3_600_00, "EUR")
    assert totals.tax == Money(720_00, "EUR")
    assert totals.total == Money(4_320_00, "EUR")


def test_vat_is_computed_once_per_rate():
    totals = compute_totals(
        [PricedLine(3, Money(333, "EUR"), 2000), PricedLine(3, Money(333, "EUR"), 2000),
         PricedLine(1, Money(1000, "EUR"), 550)],
        "EUR",
    )
    assert totals.tax_by_rate[2000] == (Money(1998, "EUR"), Money(400, "EUR"))
    assert totals.tax_by_rate[550] == (Money(1000, "EUR"), Money(55, "EUR"))
    assert totals.total == Money(1998 + 400 + 1000 + 55, "EUR")
    with pytest.raises(ValueError):
        compute_totals([PricedLine(0, Money(1, "EUR"), 2000)], "EUR")


def test_roles_grant_their_permissions_only():
    assert has_permission(Role.ADMIN, Permission.MANAGE_ADMINS)
    assert has_permission(Role.ADMIN, Permission.VIEW_BILLING)
    assert has_permission(Role.BILLING_ADMIN, Permission.PAY)
    assert not has_permission(Role.BILLING_ADMIN, Permission.MANAGE_ADMINS)
    assert not has_permission(Role.LICENCE_ADMIN, Permission.VIEW_BILLING)
    assert not has_permission("superuser", Permission.VIEW_BILLING)


@pytest.mark.parametrize(("code", "bounds"), [
    ("2026", (date(2026, 1, 1), date(2026, 12, 31))),
    ("2026-Q1", (date(2026, 1, 1), date(2026, 3, 31))),
    ("2024-Q1", (date(2024, 1, 1), date(2024, 3, 31))),
    ("2026-Q2", (date(2026, 4, 1), date(2026, 6, 30))),
    ("2026-Q4", (date(2026, 10, 1), date(2026, 12, 31))),
    ("2026-Q5", None), ("26", None), ("", None), ("2026-Q1 OR 1=1", None), ("0000", None),
])
def test_periods_are_years_and_quarters(code, bounds):
    assert period_bounds(code) == bounds


def test_the_periods_offered_are_those_with_documents_newest_first():
    days = [date(2026, 1, 2), date(2026, 2, 10), date(2026, 10, 1), date(2025, 12, 31)]
    assert periods_of(days) == ["2026", "2026-Q4", "2026-Q1", "2025", "2025-Q4"]
    assert periods_of([]) == []


@pytest.mark.parametrize(("ip", "key"), [
    ("203.0.113.9", "ip:203.0.113.9"),
    ("2001:db8:1:2:3:4:5:6", "ip:2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff::1", "ip:2001:db8:1:2::/64"),  # the same subscriber's network
    ("::ffff:203.0.113.9", "ip:203.0.113.9"),
    (None, "ip:unknown"),
])
def test_ipv6_addresses_count_by_their_64_network(ip, key):
    assert ip_key(ip) == key


def test_every_throttle_scope_fits_its_column():
    from lcadmin.models import ThrottleFailure, ThrottleLock
    from lcadmin.services import throttle

    scopes = [value.scope for value in vars(throttle).values() if isinstance(value, throttle.Policy)]
    width = min(ThrottleFailure.__table__.c.scope.type.length, ThrottleLock.__table__.c.scope.type.length)
    assert len(scopes) >= 8 and all(len(scope) <= width for scope in scopes), scopes
