""""Mot de passe oublié ?" (``/password/forgot``) and the link's page (``/password/reset/[secret]``).

The new password, like every password, is an uncontrolled input read from the submitted form
only: no var holds it. Opening the link's page only looks at the token; the button uses it.
"""

from __future__ import annotations

import reflex as rx

from lcadmin.services import password_reset
from lcadmin.services.errors import LinkProblem
from lcadmin.settings import get_settings
from lcadmin.states.auth import password_from
from lcadmin.states.base import active_locale, message_for, page_param, shows_busy, text_arg, typed_text
from lcadmin.states.service import run


class PasswordState(rx.State):
    """The two steps of a password reset."""

    email: str = ""
    email_error: str = ""
    sent: bool = False
    state: str = "loading"  # the link's page: loading, valid, used, expired, unknown, done
    problem: str = ""
    password_error: str = ""
    form_error: str = ""
    show_password: bool = False
    working: bool = False

    @rx.event
    async def open_forgot(self):
        """/password/forgot loaded: the form, with the address typed on the sign-in page (what the
        person already typed here is kept: this may run after their first keystrokes)."""
        from lcadmin.states.auth import AuthState

        if self.sent:  # a new request: not the address of the last one
            self.email = ""
        self.email_error = self.form_error = ""
        self.sent = self.working = False
        self.email = self.email or (await self.get_state(AuthState)).email

    @rx.event
    async def set_email(self, value: str):
        """The e-mail field."""
        self.form_error = ""
        if (text := await typed_text(self, value, 320, error="email_error")) is not None:
            self.email = text

    @rx.event
    @shows_busy("working")
    async def request_link(self, form: dict | None = None):
        """"Envoyer le lien": the same answer whether or not the address has an account. The
        address is the one submitted with the form (the field's last keystrokes may not have
        reached the state yet)."""
        typed = text_arg(form.get("email") if isinstance(form, dict) else None, 320)
        if typed is not None and typed.strip():
            self.email = typed
        email, settings = self.email, get_settings()
        done = await run(self, lambda session, ctx: password_reset.request_reset(session, ctx, email=email,
                                                                                  settings=settings),
                         write=True, signed_in=False, fields={"email": "email_error"}, error="form_error")
        self.sent = done.ok

    def _secret(self) -> str:
        return page_param(self, "secret", 100)

    @rx.event
    async def open_reset(self):
        """/password/reset/[secret] loaded: is the link still good? (never uses it)"""
        self.password_error = self.form_error = ""
        self.show_password = self.working = False
        secret = self._secret()
        done = await run(self, lambda session, ctx: password_reset.reset_link_state(session, ctx, secret=secret),
                         signed_in=False, error="form_error")
        self.state = done.value if done.ok else "unknown"
        self.problem = "" if self.state == "valid" else message_for(LinkProblem(f"link_{self.state}"),
                                                                   await active_locale(self))

    @rx.event
    def toggle_password(self, _checked: bool | None = None):
        """"Afficher le mot de passe"."""
        self.show_password = not self.show_password

    @rx.event
    def clear_errors(self, _value: str = ""):
        """Typing in the password field clears the last refusal (the value never comes here)."""
        self.password_error = self.form_error = ""

    @rx.event
    async def relabel(self):
        """The language changed: why the link no longer works, in it; a past refusal is dropped."""
        self.password_error = self.form_error = self.email_error = ""
        if self.state not in ("loading", "valid", "done"):
            self.problem = message_for(LinkProblem(f"link_{self.state}"), await active_locale(self))

    @rx.event
    @shows_busy("working")
    async def change_password(self, form: dict | None = None):
        """"Changer le mot de passe"."""
        secret, password = self._secret(), password_from(form)
        self.password_error = self.form_error = ""
        done = await run(self, lambda session, ctx: password_reset.reset_password(session, ctx, secret=secret,
                                                                                   password=password),
                         write=True, signed_in=False, fields={"password": "password_error"}, error="form_error")
        if done.ok:
            self.state = "done"
        elif isinstance(done.error, LinkProblem):
            self.state, self.problem, self.form_error = done.error.code.removeprefix("link_"), self.form_error, ""
