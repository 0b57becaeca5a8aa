"""The company's admins ("Administrateurs"): who acts for it with which role, scope and end date,
the invitations that bring someone in, and the guardrails on every change.

- ``roster``: the page's rows (members and invitations), the contracts a scope may name, the matrix.
- ``access``: change a role, a scope or an end date; remove someone; the last-admin guardrail.
- ``invitations``: invite by e-mail (single-use link, seven days), resend, revoke, accept.
- ``expiry``: a week before a time-limited access ends, the admins are told.
- ``notices``: the e-mails every change sends to the person concerned and to the full admins.
"""

from lcadmin.services.admins.access import change_access, remove_admin
from lcadmin.services.admins.expiry import send_access_expiry_notices
from lcadmin.services.admins.invitations import (
    INVITATION_TTL,
    InvitationView,
    accept_invitation,
    inspect_invitation,
    invite_admin,
    resend_invitation,
    revoke_invitation,
)
from lcadmin.services.admins.roster import AdminRow, Choice, Roster, list_admins, matrix_rows

__all__ = [
    "INVITATION_TTL",
    "AdminRow",
    "Choice",
    "InvitationView",
    "Roster",
    "accept_invitation",
    "change_access",
    "inspect_invitation",
    "invite_admin",
    "list_admins",
    "matrix_rows",
    "remove_admin",
    "resend_invitation",
    "revoke_invitation",
    "send_access_expiry_notices",
]
