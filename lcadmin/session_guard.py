"""The middleware that clears a tab whose session changed or ended (see :mod:`lcadmin.states.tab`).

A Reflex middleware sees every event before its handler; it is not a state, so none of its
methods is an endpoint a client could call.
"""

from __future__ import annotations

import asyncio
import functools

import reflex as rx
from reflex.middleware.middleware import Middleware

from lcadmin.db import read_scope
from lcadmin.models import utcnow
from lcadmin.services.sessions import session_is_live
from lcadmin.services.tokens import digest
from lcadmin.settings import get_settings
from lcadmin.states.base import session_id_in
from lcadmin.states.tab import TabState, clear_tab

_HYDRATE_EVENTS = frozenset(f"{rx.State.get_full_name()}.{name}" for name in ("hydrate", "hydrate_and_load"))


def _cookie_digest(state: rx.State) -> tuple[str | None, str]:
    return _digest_of(state.router.headers.cookie or "")


@functools.lru_cache(maxsize=512)
def _digest_of(cookie_header: str) -> tuple[str | None, str]:
    # A tab's Cookie header is the same on every event of its connection: hashed once.
    raw = session_id_in(cookie_header)
    return raw, digest(raw) if raw else ""


def _is_live(raw_id: str) -> bool:
    with read_scope() as session:
        return session_is_live(session, raw_id, settings=get_settings(), now=utcnow())


class SessionGuard(Middleware):
    """Clears a tab whose session changed or ended before any event of it is handled."""

    async def preprocess(self, app, state: rx.State, event) -> None:
        tab = await state.get_state(TabState)
        raw, current = _cookie_digest(state)
        changed = bool(tab._cookie) and tab._cookie != current
        if changed:
            tab._ended = False
        ended = (not changed and not tab._ended and raw is not None and event.name in _HYDRATE_EVENTS
                 and not await asyncio.to_thread(_is_live, raw))
        if changed or ended:
            await clear_tab(state)
        if ended:
            tab._ended = True
        if tab._cookie != current:
            tab._cookie = current
        return None
