"""The frame of every Admin Center page: who is signed in, for which company, what they may see.
Each load resolves the user and the company from the session cookie on that very call."""

from __future__ import annotations

import reflex as rx

from lcadmin.domain.permissions import Permission
from lcadmin.services import sessions
from lcadmin.settings import get_settings
from lcadmin.states.base import session_cookie
from lcadmin.states.service import run


class ShellState(rx.State):
    """The signed-in user and their company, for the header and the navigation."""

    user_name: str = ""
    company_name: str = ""
    can_view_billing: bool = False

    @rx.event
    async def load(self):
        """Any Admin Center page loaded."""
        done = await run(self, lambda session, ctx: ctx.user)
        if not done.ok:
            return done.event
        principal = done.value
        self.user_name, self.company_name = principal.full_name, principal.company_name or ""
        self.can_view_billing = principal.can(Permission.VIEW_BILLING)
        return None

    @rx.event
    async def keep_alive(self):
        """"Rester connecté", or the person's activity on the page: recorded on the session (at
        most once a minute); a session already ended sends the tab to sign in."""
        done = await run(self, lambda session, ctx: None, error=None)
        return done.event

    @rx.event
    async def identify(self):
        """A public page loaded: the header says who is signed in (or offers to sign in). Never
        redirects, and counts as no activity."""
        raw_id, settings = session_cookie(self), get_settings()
        done = await run(self, lambda session, ctx: sessions.resolve_session(
            session, raw_id, settings=settings, now=ctx.now, record_activity=False), signed_in=False, error=None)
        principal = done.value if done.ok else None
        self.user_name = principal.full_name if principal else ""
        self.company_name = (principal.company_name or "") if principal else ""
        self.can_view_billing = bool(principal and principal.can(Permission.VIEW_BILLING))
