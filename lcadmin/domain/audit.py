"""What the audit trail records: a closed list of actions, each with a sentence in every
language (catalog key ``audit.<action>``), so that an audit-log page can show them."""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    # Accounts and sessions
    ACCOUNT_SIGN_UP = "account.sign_up"  # an attempt (refused by a lock)
    ACCOUNT_SIGNED_UP = "account.signed_up"
    ACCOUNT_SIGN_IN = "account.sign_in"
    SESSION_STARTED = "session.started"
    SESSION_ENDED = "session.ended"
    PASSWORD_RESET_REQUESTED = "password.reset_requested"
    PASSWORD_RESET = "password.reset"
    # Two-step verification, and the account's own sessions (the "Sécurité du compte" page)
    TWO_FACTOR_ENABLED = "two_factor.enabled"
    TWO_FACTOR_DISABLED = "two_factor.disabled"
    TWO_FACTOR_RECOVERY_CODES = "two_factor.recovery_codes"  # a new set replaced the previous one
    TWO_FACTOR_CHALLENGE = "two_factor.challenge"  # the code asked at sign-in: success or denied
    TWO_FACTOR_RECOVERY_USED = "two_factor.recovery_used"
    SESSION_ENDED_OTHERS = "session.ended_others"  # "Se déconnecter partout ailleurs"
    # The activation flow
    ACCESS_EMAIL_STEP = "access.email_step"
    ACCESS_SIGN_IN_HINT = "access.sign_in_hint"
    ACCESS_PROOF_REQUESTED = "access.proof_requested"
    ACCESS_PROOF = "access.proof"
    ACCESS_ACTIVATION_MAIL = "access.activation_mail"
    ACCESS_ACTIVATION_SENT = "access.activation_sent"
    ACCESS_RESEND = "access.resend"
    ACCESS_APPROVED = "access.approved"
    ACCESS_REFUSED = "access.refused"
    ACCESS_LINK_CONFIRMED = "access.link_confirmed"
    ACCESS_COMPLETED = "access.completed"
    ACCESS_REVOKED = "access.revoked"
    ACCESS_REPORTED = "access.reported"
    LINK_REFUSED = "link.refused"  # a link that was unknown, used or expired
    # Who may act for a company
    MEMBERSHIP_GRANTED = "membership.granted"
    MEMBERSHIP_CHANGED = "membership.changed"
    MEMBERSHIP_REVOKED = "membership.revoked"
    MEMBERSHIP_EXPIRY_NOTICE = "membership.expiry_notice"
    INVITATION_SENT = "invitation.sent"
    INVITATION_RESENT = "invitation.resent"
    INVITATION_REVOKED = "invitation.revoked"
    INVITATION_ACCEPTED = "invitation.accepted"
    COMPANY_SWITCHED = "company.switched"
    TWO_FACTOR_POLICY = "company.two_factor_policy"
    # Orders, invoices, payments
    ORDER_SIGNED = "order.signed"
    ORDER_PAID = "order.paid"
    INVOICE_ISSUED = "invoice.issued"
    CREDIT_NOTE_ISSUED = "credit_note.issued"
    INVOICE_PAID = "invoice.paid"
    INVOICE_VOIDED = "invoice.voided"
    PAYMENT_ATTEMPTED = "payment.attempted"
    PAYMENT_SUCCEEDED = "payment.succeeded"
    PAYMENT_FAILED = "payment.failed"
    PAYMENT_RECOVERED = "payment.recovered"
    PAYMENT_NEEDS_REFUND = "payment.needs_refund"
    # The wallet: cards, SEPA mandates, which method pays which contract
    PAYMENT_METHOD_ADDED = "payment_method.added"
    PAYMENT_METHOD_SETUP_FAILED = "payment_method.setup_failed"
    PAYMENT_METHOD_REMOVED = "payment_method.removed"
    PAYMENT_METHOD_DEFAULT = "payment_method.default"
    MANDATE_SIGNED = "mandate.signed"
    CONTRACT_PAYMENT_METHOD = "contract.payment_method"
    CARD_EXPIRY_NOTICE = "payment_method.expiry_notice"
    # Licences: seats of a product assigned to people
    SEAT_INVITED = "seat.invited"
    SEAT_RESENT = "seat.resent"
    SEAT_ACTIVATED = "seat.activated"
    SEAT_REVOKED = "seat.revoked"
    SEAT_UNASSIGNED = "seat.unassigned"
    SEAT_REASSIGNED = "seat.reassigned"
    SEATS_ORDERED = "seats.ordered"
    # Automatic collection of invoices on their due date
    COLLECTION_ATTEMPTED = "collection.attempted"
    COLLECTION_SUCCEEDED = "collection.succeeded"
    COLLECTION_ACTION_REQUIRED = "collection.action_required"
    COLLECTION_FAILED = "collection.failed"
    # Operations
    DEMO_DATA_LOADED = "demo_data.loaded"
    # The activity log itself: reading it is not recorded, taking a copy of it is
    AUDIT_LOG_EXPORTED = "audit_log.exported"


class AuditCategory(StrEnum):
    """What an action is about, as the activity log's filter groups them."""

    BILLING = "billing"  # orders, invoices, payments, payment methods, collection
    LICENCES = "licences"  # seats and their holders
    ADMINS = "admins"  # who may act for the company, invitations, its policies, the log's exports
    SIGN_IN = "sign_in"  # accounts, passwords, sessions, second factors
    ACTIVATION = "activation"  # the billing-access activation flow and its links
    OPERATIONS = "operations"  # the vendor's own operations (demo data), never a company's


# An action's category, by the word before its dot; the few exceptions are named in full.
_CATEGORY_BY_PREFIX: dict[str, AuditCategory] = {
    "account": AuditCategory.SIGN_IN, "session": AuditCategory.SIGN_IN, "password": AuditCategory.SIGN_IN,
    "two_factor": AuditCategory.SIGN_IN,
    "membership": AuditCategory.ADMINS, "invitation": AuditCategory.ADMINS, "company": AuditCategory.ADMINS,
    "audit_log": AuditCategory.ADMINS,
    "access": AuditCategory.ACTIVATION, "link": AuditCategory.ACTIVATION,
    "order": AuditCategory.BILLING, "invoice": AuditCategory.BILLING, "credit_note": AuditCategory.BILLING,
    "payment": AuditCategory.BILLING, "payment_method": AuditCategory.BILLING, "mandate": AuditCategory.BILLING,
    "contract": AuditCategory.BILLING, "collection": AuditCategory.BILLING,
    "seat": AuditCategory.LICENCES, "seats": AuditCategory.LICENCES,
    "demo_data": AuditCategory.OPERATIONS,
}
_CATEGORY_BY_ACTION: dict[str, AuditCategory] = {
    AuditAction.COMPANY_SWITCHED.value: AuditCategory.SIGN_IN,  # a step of the person's session
}


def category_of(action: str) -> AuditCategory:
    """The category of ``action`` (an :class:`AuditAction` or its value).

    Raises:
        KeyError: An action of no known category (a new family of actions needs its line here).
    """
    value = str(action)
    return _CATEGORY_BY_ACTION.get(value) or _CATEGORY_BY_PREFIX[value.partition(".")[0]]


def actions_in(category: AuditCategory) -> tuple[str, ...]:
    """The values of every action of ``category``."""
    return tuple(action.value for action in AuditAction if category_of(action) is category)
