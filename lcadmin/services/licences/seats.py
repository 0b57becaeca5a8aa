"""Holders of seats: who holds which licence, assigned by e-mail, resent, revoked, unassigned or
reassigned. Every change re-checks the caller's licence permission and company, counts the
pool inside the transaction that changes it (two admins cannot both take the last seat), moves
the seat through its lifecycle and writes its audit event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from lcadmin import paths
from lcadmin.domain.audit import AuditAction
from lcadmin.domain.calendar import business_date
from lcadmin.domain.emails import EmailProblem, normalize_email, split_addresses
from lcadmin.domain.identifiers import record_id
from lcadmin.domain.permissions import Permission
from lcadmin.domain.statuses import ContactRole, LinkPurpose, SeatStatus
from lcadmin.i18n import LOCALES, gettext
from lcadmin.i18n.format import format_date
from lcadmin.mail import templates
from lcadmin.mail.outbox import enqueue
from lcadmin.models import Company, Contact, Contract, Product, Seat
from lcadmin.services.audit import record_event
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import InvalidInput, NotAllowed, NotFound
from lcadmin.services.licences.pools import (
    TAKEN,
    Pool,
    count_taken,
    pool_by_key,
    pools,
    product_name,
    taken_in_company,
)
from lcadmin.services.lifecycle import move
from lcadmin.services.tokens import issue_token, revoke_tokens
from lcadmin.services.views import status_tone
from lcadmin.settings import Settings

INVITATION_TTL = timedelta(days=90)
PAGE_SIZE = 25
MAX_AT_ONCE = 200  # addresses in one assignment (the CSV import takes more)
INACTIVE_AFTER = timedelta(days=30)
STATUS_FILTERS = ("all", "invited", "active", "never", "inactive")
SORTS = {"email": (Seat.email,), "name": (Seat.full_name, Seat.email), "assigned": (Seat.assigned_at, Seat.id),
         "activity": (Seat.last_active_at, Seat.id)}


def manager_company(ctx: RequestContext, permission: Permission) -> int:
    if ctx.user.company_id is None or not ctx.user.can(permission):
        raise NotAllowed("forbidden")
    return ctx.user.company_id


def viewer_company(ctx: RequestContext) -> int:
    """Whoever may see licences (licence admins, billing admins who buy seats, full admins); only
    licence managers may change them.

    Raises:
        NotAllowed: ``forbidden``.
    """
    return manager_company(ctx, Permission.VIEW_LICENCES)


def business_today(ctx: RequestContext, settings: Settings) -> date:
    return business_date(ctx.now, settings.vendor.timezone)


@dataclass(frozen=True)
class PoolRow:
    key: str
    product: str
    contract: str
    purchased: int
    assigned: int
    available: int
    percent: int  # assigned / purchased, for the bar (0-100)


@dataclass(frozen=True)
class HolderRow:
    id: str
    name: str
    email: str
    product: str
    contract: str
    status: str  # invited, active
    status_label: str
    status_tone: str
    assigned_on: str
    last_activity: str


@dataclass(frozen=True)
class HolderPage:
    rows: tuple[HolderRow, ...]
    total: int
    page: int  # from 1
    pages: int


def company_locale(session: Session, ctx: RequestContext) -> str:
    """The company's language: its billing contact's (invitations are written in it unless the
    assigner chooses another)."""
    locale = session.exec(select(Contact.locale).where(Contact.company_id == viewer_company(ctx),
                                                       Contact.role == ContactRole.BILLING.value)).first()
    return locale if locale in LOCALES else "fr"


def pool_rows(session: Session, ctx: RequestContext, *, settings: Settings) -> list[PoolRow]:
    """The summary: every pool with its purchased, assigned and available seats (a billing admin
    limited to some contracts sees those contracts' pools)."""
    company_id = viewer_company(ctx)
    return [PoolRow(p.key, product_name(p.product, ctx.locale), p.contract_number, p.purchased, p.assigned,
                    p.available, min(100, round(100 * p.assigned / p.purchased)) if p.purchased else 100)
            for p in pools(session, company_id, business_today(ctx, settings)) if ctx.user.sees_contract(p.contract_id)]


def list_holders(session: Session, ctx: RequestContext, *, settings: Settings, search: str = "", status: str = "all",
                 sort: str = "email", descending: bool = False, page: int = 1, pool: str = "") -> HolderPage:
    """One page (25) of the holders (invited and active), filtered by a piece of their name or
    address, by status ("never": never active; "inactive": no activity for 30 days), by pool, and
    sorted; counted and cut in SQL."""
    company_id = viewer_company(ctx)
    # The conditions read the seat alone: the count walks one index, whatever the company's size.
    where = [Seat.company_id == company_id, col(Seat.status).in_(TAKEN)]
    text = (search or "").strip().lower()[:100]
    if text:  # the beginning of the address or of the name: an index range, whatever the company's size
        where.append(sa.or_(sa.and_(col(Seat.email) >= text, col(Seat.email) < text + "\uffff"),
                            sa.and_(func.lower(col(Seat.full_name)) >= text,
                                    func.lower(col(Seat.full_name)) < text + "\uffff")))
    if status in ("invited", "active"):
        where.append(Seat.status == status)
    elif status == "never":
        where.append(col(Seat.last_active_at).is_(None))
    elif status == "inactive":
        where.append(sa.or_(col(Seat.last_active_at).is_(None), col(Seat.last_active_at) < ctx.now - INACTIVE_AFTER))
    if pool and pool.count(":") == 1:
        number, code = pool.split(":")
        where.append(col(Seat.contract_id).in_(select(Contract.id).where(Contract.company_id == company_id,
                                                                         Contract.number == number)))
        where.append(col(Seat.product_id).in_(select(Product.id).where(Product.code == code)))
    if ctx.user.contract_ids is not None:  # a scoped billing admin: the holders of those contracts' seats
        where.append(col(Seat.contract_id).in_(sorted(ctx.user.contract_ids)))
    unfiltered = len(where) == 2  # the company and the statuses taken: its counts say how many
    total = taken_in_company(session, company_id) if unfiltered else session.exec(
        select(func.count(Seat.id)).where(*where)).one()
    query = (select(Seat, Contract.number, Product).join(Contract, Contract.id == Seat.contract_id)
             .join(Product, Product.id == Seat.product_id).where(*where))
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page if isinstance(page, int) else 1), pages)
    columns = [col(c) for c in SORTS.get(sort, SORTS["email"])]
    if text and session.get_bind().dialect.name == "sqlite":
        # SQLite would walk the whole company in the address index's order to sort the few matches
        # of a search; sorting an expression makes it find them through the search's indexes first.
        columns = [c.op("||")("") for c in columns]
    order = [c.desc().nulls_last() if descending else c.asc().nulls_last() for c in columns]
    rows = session.exec(query.order_by(*order, Seat.id).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    zone, locale = settings.vendor.timezone, ctx.locale

    def when(instant: datetime | None) -> str:
        return format_date(business_date(instant, zone), locale, "medium") if instant else gettext(
            "licences.never", locale)

    return HolderPage(tuple(HolderRow(
        id=str(seat.id), name=seat.full_name or "", email=seat.email, product=product_name(product, locale),
        contract=number, status=seat.status, status_label=gettext(f"status.seat.{seat.status}", locale),
        status_tone=status_tone("pending" if seat.status == "invited" else seat.status),
        assigned_on=format_date(business_date(seat.assigned_at, zone), locale, "medium"),
        last_activity=when(seat.last_active_at)) for seat, number, product in rows), total, page, pages)


def find_pool(session: Session, company_id: int, key: object, today: date, *, lock: bool = False) -> Pool:
    pool = pool_by_key(session, company_id, key, today, lock=lock)
    if pool is None:
        raise NotFound("pool_not_found")
    return pool


def _link(settings: Settings, secret: str) -> str:
    return paths.emailed_link(settings.public_url, LinkPurpose.LICENCE, secret)


def send_invitation(session: Session, ctx: RequestContext, seat: Seat, pool_product: str, company: Company,
            settings: Settings) -> None:
    """A fresh single-use link (any earlier one stops working), e-mailed in the seat's language."""
    revoke_tokens(session, [LinkPurpose.LICENCE], seat.id, ctx.now)
    secret = issue_token(session, purpose=LinkPurpose.LICENCE, subject_id=seat.id, ttl=INVITATION_TTL, now=ctx.now)
    mail = templates.seat_invitation_mail(seat.invite_locale, company=company.name, product=pool_product,
                                          inviter=ctx.user.full_name or ctx.user.email, link=_link(settings, secret),
                                          days=str(INVITATION_TTL.days))
    enqueue(session, to=seat.email, mail=mail, kind="seat_invitation", now=ctx.now)


def audit_seat(session: Session, ctx: RequestContext, action: AuditAction, seat: Seat, **detail: object) -> None:
    record_event(session, action=action, outcome="success", actor_user_id=ctx.actor_id,
                 actor_email=ctx.principal.email if ctx.principal else None, company_id=seat.company_id, ip=ctx.ip,
                 subject=f"seat:{seat.id}", detail={"email": seat.email, **detail}, now=ctx.now)


def assign_seats(session: Session, ctx: RequestContext, *, pool: str, emails: object, locale: str,
                 settings: Settings) -> list[str]:
    """"Attribuer": invite each address to a seat of the pool, all or none.

    Returns:
        The addresses invited.

    Raises:
        NotAllowed: Without the licence permission. NotFound: ``pool_not_found``.
        InvalidInput (field ``emails``): ``emails_required``, ``emails_invalid``, ``too_many_addresses``,
            ``already_holds``, ``not_enough_seats``.
    """
    company_id = manager_company(ctx, Permission.MANAGE_LICENCES)
    valid, refused = split_addresses(emails)
    if refused:
        raise InvalidInput("emails_invalid", "emails")
    if not valid:
        raise InvalidInput("emails_required", "emails")
    if len(valid) > MAX_AT_ONCE:
        raise InvalidInput("too_many_addresses", "emails")
    found = find_pool(session, company_id, pool, business_today(ctx, settings), lock=True)
    holders = set(session.exec(select(Seat.email).where(Seat.company_id == company_id,
                                                        Seat.product_id == found.product_id,
                                                        col(Seat.status).in_(TAKEN))).all())
    if holders & set(valid):
        raise InvalidInput("already_holds", "emails")
    if len(valid) > found.available:
        raise InvalidInput("not_enough_seats", "emails")
    company = session.get(Company, company_id)
    locale = locale if locale in LOCALES else "fr"
    name = product_name(found.product, locale)
    for address in valid:
        seat = Seat(company_id=company_id, contract_id=found.contract_id, product_id=found.product_id, email=address,
                    invite_locale=locale, assigned_at=ctx.now, updated_at=ctx.now, assigned_by=ctx.user.user_id)
        session.add(seat)
        try:
            session.flush()
        except IntegrityError as error:  # a concurrent assignment gave this person the product first
            session.rollback()
            raise InvalidInput("already_holds", "emails") from error
        count_taken(session, seat, +1)
        send_invitation(session, ctx, seat, name, company, settings)
        audit_seat(session, ctx, AuditAction.SEAT_INVITED, seat, pool=found.key)
    return valid


def _seat(session: Session, company_id: int, seat_id: object, *statuses: SeatStatus) -> Seat:
    number = record_id(seat_id)
    seat = session.get(Seat, number, populate_existing=True) if number is not None else None
    if seat is None or seat.company_id != company_id or seat.status not in {s.value for s in statuses}:
        raise NotFound("seat_not_found")
    return seat


def resend_invitation(session: Session, ctx: RequestContext, *, seat_id: object, settings: Settings) -> str:
    """"Renvoyer": a new link (the old one stops working). Returns the address."""
    company_id = manager_company(ctx, Permission.MANAGE_LICENCES)
    seat = _seat(session, company_id, seat_id, SeatStatus.INVITED)
    product = session.get(Product, seat.product_id)
    send_invitation(session, ctx, seat, product_name(product, seat.invite_locale), session.get(Company, company_id),
                    settings)
    seat.updated_at = ctx.now
    session.add(seat)
    audit_seat(session, ctx, AuditAction.SEAT_RESENT, seat)
    return seat.email


def _end(session: Session, ctx: RequestContext, seat: Seat, target: SeatStatus, *, tell: bool) -> None:
    revoke_tokens(session, [LinkPurpose.LICENCE], seat.id, ctx.now)
    seat.ended_at = ctx.now
    move(session, seat, target, ctx, company_id=seat.company_id, subject=f"seat:{seat.id}",
         detail={"email": seat.email})
    count_taken(session, seat, -1)
    if tell:
        product = session.get(Product, seat.product_id)
        company = session.get(Company, seat.company_id)
        mail = templates.seat_removed_mail(seat.invite_locale, company=company.name,
                                           product=product_name(product, seat.invite_locale))
        enqueue(session, to=seat.email, mail=mail, kind="seat_removed", now=ctx.now)


def revoke_invitation(session: Session, ctx: RequestContext, *, seat_id: object) -> str:
    """"Révoquer": the invitation's link stops working and the seat returns to the pool."""
    company_id = manager_company(ctx, Permission.MANAGE_LICENCES)
    seat = _seat(session, company_id, seat_id, SeatStatus.INVITED)
    _end(session, ctx, seat, SeatStatus.REVOKED, tell=False)
    return seat.email


def unassign_seat(session: Session, ctx: RequestContext, *, seat_id: object) -> str:
    """"Retirer la licence": the seat returns to the pool at once and the holder is told."""
    company_id = manager_company(ctx, Permission.MANAGE_LICENCES)
    seat = _seat(session, company_id, seat_id, SeatStatus.ACTIVE, SeatStatus.INVITED)
    _end(session, ctx, seat, SeatStatus.UNASSIGNED, tell=True)
    return seat.email


def reassign_seat(session: Session, ctx: RequestContext, *, seat_id: object, email: object, locale: str,
                  settings: Settings) -> str:
    """"Réattribuer": the seat goes from its holder to another address in one step (the pool's
    count does not change); the former holder is told, the new one invited.

    Raises:
        NotFound: ``seat_not_found``. InvalidInput (field ``email``): ``emails_invalid``, ``already_holds``.
    """
    company_id = manager_company(ctx, Permission.MANAGE_LICENCES)
    seat = _seat(session, company_id, seat_id, SeatStatus.ACTIVE, SeatStatus.INVITED)
    try:
        address = normalize_email(str(email)[:320] if isinstance(email, str) else "")
    except EmailProblem as problem:
        raise InvalidInput("emails_invalid", "email") from problem
    if address == seat.email or session.exec(select(Seat.id).where(
            Seat.company_id == company_id, Seat.product_id == seat.product_id, Seat.email == address,
            col(Seat.status).in_(TAKEN))).first() is not None:
        raise InvalidInput("already_holds", "email")
    previous = seat.email
    _end(session, ctx, seat, SeatStatus.UNASSIGNED, tell=True)
    session.flush()
    successor = Seat(company_id=company_id, contract_id=seat.contract_id, product_id=seat.product_id, email=address,
                     invite_locale=locale if locale in LOCALES else seat.invite_locale, assigned_at=ctx.now,
                     updated_at=ctx.now, assigned_by=ctx.user.user_id)
    session.add(successor)
    session.flush()
    count_taken(session, successor, +1)
    product = session.get(Product, seat.product_id)
    send_invitation(session, ctx, successor, product_name(product, successor.invite_locale),
                    session.get(Company, company_id), settings)
    audit_seat(session, ctx, AuditAction.SEAT_REASSIGNED, successor, previous=previous)
    return address
