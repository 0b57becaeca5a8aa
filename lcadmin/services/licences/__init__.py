"""Licences ("Licences et autorisations"): seats of the vendor's products that the company bought,
and the people who hold them.

- ``pools`` — purchased / assigned / available per product and contract, read from the signed
  orders in force and the holders.
- ``seats`` — the holders list (paginated in SQL), assigning by e-mail, resending and revoking an
  invitation, unassigning and reassigning.
- ``invitations`` — the link in the invitation e-mail and its activation.
"""

from lcadmin.services.licences.invitations import InvitationView, activate_seat, inspect_invitation
from lcadmin.services.licences.seats import (
    PAGE_SIZE,
    STATUS_FILTERS,
    HolderPage,
    HolderRow,
    PoolRow,
    assign_seats,
    list_holders,
    pool_rows,
    reassign_seat,
    resend_invitation,
    revoke_invitation,
    unassign_seat,
)

__all__ = [
    "PAGE_SIZE",
    "STATUS_FILTERS",
    "HolderPage",
    "HolderRow",
    "InvitationView",
    "PoolRow",
    "activate_seat",
    "assign_seats",
    "inspect_invitation",
    "list_holders",
    "pool_rows",
    "reassign_seat",
    "resend_invitation",
    "revoke_invitation",
    "unassign_seat",
]
