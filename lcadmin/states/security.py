"""The "Sécurité du compte" page (two-step verification and the account's active sessions), and
the card of the company's policy "two-step verification required" on "Administrateurs".

The TOTP secret is kept server-side (sealed, on the account): no handler takes it or reads it
from a var. What the person must see to enrol (the QR code and the key for typing by hand) and
the recovery codes (shown once) are never state vars either (the state store would keep them):
the handler that makes them hands them to the page in a script (``assets/reveal.js``), which
also copies and downloads them. Every code arrives with its submitted form (an uncontrolled
input), never in a var.
"""

from __future__ import annotations

import json
from dataclasses import asdict

import reflex as rx
from sqlmodel import Session

from lcadmin.i18n import gettext
from lcadmin.services import account_sessions, two_factor
from lcadmin.services.context import RequestContext
from lcadmin.settings import get_settings
from lcadmin.states.auth import code_from
from lcadmin.states.base import clip, one_of, session_cookie, shows_busy
from lcadmin.states.service import run

ACTIONS = ("disable", "regenerate")  # what "confirm" does with its code
RECOVERY_FILE = "recovery-codes.txt"


def reveal_enrolment(key: str, qr_code: str) -> rx.event.EventSpec:
    """The enrolment's key and QR code, put on the page (never in a var)."""
    return rx.call_script(f"window.lcadminRevealEnrolment({json.dumps(key)}, {json.dumps(qr_code)})")


def reveal_codes(codes: list[str]) -> rx.event.EventSpec:
    """The recovery codes just made, put on the page once (never in a var)."""
    return rx.call_script(f"window.lcadminRevealCodes({json.dumps(codes)})")


class SecurityState(rx.State):
    """Two-step verification of the signed-in account, and its sessions."""

    loaded: bool = False
    enabled: bool = False
    enabled_on: str = ""
    recovery_left: int = 0
    required_by: str = ""  # the names of the account's companies that require it, joined
    # Enrolment under way (its key and QR code are on the page only, see the module's docstring).
    enrolling: bool = False
    # The recovery codes just made are on the page, shown once, until "J'ai conservé mes codes".
    codes_shown: bool = False
    # "Désactiver" or "Générer de nouveaux codes" waiting for its code (one of ACTIONS, or "").
    confirming: str = ""
    code_error: str = ""
    notice: str = ""  # what was just done: enabled, disabled, regenerated, ended_others, ended_one
    error: str = ""
    working: bool = False
    sessions: list[dict[str, str]] = []
    sessions_error: str = ""
    ending: str = ""  # the key of the session being ended, or "others"

    def _forget_steps(self) -> None:
        self.enrolling = self.codes_shown = False
        self.confirming = self.code_error = self.notice = self.error = ""

    async def _refresh(self):
        raw_id, settings = session_cookie(self), get_settings()

        def work(session: Session, ctx: RequestContext):
            return (two_factor.two_factor_status(session, ctx, zone=settings.vendor.timezone),
                    account_sessions.list_sessions(session, ctx, raw_id=raw_id, settings=settings))

        done = await run(self, work)
        if not done.ok:
            return done.event
        status, rows = done.value
        self.enabled, self.enabled_on, self.recovery_left = status.enabled, status.enabled_on, status.recovery_left
        self.required_by = ", ".join(status.required_by)
        self.sessions = [{**asdict(row), "current": "true" if row.current else ""} for row in rows]
        self.loaded = True
        return None

    @rx.event
    async def load(self):
        """The page opened: a fresh start (nothing of an earlier visit's steps is shown)."""
        self._forget_steps()
        self.sessions_error, self.ending, self.working = "", "", False
        return await self._refresh()

    @rx.event
    async def refresh(self):
        """The language changed: the dates again, in it (a step under way stays open)."""
        return await self._refresh()

    @rx.event
    @shows_busy("working")
    async def start_enrolment(self):
        """"Activer la validation en deux étapes": a new secret, its QR code and its key."""
        self._forget_steps()
        settings = get_settings()
        issuer = gettext("app.name", "en")
        done = await run(self, lambda session, ctx: two_factor.start_enrolment(
            session, ctx, secret_key=settings.secret_key, issuer=issuer), write=True)
        if not done.ok:
            return done.event
        self.enrolling = True
        return reveal_enrolment(done.value.manual_key, done.value.qr_code)

    @rx.event
    async def cancel_enrolment(self):
        """"Annuler": the unconfirmed secret is forgotten."""
        self._forget_steps()
        done = await run(self, two_factor.cancel_enrolment, write=True)
        return done.event

    @rx.event
    @shows_busy("working")
    async def confirm_enrolment(self, form: dict | None = None):
        """"Activer": the first code from the app puts two-step verification in force."""
        code, secret_key = code_from(form), get_settings().secret_key
        self.code_error = self.error = ""
        raw_id = session_cookie(self)
        done = await run(self, lambda session, ctx: two_factor.confirm_enrolment(
            session, ctx, code=code, secret_key=secret_key, raw_id=raw_id), write=True, error="code_error")
        if not done.ok:
            return done.event
        self.enrolling, self.codes_shown, self.notice = False, True, "enabled"
        return await self._refresh() or reveal_codes(done.value)

    @rx.event
    def ask(self, action: str):
        """"Désactiver" or "Générer de nouveaux codes de secours": ask for a code first."""
        self.confirming = one_of(action, ACTIONS, "")
        self.code_error = self.notice = self.error = ""
        self.codes_shown = False

    @rx.event
    def close_confirm(self):
        """"Annuler" under the code field."""
        self.confirming = self.code_error = ""

    @rx.event
    @shows_busy("working")
    async def confirm(self, form: dict | None = None):
        """The code for the action asked: turn two-step verification off, or renew the codes."""
        action, code, secret_key = self.confirming, code_from(form), get_settings().secret_key
        if action not in ACTIONS:
            return None
        service = two_factor.disable_two_factor if action == "disable" else two_factor.regenerate_recovery_codes
        self.code_error = self.error = ""
        done = await run(self, lambda session, ctx: service(session, ctx, code=code, secret_key=secret_key),
                         write=True, error="code_error")
        if not done.ok:
            return done.event
        self.confirming, self.notice = "", "disabled" if action == "disable" else "regenerated"
        self.codes_shown = bool(done.value)
        event = await self._refresh()
        return event or (reveal_codes(done.value) if done.value else None)

    @rx.event
    def done_with_codes(self):
        """"J'ai conservé mes codes": they are no longer shown."""
        self.codes_shown = False

    @rx.event
    @shows_busy("ending", "others")
    async def end_others(self):
        """"Se déconnecter partout ailleurs": every other session of the account ends."""
        raw_id, settings = session_cookie(self), get_settings()
        self.sessions_error = self.notice = ""
        done = await run(self, lambda session, ctx: account_sessions.end_other_sessions(
            session, ctx, raw_id=raw_id, settings=settings), write=True, error="sessions_error")
        if not done.ok:
            return done.event
        self.notice = "ended_others"
        return await self._refresh()

    @rx.event
    @shows_busy("ending", lambda row: clip(row, 12))
    async def end_session(self, row: str):
        """"Se déconnecter" on one other session's row (looked up among the account's own only)."""
        key, raw_id, settings = clip(row, 12), session_cookie(self), get_settings()
        self.sessions_error = self.notice = ""
        done = await run(self, lambda session, ctx: account_sessions.end_one_session(
            session, ctx, raw_id=raw_id, key=key, settings=settings), write=True, error="sessions_error")
        if done.ok:
            self.notice = "ended_one"
        return done.event or await self._refresh()


class TwoFactorPolicyState(rx.State):
    """The company's policy, on the "Administrateurs" page (:func:`lcadmin.pages.security.two_factor_policy_card`)."""

    loaded: bool = False
    company: str = ""
    required: bool = False
    caller_enrolled: bool = False
    saving: bool = False
    saved: bool = False
    error: str = ""

    def _show(self, policy: two_factor.TwoFactorPolicy) -> None:
        self.company, self.required, self.caller_enrolled = policy.company, policy.required, policy.caller_enrolled
        self.loaded = True

    @rx.event
    async def load(self):
        """The page opened: the policy of the session's company."""
        self.error, self.saved, self.saving = "", False, False
        done = await run(self, two_factor.two_factor_policy)
        if not done.ok:
            self.loaded = False
            return done.event
        self._show(done.value)
        return None

    @rx.event
    @shows_busy("saving")
    async def set_required(self, value: bool):
        """The switch "Exiger la validation en deux étapes"."""
        required = value is True
        self.error, self.saved = "", False
        done = await run(self, lambda session, ctx: two_factor.set_two_factor_policy(session, ctx, required=required),
                         write=True)
        if not done.ok:
            return done.event
        self._show(done.value)
        self.saved = True
        return None
