"""The tables. Money is an integer of minor units beside an ISO 4217 code; calendar dates are
``date``; instants are timezone-aware UTC ``datetime`` (SQLite drops the zone, :class:`UTCDateTime`
puts it back). Statuses are the strings of the enums in ``lcadmin.domain.statuses``, guarded by
CHECK constraints.

New tables or columns come with a new alembic migration (``reflex db makemigrations``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from lcadmin.domain.permissions import Role
from lcadmin.domain.statuses import (
    ActivationMethod,
    ActivationStatus,
    AddressKind,
    AuditOutcome,
    BillingFrequency,
    BillingMethod,
    CollectionStatus,
    ContactRole,
    ContractStatus,
    InvitationStatus,
    InvoiceKind,
    InvoiceStatus,
    LinkPurpose,
    OrderStatus,
    OutboxStatus,
    PaymentMethodKind,
    PaymentMethodStatus,
    PaymentStatus,
    SeatStatus,
)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC instant on every backend (naive UTC on SQLite, timestamptz elsewhere)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: pass an aware UTC instant")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """Now, as an aware UTC instant."""
    return datetime.now(UTC)


def _in(column: str, values: Any) -> str:
    return f"{column} IN ({', '.join(repr(str(v.value)) for v in values)})"


def _created_at() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def _money() -> Any:
    return Field(default=0, sa_type=sa.BigInteger, nullable=False)


class Company(SQLModel, table=True):
    """A customer of the vendor."""

    __tablename__ = "company"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    legal_name: str = Field(max_length=200)
    siren: str = Field(max_length=9, unique=True)
    vat_number: str | None = Field(default=None, max_length=20)
    # The company's customer record at the payment provider, made when its first method is saved.
    provider_customer_id: str | None = Field(default=None, max_length=80)
    # The company's policy: its admins sign in with a second factor (set on "Administrateurs").
    require_two_factor: bool = Field(default=False)
    created_at: datetime = _created_at()


class Address(SQLModel, table=True):
    """A postal address of a company: its registered office or where invoices go."""

    __tablename__ = "address"
    __table_args__ = (
        sa.UniqueConstraint("company_id", "kind"),
        sa.CheckConstraint(_in("kind", AddressKind), name="ck_address_kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    kind: str = Field(max_length=20)
    recipient: str | None = Field(default=None, max_length=200)
    line1: str = Field(max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    postal_code: str = Field(max_length=20)
    city: str = Field(max_length=100)
    country_code: str = Field(default="FR", max_length=2)


class CompanyDomain(SQLModel, table=True):
    """An e-mail domain known to belong to a company (``flexis.com``)."""

    __tablename__ = "company_domain"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    domain: str = Field(max_length=253, unique=True)


class Contact(SQLModel, table=True):
    """A company's primary or billing contact on file with the vendor."""

    __tablename__ = "contact"
    __table_args__ = (
        sa.UniqueConstraint("company_id", "role"),
        sa.CheckConstraint(_in("role", ContactRole), name="ck_contact_role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    role: str = Field(max_length=20)
    full_name: str = Field(max_length=200)
    email: str = Field(max_length=320, index=True)
    phone: str | None = Field(default=None, max_length=40)
    # The language of the e-mails the contact receives.
    locale: str = Field(default="fr", max_length=5, sa_column_kwargs={"server_default": "fr"})


class UserAccount(SQLModel, table=True):
    """A person who signs in. Their e-mail may differ from the business e-mail they activated with."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    full_name: str = Field(max_length=200)
    password_hash: str | None = Field(default=None, max_length=255)
    locale: str = Field(default="fr", max_length=5)
    is_active: bool = Field(default=True)
    created_at: datetime = _created_at()
    last_sign_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Two-step verification (lcadmin.services.two_factor): the TOTP secret, encrypted with a key
    # derived from the app's secret key; set while enrolling, in force once ``two_factor_enabled_at``.
    totp_secret_encrypted: str | None = Field(default=None, max_length=255)
    two_factor_enabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The last 30-second step whose code was accepted: a code is good once, never again.
    totp_last_step: int | None = Field(default=None, sa_type=sa.BigInteger)


class Membership(SQLModel, table=True):
    """A user's role in one company."""

    __tablename__ = "membership"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "company_id"),
        sa.CheckConstraint(_in("role", Role), name="ck_membership_role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    role: str = Field(max_length=20)
    # False: only the contracts listed in ``membership_contract`` (billing roles only).
    all_contracts: bool = Field(default=True)
    # Time-limited access (an outside accountant): from this instant the role holds nothing.
    access_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # When the admins were told that this access ends within a week (sent once).
    expiry_notice_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    added_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = _created_at()


class MembershipContract(SQLModel, table=True):
    """One contract a scoped membership may act on (``Membership.all_contracts`` is False)."""

    __tablename__ = "membership_contract"
    __table_args__ = (sa.UniqueConstraint("membership_id", "contract_id"),)

    id: int | None = Field(default=None, primary_key=True)
    membership_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("membership.id", ondelete="CASCADE"),
                                                   nullable=False, index=True))
    contract_id: int = Field(foreign_key="contract.id", index=True)


class AdminInvitation(SQLModel, table=True):
    """An e-mail inviting someone to act for the company with a role. Lifecycle
    (``lcadmin.domain.statuses.InvitationStatus``): pending -> accepted | revoked | expired; its
    link (purpose ``admin``) is single-use and valid seven days, and a resend replaces it."""

    __tablename__ = "admin_invitation"
    __table_args__ = (
        sa.CheckConstraint(_in("role", Role), name="ck_admin_invitation_role"),
        sa.CheckConstraint(_in("status", InvitationStatus), name="ck_admin_invitation_status"),
        sa.Index("ix_admin_invitation_company_status", "company_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id")
    email: str = Field(max_length=320)
    role: str = Field(max_length=20)
    all_contracts: bool = Field(default=True)
    contract_ids: list[int] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    access_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: str = Field(max_length=10, default=InvitationStatus.PENDING.value)
    locale: str = Field(default="fr", max_length=5)
    invited_by: int = Field(foreign_key="user_account.id")
    link_expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    sent_at: datetime = _created_at()
    accepted_by: int | None = Field(default=None, foreign_key="user_account.id")
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = _created_at()
    updated_at: datetime = _created_at()


class Contract(SQLModel, table=True):
    """A subscription agreement under which orders are placed."""

    __tablename__ = "contract"
    __table_args__ = (
        sa.CheckConstraint(_in("status", ContractStatus), name="ck_contract_status"),
        sa.Index("ix_contract_company_end", "company_id", "end_date", "id"),  # the contracts list, current first
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    number: str = Field(max_length=40, unique=True)
    title: str = Field(max_length=200)
    start_date: date
    end_date: date
    status: str = Field(default=ContractStatus.ACTIVE.value, max_length=20)
    currency: str = Field(default="EUR", max_length=3)
    # How its invoices are paid: a saved card or mandate of the company's wallet, collected on the
    # due date; None is bank transfer ("Virement bancaire"), the customer pays each invoice.
    payment_method_id: int | None = Field(default=None, foreign_key="payment_method.id", index=True)
    created_at: datetime = _created_at()


class SalesOrder(SQLModel, table=True):
    """An order form: what the customer buys, for which period, billed how."""

    __tablename__ = "sales_order"
    __table_args__ = (
        sa.CheckConstraint(_in("status", OrderStatus), name="ck_sales_order_status"),
        sa.CheckConstraint(_in("billing_frequency", BillingFrequency), name="ck_sales_order_frequency"),
        sa.CheckConstraint(_in("billing_method", BillingMethod), name="ck_sales_order_method"),
        sa.CheckConstraint("end_date >= start_date", name="ck_sales_order_period"),
        sa.Index("ix_sales_order_company_start", "company_id", "start_date", "id"),  # the orders list, newest first
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    contract_id: int | None = Field(default=None, foreign_key="contract.id", index=True)
    number: str = Field(max_length=40, unique=True)
    status: str = Field(default=OrderStatus.DRAFT.value, max_length=20)
    purchase_order_ref: str | None = Field(default=None, max_length=60)
    issued_on: date | None = None
    start_date: date
    end_date: date
    billing_frequency: str = Field(max_length=20)
    billing_method: str = Field(max_length=20)
    payment_terms_days: int = Field(default=30)
    currency: str = Field(default="EUR", max_length=3)
    subtotal_minor: int = _money()
    tax_minor: int = _money()
    total_minor: int = _money()
    # Seats bought for the rest of a contract's term ("Acheter des licences supplémentaires"):
    # invoiced as soon as it is signed, paid like the contract's other invoices.
    add_on: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    created_at: datetime = _created_at()


class DocumentLine(SQLModel):
    """The columns every document line has: quantity × unit price excluding tax, at a VAT rate in
    basis points (2000 = 20 %), and the resulting amount excluding tax."""

    position: int
    description: str = Field(max_length=500)  # in French, the documents' first language
    description_en: str | None = Field(default=None, max_length=500)  # the same in English, when given
    quantity: int
    unit_price_minor: int = _money()
    tax_rate_bp: int
    amount_minor: int = _money()


class Product(SQLModel, table=True):
    """What the vendor sells by the seat (a licence of one of its products)."""

    __tablename__ = "product"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name_fr: str = Field(max_length=200)
    name_en: str = Field(max_length=200)


class OrderLine(DocumentLine, table=True):
    """One line of an order. A line naming a product sells ``quantity`` seats of it, for the
    order's period (other lines, services or fees, sell no seat)."""

    __tablename__ = "order_line"
    __table_args__ = (
        sa.UniqueConstraint("order_id", "position"),
        sa.CheckConstraint("quantity > 0", name="ck_order_line_quantity"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id", index=True)
    product_id: int | None = Field(default=None, foreign_key="product.id", index=True)


class Invoice(SQLModel, table=True):
    """An invoice or a credit note. Once issued it is never edited or deleted: a credit note
    (``kind='credit_note'``, ``credited_invoice_id`` set) corrects it. Amounts are positive; the
    kind gives the sign."""

    __tablename__ = "invoice"
    __table_args__ = (
        sa.CheckConstraint(_in("status", InvoiceStatus), name="ck_invoice_status"),
        sa.CheckConstraint(_in("kind", InvoiceKind), name="ck_invoice_kind"),
        sa.CheckConstraint(
            "(kind = 'credit_note') = (credited_invoice_id IS NOT NULL)", name="ck_invoice_credit_link"
        ),
        # The invoices list: one index per sort column, each ending with its tie-breaker, so that a
        # page is read in order and stops after its rows; and one for the status filters and their
        # counts, which also holds the default order (a filtered page is cut from the index alone).
        sa.Index("ix_invoice_company_issued", "company_id", "issue_date", "number"),
        sa.Index("ix_invoice_company_due", "company_id", "due_date", "number"),
        sa.Index("ix_invoice_company_total", "company_id", "total_minor", "number"),
        sa.Index("ix_invoice_company_number", "company_id", "number"),
        sa.Index("ix_invoice_company_status", "company_id", "status", "kind", "due_date", "issue_date", "number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    order_id: int | None = Field(default=None, foreign_key="sales_order.id", index=True)
    number: str = Field(max_length=40, unique=True)
    kind: str = Field(default=InvoiceKind.INVOICE.value, max_length=20)
    credited_invoice_id: int | None = Field(default=None, foreign_key="invoice.id")
    status: str = Field(default=InvoiceStatus.DRAFT.value, max_length=20)
    purchase_order_ref: str | None = Field(default=None, max_length=60)
    issue_date: date | None = None
    due_date: date | None = None
    period_start: date | None = None
    period_end: date | None = None
    currency: str = Field(default="EUR", max_length=3)
    subtotal_minor: int = _money()
    tax_minor: int = _money()
    total_minor: int = _money()
    paid_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = _created_at()
    # Who issued it and to whom, as they were on the issue date (names and addresses change;
    # an issued invoice never does).
    issuer_snapshot: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    customer_snapshot: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)


class DocumentSequence(SQLModel, table=True):
    """The next number of a document series (``F`` for invoices and credit notes) for a year.
    Allocated in the transaction that creates the document, so numbers have no gap and no twin."""

    __tablename__ = "document_sequence"
    __table_args__ = (sa.UniqueConstraint("series", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    series: str = Field(max_length=10)
    year: int
    next_value: int = Field(default=1)


class InvoiceLine(DocumentLine, table=True):
    """One line of an invoice, copied from what was sold: never recomputed from live prices."""

    __tablename__ = "invoice_line"
    __table_args__ = (
        sa.UniqueConstraint("invoice_id", "position"),
        sa.CheckConstraint("quantity > 0", name="ck_invoice_line_quantity"),
    )

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)


class AuditEvent(SQLModel, table=True):
    """Who did what, when, from where, with which outcome. Never an amount typed as a proof, a
    password or a token in clear."""

    __tablename__ = "audit_event"
    __table_args__ = (
        sa.CheckConstraint(_in("outcome", AuditOutcome), name="ck_audit_event_outcome"),
        sa.Index("ix_audit_event_company_occurred_id", "company_id", "occurred_at", "id"),  # the activity log's pages
    )

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    action: str = Field(max_length=64, index=True)
    outcome: str = Field(max_length=10)
    actor_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    actor_email: str | None = Field(default=None, max_length=320)
    company_id: int | None = Field(default=None, foreign_key="company.id")
    ip: str | None = Field(default=None, max_length=45)
    subject: str | None = Field(default=None, max_length=100)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)


class ActivationRequest(SQLModel, table=True):
    """Someone asked for billing access to a company with a business e-mail address.

    Lifecycle (``lcadmin.domain.statuses.ActivationStatus``): awaiting_approval -> email_sent ->
    verified (the link's button was clicked) -> completed (terms accepted, access granted); or
    refused, revoked (a newer request replaced it, or a contact reported it).
    """

    __tablename__ = "activation_request"
    __table_args__ = (
        sa.CheckConstraint(_in("status", ActivationStatus), name="ck_activation_request_status"),
        sa.CheckConstraint(_in("method", ActivationMethod), name="ck_activation_request_method"),
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    business_email: str = Field(max_length=320, index=True)
    method: str = Field(max_length=10)
    # Which document proved authority ("order FLD…" / "invoice F2026-…"); never the amount.
    proof_document: str | None = Field(default=None, max_length=80)
    status: str = Field(max_length=20)
    locale: str = Field(default="fr", max_length=5)
    requested_ip: str | None = Field(default=None, max_length=45)
    granted_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    # Set when the link's button is clicked: the SHA-256 of a secret held only by the browser tab
    # that clicked it, which "Accepter et continuer" must bring. Knowing the request is worth nothing.
    completion_hash: str | None = Field(default=None, max_length=64, unique=True)
    created_at: datetime = _created_at()
    updated_at: datetime = _created_at()


class ActionToken(SQLModel, table=True):
    """A single-use secret sent in a link. Only its SHA-256 is stored; the 256-bit value exists
    only in the e-mail. Its ``purpose`` (``lcadmin.domain.statuses.LinkPurpose``) says what the
    link does and so what kind of record ``subject_id`` names (an activation request today)."""

    __tablename__ = "action_token"
    __table_args__ = (
        sa.CheckConstraint(_in("purpose", LinkPurpose), name="ck_action_token_purpose"),
        sa.Index("ix_action_token_subject", "purpose", "subject_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    purpose: str = Field(max_length=10)
    subject_id: int
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = _created_at()


class ThrottleFailure(SQLModel, table=True):
    """One failed attempt (a wrong proof, a wrong password, an e-mail step) counted against a key
    such as ``email:…``, ``company:…`` or ``ip:…``. Shared by every worker, kept across restarts."""

    __tablename__ = "throttle_failure"
    __table_args__ = (sa.Index("ix_throttle_failure_lookup", "scope", "key", "occurred_at"),)

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=20)
    key: str = Field(max_length=400)
    occurred_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class ThrottleLock(SQLModel, table=True):
    """A key that failed too often is locked until ``locked_until``; ``strikes`` makes the next lock
    longer."""

    __tablename__ = "throttle_lock"
    __table_args__ = (sa.UniqueConstraint("scope", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=20)
    key: str = Field(max_length=400)
    locked_until: datetime = Field(sa_type=UTCDateTime, nullable=False)
    strikes: int = Field(default=1)


class UserSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a 256-bit id; only its SHA-256 is stored."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    id_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    company_id: int | None = Field(default=None, foreign_key="company.id")
    created_at: datetime = _created_at()
    last_seen_at: datetime = _created_at()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ip: str | None = Field(default=None, max_length=45)
    user_agent: str | None = Field(default=None, max_length=400)


class SessionHandoff(SQLModel, table=True):
    """A one-minute, single-use code that lets the HTTP route set the session cookie after a
    sign-in made over the websocket (only an HTTP response can set an HttpOnly cookie)."""

    __tablename__ = "session_handoff"

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user_account.id")
    company_id: int | None = Field(default=None, foreign_key="company.id")
    return_to: str = Field(max_length=500)
    ip: str | None = Field(default=None, max_length=45)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RecoveryCode(SQLModel, table=True):
    """One of an account's ten single-use recovery codes (for a lost phone); only the SHA-256 of
    the code (80 random bits) is stored."""

    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    code_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = _created_at()
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class TwoFactorChallenge(SQLModel, table=True):
    """The sign-in step between a right password and the code: valid five minutes, single-use,
    for one account, and known only to the browser tab that typed the password (its key lives in
    that tab's backend-only state; only the key's SHA-256 is stored)."""

    __tablename__ = "two_factor_challenge"

    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    ip: str | None = Field(default=None, max_length=45)
    created_at: datetime = _created_at()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class TermsAcceptance(SQLModel, table=True):
    """A user accepted a version of the Admin Center's terms for a company."""

    __tablename__ = "terms_acceptance"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    company_id: int = Field(foreign_key="company.id")
    terms_version: str = Field(max_length=20)
    accepted_at: datetime = _created_at()
    ip: str | None = Field(default=None, max_length=45)


class OutboxMessage(SQLModel, table=True):
    """An e-mail, written in the same transaction as the change that causes it and delivered by
    the background sender with retries."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        sa.CheckConstraint(_in("status", OutboxStatus), name="ck_outbox_message_status"),
        sa.Index("ix_outbox_message_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=320)
    subject: str = Field(max_length=300)
    text_body: str = Field(sa_type=sa.Text)
    html_body: str = Field(sa_type=sa.Text)
    attachment_name: str | None = Field(default=None, max_length=120)
    attachment: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    kind: str = Field(max_length=40)
    status: str = Field(default=OutboxStatus.PENDING.value, max_length=10)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = _created_at()
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = _created_at()
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ESignature(SQLModel):
    """What every online signature keeps: who, when, from where, and the exact PDF they signed
    (in the language they saw it in) with its SHA-256."""

    user_id: int = Field(foreign_key="user_account.id")
    signer_name: str = Field(max_length=200)
    signer_email: str = Field(max_length=320)
    signed_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    ip: str | None = Field(default=None, max_length=45)
    user_agent: str | None = Field(default=None, max_length=400)
    document_sha256: str = Field(max_length=64)
    document_locale: str = Field(max_length=5)
    document_pdf: bytes = Field(sa_type=sa.LargeBinary, nullable=False)


class OrderSignature(ESignature, table=True):
    """An order form signed online: who, when, from where, the exact document they signed (the
    order form PDF in the language they saw it in) and its SHA-256. One per order, never changed:
    later changes to contacts, addresses or the vendor's details never alter what was signed."""

    __tablename__ = "order_signature"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id", unique=True)


class Payment(SQLModel, table=True):
    """One online payment attempt for an order or an open invoice. Its idempotency key makes a
    double click, a retry or a reload find this attempt again instead of charging twice. Only the
    card's brand and last four digits are kept."""

    __tablename__ = "payment"
    __table_args__ = (
        sa.CheckConstraint(_in("status", PaymentStatus), name="ck_payment_status"),
        sa.CheckConstraint("(order_id IS NULL) <> (invoice_id IS NULL)", name="ck_payment_target"),
        # The payments history, newest first; it holds what its count reads (the paid invoice)
        sa.Index("ix_payment_company_paid", "company_id", "status", "paid_at", "id", "paid_invoice_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    order_id: int | None = Field(default=None, foreign_key="sales_order.id")
    invoice_id: int | None = Field(default=None, foreign_key="invoice.id")
    idempotency_key: str = Field(max_length=80, unique=True)
    amount_minor: int = _money()
    currency: str = Field(default="EUR", max_length=3)
    provider_intent_id: str = Field(max_length=80)
    status: str = Field(max_length=20)
    failure_code: str | None = Field(default=None, max_length=40)
    card_brand: str | None = Field(default=None, max_length=20)
    card_last4: str | None = Field(default=None, max_length=4)
    paid_invoice_id: int | None = Field(default=None, foreign_key="invoice.id")
    # A saved card or mandate charged off session by the automatic collection (None: a card typed in)
    payment_method_id: int | None = Field(default=None, foreign_key="payment_method.id")
    method_kind: str = Field(default="card", max_length=20, sa_column_kwargs={"server_default": "card"})
    receipt_number: str | None = Field(default=None, max_length=40, unique=True)  # R2026-00001, once succeeded
    paid_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, foreign_key="user_account.id")  # None: the automatic collection
    created_at: datetime = _created_at()
    updated_at: datetime = _created_at()


class SandboxIntent(SQLModel, table=True):
    """The sandbox payment provider's own record of a payment intent (a real provider keeps this
    on its side). Card numbers never reach it: only the token's brand, last four and outcome."""

    __tablename__ = "sandbox_intent"

    id: int | None = Field(default=None, primary_key=True)
    intent_id: str = Field(max_length=80, unique=True)
    idempotency_key: str = Field(max_length=80, unique=True)
    amount_minor: int = _money()
    currency: str = Field(max_length=3)
    description: str = Field(max_length=200)
    status: str = Field(max_length=30)
    token_id: str | None = Field(default=None, max_length=80)
    failure_code: str | None = Field(default=None, max_length=40)
    payment_method_id: str | None = Field(default=None, max_length=80)  # a saved method charged off session
    settles_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # a SEPA debit's answer from the bank
    created_at: datetime = _created_at()


class SandboxToken(SQLModel, table=True):
    """A tokenized test card: what the sandbox will do with it, never the number itself."""

    __tablename__ = "sandbox_token"

    id: int | None = Field(default=None, primary_key=True)
    token_id: str = Field(max_length=80, unique=True)
    brand: str = Field(max_length=20)
    last4: str = Field(max_length=4)
    exp_month: int
    exp_year: int
    behaviour: str = Field(max_length=30)
    created_at: datetime = _created_at()


class PaymentClaim(SQLModel, table=True):
    """While one attempt pays an order or invoice, its claim stops another attempt (another tab,
    another key) from charging the same document too. Released when the attempt fails.

    Before the card is charged, the claim records the provider's intent, the card's brand and
    last four digits and who pays: if the attempt is cut short after the charge, a later attempt
    finds that intent here, asks the provider what became of it, and records it instead of
    charging again."""

    __tablename__ = "payment_claim"

    id: int | None = Field(default=None, primary_key=True)
    target: str = Field(max_length=40, unique=True)  # "invoice:12" / "order:3"
    idempotency_key: str = Field(max_length=80)
    claimed_at: datetime = _created_at()
    intent_id: str | None = Field(default=None, max_length=80)
    card_brand: str | None = Field(default=None, max_length=20)
    card_last4: str | None = Field(default=None, max_length=4)
    user_id: int | None = Field(default=None, foreign_key="user_account.id")
    # While the background reconciliation settles it with the provider: until when it holds it.
    settling_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PaymentMethod(SQLModel, table=True):
    """A card or a SEPA Direct Debit mandate in a company's wallet. Only what identifies it to a
    person is kept (a card's brand, last four and expiry; an account's country, last four and
    BIC); the provider keeps the rest behind ``provider_method_id``. A removed card or a revoked
    mandate stays on record (a mandate's proof is kept after its last debit), never used again.

    Lifecycle (``PaymentMethodStatus``): pending (a card awaiting its 3-D Secure step) -> active
    -> removed."""

    __tablename__ = "payment_method"
    __table_args__ = (
        sa.CheckConstraint(_in("kind", PaymentMethodKind), name="ck_payment_method_kind"),
        sa.CheckConstraint(_in("status", PaymentMethodStatus), name="ck_payment_method_status"),
        # At most one default method per company (none: bank transfer is the default).
        sa.Index("ux_payment_method_default", "company_id", unique=True, sqlite_where=sa.text("is_default"),
                 postgresql_where=sa.text("is_default")),
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    kind: str = Field(max_length=20)
    status: str = Field(max_length=20)
    provider_method_id: str = Field(max_length=80, unique=True)
    setup_intent_id: str | None = Field(default=None, max_length=80, unique=True)  # a card's set-up, at the provider
    holder_name: str = Field(max_length=200)
    card_brand: str | None = Field(default=None, max_length=20)
    card_last4: str | None = Field(default=None, max_length=4)
    exp_month: int | None = None
    exp_year: int | None = None
    iban_country: str | None = Field(default=None, max_length=2)
    iban_last4: str | None = Field(default=None, max_length=4)
    bic: str | None = Field(default=None, max_length=11)
    mandate_reference: str | None = Field(default=None, max_length=35, unique=True)  # the RUM
    is_default: bool = Field(default=False)
    # Chosen when it was added ("Utiliser pour tous mes contrats"), applied once it is active.
    use_for_all: bool = Field(default=False)
    # The smallest expiry notice already sent (30, then 7 days before): each is sent once.
    expiry_notice_days: int | None = None
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = _created_at()
    updated_at: datetime = _created_at()
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    detached_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # gone from the provider too
    # While a background round detaches it at the provider: until when that round holds it.
    detaching_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MandateSignature(ESignature, table=True):
    """A SEPA Direct Debit mandate signed online: who, when, from where, for which account holder
    and address, and the exact mandate PDF they signed with its SHA-256. Never changed."""

    __tablename__ = "mandate_signature"

    id: int | None = Field(default=None, primary_key=True)
    payment_method_id: int = Field(foreign_key="payment_method.id", unique=True)
    holder_address: str = Field(max_length=500)  # the debtor's address as printed on the mandate


class Collection(SQLModel, table=True):
    """The automatic collection of one open invoice with the saved method of its contract, on its
    due date, then on each retry date. One per invoice; its attempts are numbered payments
    (idempotency key ``collect:<invoice>:<attempt>``), so no invoice is ever charged twice."""

    __tablename__ = "collection"
    __table_args__ = (
        sa.CheckConstraint(_in("status", CollectionStatus), name="ck_collection_status"),
        sa.Index("ix_collection_due", "status", "next_attempt_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", unique=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    payment_method_id: int = Field(foreign_key="payment_method.id")
    status: str = Field(default=CollectionStatus.SCHEDULED.value, max_length=20)
    next_attempt_on: date  # the due date (a SEPA debit: the pre-notified date), then each retry
    attempts: int = Field(default=0)
    last_failure_code: str | None = Field(default=None, max_length=40)
    payment_key: str | None = Field(default=None, max_length=80)  # the attempt under way
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = _created_at()
    updated_at: datetime = _created_at()


class SandboxCustomer(SQLModel, table=True):
    """The sandbox provider's customer record (a real provider keeps it on its side)."""

    __tablename__ = "sandbox_customer"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = Field(max_length=80, unique=True)
    reference: str = Field(max_length=80, unique=True)  # the company it stands for, as lcadmin named it
    name: str = Field(max_length=200)
    created_at: datetime = _created_at()


class SandboxPaymentMethod(SQLModel, table=True):
    """A card or an account saved at the sandbox provider for a customer: what it will do when
    charged (``behaviour``), never the card number or the full IBAN."""

    __tablename__ = "sandbox_payment_method"

    id: int | None = Field(default=None, primary_key=True)
    method_id: str = Field(max_length=80, unique=True)
    customer_id: str | None = Field(default=None, max_length=80, index=True)
    kind: str = Field(max_length=20)
    brand: str = Field(max_length=20)
    last4: str = Field(max_length=4)
    behaviour: str = Field(max_length=30)
    mandate_reference: str | None = Field(default=None, max_length=35)
    detached_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = _created_at()


class SandboxSetupIntent(SQLModel, table=True):
    """The sandbox provider's set-up of a card for later off-session charges."""

    __tablename__ = "sandbox_setup_intent"

    id: int | None = Field(default=None, primary_key=True)
    setup_id: str = Field(max_length=80, unique=True)
    idempotency_key: str = Field(max_length=80, unique=True)
    customer_id: str = Field(max_length=80)
    method_id: str = Field(max_length=80)
    status: str = Field(max_length=30)
    failure_code: str | None = Field(default=None, max_length=40)
    created_at: datetime = _created_at()


class Seat(SQLModel, table=True):
    """A person's licence of a product under a contract: invited by e-mail, then active once they
    activate it (``user_id`` is then the account that did). One person holds at most one seat of
    a product in a company; a seat that ended stays on record.

    Lifecycle (``SeatStatus``): invited -> active -> unassigned; invited -> revoked."""

    __tablename__ = "seat"
    __table_args__ = (
        sa.CheckConstraint(_in("status", SeatStatus), name="ck_seat_status"),
        sa.Index("ux_seat_holder", "company_id", "product_id", "email", unique=True,
                 sqlite_where=sa.text("status IN ('invited', 'active')"),
                 postgresql_where=sa.text("status IN ('invited', 'active')")),
        sa.Index("ix_seat_pool", "company_id", "contract_id", "product_id", "status"),
        # The holders list: sorted by address, and searched by the beginning of the address or name
        sa.Index("ix_seat_company_email", "company_id", "email"),
        sa.Index("ix_seat_company_name", "company_id", sa.text("lower(full_name)")),
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    contract_id: int = Field(foreign_key="contract.id")
    product_id: int = Field(foreign_key="product.id")
    email: str = Field(max_length=320)  # lower case: the address the invitation went to
    full_name: str | None = Field(default=None, max_length=200)  # the holder's, once activated
    user_id: int | None = Field(default=None, foreign_key="user_account.id")
    status: str = Field(default=SeatStatus.INVITED.value, max_length=20)
    invite_locale: str = Field(default="fr", max_length=5)
    assigned_at: datetime = _created_at()
    activated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_active_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # in the vendor's product
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    assigned_by: int | None = Field(default=None, foreign_key="user_account.id")
    updated_at: datetime = _created_at()


class SeatPoolCount(SQLModel, table=True):
    """How many seats of a pool (a company's product under a contract) are taken, invited or
    active: kept in the transaction of every change to its seats, so that counting a pool never
    reads one row per holder (``lcadmin.services.licences.pools``)."""

    __tablename__ = "seat_pool_count"
    __table_args__ = (sa.UniqueConstraint("company_id", "contract_id", "product_id"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    contract_id: int = Field(foreign_key="contract.id")
    product_id: int = Field(foreign_key="product.id")
    taken: int = Field(default=0)
