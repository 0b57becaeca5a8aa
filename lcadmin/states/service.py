"""The one way a handler calls a use case: :func:`run`.

It builds the request context (IP, user agent, language, now), then, in a worker thread (never on
the event loop: a password hash, a PDF or a provider call there would stall every user of the
process), opens one database transaction, resolves the principal from the session cookie in it
on this very call (with the permission the work needs) and runs the work in it; and it maps what
the work refuses:

- no session (or an expired one) clears the tab and sends it to the sign-in page;
- a company that requires two-step verification of an account that has none sends the tab to
  "Sécurité du compte" to enrol;
- a field error goes to the var named for its field, with the field's translated message;
- any other refusal goes to the page's message var.

A handler then reads::

    done = await run(self, lambda session, ctx: orders.order_view(session, ctx, number, vendor))
    if not done.ok:
        return done.event
    self.view = ...
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from lcadmin import paths
from lcadmin.db import read_scope, session_scope
from lcadmin.domain.permissions import Permission
from lcadmin.models import utcnow
from lcadmin.services import sessions
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import InvalidInput, NotAllowed, ServiceError
from lcadmin.settings import get_settings
from lcadmin.states.base import active_locale, message_for, session_id_in
from lcadmin.states.tab import to_sign_in

log = logging.getLogger(__name__)
T = TypeVar("T")
Work = Callable[[Session, RequestContext], T]


@dataclass(frozen=True)
class Done(Generic[T]):
    """How a call went: its value, or the refusal (already shown) and what to return."""

    ok: bool
    value: T = None  # the work's value when ``ok``
    error: ServiceError | None = None
    event: Any = None  # for the handler to return (the sign-in page), or None


def _record_activity(raw_id: str | None, principal: sessions.Principal | None, now: datetime) -> None:
    """Move the session's last activity forward when due (at most once a minute), in a short
    write of its own, so that reading pages never takes the write lock. A failure is only
    logged: the call's own work is done, and the next call tries again."""
    if not raw_id or principal is None or not sessions.activity_due(principal, now):
        return
    try:
        with session_scope() as session:
            sessions.record_activity(session, raw_id, now)
    except SQLAlchemyError as error:
        log.warning("session activity not recorded: %s", type(error).__name__)


def _call(work: Work[T], raw_id: str | None, ctx: RequestContext, *, write: bool, signed_in: bool,
          permission: Permission | None) -> T:
    # The caller is resolved in the very transaction the work runs in: what the work does is
    # authorized by what the database said at that moment, in one round of the pool.
    principal = None
    if signed_in and not raw_id:
        raise NotAllowed("signed_out")  # no cookie: nothing to look up, no transaction to open
    try:
        with (session_scope() if write else read_scope()) as session:
            if signed_in:
                principal = sessions.require_principal(session, raw_id, settings=get_settings(), now=ctx.now,
                                                       permission=permission, record_activity=False)
                ctx = ctx.signed_in(principal)
            return work(session, ctx)
    except NotAllowed as refusal:
        # A role that holds nothing until its account enrols in two-step verification: say so
        # (the handler then sends the person to enrol) rather than "no access".
        if refusal.code == "forbidden" and ctx.principal is not None and ctx.principal.two_factor_due:
            raise NotAllowed("two_factor_required") from refusal
        raise
    finally:
        # After the work's transaction (a write one holds SQLite's write lock until it ends),
        # whether the work succeeded or was refused: the session was used either way.
        _record_activity(raw_id, principal, ctx.now)


async def context_of(state: rx.State) -> RequestContext:
    """The request context of a handler's call, without a principal."""
    return (await _request_of(state))[0]


async def _request_of(state: rx.State) -> tuple[RequestContext, str | None]:
    """The request context of a handler's call, and the session id its cookie carries."""
    router = state.router  # assembled afresh on each access: read once
    ctx = RequestContext(now=utcnow(), ip=router.session.client_ip or None,
                         user_agent=router.headers.user_agent or None, locale=await active_locale(state))
    return ctx, session_id_in(router.headers.cookie or "")


async def run(state: rx.State, work: Work[T], *, write: bool = False, signed_in: bool = True,
              permission: Permission | None = None, fields: Mapping[str, str] | None = None,
              error: str | None = "error") -> Done[T]:
    """Run ``work(session, ctx)`` for a handler of ``state``, off the event loop.

    Args:
        state: The handler's state (its request, its vars).
        work: The use case, over a session and the request context.
        write: A write transaction (committed when the work returns); otherwise a read.
        signed_in: The work needs the session's principal (refused without one).
        permission: And that permission in the session's company.
        fields: For a refused input, which var shows it, by its field (``{"email": "email_error"}``).
        error: The var that shows any other refusal; None to leave it to the handler.

    Returns:
        The outcome: ``ok`` and the work's value, or the refusal and, when the session is gone,
        the event that sends the cleared tab to the sign-in page.
    """
    ctx, raw_id = await _request_of(state)
    try:
        value = await asyncio.to_thread(_call, work, raw_id, ctx, write=write, signed_in=signed_in,
                                        permission=permission)
    except ServiceError as refusal:
        if isinstance(refusal, NotAllowed) and refusal.code == "signed_out":
            return Done[T](False, error=refusal, event=await to_sign_in(state))
        if isinstance(refusal, NotAllowed) and refusal.code == "two_factor_required":
            return Done[T](False, error=refusal, event=rx.redirect(paths.SECURITY))
        target = (fields or {}).get(refusal.field or "", error) if isinstance(refusal, InvalidInput) else error
        if target is not None:
            setattr(state, target, message_for(refusal, ctx.locale, ctx.now))
        return Done[T](False, error=refusal)
    return Done(True, value)


async def run_download(state: rx.State, work: Work[tuple[str, bytes]], *,
                       permission: Permission = Permission.VIEW_BILLING) -> Any:
    """Run ``work`` (which returns a file name and the bytes of a PDF) as :func:`run` does, and
    send the file to the browser; a refusal is shown and sent as ``run`` sends it."""
    done = await run(state, work, permission=permission)
    if not done.ok:
        return done.event
    filename, data = done.value
    return rx.download(data=data, filename=filename, mime_type="application/pdf")
