"""The lifecycles of what lcadmin keeps, as explicit state machines, and the other closed lists.

Every lifecycle is a StrEnum and a transition table in :data:`TRANSITIONS`. Records move only
through ``lcadmin.services.lifecycle`` (``move`` / ``move_if``), which refuses a move the table
does not list and writes the audit event the move names in :data:`MOVE_ACTIONS`. Pages never
compare statuses: services hand them view rows with the flags they need.

A new lifecycle: its StrEnum here, its table in :data:`TRANSITIONS`, an audit action per move
that matters in :data:`MOVE_ACTIONS` (and ``lcadmin.domain.audit``), and its CHECK constraint in
the model (``_in("status", TheStatus)``).
"""

from __future__ import annotations

from enum import StrEnum

from lcadmin.domain.audit import AuditAction


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


class ActivationStatus(StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"
    EMAIL_SENT = "email_sent"
    VERIFIED = "verified"
    COMPLETED = "completed"
    REFUSED = "refused"
    REVOKED = "revoked"


class PaymentStatus(StrEnum):
    """One online payment attempt, as recorded once the card was sent to the provider."""

    REQUIRES_ACTION = "requires_action"  # waiting for the bank's 3-D Secure step
    PROCESSING = "processing"  # a SEPA debit submitted, until the bank settles or returns it
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class PaymentMethodStatus(StrEnum):
    """A card or a SEPA Direct Debit mandate in the company's wallet. Whether a card has expired
    is read from its expiry date on the day asked (``lcadmin.domain.cards.expiry_state``), never
    stored: it cannot go stale."""

    PENDING = "pending"  # a card saved at the provider, awaiting the holder's 3-D Secure step
    ACTIVE = "active"
    REMOVED = "removed"  # a card removed, or a mandate revoked: kept on record, never used again


class PaymentMethodKind(StrEnum):
    CARD = "card"
    SEPA_DEBIT = "sepa_debit"


class CollectionStatus(StrEnum):
    """The automatic collection of one open invoice with the method of its contract."""

    SCHEDULED = "scheduled"  # waiting for its next attempt date (the due date, then each retry)
    PROCESSING = "processing"  # an attempt under way: charged, or a SEPA debit awaiting the bank
    ACTION_REQUIRED = "action_required"  # the bank asks the holder to authenticate (link e-mailed)
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # the last retry failed: the invoice stays open, to be paid by hand
    CANCELED = "canceled"  # the invoice was paid or corrected another way, or the contract's method changed


class SeatStatus(StrEnum):
    """A person's seat of a product (a licence): invited by e-mail, then active once they
    activate it; it ends unassigned (the seat returns to the pool) or, while only invited,
    revoked. Invited and active seats are taken from the pool."""

    INVITED = "invited"
    ACTIVE = "active"
    REVOKED = "revoked"
    UNASSIGNED = "unassigned"


class InvitationStatus(StrEnum):
    """An admin invitation (``AdminInvitation``): pending until the invitee accepts it, an admin
    revokes it, or its link lapses (seven days)."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    REVOKED = "revoked"


TRANSITIONS: dict[type[StrEnum], dict[StrEnum, frozenset[StrEnum]]] = {
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
    ActivationStatus: {
        ActivationStatus.AWAITING_APPROVAL: frozenset(
            {ActivationStatus.EMAIL_SENT, ActivationStatus.REFUSED, ActivationStatus.REVOKED}),
        ActivationStatus.EMAIL_SENT: frozenset({ActivationStatus.VERIFIED, ActivationStatus.REVOKED}),
        ActivationStatus.VERIFIED: frozenset({ActivationStatus.COMPLETED, ActivationStatus.REVOKED}),
        # A contact may still report an access that was completed through a proof.
        ActivationStatus.COMPLETED: frozenset({ActivationStatus.REVOKED}),
        ActivationStatus.REFUSED: frozenset(),
        ActivationStatus.REVOKED: frozenset(),
    },
    PaymentStatus: {
        PaymentStatus.REQUIRES_ACTION: frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.FAILED}),
        PaymentStatus.PROCESSING: frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.FAILED}),
        PaymentStatus.SUCCEEDED: frozenset(),
        PaymentStatus.FAILED: frozenset(),
    },
    OutboxStatus: {
        # A retried message stays pending: its attempts and next try change, not its status.
        OutboxStatus.PENDING: frozenset({OutboxStatus.SENT, OutboxStatus.FAILED}),
        OutboxStatus.SENT: frozenset(),
        OutboxStatus.FAILED: frozenset(),
    },
    PaymentMethodStatus: {
        PaymentMethodStatus.PENDING: frozenset({PaymentMethodStatus.ACTIVE, PaymentMethodStatus.REMOVED}),
        PaymentMethodStatus.ACTIVE: frozenset({PaymentMethodStatus.REMOVED}),
        PaymentMethodStatus.REMOVED: frozenset(),
    },
    CollectionStatus: {
        CollectionStatus.SCHEDULED: frozenset({CollectionStatus.PROCESSING, CollectionStatus.CANCELED}),
        CollectionStatus.PROCESSING: frozenset({CollectionStatus.SUCCEEDED, CollectionStatus.SCHEDULED,
                                                CollectionStatus.ACTION_REQUIRED, CollectionStatus.FAILED,
                                                CollectionStatus.CANCELED}),
        # The holder authenticated (the payment then settles), or let the link lapse: a retry.
        CollectionStatus.ACTION_REQUIRED: frozenset({CollectionStatus.SUCCEEDED, CollectionStatus.SCHEDULED,
                                                     CollectionStatus.FAILED, CollectionStatus.CANCELED}),
        CollectionStatus.SUCCEEDED: frozenset(),
        CollectionStatus.FAILED: frozenset(),
        # Paid by a saved method again (its contract switched back): collected once more.
        CollectionStatus.CANCELED: frozenset({CollectionStatus.SCHEDULED}),
    },
    SeatStatus: {
        SeatStatus.INVITED: frozenset({SeatStatus.ACTIVE, SeatStatus.REVOKED, SeatStatus.UNASSIGNED}),
        SeatStatus.ACTIVE: frozenset({SeatStatus.UNASSIGNED}),
        SeatStatus.REVOKED: frozenset(),
        SeatStatus.UNASSIGNED: frozenset(),
    },
    InvitationStatus: {
        InvitationStatus.PENDING: frozenset(
            {InvitationStatus.ACCEPTED, InvitationStatus.EXPIRED, InvitationStatus.REVOKED}),
        InvitationStatus.ACCEPTED: frozenset(),
        InvitationStatus.EXPIRED: frozenset(),
        InvitationStatus.REVOKED: frozenset(),
    },
}

# The audit event each move writes (moves not listed write none: a retry, a draft issued).
# Keyed by the lifecycle and the status (see :func:`move_action`): members of two StrEnums with the
# same value are equal and hash alike, so a message's "failed" must not find a payment's event.
_MOVE_ACTIONS: tuple[tuple[StrEnum, AuditAction], ...] = (
    (OrderStatus.SIGNED, AuditAction.ORDER_SIGNED),
    (OrderStatus.PAID, AuditAction.ORDER_PAID),
    (InvoiceStatus.PAID, AuditAction.INVOICE_PAID),
    (InvoiceStatus.VOID, AuditAction.INVOICE_VOIDED),
    (ActivationStatus.EMAIL_SENT, AuditAction.ACCESS_APPROVED),
    (ActivationStatus.VERIFIED, AuditAction.ACCESS_LINK_CONFIRMED),
    (ActivationStatus.COMPLETED, AuditAction.ACCESS_COMPLETED),
    (ActivationStatus.REFUSED, AuditAction.ACCESS_REFUSED),
    (ActivationStatus.REVOKED, AuditAction.ACCESS_REVOKED),
    # A payment that succeeds is settled, and the settlement records it (the charge may also be
    # recorded succeeded at once, without a move).
    (PaymentStatus.FAILED, AuditAction.PAYMENT_FAILED),
    (PaymentMethodStatus.ACTIVE, AuditAction.PAYMENT_METHOD_ADDED),
    (PaymentMethodStatus.REMOVED, AuditAction.PAYMENT_METHOD_REMOVED),
    (CollectionStatus.SUCCEEDED, AuditAction.COLLECTION_SUCCEEDED),
    (CollectionStatus.ACTION_REQUIRED, AuditAction.COLLECTION_ACTION_REQUIRED),
    (CollectionStatus.FAILED, AuditAction.COLLECTION_FAILED),
    (SeatStatus.ACTIVE, AuditAction.SEAT_ACTIVATED),
    (SeatStatus.REVOKED, AuditAction.SEAT_REVOKED),
    (SeatStatus.UNASSIGNED, AuditAction.SEAT_UNASSIGNED),
    (InvitationStatus.ACCEPTED, AuditAction.INVITATION_ACCEPTED),
    (InvitationStatus.REVOKED, AuditAction.INVITATION_REVOKED),
)
MOVE_ACTIONS: dict[tuple[type[StrEnum], str], AuditAction] = {
    (type(status), status.value): action for status, action in _MOVE_ACTIONS}
assert len(MOVE_ACTIONS) == len(_MOVE_ACTIONS), "two lifecycles' statuses collided in _MOVE_ACTIONS"


def move_action(target: StrEnum) -> AuditAction | None:
    """The audit event a move to ``target`` writes, if any (by its lifecycle, not its value alone)."""
    return MOVE_ACTIONS.get((type(target), target.value))


def allowed_moves(current: StrEnum) -> frozenset[StrEnum]:
    """Where a record in ``current`` may go next."""
    return TRANSITIONS[type(current)][current]


def can_move(current: StrEnum, target: StrEnum) -> bool:
    """Whether the lifecycle of ``current``'s kind lists the move to ``target``."""
    return type(current) is type(target) and target in allowed_moves(current)


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


class ActivationMethod(StrEnum):
    CONTACT = "contact"  # a primary or billing contact asked
    PROOF = "proof"  # someone proved an order or an invoice


class LinkPurpose(StrEnum):
    """What a single-use link in an e-mail does; its subject is the record it acts on."""

    ACTIVATE = "activate"  # "Activer mon compte": an activation request
    APPROVE = "approve"  # a contact approves an activation request
    REFUSE = "refuse"  # ... or refuses it
    REPORT = "report"  # a contact withdraws an access granted through a proof
    RESET = "reset"  # "Mot de passe oublié ?": a user account chooses a new password
    LICENCE = "licence"  # "Vous avez reçu une licence": a seat, activated by its holder
    ADMIN = "admin"  # "Vous êtes invité à administrer": an admin invitation, accepted by the invitee


# The purposes whose subject is an activation request.
ACTIVATION_LINKS = (LinkPurpose.ACTIVATE, LinkPurpose.APPROVE, LinkPurpose.REFUSE, LinkPurpose.REPORT)


class AuditOutcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    DENIED = "denied"
