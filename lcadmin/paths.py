"""Every path of the app, and the URLs built from them: pages, e-mailed links, HTTP routes.

A new page gets its constant here (a dynamic one its ``[param]`` and a builder), is registered
in ``lcadmin.lcadmin`` and linked with these names only.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from lcadmin.domain.statuses import LinkPurpose

HOME = "/"
ACCESS = "/billing/access"
ACTIVATE = "/activate/[secret]"
DECISION = "/decision/[secret]"
REPORT = "/report/[secret]"
SIGN_IN = "/sign-in"
SIGN_UP = "/sign-up"
FORGOT_PASSWORD = "/password/forgot"
RESET_PASSWORD = "/password/reset/[secret]"
LICENCE_LINK = "/licence/[secret]"  # "Vous avez reçu une licence": activate a seat
ACCEPT = "/billing/accept"
TERMS = "/terms"  # the full terms of use, public
ADMIN = "/admin"
CONTRACTS = "/admin/contracts"
ORDER = "/admin/orders/[number]"
INVOICES = "/admin/invoices"
INVOICE = "/admin/invoices/[number]"
PAYMENT_METHODS = "/admin/payment-methods"
LICENCES = "/admin/licences"
ADMINS = "/admin/admins"  # "Administrateurs": who acts for the company, invitations, policies
AUDIT_LOG = "/admin/activity"  # "Journal d'activité"
SECURITY = "/admin/security"  # the signed-in person's own two-step verification and sessions
INVITATION = "/invitation/[secret]"  # "Vous êtes invité à administrer": accept an admin invitation
AUTHENTICATE = "/payments/authenticate/[intent]"  # the sandbox bank's 3-D Secure page
MAILBOX = "/dev/mailbox"

# HTTP routes of lcadmin.routes (not pages: reached by a full page load).
AUTH_SESSION = "/auth/session"
AUTH_SIGN_OUT = "/auth/sign-out"
METRICS = "/_metrics"  # Prometheus, with the metrics token only

ORDERS = ORDER.partition("[")[0]  # "/admin/orders/": + a number, where a page builds it from a var

_LINK_PAGES = {LinkPurpose.ACTIVATE: ACTIVATE, LinkPurpose.APPROVE: DECISION, LinkPurpose.REFUSE: DECISION,
               LinkPurpose.REPORT: REPORT, LinkPurpose.RESET: RESET_PASSWORD, LinkPurpose.LICENCE: LICENCE_LINK,
               LinkPurpose.ADMIN: INVITATION}
LICENCE_LINKS = LICENCE_LINK.partition("[")[0]  # "/licence/": + the secret
INVITATIONS = INVITATION.partition("[")[0]  # "/invitation/": + the secret


NEXT = "next"  # the sign-in page's query parameter: where to return once signed in


def return_path(value: object) -> str:
    """Where a sign-in may send the person back to: a path of the Admin Center (``/admin…``,
    with its query), or a licence's or an admin invitation's page (the invitee signs in or up to
    accept it);
    never another site (``//host``, a backslash, a scheme) nor another public page; anything else
    gives the Admin Center's home."""
    for links in (LICENCE_LINKS, INVITATIONS):
        if isinstance(value, str) and value.startswith(links) and len(value) <= 120:
            secret = value[len(links):]
            return value if secret and all(c.isascii() and (c.isalnum() or c in "-_") for c in secret) else ADMIN
    if not isinstance(value, str) or len(value) > 300 or not value.startswith(ADMIN):
        return ADMIN
    rest = value[len(ADMIN):]
    if (rest and rest[0] not in "/?") or "//" in value or "\\" in value or any(ord(c) < 0x21 or ord(c) == 0x7f
                                                                               for c in value):
        return ADMIN
    path = unquote(value.partition("?")[0])
    if any(segment in (".", "..") for segment in path.split("/")):  # "/admin/../sign-up" is not the Admin Center
        return ADMIN
    return value


def sign_in_returning_to(path: str) -> str:
    """The sign-in page, returning to ``path`` afterwards when it is an Admin Center page."""
    back = return_path(path)
    return SIGN_IN if back == ADMIN else f"{SIGN_IN}?{NEXT}={quote(back, safe='/')}"


def _fill(route: str, value: str) -> str:
    head, _, _ = route.partition("[")
    return head + quote(value, safe="")


def order(number: str) -> str:
    """The page of one order."""
    return _fill(ORDER, number)


def invoice(number: str) -> str:
    """The page of one invoice or credit note."""
    return _fill(INVOICE, number)


INVOICE_PAGES = INVOICE.partition("[")[0]  # "/admin/invoices/": + a number, where a page builds it from a var


def authenticate(intent_id: str) -> str:
    """The 3-D Secure page of one payment intent."""
    return _fill(AUTHENTICATE, intent_id)


def emailed_link(public_url: str, purpose: LinkPurpose, secret: str) -> str:
    """The link an e-mail carries for a single-use token."""
    return public_url.rstrip("/") + _fill(_LINK_PAGES[LinkPurpose(purpose)], secret)
