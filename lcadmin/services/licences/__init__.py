"""Licences ("Licences et autorisations"): seats of the vendor's products that the company bought,
and the people who hold them.

- ``pools`` — purchased / assigned / available per product and contract, read from the signed
  orders in force and the holders.
- ``seats`` — the holders list (paginated in SQL), assigning by e-mail, resending and revoking an
  invitation, unassigning and reassigning.
- ``invitations`` — the link in the invitation e-mail and its activation.
- ``purchases`` — buying more seats: an add-on order prorated to the end of the term.
- ``bulk`` — assigning from a CSV file (a preview, then all or nothing) and the holders' export.
"""

from lcadmin.services.licences.bulk import MAX_BYTES as MAX_CSV_BYTES
from lcadmin.services.licences.bulk import Preview, apply_csv, export_holders, preview_csv
from lcadmin.services.licences.invitations import InvitationView, activate_seat, inspect_invitation
from lcadmin.services.licences.purchases import Quote, may_buy, order_seats, quote_seats
from lcadmin.services.licences.seats import (
    PAGE_SIZE,
    STATUS_FILTERS,
    HolderPage,
    HolderRow,
    PoolRow,
    assign_seats,
    company_locale,
    list_holders,
    pool_rows,
    reassign_seat,
    resend_invitation,
    revoke_invitation,
    unassign_seat,
)

__all__ = [
    "MAX_CSV_BYTES",
    "PAGE_SIZE",
    "STATUS_FILTERS",
    "HolderPage",
    "HolderRow",
    "InvitationView",
    "PoolRow",
    "Preview",
    "Quote",
    "activate_seat",
    "apply_csv",
    "assign_seats",
    "company_locale",
    "export_holders",
    "inspect_invitation",
    "list_holders",
    "may_buy",
    "order_seats",
    "pool_rows",
    "preview_csv",
    "quote_seats",
    "reassign_seat",
    "resend_invitation",
    "revoke_invitation",
    "unassign_seat",
]
