"""Signing in and up, the "Accepter et continuer" step, and signing out.

The websocket cannot set an HttpOnly cookie, so a successful sign-in sends the browser through
the HTTP route ``/auth/session`` (``lcadmin.routes``) with a one-minute single-use code; the route
sets the session cookie and brings the browser back. Privileged handlers resolve the user from
that cookie on every call.
"""

from __future__ import annotations

from urllib.parse import quote

import reflex as rx
from reflex.config import get_config

from lcadmin.db import session_scope
from lcadmin.i18n import gettext
from lcadmin.models import utcnow
from lcadmin.services import accounts, onboarding, sessions
from lcadmin.services.errors import InvalidInput, NotAllowed, ServiceError
from lcadmin.settings import get_settings
from lcadmin.states.base import (
    active_locale,
    client_ip,
    clip,
    message_for,
    page_origin,
    session_cookie,
)


class AuthState(rx.State):
    """Sign-in and sign-up forms, and the activation waiting to be finished in this tab."""

    email: str = ""
    password: str = ""
    full_name: str = ""
    show_password: bool = False
    terms_accepted: bool = False
    email_error: str = ""
    password_error: str = ""
    name_error: str = ""
    form_error: str = ""
    pending_company: str = ""
    # Set with each hand-off code and checked by the HTTP route: the code works in this browser only.
    handoff_binding: str = rx.Cookie("", name=sessions.HANDOFF_BINDING_COOKIE, max_age=120, same_site="lax",
                                     secure=get_settings().cookies_secure)
    # Set by the activation link's button in this tab; never sent to the browser.
    _pending_request_id: int | None = None

    def _clear_errors(self) -> None:
        self.email_error = self.password_error = self.name_error = self.form_error = ""

    @rx.event
    def set_email(self, value: str):
        """The e-mail field."""
        self.email = clip(value, 320)
        self._clear_errors()

    @rx.event
    def set_password(self, value: str):
        """The password field (pasting is welcome)."""
        self.password = clip(value, 1024)
        self._clear_errors()

    @rx.event
    def set_full_name(self, value: str):
        """The name field of the sign-up form."""
        self.full_name = clip(value, 200)
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
    def open_forms(self):
        """On the sign-in and sign-up pages: forget what was typed, keep the pending activation."""
        self.password, self.show_password = "", False
        self._clear_errors()
        with session_scope() as session:
            self.pending_company = onboarding.pending_company_name(session, self._pending_request_id, utcnow()) or ""

    def _hand_off(self, session, user_id: int) -> rx.event.EventSpec:
        """Send the browser through the HTTP route that sets the session cookie."""
        pending = self.pending_company and self._pending_request_id
        company_id = None if pending else sessions.default_company_id(session, user_id)
        target = "/billing/accept" if pending else "/admin"
        code = sessions.create_handoff(session, user_id=user_id, company_id=company_id,
                                       return_to=page_origin(self) + target, ip=client_ip(self), now=utcnow())
        self.handoff_binding = sessions.handoff_binding(code, get_settings().secret_key)
        self.password = ""
        return rx.redirect(f"{get_config().api_url.rstrip('/')}/auth/session?code={quote(code)}")

    @rx.event
    async def sign_in(self, _form: dict | None = None):
        """"Se connecter"."""
        locale, now = await active_locale(self), utcnow()
        try:
            with session_scope() as session:
                account = accounts.authenticate(session, email=self.email, password=self.password,
                                                ip=client_ip(self), now=now)
                return self._hand_off(session, account.user_id)
        except ServiceError as error:
            self.password = ""
            self.form_error = message_for(error, locale, now)

    @rx.event
    async def sign_up(self, _form: dict | None = None):
        """"S'inscrire"."""
        locale, now = await active_locale(self), utcnow()
        try:
            with session_scope() as session:
                account = accounts.sign_up(session, full_name=self.full_name, email=self.email,
                                           password=self.password, locale=locale, ip=client_ip(self), now=now)
                return self._hand_off(session, account.user_id)
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
            self.pending_company = onboarding.pending_company_name(session, self._pending_request_id, utcnow()) or ""
        if principal is None:
            return rx.redirect("/sign-in")
        if not self.pending_company:
            self.form_error = gettext("error.no_pending_activation", await active_locale(self))

    @rx.event
    async def accept_and_continue(self, _form: dict | None = None):
        """"Accepter et continuer": finish the activation and enter the Admin Center."""
        locale, now = await active_locale(self), utcnow()
        raw_id = session_cookie(self)
        try:
            with session_scope() as session:
                principal = sessions.require_principal(session, raw_id, settings=get_settings(), now=now)
                company_id = onboarding.complete_activation(
                    session, request_id=self._pending_request_id, user_id=principal.user_id,
                    terms_accepted=self.terms_accepted, ip=client_ip(self), settings=get_settings(), now=now)
                sessions.switch_session_company(session, raw_id, company_id)
        except NotAllowed as error:
            if error.code == "signed_out":
                return rx.redirect("/sign-in")
            self.form_error = message_for(error, locale)
            return
        except ServiceError as error:
            self.form_error = message_for(error, locale)
            return
        self._pending_request_id, self.pending_company = None, ""
        return rx.redirect("/admin")

    @rx.event
    def sign_out(self):
        """End the session server-side, then let the HTTP route drop the cookie."""
        raw_id = session_cookie(self)
        if raw_id:
            with session_scope() as session:
                sessions.end_session(session, raw_id, utcnow(), ip=client_ip(self))
        self.reset()
        back = quote(page_origin(self) + "/", safe="")
        return rx.redirect(f"{get_config().api_url.rstrip('/')}/auth/sign-out?next={back}")

    def remember_activation(self, request_id: int, company_name: str) -> None:
        """Called by the activation link page once its button was clicked."""
        self._pending_request_id, self.pending_company = request_id, company_name
