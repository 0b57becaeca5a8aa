"""The frame of every Admin Center page: who is signed in, for which company, what they may see.
Each load resolves the user and the company from the session cookie on that very call."""

from __future__ import annotations

import reflex as rx

from lcadmin.domain.permissions import Permission
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
