"""The lifecycles of the documents and requests lcadmin keeps, as explicit state machines.

Services move a record only through :func:`check_transition`, which refuses any move that is not
listed here, and they write an audit event for each move.
"""

from __future__ import annotations

from enum import StrEnum


class ContractStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    TERMINATED = "terminated"


class OrderStatus(StrEnum):
    DRAFT = "draft"
    AWAITING_SIGNATURE = "awaiting_signature"
    SIGNED = "signed"
    PAID = "paid"
    CANCELLED = "cancelled"


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    PAID = "paid"
    VOID = "void"


class InvoiceKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class BillingFrequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"


class BillingMethod(StrEnum):
    INVOICE = "invoice"
    CARD = "card"
    SEPA_DEBIT = "sepa_debit"


class ContactRole(StrEnum):
    PRIMARY = "primary"
    BILLING = "billing"


class AddressKind(StrEnum):
    REGISTERED = "registered"
    BILLING = "billing"


class AuditOutcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    DENIED = "denied"


_TRANSITIONS: dict[type[StrEnum], dict[StrEnum, frozenset[StrEnum]]] = {
    OrderStatus: {
        OrderStatus.DRAFT: frozenset({OrderStatus.AWAITING_SIGNATURE, OrderStatus.CANCELLED}),
        OrderStatus.AWAITING_SIGNATURE: frozenset({OrderStatus.SIGNED, OrderStatus.CANCELLED}),
        OrderStatus.SIGNED: frozenset({OrderStatus.PAID}),
        OrderStatus.PAID: frozenset(),
        OrderStatus.CANCELLED: frozenset(),
    },
    InvoiceStatus: {
        InvoiceStatus.DRAFT: frozenset({InvoiceStatus.OPEN, InvoiceStatus.VOID}),
        # An issued invoice is never edited or deleted: it is paid, or voided by a credit note.
        InvoiceStatus.OPEN: frozenset({InvoiceStatus.PAID, InvoiceStatus.VOID}),
        InvoiceStatus.PAID: frozenset(),
        InvoiceStatus.VOID: frozenset(),
    },
    ContractStatus: {
        ContractStatus.ACTIVE: frozenset({ContractStatus.EXPIRED, ContractStatus.TERMINATED}),
        ContractStatus.EXPIRED: frozenset(),
        ContractStatus.TERMINATED: frozenset(),
    },
}


class InvalidTransition(ValueError):
    """A record was asked to move to a status its lifecycle does not allow from where it is."""


def check_transition(current: StrEnum, target: StrEnum) -> None:
    """Refuse a move that the lifecycle of ``current``'s kind does not list.

    Raises:
        InvalidTransition: The move is not allowed.
    """
    allowed = _TRANSITIONS[type(current)][current]
    if target not in allowed:
        raise InvalidTransition(f"{type(current).__name__}: {current} -> {target} is not allowed")


def is_issued_document(status: str) -> bool:
    """Whether an order or invoice in this status was really sent to the customer."""
    return status not in (OrderStatus.DRAFT, OrderStatus.CANCELLED, InvoiceStatus.DRAFT, InvoiceStatus.VOID)


class ActivationStatus(StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"
    EMAIL_SENT = "email_sent"
    VERIFIED = "verified"
    COMPLETED = "completed"
    REFUSED = "refused"
    REVOKED = "revoked"


_TRANSITIONS[ActivationStatus] = {
    ActivationStatus.AWAITING_APPROVAL: frozenset(
        {ActivationStatus.EMAIL_SENT, ActivationStatus.REFUSED, ActivationStatus.REVOKED}
    ),
    ActivationStatus.EMAIL_SENT: frozenset({ActivationStatus.VERIFIED, ActivationStatus.REVOKED}),
    ActivationStatus.VERIFIED: frozenset({ActivationStatus.COMPLETED, ActivationStatus.REVOKED}),
    # A contact may still report an access that was completed through a proof.
    ActivationStatus.COMPLETED: frozenset({ActivationStatus.REVOKED}),
    ActivationStatus.REFUSED: frozenset(),
    ActivationStatus.REVOKED: frozenset(),
}
