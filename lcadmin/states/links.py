"""The pages behind the links in e-mails: activation, a contact's decision, a report.

Opening a page only looks at its token; only the button uses it (mail scanners open links).
"""

from __future__ import annotations

import reflex as rx

from lcadmin import paths
from lcadmin.domain.statuses import LinkPurpose
from lcadmin.services import onboarding
from lcadmin.services.errors import LinkProblem
from lcadmin.settings import get_settings
from lcadmin.states.base import active_locale, message_for, page_param, shows_busy
from lcadmin.states.service import Done, run
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
    working: bool = False

    def _secret(self) -> str:
        return page_param(self, "secret", 100)

    async def _inspect(self, purposes: tuple[LinkPurpose, ...]):
        secret = self._secret()
        done = await run(self, lambda session, ctx: onboarding.inspect_link(session, ctx, secret=secret,
                                                                             purposes=purposes),
                         signed_in=False)
        if not done.ok:
            return
        view = done.value
        self.state, self.purpose, self.company = view.state, view.purpose, view.company_name
        self.requester, self.document, self.outcome = view.requester, view.document, ""
        self.problem = message_for(LinkProblem(f"link_{view.state}"), await active_locale(self)) \
            if view.state != "valid" else ""

    @rx.event
    async def relabel(self):
        """The language changed: why the link no longer works, in it (the link is not looked at
        again: once its button was used, the page stays as it is)."""
        if self.problem and self.state not in ("loading", "valid", "done"):
            self.problem = message_for(LinkProblem(f"link_{self.state}"), await active_locale(self))

    @rx.event
    async def open_activation(self):
        """/activate/[secret] loaded."""
        await self._inspect((LinkPurpose.ACTIVATE,))

    @rx.event
    async def open_decision(self):
        """/decision/[secret] loaded."""
        await self._inspect((LinkPurpose.APPROVE, LinkPurpose.REFUSE))

    @rx.event
    async def open_report(self):
        """/report/[secret] loaded."""
        await self._inspect((LinkPurpose.REPORT,))

    async def _used(self, done: Done) -> bool:
        """Whether the link's button did its work; if not, why not is shown."""
        if not done.ok:
            if isinstance(done.error, LinkProblem):
                self.state = done.error.code.removeprefix("link_")
            self.problem = message_for(done.error, await active_locale(self))
            return False
        self.state = "done"
        return True

    @rx.event
    @shows_busy("working")
    async def activate(self):
        """"Activer mon compte": uses the link, then on to sign in or sign up."""
        secret = self._secret()
        done = await run(self, lambda session, ctx: onboarding.confirm_activation(session, ctx, secret=secret),
                         write=True, signed_in=False, error=None)
        if not await self._used(done):
            return None
        # Held by this tab alone, in a backend-only var: "Accepter et continuer" needs it back.
        pending = await self.get_state(PendingActivationState)
        pending._secret, pending.company = done.value.secret, done.value.company_name
        return rx.redirect(paths.SIGN_IN)

    @rx.event
    @shows_busy("working")
    async def decide(self):
        """"Approuver" or "Refuser", whichever this link is for."""
        secret = self._secret()
        done = await run(self, lambda session, ctx: onboarding.decide_approval(session, ctx, secret=secret,
                                                                                settings=get_settings()),
                         write=True, signed_in=False, error=None)
        if await self._used(done):
            self.outcome = done.value

    @rx.event
    @shows_busy("working")
    async def report(self):
        """"Signaler et retirer l'accès"."""
        secret = self._secret()
        done = await run(self, lambda session, ctx: onboarding.report_access(session, ctx, secret=secret),
                         write=True, signed_in=False, error=None)
        await self._used(done)
