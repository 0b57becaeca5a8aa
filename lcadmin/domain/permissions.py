"""Who may do what in a company's Admin Center: four roles and one permission matrix.

The matrix is the only place a role's rights are written. Billing and licences are kept apart, as
the seed's vendor does ("you will not have the automatic authority to manage billing functions,
and vice versa"): a licence admin sees no billing document and pays nothing; a billing admin sees
the licences (to buy seats) but assigns none. The README and the "Administrateurs" page show the
same table, built from :data:`ROLE_PERMISSIONS`.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    # Everything, including the admins and their roles, and the activity log.
    ADMIN = "admin"
    # Given by the billing activation flow: contracts, orders, invoices, payment methods, sign, pay.
    BILLING_ADMIN = "billing_admin"
    # Licences, seats and their holders; no billing document, no payment.
    LICENCE_ADMIN = "licence_admin"
    # Read-only finance: sees and downloads contracts, orders, invoices and receipts.
    BILLING_READER = "billing_reader"


class Permission(StrEnum):
    VIEW_BILLING = "view_billing"  # contracts, orders, invoices, receipts, payment methods (read)
    SIGN_ORDERS = "sign_orders"
    PAY = "pay"
    MANAGE_PAYMENT_METHODS = "manage_payment_methods"
    VIEW_LICENCES = "view_licences"
    MANAGE_LICENCES = "manage_licences"
    MANAGE_ADMINS = "manage_admins"  # invite, change a role, remove; the company's policies
    VIEW_AUDIT_LOG = "view_audit_log"


# Roles in the order pages list them, from the most to the least.
ROLES: tuple[Role, ...] = (Role.ADMIN, Role.BILLING_ADMIN, Role.LICENCE_ADMIN, Role.BILLING_READER)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.BILLING_ADMIN: frozenset({Permission.VIEW_BILLING, Permission.SIGN_ORDERS, Permission.PAY,
                                   Permission.MANAGE_PAYMENT_METHODS, Permission.VIEW_LICENCES}),
    Role.LICENCE_ADMIN: frozenset({Permission.VIEW_LICENCES, Permission.MANAGE_LICENCES}),
    Role.BILLING_READER: frozenset({Permission.VIEW_BILLING}),
}
assert set(ROLE_PERMISSIONS) == set(Role) == set(ROLES), "every role has its row in the matrix"

# Roles that may be limited to some contracts (the others act on the whole company: licences
# are the company's, and a full admin manages everyone).
SCOPABLE: frozenset[Role] = frozenset({Role.BILLING_ADMIN, Role.BILLING_READER})


# What each section of the Admin Center needs (None: any role in the company).
SECTION_PERMISSIONS: dict[str, Permission | None] = {
    "overview": None,
    "contracts": Permission.VIEW_BILLING,
    "invoices": Permission.VIEW_BILLING,
    "payment": Permission.VIEW_BILLING,
    "licences": Permission.VIEW_LICENCES,
    "admins": Permission.MANAGE_ADMINS,
    "activity": Permission.VIEW_AUDIT_LOG,
}


def sections_of(role: str | None) -> list[str]:
    """The sections a member with ``role`` may open, in the menu's order; none for no role."""
    if role_of(role) is None:
        return []
    held = permissions_of(role)
    return [name for name, needed in SECTION_PERMISSIONS.items() if needed is None or needed in held]


def role_of(value: str | None) -> Role | None:
    """The role named ``value``, or None for an unknown one (which holds nothing)."""
    try:
        return Role(value or "")
    except ValueError:
        return None


def permissions_of(role: str | None) -> frozenset[Permission]:
    """What ``role`` may do; nothing for an unknown role."""
    known = role_of(role)
    return ROLE_PERMISSIONS[known] if known else frozenset()


def has_permission(role: str | None, permission: Permission) -> bool:
    """Whether a member with ``role`` holds ``permission``; unknown roles hold nothing."""
    return permission in permissions_of(role)


def outranks(role: str, other: str) -> bool:
    """Whether ``role`` grants strictly more than ``other`` (a superset of its permissions). Two
    roles that each grant something the other does not (billing and licences) outrank neither."""
    return permissions_of(role) > permissions_of(other)


def covers(granter: str | None, role: str | None) -> bool:
    """Whether someone holding ``granter`` holds every permission of ``role`` (nobody grants
    more than they hold)."""
    return role_of(role) is not None and permissions_of(role) <= permissions_of(granter)
