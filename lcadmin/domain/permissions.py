"""Who may do what in a company's Admin Center."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    # Manages users and licences, and so also sees billing (the seed: existing admins
    # "find the new billing features" when they sign in).
    ADMIN = "admin"
    # Given by the billing activation flow: contracts, orders, invoices, payment methods.
    BILLING_ADMIN = "billing_admin"
    MEMBER = "member"


class Permission(StrEnum):
    VIEW_BILLING = "view_billing"
    SIGN_ORDERS = "sign_orders"
    PAY = "pay"
    MANAGE_PAYMENT_METHODS = "manage_payment_methods"
    MANAGE_USERS = "manage_users"
    MANAGE_LICENCES = "manage_licences"


_BILLING = frozenset(
    {Permission.VIEW_BILLING, Permission.SIGN_ORDERS, Permission.PAY, Permission.MANAGE_PAYMENT_METHODS}
)
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: _BILLING | {Permission.MANAGE_USERS, Permission.MANAGE_LICENCES},
    Role.BILLING_ADMIN: _BILLING,
    Role.MEMBER: frozenset(),
}


def has_permission(role: str, permission: Permission) -> bool:
    """Whether a member with ``role`` holds ``permission``; unknown roles hold nothing."""
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False


# From the least to the most: a higher role is never replaced by a lower one by accident.
_RANK = {Role.MEMBER: 0, Role.BILLING_ADMIN: 1, Role.ADMIN: 2}


def outranks(role: str, other: str) -> bool:
    """Whether ``role`` grants more than ``other`` (unknown roles rank lowest)."""
    def rank(value: str) -> int:
        try:
            return _RANK[Role(value)]
        except ValueError:
            return -1

    return rank(role) > rank(other)
