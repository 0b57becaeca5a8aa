"""The "Administrateurs" page: the company's admins and invitations, the form that invites or
changes someone's access, removal; and ``/invitation/[secret]``, where an invitee accepts."""

from __future__ import annotations

from dataclasses import asdict

import reflex as rx

from lcadmin import paths
from lcadmin.domain.permissions import Permission
from lcadmin.i18n import gettext
from lcadmin.services import admins
from lcadmin.settings import get_settings
from lcadmin.states.base import (
    active_locale,
    clip,
    loads_list,
    page_param,
    session_cookie,
    show_link_state,
    shows_busy,
    text_arg,
)
from lcadmin.states.service import run

_FORM_FIELDS = {"email": "email_error", "role": "role_error", "scope": "scope_error", "until": "until_error"}
_ROW_LIMIT = 12  # "m123456789"


class AdminsState(rx.State):
    """The list, the matrix, and the actions of each row."""

    admins: list[dict] = []
    contracts: list[dict[str, str]] = []
    roles: list[dict[str, str]] = []
    matrix: list[dict[str, str]] = []
    loaded: bool = False
    working: str = ""  # "<key>:<action>" while a row's action runs
    confirming: str = ""  # the row whose removal is being confirmed
    confirming_email: str = ""
    notice: str = ""
    error: str = ""

    async def _load(self):
        settings = get_settings()
        done = await run(self, lambda session, ctx: (admins.list_admins(session, ctx, settings=settings),
                                                     admins.matrix_rows(ctx.locale)),
                         permission=Permission.MANAGE_ADMINS)
        if not done.ok:
            self.admins = []
            return done.event
        roster, matrix = done.value
        self.admins = [asdict(row) for row in roster.admins]
        self.contracts = [asdict(c) for c in roster.contracts]
        self.roles = [asdict(r) for r in roster.roles]
        self.matrix = matrix
        return None

    @rx.event
    @loads_list
    async def load(self):
        """The page loaded."""
        self.notice = self.error = ""
        return await self._load()

    @rx.event
    async def refresh(self):
        """The language changed, or a change was made: the rows again."""
        return await self._load()

    async def _act(self, key: str, work, notice_key: str):
        settings, locale = get_settings(), await active_locale(self)
        self.notice = self.error = ""
        done = await run(self, lambda session, ctx: work(session, ctx, key=key[1:], settings=settings), write=True,
                         permission=Permission.MANAGE_ADMINS)
        if not done.ok:
            return done.event
        self.notice = gettext(notice_key, locale, email=done.value)
        return await self._load()

    @rx.event
    @shows_busy("working", lambda key: f"{clip(key, _ROW_LIMIT)}:resend")
    async def resend(self, key: str):
        """"Renvoyer" an invitation: a new link valid seven days."""
        row = clip(key, _ROW_LIMIT)
        return await self._act(row, admins.resend_invitation, "admins.resent") if row[:1] == "i" else None

    @rx.event
    @shows_busy("working", lambda key: f"{clip(key, _ROW_LIMIT)}:revoke")
    async def revoke(self, key: str):
        """"Révoquer" an invitation."""
        row = clip(key, _ROW_LIMIT)
        return await self._act(row, admins.revoke_invitation, "admins.revoked") if row[:1] == "i" else None

    @rx.event
    def ask_remove(self, key: str):
        """"Retirer": confirm first."""
        row = clip(key, _ROW_LIMIT)
        match = next((a for a in self.admins if a["key"] == row and row[:1] == "m"), None)
        self.confirming, self.confirming_email = (row, match["email"]) if match else ("", "")

    @rx.event
    def close_confirm(self, _open: bool = False):
        """The confirmation was closed."""
        self.confirming = ""

    @rx.event
    @shows_busy("working", "remove")
    async def remove(self):
        """"Retirer l'accès", confirmed."""
        row, self.confirming = self.confirming, ""
        if row[:1] != "m":
            return None
        return await self._act(row, admins.remove_admin, "admins.removed")


class AccessFormState(rx.State):
    """"Inviter un administrateur" and "Modifier l'accès": one form, for a new address or for a
    member's role, contracts and end date."""

    opened: bool = False
    editing: str = ""  # the member's row key when changing an access; "" when inviting
    editing_email: str = ""
    email: str = ""
    role: str = "billing_reader"
    everything: bool = True
    chosen: list[str] = []  # contract keys of a limited scope
    until: str = ""
    locale: str = "fr"
    sending: bool = False
    email_error: str = ""
    role_error: str = ""
    scope_error: str = ""
    until_error: str = ""
    error: str = ""

    def _clear(self) -> None:
        self.email_error = self.role_error = self.scope_error = self.until_error = self.error = ""

    @rx.event
    async def open_invite(self):
        """"Inviter un administrateur"."""
        self._clear()
        self.opened, self.editing, self.editing_email, self.email = True, "", "", ""
        self.role, self.everything, self.chosen, self.until = "billing_reader", True, [], ""
        self.locale = await active_locale(self)

    @rx.event
    async def open_edit(self, key: str):
        """"Modifier l'accès" of a member: the form starts from what they hold."""
        row = clip(key, _ROW_LIMIT)
        listing = await self.get_state(AdminsState)
        match = next((a for a in listing.admins if a["key"] == row and row[:1] == "m"), None)
        if match is None:
            return
        self._clear()
        self.opened, self.editing, self.editing_email = True, row, match["email"]
        self.role, self.chosen, self.until = match["role"], list(match["contract_keys"]), match["until_value"]
        self.everything = not self.chosen

    @rx.event
    def close(self, _open: bool = False):
        """The dialog was closed."""
        self.opened = False

    @rx.event
    def set_email(self, value: str):
        """The address typed."""
        self.email = text_arg(value, 320) or self.email
        self.email_error = ""

    @rx.event
    def set_role(self, value: str):
        """The role chosen."""
        self.role, self.role_error = clip(value, 20), ""

    @rx.event
    def set_everything(self, value: bool):
        """"Tous les contrats", or only some."""
        self.everything, self.scope_error = value is True, ""

    @rx.event
    def toggle_contract(self, key: str, value: bool):
        """A contract ticked or unticked for a limited scope."""
        contract = clip(key, 12)
        chosen = [c for c in self.chosen if c != contract]
        self.chosen = [*chosen, contract] if value is True and contract else chosen
        self.scope_error = ""

    @rx.event
    def set_until(self, value: str):
        """The last day of a time-limited access ("" for none)."""
        self.until, self.until_error = clip(value, 10), ""

    @rx.event
    def set_locale(self, value: str):
        """The invitation's language."""
        self.locale = value if value in ("fr", "en") else "fr"

    @rx.event
    @shows_busy("sending")
    async def submit(self, _form: dict | None = None):
        """"Envoyer l'invitation" or "Enregistrer"."""
        self._clear()
        settings, locale = get_settings(), await active_locale(self)
        email, role, everything, chosen, until = self.email, self.role, self.everything, list(self.chosen), self.until
        editing, language = self.editing, self.locale
        if editing:
            work = lambda session, ctx: admins.change_access(
                session, ctx, key=editing[1:], role=role, everything=everything, contracts=chosen, until=until,
                settings=settings)
        else:
            work = lambda session, ctx: admins.invite_admin(
                session, ctx, email=email, role=role, everything=everything, contracts=chosen, until=until,
                locale=language, settings=settings)
        done = await run(self, work, write=True, permission=Permission.MANAGE_ADMINS, fields=_FORM_FIELDS)
        if not done.ok:
            return done.event
        self.opened = False
        listing = await self.get_state(AdminsState)
        listing.notice = gettext("admins.changed" if editing else "admins.invited", locale, email=done.value)
        return await listing._load()


class InvitationLinkState(rx.State):
    """``/invitation/[secret]``: the invitation, and "Accepter l'invitation"."""

    state: str = "loading"  # loading, valid, used, expired, unknown, done
    company: str = ""
    role: str = ""
    inviter: str = ""
    email: str = ""
    problem: str = ""
    working: bool = False

    def _secret(self) -> str:
        return page_param(self, "secret", 100)

    @rx.var
    def back_here(self) -> str:
        """The sign-in and sign-up pages' ``?next=``: back to this link once signed in."""
        return paths.INVITATIONS + self.router.page.params.get("secret", "")

    def _show(self, view: admins.InvitationView) -> None:
        self.state, self.company, self.role, self.inviter, self.email = (
            view.state, view.company, view.role, view.inviter, view.email)

    @rx.event
    async def open(self):
        """The link's page loaded: what it gives, without using it."""
        secret = self._secret()
        done = await run(self, lambda session, ctx: admins.inspect_invitation(session, ctx, secret=secret),
                         signed_in=False, error="problem")
        if not done.ok:
            return done.event
        self._show(done.value)
        await show_link_state(self, done.value.state)
        return None

    @rx.event
    @shows_busy("working")
    async def accept(self):
        """"Accepter l'invitation" (signed in: the account that accepts it holds the role)."""
        secret, raw_id, settings = self._secret(), session_cookie(self) or "", get_settings()
        done = await run(self, lambda session, ctx: admins.accept_invitation(
            session, ctx, secret=secret, raw_id=raw_id, settings=settings), write=True, error="problem")
        if not done.ok:
            await show_link_state(self, self.state, done.error)
            return done.event
        self._show(done.value)
        return None
