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
