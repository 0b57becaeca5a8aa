"""The Admin Center's pages. Each load resolves the user and company from the session cookie on
that very call; nothing here trusts a var the browser could have sent."""

from __future__ import annotations

from dataclasses import asdict

import reflex as rx

from lcadmin.db import session_scope
from lcadmin.domain.permissions import Permission
from lcadmin.models import utcnow
from lcadmin.services import admin_center, sessions
from lcadmin.services.errors import NotAllowed
from lcadmin.settings import get_settings
from lcadmin.states.base import active_locale, message_for, session_cookie
from lcadmin.states.tab import to_sign_in


class AdminState(rx.State):
    """Who is signed in, for which company, and the rows of the section on screen."""

    user_name: str = ""
    company_name: str = ""
    role: str = ""
    can_view_billing: bool = False
    error: str = ""
    members: list[dict[str, str]] = []

    async def _load(self, section: str):
        locale = await active_locale(self)
        self.error = ""
        try:
            with session_scope() as session:
                principal = sessions.require_principal(session, session_cookie(self), settings=get_settings(),
                                                       now=utcnow())
                self.user_name, self.company_name = principal.full_name, principal.company_name or ""
                self.role, self.can_view_billing = principal.role or "", principal.can(Permission.VIEW_BILLING)
                if not self.can_view_billing:
                    return None
                if section == "licences":
                    self.members = [asdict(row) for row in admin_center.list_members(session, principal, locale)]
        except NotAllowed as error:
            if error.code == "signed_out":
                return await to_sign_in(self)
            self.error = message_for(error, locale)
        return None

    @rx.event
    async def load_overview(self):
        """/admin loaded."""
        return await self._load("overview")

    @rx.event
    async def load_payment_methods(self):
        """/admin/payment-methods loaded."""
        return await self._load("payment")

    @rx.event
    async def load_licences(self):
        """/admin/licences loaded."""
        return await self._load("licences")
