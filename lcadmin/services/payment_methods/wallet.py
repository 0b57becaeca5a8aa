"""Finding a method of the caller's company, what it is called, and the wallet page's view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from lcadmin.domain.calendar import business_date
from lcadmin.domain.cards import expiry_state
from lcadmin.domain.identifiers import record_id
from lcadmin.domain.permissions import Permission
from lcadmin.domain.sepa import group_by_four, masked_iban
from lcadmin.domain.statuses import ContractStatus, PaymentMethodKind, PaymentMethodStatus
from lcadmin.i18n import gettext
from lcadmin.i18n.format import format_date
from lcadmin.models import Contract, MandateSignature, PaymentMethod
from lcadmin.services import scope
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import NotAllowed, NotFound
from lcadmin.services.views import status_tone
from lcadmin.settings import VendorSettings

TRANSFER = "transfer"  # the choice that names bank transfer (no saved method)
BRANDS = {"visa": "Visa", "mastercard": "Mastercard", "amex": "American Express"}


def company_of(ctx: RequestContext, permission: Permission, *, one_contract: bool = False) -> int:
    """The caller's company, if they hold ``permission`` there. A billing admin limited to some
    contracts changes the method of those contracts only (``one_contract``): the company's wallet
    itself (a card or mandate added or removed, the default) pays contracts beyond their scope.

    Raises:
        NotAllowed: ``forbidden``.
    """
    if ctx.user.company_id is None or not ctx.user.can(permission):
        raise NotAllowed("forbidden")
    if permission is Permission.MANAGE_PAYMENT_METHODS and not one_contract and ctx.user.contract_ids is not None:
        raise NotAllowed("forbidden")
    return ctx.user.company_id


def find_method(session: Session, company_id: int, value: object, *, include_removed: bool = False,
                lock: bool = False) -> PaymentMethod:
    """A method of the company by its id; another company's, a removed one or nonsense is not found.
    ``lock``: its row is locked until the transaction ends (a change that relies on its status:
    on PostgreSQL, a concurrent removal waits instead of slipping in between).

    Raises:
        NotFound: ``payment_method_not_found``.
    """
    method_id = record_id(value)
    method = session.get(PaymentMethod, method_id, populate_existing=True, with_for_update=lock or None) \
        if method_id is not None else None
    if method is None or method.company_id != company_id or (
            not include_removed and method.status == PaymentMethodStatus.REMOVED.value):
        raise NotFound("payment_method_not_found")
    return method


def usable(method: PaymentMethod, today: date) -> bool:
    """Whether it may pay a contract: active, and a card not expired."""
    if method.status != PaymentMethodStatus.ACTIVE.value:
        return False
    return method.kind != PaymentMethodKind.CARD.value or expiry_state(method.exp_month or 1, method.exp_year or 2000,
                                                                        today) != "expired"


def method_label(method: PaymentMethod | None, locale: str) -> str:
    """``Visa •••• 4242``, ``Prélèvement SEPA •••• 2606``, or ``Virement bancaire`` for None."""
    if method is None:
        return gettext("wallet.transfer", locale)
    if method.kind == PaymentMethodKind.CARD.value:
        brand = BRANDS.get(method.card_brand or "", gettext("wallet.brand.card", locale))
        return f"{brand} •••• {method.card_last4}"
    return f"{gettext('wallet.sepa', locale)} •••• {method.iban_last4}"


def expiry_text(method: PaymentMethod) -> str:
    """A card's expiry as printed on it: ``12/26``."""
    return f"{method.exp_month:02d}/{(method.exp_year or 0) % 100:02d}" if method.exp_month else ""


@dataclass(frozen=True)
class MethodRow:
    """A card or a mandate as the wallet page shows it."""

    id: str
    kind: str  # card, sepa_debit
    label: str
    holder: str
    expiry: str  # a card's MM/YY
    account: str  # a mandate's masked IBAN
    bic: str
    reference: str  # a mandate's RUM
    signed_on: str
    status_label: str
    status_tone: str
    contracts: str  # the contracts it pays ("" for none)
    is_default: bool
    usable: bool  # may be chosen for a contract or as the default
    can_remove: bool  # the caller may remove it (a removed one: no)
    in_use: bool  # pays a contract or is the default: removing it asks for a replacement


@dataclass(frozen=True)
class ContractChoice:
    """A contract and how it is paid."""

    number: str
    title: str
    method: str  # the method's id, or TRANSFER
    method_label: str


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Wallet:
    """The page "Modes de paiement"."""

    cards: tuple[MethodRow, ...]
    mandates: tuple[MethodRow, ...]
    contracts: tuple[ContractChoice, ...]
    options: tuple[Option, ...]  # what a contract or the default may be: usable methods, then transfer
    default: str  # the default's id, or TRANSFER
    transfer_contracts: str  # the contracts paid by transfer
    transfer_iban: str
    transfer_bic: str
    transfer_beneficiary: str
    can_manage: bool  # the company's wallet itself: add, remove, the default
    expiring: int  # active cards expiring within 30 days (or expired) that still pay something
    can_choose: bool = False  # which method pays each contract listed (a scoped billing admin: theirs)


def _status(method: PaymentMethod, today: date) -> str:
    if method.status == PaymentMethodStatus.REMOVED.value:
        return "revoked" if method.kind == PaymentMethodKind.SEPA_DEBIT.value else "removed"
    if method.status == PaymentMethodStatus.ACTIVE.value:
        if method.kind == PaymentMethodKind.SEPA_DEBIT.value:
            return "mandate_active"
        return expiry_state(method.exp_month or 1, method.exp_year or 2000, today)
    return method.status


def list_wallet(session: Session, ctx: RequestContext, *, vendor: VendorSettings) -> Wallet:
    """The company's cards and mandates (revoked mandates stay listed, removed cards do not),
    which contract each pays, the default, and the bank details for transfers.

    Raises:
        NotAllowed: Without billing access.
    """
    company_id, locale = company_of(ctx, Permission.VIEW_BILLING), ctx.locale
    today = business_date(ctx.now, vendor.timezone)
    can_manage = ctx.user.can(Permission.MANAGE_PAYMENT_METHODS) and ctx.user.contract_ids is None
    methods = session.exec(select(PaymentMethod).where(
        PaymentMethod.company_id == company_id,
        (PaymentMethod.status != PaymentMethodStatus.REMOVED.value)
        | (PaymentMethod.kind == PaymentMethodKind.SEPA_DEBIT.value))
        .order_by(col(PaymentMethod.created_at).desc(), col(PaymentMethod.id).desc())).all()
    contracts = session.exec(select(Contract).where(Contract.company_id == company_id, scope.contracts(ctx.user),
                                                    Contract.status == ContractStatus.ACTIVE.value)
                             .order_by(Contract.number)).all()
    paying: dict[int | None, list[str]] = {}
    for contract in contracts:
        paying.setdefault(contract.payment_method_id, []).append(contract.number)
    signatures = {s.payment_method_id: s for s in session.exec(select(MandateSignature).where(
        col(MandateSignature.payment_method_id).in_([m.id for m in methods])))}
    by_id = {m.id: m for m in methods}

    def row(method: PaymentMethod) -> MethodRow:
        status = _status(method, today)
        signature = signatures.get(method.id)
        removed = method.status == PaymentMethodStatus.REMOVED.value
        return MethodRow(
            id=str(method.id), kind=method.kind, label=method_label(method, locale), holder=method.holder_name,
            expiry=expiry_text(method),
            account=masked_iban(method.iban_country or "", method.iban_last4 or "") if method.iban_last4 else "",
            bic=method.bic or "", reference=method.mandate_reference or "",
            signed_on=format_date(business_date(signature.signed_at, vendor.timezone), locale) if signature else "",
            status_label=gettext(f"wallet.status.{status}", locale), status_tone=status_tone(status),
            contracts=", ".join(paying.get(method.id, [])), is_default=method.is_default,
            usable=usable(method, today), can_remove=can_manage and not removed,
            in_use=bool(paying.get(method.id)) or method.is_default)

    rows = [row(m) for m in methods]
    default = next((m for m in methods if m.is_default and m.status != PaymentMethodStatus.REMOVED.value), None)
    options = [Option(str(m.id), method_label(m, locale)) for m in methods if usable(m, today)]
    return Wallet(
        cards=tuple(r for r in rows if r.kind == PaymentMethodKind.CARD.value),
        mandates=tuple(r for r in rows if r.kind == PaymentMethodKind.SEPA_DEBIT.value),
        contracts=tuple(ContractChoice(c.number, c.title, str(c.payment_method_id or TRANSFER),
                                       method_label(by_id.get(c.payment_method_id), locale)
                                       if c.payment_method_id else gettext("wallet.transfer", locale))
                        for c in contracts),
        options=(*options, Option(TRANSFER, gettext("wallet.transfer", locale))),
        default=str(default.id) if default else TRANSFER,
        transfer_contracts=", ".join(paying.get(None, [])),
        transfer_iban=group_by_four(vendor.iban), transfer_bic=vendor.bic, transfer_beneficiary=vendor.legal_name,
        can_manage=can_manage, can_choose=ctx.user.can(Permission.MANAGE_PAYMENT_METHODS),
        expiring=_expiring(methods, {c.payment_method_id for c in contracts}, today),
    )


def _expiring(methods, paying: set[int | None], today: date) -> int:
    return sum(1 for m in methods if m.kind == PaymentMethodKind.CARD.value
               and m.status == PaymentMethodStatus.ACTIVE.value and (m.id in paying or m.is_default)
               and _status(m, today) in ("expiring", "expired"))


def expiring_cards(session: Session, company_id: int, today: date) -> int:
    """How many active cards that pay a contract in force (or are the default) expire within 30
    days or have expired: "Accueil" and the wallet page ask to replace them."""
    methods = session.exec(select(PaymentMethod).where(PaymentMethod.company_id == company_id,
                                                       PaymentMethod.kind == PaymentMethodKind.CARD.value,
                                                       PaymentMethod.status == PaymentMethodStatus.ACTIVE.value)).all()
    paying = set(session.exec(select(Contract.payment_method_id).where(
        Contract.company_id == company_id, Contract.status == ContractStatus.ACTIVE.value)).all())
    return _expiring(methods, paying, today)
