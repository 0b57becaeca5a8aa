"""User accounts: sign-up and sign-in. Passwords are argon2id; sign-in is throttled per address
from one IP, per IP and per address, and takes the same time whether or not the account exists.

The password hash (0.1 s by design) never runs inside a database transaction: on SQLite an open
write transaction would hold the whole database's write lock meanwhile. Each sign-in attempt is
counted before its hash is checked (``throttle.admit``) and taken back if it succeeds, so a burst
of concurrent guesses gets no more checks than the limits allow.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from lcadmin.domain.audit import AuditAction
from lcadmin.domain.emails import EmailProblem, normalize_email
from lcadmin.domain.passwords import password_problem
from lcadmin.domain.text import TextProblem, person_name
from lcadmin.models import UserAccount
from lcadmin.services import throttle
from lcadmin.services.audit import lock_refusals_recorded, record_event
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import InvalidInput, NotAllowed
from lcadmin.services.inputs import email_input
from lcadmin.services.passwords import check_password, hash_password


@dataclass(frozen=True)
class AccountView:
    """What the pages may know of an account."""

    user_id: int
    email: str
    full_name: str


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Verified against when the account does not exist, so both cases cost one argon2 run.
    return hash_password("lcadmin-no-such-account-placeholder")


def prepare() -> None:
    """Compute the stand-in hash at start-up, so that even the first sign-in of an unknown address
    costs what any other sign-in costs."""
    _dummy_hash()


def sign_up(session: Session, ctx: RequestContext, *, full_name: str, email: str, password: str) -> AccountView:
    """Create an account (hashed outside any transaction).

    Raises:
        InvalidInput: ``name_required`` (fewer than two letters once invisible characters are
            removed), ``name_too_long``, ``email_empty``/``email_invalid``, ``email_taken``, or a
            password problem (``password_too_short``, ``password_too_long``, ``password_common``,
            ``password_like_email``).
        Throttled: Too many sign-ups from this IP.
    """
    with lock_refusals_recorded(session, action=AuditAction.ACCOUNT_SIGN_UP, actor_email=None, ip=ctx.ip, now=ctx.now):
        throttle.count_attempt(session, throttle.SIGN_UP, [throttle.ip_key(ctx.ip)], ctx.now)  # every attempt counts
    session.commit()  # and counts even when the caller sees an error
    try:
        full_name = person_name(full_name)
    except TextProblem as problem:
        raise InvalidInput(problem.code, "full_name") from problem
    address = email_input(email)
    problem = password_problem(password, email=address)
    if problem:
        raise InvalidInput(f"password_{problem}", "password")
    if session.exec(select(UserAccount.id).where(UserAccount.email == address)).first() is not None:
        raise InvalidInput("email_taken", "email")
    session.commit()
    password_hash = hash_password(password)
    if session.exec(select(UserAccount.id).where(UserAccount.email == address)).first() is not None:
        raise InvalidInput("email_taken", "email")  # taken while the password was hashed
    user = UserAccount(email=address, full_name=full_name, password_hash=password_hash, locale=ctx.locale,
                       created_at=ctx.now)
    session.add(user)
    try:
        session.flush()
    except IntegrityError as error:  # the same address signed up at the same moment
        session.rollback()
        raise InvalidInput("email_taken", "email") from error
    record_event(session, action=AuditAction.ACCOUNT_SIGNED_UP, outcome="success", actor_user_id=user.id,
                 actor_email=address, ip=ctx.ip, now=ctx.now)
    return AccountView(user.id, user.email, user.full_name)


def sign_in_limits(address: str | None, ip: str | None) -> tuple[tuple[throttle.Policy, list[str]], ...]:
    """The throttle policies a sign-in attempt counts against, each with its keys: the address
    from this IP, the IP, the address from anywhere. A wrong two-step code counts as a wrong
    password does (``lcadmin.services.two_factor``)."""
    who = address or "#not-an-address"  # one counter per IP for all such text; the text itself is kept nowhere
    return ((throttle.SIGN_IN, [f"account:{who}|{throttle.ip_key(ip)}"]),
            (throttle.SIGN_IN_IP, [throttle.ip_key(ip)]),
            (throttle.SIGN_IN_ACCOUNT, [f"account:{who}"] if address else []))


def authenticate(session: Session, ctx: RequestContext, *, email: str, password: str) -> AccountView:
    """Check an e-mail and password; a hash made with older parameters is upgraded.

    Raises:
        Throttled: Too many failures for this address from this IP, from this IP, or for this
            address from anywhere (``throttle.SIGN_IN*``).
        NotAllowed: ``invalid_credentials`` (the same whether the account exists or not).
    """
    try:
        address: str | None = normalize_email(email if isinstance(email, str) else "")
    except EmailProblem:
        address = None  # never written anywhere: people type passwords into the e-mail field too
    limits = sign_in_limits(address, ctx.ip)
    with lock_refusals_recorded(session, action=AuditAction.ACCOUNT_SIGN_IN, actor_email=address, ip=ctx.ip,
                                now=ctx.now):
        admitted = [throttle.admit(session, policy, keys, ctx.now) for policy, keys in limits]
    user = session.exec(select(UserAccount).where(UserAccount.email == address)).first() if address else None
    stored = user.password_hash if user and user.password_hash and user.is_active else None
    session.commit()  # the attempt counts, and no transaction is open while the hash runs
    matches, upgraded = check_password(password or "", stored or _dummy_hash())
    matches = matches and stored is not None
    for (policy, keys), ids in zip(limits, admitted, strict=True):
        throttle.confirm(session, policy, keys, ids, failed=not matches, now=ctx.now)
    if not matches:
        record_event(session, action=AuditAction.ACCOUNT_SIGN_IN, outcome="failure", actor_email=address, ip=ctx.ip,
                     now=ctx.now)
        session.commit()  # the failure counts even though the caller sees an error
        raise NotAllowed("invalid_credentials")
    user = session.get(UserAccount, user.id)
    second_step = user.two_factor_enabled_at is not None  # the sign-in ends with the code, not here
    if not second_step:
        user.last_sign_in_at = ctx.now
    if upgraded:
        user.password_hash = upgraded
    session.add(user)
    record_event(session, action=AuditAction.ACCOUNT_SIGN_IN, outcome="success", actor_user_id=user.id,
                 actor_email=address, ip=ctx.ip, detail={"step": "password"} if second_step else None, now=ctx.now)
    return AccountView(user.id, user.email, user.full_name)
