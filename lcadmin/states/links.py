"""The pages behind the links in e-mails: activation, a contact's decision, a report.

Opening a page only looks at its token; only the button uses it (mail scanners open links).
"""

from __future__ import annotations

import reflex as rx

from lcadmin.db import read_scope, session_scope
from lcadmin.models import utcnow
from lcadmin.services import onboarding
from lcadmin.services.errors import LinkProblem
from lcadmin.settings import get_settings
from lcadmin.states.base import active_locale, client_ip, message_for, page_param
from lcadmin.states.tab import PendingActivationState


class LinkState(rx.State):
    """One link page: what the token is for and whether it still works."""

    state: str = "loading"  # loading, valid, used, expired, unknown, revoked, done
    purpose: str = ""
    company: str = ""
    requester: str = ""
    document: str = ""
    problem: str = ""
    outcome: str = ""

    def _secret(self) -> str:
        return page_param(self, "secret", 100)

    async def _inspect(self, purposes: tuple[str, ...]):
        locale = await active_locale(self)
        with read_scope() as session:
            view = onboarding.inspect_link(session, secret=self._secret(), purposes=purposes, locale=locale,
                                           now=utcnow())
        self.state, self.purpose, self.company = view.state, view.purpose, view.company_name
        self.requester, self.document, self.outcome = view.requester, view.document, ""
        self.problem = message_for(LinkProblem(f"link_{view.state}"), locale) if view.state != "valid" else ""

    @rx.event
    async def open_activation(self):
        """/activate/[secret] loaded."""
        await self._inspect(("activate",))

    @rx.event
    async def open_decision(self):
        """/decision/[secret] loaded."""
        await self._inspect(("approve", "refuse"))

    @rx.event
    async def open_report(self):
        """/report/[secret] loaded."""
        await self._inspect(("report",))

    async def _failed(self, error: LinkProblem) -> None:
        self.state = error.code.removeprefix("link_")
        self.problem = message_for(error, await active_locale(self))

    @rx.event
    async def activate(self):
        """"Activer mon compte": uses the link, then on to sign in or sign up."""
        try:
            with session_scope() as session:
                verified = onboarding.confirm_activation(session, secret=self._secret(), ip=client_ip(self),
                                                         now=utcnow())
        except LinkProblem as error:
            await self._failed(error)
            return
        # Held by this tab alone, in a backend-only var: "Accepter et continuer" needs it back.
        pending = await self.get_state(PendingActivationState)
        pending._secret, pending.company = verified.secret, verified.company_name
        self.state = "done"
        return rx.redirect("/sign-in")

    @rx.event
    async def decide(self):
        """"Approuver" or "Refuser", whichever this link is for."""
        try:
            with session_scope() as session:
                self.outcome = onboarding.decide_approval(session, secret=self._secret(), ip=client_ip(self),
                                                          settings=get_settings(), now=utcnow())
        except LinkProblem as error:
            await self._failed(error)
            return
        self.state = "done"

    @rx.event
    async def report(self):
        """"Signaler et retirer l'accès"."""
        try:
            with session_scope() as session:
                onboarding.report_access(session, secret=self._secret(), ip=client_ip(self), now=utcnow())
        except LinkProblem as error:
            await self._failed(error)
            return
        self.state = "done"
