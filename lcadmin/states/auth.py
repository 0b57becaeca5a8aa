"""Signing in and up, the "Accepter et continuer" step, and signing out.

The websocket cannot set an HttpOnly cookie, so a successful sign-in sends the browser through
the HTTP route ``/auth/session`` (``lcadmin.routes``) with a one-minute single-use code; the route
sets the session cookie and brings the browser back. Privileged handlers resolve the user from
that cookie on every call.

Passwords are never state vars: the password input is uncontrolled and its value is read from
the submitted form only, so it is never written to the state store (disk or Redis).
"""

from __future__ import annotations

from urllib.parse import quote

import reflex as rx
from reflex.config import get_config
from sqlmodel import Session

from lcadmin import paths
from lcadmin.i18n import gettext
from lcadmin.services import accounts, onboarding, sessions, two_factor
from lcadmin.services.context import RequestContext
from lcadmin.settings import get_settings
from lcadmin.states.base import (
    active_locale,
    full_navigation,
    page_origin,
    post_navigation,
    session_cookie,
    shows_busy,
    text_arg,
    typed_text,
)
from lcadmin.states.service import run
from lcadmin.states.tab import PendingActivationState, clear_tab

PASSWORD_FIELD = "password"
MAX_PASSWORD = 1024  # the rule allows 256; longer is cut before hashing, never stored
_ACCOUNT_FIELDS = {"full_name": "name_error", "email": "email_error", "password": "password_error"}


def _backend(path: str) -> str:
    """The URL of one of the backend's HTTP routes (the page's own origin in production)."""
    return get_config().api_url.rstrip("/") + path


def password_from(form: object) -> str:
    """The password of a submitted form (its uncontrolled input), or "" when there is none."""
    value = form.get(PASSWORD_FIELD) if isinstance(form, dict) else None
    return text_arg(value, MAX_PASSWORD) or ""


CODE_FIELD = "code"  # the name of the uncontrolled input of a two-step code
MAX_CODE = 64  # a recovery code with its dashes is 19 characters


def code_from(form: object) -> str:
    """The two-step code of a submitted form (read from the form only, never kept in a var: a
    recovery code is as good as a password), or "" when there is none."""
    value = form.get(CODE_FIELD) if isinstance(form, dict) else None
    return text_arg(value, MAX_CODE) or ""


def _hand_off(session: Session, ctx: RequestContext, user_id: int, *, activating: bool,
              origin: str, back_to: str) -> tuple[str, str]:
    """A hand-off code for the HTTP route that sets the session cookie (to the terms page when
    this tab has an activation to finish, else to ``back_to`` in the Admin Center of the user's
    first company), and the binding this browser must hold for it. A company that requires
    two-step verification of an account without it sends the person to enrol first."""
    company_id = None if activating else sessions.default_company_id(session, user_id, ctx.now)
    if two_factor.enrolment_due(session, user_id, company_id):
        back_to = paths.SECURITY
    code = sessions.create_handoff(session, user_id=user_id, company_id=company_id,
                                   return_to=origin + (paths.ACCEPT if activating else back_to), ip=ctx.ip,
                                   now=ctx.now)
    return code, sessions.handoff_binding(code, get_settings().secret_key)


class AuthState(rx.State):
    """Sign-in and sign-up forms."""

    email: str = ""
    full_name: str = ""
    show_password: bool = False
    working: bool = False
    email_error: str = ""
    password_error: str = ""
    name_error: str = ""
    form_error: str = ""
    # Set with each hand-off code and checked by the HTTP route: the code works in this browser only.
    handoff_binding: str = rx.Cookie("", name=sessions.HANDOFF_BINDING_COOKIE, max_age=120, same_site="lax",
                                     secure=get_settings().cookies_secure)
    # The second step of a sign-in with two-step verification: the password was right, the code
    # comes next ("code_step"); the field takes a recovery code instead ("recovery_mode").
    code_step: bool = False
    recovery_mode: bool = False
    code_error: str = ""
    # The key of that step's challenge (lcadmin.services.two_factor.sign_in): backend-only, set
    # only by this tab's own right password, so no other tab or client can bring a code for it.
    _challenge: str = ""

    def _clear_errors(self) -> None:
        self.email_error = self.password_error = self.name_error = self.form_error = self.code_error = ""

    @rx.event
    async def set_email(self, value: str):
        """The e-mail field."""
        self._clear_errors()
        if (text := await typed_text(self, value, 320, error="email_error")) is not None:
            self.email = text

    @rx.event
    async def set_full_name(self, value: str):
        """The name field of the sign-up form."""
        self._clear_errors()
        if (text := await typed_text(self, value, 200, error="name_error")) is not None:
            self.full_name = text

    @rx.event
    def clear_errors(self, _value: str = ""):
        """Typing in the password field clears the last refusal (the value itself never comes here)."""
        self._clear_errors()

    @rx.event
    def toggle_password(self, _checked: bool | None = None):
        """"Afficher le mot de passe"."""
        self.show_password = not self.show_password

    async def _pending(self) -> PendingActivationState:
        """This tab's verified activation, its company's name refreshed (empty once it lapsed)."""
        pending = await self.get_state(PendingActivationState)
        held = pending._secret
        done = await run(self, lambda session, ctx: onboarding.pending_company_name(session, held, ctx.now),
                         signed_in=False, error=None)
        pending.company = (done.value or "") if done.ok else ""
        return pending

    @rx.event
    async def open_forms(self):
        """On the sign-in and sign-up pages: forget errors, show the pending activation."""
        self.show_password = self.working = False
        self._end_code_step()
        self._clear_errors()
        await self._pending()

    def _back_to(self) -> str:
        """The Admin Center page this sign-in returns to (the page's ``?next=``, checked)."""
        return paths.return_path(self.router.url.query_parameters.get(paths.NEXT))

    async def _enter(self, done) -> rx.event.EventSpec | None:
        """After a successful sign-in or sign-up: the browser goes through the cookie route."""
        if not done.ok:
            return done.event
        code, self.handoff_binding = done.value
        return full_navigation(f"{_backend(paths.AUTH_SESSION)}?code={quote(code)}")

    @rx.event
    @shows_busy("working")
    async def sign_in(self, form: dict | None = None):
        """"Se connecter"."""
        email, password, origin, back_to = self.email, password_from(form), page_origin(self), self._back_to()
        activating = bool((await self._pending()).company)

        def work(session: Session, ctx: RequestContext) -> tuple[str, str] | str:
            account = accounts.authenticate(session, ctx, email=email, password=password)
            # With two-step verification on, no session yet: the key of the code's challenge.
            challenge = two_factor.open_challenge(session, ctx, user_id=account.user_id)
            if challenge is not None:
                return challenge
            return _hand_off(session, ctx, account.user_id, activating=activating, origin=origin, back_to=back_to)

        done = await run(self, work, write=True, signed_in=False, error="form_error")
        if done.ok and isinstance(done.value, str):
            self._challenge, self.code_step, self.recovery_mode = done.value, True, False
            return None
        return await self._enter(done)

    def _end_code_step(self) -> None:
        self._challenge, self.code_step, self.recovery_mode, self.code_error = "", False, False, ""

    @rx.event
    @shows_busy("working")
    async def verify_code(self, form: dict | None = None):
        """"Vérifier": the code of a sign-in's second step (from the app, or a recovery code);
        a right one starts the session as a password alone would have."""
        key, code, origin, back_to = self._challenge, code_from(form), page_origin(self), self._back_to()
        activating, secret_key = bool((await self._pending()).company), get_settings().secret_key

        def work(session: Session, ctx: RequestContext) -> tuple[str, str]:
            user_id = two_factor.complete_challenge(session, ctx, key=key, code=code, secret_key=secret_key)
            return _hand_off(session, ctx, user_id, activating=activating, origin=origin, back_to=back_to)

        done = await run(self, work, write=True, signed_in=False, error="code_error")
        if not done.ok and done.error is not None and done.error.code == "code_step_expired":
            expired = self.code_error  # said on the password form, which comes back
            self._end_code_step()
            self.form_error = expired
            return None
        return await self._enter(done)

    @rx.event
    def cancel_code(self):
        """"Retour": back to the e-mail and password (the challenge is forgotten)."""
        self._end_code_step()
        self._clear_errors()

    @rx.event
    def toggle_recovery(self):
        """"Utiliser un code de secours" / "Utiliser l'application": what the code field asks for."""
        self.recovery_mode = not self.recovery_mode
        self.code_error = ""

    @rx.event
    @shows_busy("working")
    async def sign_up(self, form: dict | None = None):
        """"S'inscrire"."""
        full_name, email, password, origin = self.full_name, self.email, password_from(form), page_origin(self)
        activating, back_to = bool((await self._pending()).company), self._back_to()

        def work(session: Session, ctx: RequestContext) -> tuple[str, str]:
            account = accounts.sign_up(session, ctx, full_name=full_name, email=email, password=password)
            return _hand_off(session, ctx, account.user_id, activating=activating, origin=origin, back_to=back_to)

        return await self._enter(await run(self, work, write=True, signed_in=False, fields=_ACCOUNT_FIELDS,
                                           error="form_error"))

    @rx.event
    async def open_accept(self):
        """On the terms page: only for a signed-in person with an activation to finish."""
        self.form_error, self.working = "", False
        done = await run(self, lambda session, ctx: ctx.user, error="form_error")
        if not done.ok:
            return done.event
        if not (await self._pending()).company:
            self.form_error = gettext("error.no_pending_activation", await active_locale(self))
        return None

    @rx.event
    @shows_busy("working")
    async def accept_and_continue(self, _form: dict | None = None):
        """"Accepter et continuer": one click accepts the terms shown above it, finishes the
        activation this tab verified and enters the Admin Center."""
        pending = await self.get_state(PendingActivationState)
        held, raw_id = pending._secret, session_cookie(self)

        def work(session: Session, ctx: RequestContext) -> None:
            company_id = onboarding.complete_activation(session, ctx, held=held, settings=get_settings())
            sessions.switch_session_company(session, raw_id, company_id)

        done = await run(self, work, write=True, error="form_error")
        if not done.ok:
            return done.event
        pending.reset()
        return rx.redirect(paths.ADMIN)

    @rx.event
    async def sign_out(self):
        """End the session server-side, clear every state of this tab, then post to the HTTP
        route that drops the cookie (a POST from this page's own origin: no other site can sign
        anyone out)."""
        raw_id = session_cookie(self)
        if raw_id:
            await run(self, lambda session, ctx: sessions.end_session(session, raw_id, ctx.now, ip=ctx.ip),
                      write=True, signed_in=False, error=None)
        await clear_tab(self, keep_activation=False)
        return post_navigation(_backend(paths.AUTH_SIGN_OUT))
