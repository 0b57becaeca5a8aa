"""User accounts: sign-up and sign-in. Passwords are argon2id; sign-in is throttled per address
from one IP and per IP, and takes the same time whether or not the account exists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlmodel import Session, select

from lcadmin.domain.emails import EmailProblem, normalize_email
from lcadmin.domain.passwords import password_problem
from lcadmin.domain.text import TextProblem, person_name
from lcadmin.models import UserAccount
from lcadmin.services import throttle
from lcadmin.services.audit import lock_refusals_recorded, record_event
from lcadmin.services.errors import InvalidInput, NotAllowed
from lcadmin.services.passwords import hash_password, verify_password


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


def _email(text: str, field: str = "email") -> str:
    try:
        return normalize_email(text)
    except EmailProblem as problem:
        raise InvalidInput(f"email_{problem.code}", field) from problem


def sign_up(session: Session, *, full_name: str, email: str, password: str, locale: str, ip: str | None,
            now: datetime) -> AccountView:
    """Create an account.

    Raises:
        InvalidInput: ``name_required`` (fewer than two letters once invisible characters are
            removed), ``name_too_long``, ``email_empty``/``email_invalid``, ``email_taken``, or a
            password problem (``password_too_short``, ``password_too_long``, ``password_common``,
            ``password_like_email``).
        Throttled: Too many sign-ups from this IP.
    """
    with lock_refusals_recorded(session, action="account.sign_up", actor_email=None, ip=ip, now=now):
        throttle.count_attempt(session, throttle.SIGN_UP, [throttle.ip_key(ip)], now)  # every attempt counts
    session.commit()  # and counts even when the caller sees an error
    try:
        full_name = person_name(full_name)
    except TextProblem as problem:
        raise InvalidInput(problem.code, "full_name") from problem
    address = _email(email)
    problem = password_problem(password, email=address)
    if problem:
        raise InvalidInput(f"password_{problem}", "password")
    if session.exec(select(UserAccount.id).where(UserAccount.email == address)).first() is not None:
        raise InvalidInput("email_taken", "email")
    user = UserAccount(email=address, full_name=full_name, password_hash=hash_password(password),
                       locale=locale, created_at=now)
    session.add(user)
    session.flush()
    record_event(session, action="account.signed_up", outcome="success", actor_user_id=user.id,
                 actor_email=address, ip=ip, now=now)
    return AccountView(user.id, user.email, user.full_name)


def authenticate(session: Session, *, email: str, password: str, ip: str | None, now: datetime) -> AccountView:
    """Check an e-mail and password.

    Raises:
        Throttled: Too many failures for this address from this IP, from this IP, or for this
            address from anywhere (``throttle.SIGN_IN*``).
        NotAllowed: ``invalid_credentials`` (the same whether the account exists or not).
    """
    try:
        address: str | None = normalize_email(email)
    except EmailProblem:
        address = None  # never written anywhere: people type passwords into the e-mail field too
    who = address or "#not-an-address"  # one counter per IP for all such text; the text itself is kept nowhere
    limits = ((throttle.SIGN_IN, [f"account:{who}|{throttle.ip_key(ip)}"]),
              (throttle.SIGN_IN_IP, [throttle.ip_key(ip)]),
              (throttle.SIGN_IN_ACCOUNT, [f"account:{who}"] if address else []))
    with lock_refusals_recorded(session, action="account.sign_in", actor_email=address, ip=ip, now=now):
        for policy, keys in limits:
            throttle.ensure_unlocked(session, policy, keys, now)
    user = session.exec(select(UserAccount).where(UserAccount.email == address)).first() if address else None
    stored = user.password_hash if user and user.password_hash and user.is_active else None
    matches = verify_password(password or "", stored or _dummy_hash()) and stored is not None
    if not matches:
        for policy, keys in limits:
            throttle.register_failure(session, policy, keys, now)
        record_event(session, action="account.sign_in", outcome="failure", actor_email=address, ip=ip, now=now)
        session.commit()  # the failure counts even though the caller sees an error
        raise NotAllowed("invalid_credentials")
    user.last_sign_in_at = now
    session.add(user)
    record_event(session, action="account.sign_in", outcome="success", actor_user_id=user.id,
                 actor_email=address, ip=ip, now=now)
    return AccountView(user.id, user.email, user.full_name)
