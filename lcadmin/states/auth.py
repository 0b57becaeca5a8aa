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

from lcadmin.db import read_scope, session_scope
from lcadmin.i18n import gettext
from lcadmin.models import utcnow
from lcadmin.services import accounts, onboarding, sessions
from lcadmin.services.errors import InvalidInput, NotAllowed, ServiceError
from lcadmin.settings import get_settings
from lcadmin.states.base import (
    active_locale,
    client_ip,
    full_navigation,
    message_for,
    page_origin,
    post_navigation,
    session_cookie,
    text_arg,
    typed_text,
)
from lcadmin.states.tab import PendingActivationState, clear_tab, to_sign_in

PASSWORD_FIELD = "password"
MAX_PASSWORD = 1024  # the rule allows 256; longer is cut before hashing, never stored


def password_from(form: object) -> str:
    """The password of a submitted form (its uncontrolled input), or "" when there is none."""
    value = form.get(PASSWORD_FIELD) if isinstance(form, dict) else None
    return text_arg(value, MAX_PASSWORD) or ""


class AuthState(rx.State):
    """Sign-in and sign-up forms."""

    email: str = ""
    full_name: str = ""
    show_password: bool = False
    terms_accepted: bool = False
    email_error: str = ""
    password_error: str = ""
    name_error: str = ""
    form_error: str = ""
    # Set with each hand-off code and checked by the HTTP route: the code works in this browser only.
    handoff_binding: str = rx.Cookie("", name=sessions.HANDOFF_BINDING_COOKIE, max_age=120, same_site="lax",
                                     secure=get_settings().cookies_secure)

    def _clear_errors(self) -> None:
        self.email_error = self.password_error = self.name_error = self.form_error = ""

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

    @rx.event
    def set_terms_accepted(self, checked: bool):
        """The terms checkbox."""
        self.terms_accepted = checked is True
        self.form_error = ""

    @rx.event
    async def open_forms(self):
        """On the sign-in and sign-up pages: forget errors, show the pending activation."""
        self.show_password = False
        self._clear_errors()
        await self._show_pending()

    async def _show_pending(self) -> PendingActivationState:
        pending = await self.get_state(PendingActivationState)
        with read_scope() as session:
            pending.company = onboarding.pending_company_name(session, pending._secret, utcnow()) or ""
        return pending

    async def _hand_off(self, session, user_id: int) -> rx.event.EventSpec:
        """Send the browser through the HTTP route that sets the session cookie."""
        pending = await self.get_state(PendingActivationState)
        company_id = None if pending.company else sessions.default_company_id(session, user_id)
        target = "/billing/accept" if pending.company else "/admin"
        code = sessions.create_handoff(session, user_id=user_id, company_id=company_id,
                                       return_to=page_origin(self) + target, ip=client_ip(self), now=utcnow())
        self.handoff_binding = sessions.handoff_binding(code, get_settings().secret_key)
        return full_navigation(f"{get_config().api_url.rstrip('/')}/auth/session?code={quote(code)}")

    @rx.event
    async def sign_in(self, form: dict | None = None):
        """"Se connecter"."""
        locale, now = await active_locale(self), utcnow()
        await self._show_pending()
        try:
            with session_scope() as session:
                account = accounts.authenticate(session, email=self.email, password=password_from(form),
                                                ip=client_ip(self), now=now)
                return await self._hand_off(session, account.user_id)
        except ServiceError as error:
            self.form_error = message_for(error, locale, now)

    @rx.event
    async def sign_up(self, form: dict | None = None):
        """"S'inscrire"."""
        locale, now = await active_locale(self), utcnow()
        await self._show_pending()
        try:
            with session_scope() as session:
                account = accounts.sign_up(session, full_name=self.full_name, email=self.email,
                                           password=password_from(form), locale=locale, ip=client_ip(self), now=now)
                return await self._hand_off(session, account.user_id)
        except InvalidInput as error:
            target = {"full_name": "name_error", "email": "email_error", "password": "password_error"}
            setattr(self, target.get(error.field, "form_error"), message_for(error, locale))
        except ServiceError as error:
            self.form_error = message_for(error, locale, now)

    @rx.event
    async def open_accept(self):
        """On the terms page: only for a signed-in person with an activation to finish."""
        self.terms_accepted, self.form_error = False, ""
        with session_scope() as session:
            principal = sessions.resolve_session(session, session_cookie(self), settings=get_settings(), now=utcnow())
        if principal is None:
            return await to_sign_in(self)
        if not (await self._show_pending()).company:
            self.form_error = gettext("error.no_pending_activation", await active_locale(self))
        return None

    @rx.event
    async def accept_and_continue(self, _form: dict | None = None):
        """"Accepter et continuer": finish the activation this tab verified, enter the Admin Center."""
        locale, now = await active_locale(self), utcnow()
        raw_id = session_cookie(self)
        pending = await self.get_state(PendingActivationState)
        try:
            with session_scope() as session:
                principal = sessions.require_principal(session, raw_id, settings=get_settings(), now=now)
                company_id = onboarding.complete_activation(
                    session, held=pending._secret, user_id=principal.user_id, terms_accepted=self.terms_accepted,
                    ip=client_ip(self), settings=get_settings(), now=now)
                sessions.switch_session_company(session, raw_id, company_id)
        except NotAllowed as error:
            if error.code == "signed_out":
                return await to_sign_in(self)
            self.form_error = message_for(error, locale)
            return None
        except ServiceError as error:
            self.form_error = message_for(error, locale)
            return None
        pending.reset()
        return rx.redirect("/admin")

    @rx.event
    async def sign_out(self):
        """End the session server-side, clear every state of this tab, then post to the HTTP
        route that drops the cookie (a POST from this page's own origin: no other site can sign
        anyone out)."""
        raw_id = session_cookie(self)
        if raw_id:
            with session_scope() as session:
                sessions.end_session(session, raw_id, utcnow(), ip=client_ip(self))
        await clear_tab(self, keep_activation=False)
        return post_navigation(f"{get_config().api_url.rstrip('/')}/auth/sign-out")
