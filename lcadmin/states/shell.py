"""The frame of every Admin Center page: who is signed in, for which company, what they may see,
and the other companies they may switch to. Each load resolves the user and the company from the
session cookie on that very call."""

from __future__ import annotations

import reflex as rx

from lcadmin import paths
from lcadmin.domain.permissions import sections_of
from lcadmin.services import memberships, sessions
from lcadmin.settings import get_settings
from lcadmin.states.base import clip, full_navigation, session_cookie
from lcadmin.states.service import run


class ShellState(rx.State):
    """The signed-in user and their company, for the header and the navigation."""

    user_name: str = ""
    company_name: str = ""
    # The sections of the Admin Center the role may open (lcadmin.domain.permissions.sections_of).
    sections: list[str] = []
    # The companies the account acts for ({"key", "name", "role"}), for the switcher; the active one's key.
    companies: list[dict[str, str]] = []
    active_company: str = ""
    switch_error: str = ""

    def _show(self, principal: sessions.Principal | None, companies: list[memberships.CompanyChoice]) -> None:
        self.user_name = principal.full_name if principal else ""
        self.company_name = (principal.company_name or "") if principal else ""
        self.sections = sections_of(principal.role) if principal else []
        self.active_company = str(principal.company_id or "") if principal else ""
        self.companies = [{"key": str(c.company_id), "name": c.name, "role": c.role_label} for c in companies]

    @rx.event
    async def load(self):
        """Any Admin Center page loaded."""
        done = await run(self, lambda session, ctx: (ctx.user, memberships.companies_of(session, ctx)))
        if not done.ok:
            return done.event
        self._show(*done.value)
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
        self._show(principal, [])

    @rx.event
    async def switch_to(self, choice: str):
        """The header's company switcher: act for another company the account holds a role in
        (checked again by the server), then open that company's Admin Center afresh."""
        key, raw_id = clip(choice, 12), session_cookie(self) or ""
        if key == self.active_company:
            return None
        done = await run(self, lambda session, ctx: memberships.switch_company(session, ctx, raw_id=raw_id, key=key),
                         write=True, error="switch_error")
        if not done.ok:
            return done.event
        return full_navigation(paths.ADMIN)
