"""``/password/forgot`` and ``/password/reset/[secret]``: a new password through a link by e-mail."""

from __future__ import annotations

import reflex as rx

from lcadmin import paths
from lcadmin.components.forms import busy_button, card, form_alert, link_button, password_field, text_field
from lcadmin.components.i18n import t, t_fmt
from lcadmin.components.layout import page_frame
from lcadmin.states.auth import PASSWORD_FIELD
from lcadmin.states.password import PasswordState


def _back_to_sign_in() -> rx.Component:
    return rx.link(rx.icon("arrow-left", size=14, aria_hidden="true"), t("forgot.back"), href=paths.SIGN_IN,
                   size="2", class_name="icon-link")


def forgot_page() -> rx.Component:
    """Ask for a reset link."""
    return page_frame(rx.center(card(rx.cond(
        PasswordState.sent,
        rx.vstack(
            rx.box(rx.icon("mail-check", size=28, aria_hidden="true"), class_name="outcome-icon"),
            rx.heading(t("forgot.sent_title"), as_="h1", size="6"),
            rx.text(t_fmt("forgot.sent", email=rx.text.strong(PasswordState.email)), role="status"),
            _back_to_sign_in(),
            spacing="3", width="100%",
        ),
        rx.form(
            rx.vstack(
                rx.heading(t("forgot.title"), as_="h1", size="6"),
                rx.text(t("forgot.intro"), color_scheme="gray", size="2"),
                text_field("field.email", input_id="email", value=PasswordState.email,
                           on_change=PasswordState.set_email, error=PasswordState.email_error, input_type="email",
                           autocomplete="username", autofocus=True),
                busy_button(t("forgot.submit"), busy=PasswordState.working, busy_key="busy.sending", type="submit",
                            size="3", width="100%"),
                form_alert(PasswordState.form_error),
                _back_to_sign_in(),
                spacing="4", width="100%",
            ),
            on_submit=PasswordState.request_link,
        ),
    )), class_name="flow"))


def reset_page() -> rx.Component:
    """Choose the new password (the link is used only by the button)."""
    return page_frame(rx.center(card(rx.match(
        PasswordState.state,
        ("loading", rx.center(rx.spinner(size="3"), width="100%")),
        ("valid", rx.form(
            rx.vstack(
                rx.heading(t("reset.title"), as_="h1", size="6"),
                rx.text(t("reset.intro"), color_scheme="gray", size="2"),
                password_field("field.password", input_id="password", name=PASSWORD_FIELD,
                               on_typing=PasswordState.clear_errors, error=PasswordState.password_error,
                               shown=PasswordState.show_password, on_toggle=PasswordState.toggle_password,
                               autocomplete="new-password", hint_key="signup.password_hint"),
                busy_button(t("reset.submit"), busy=PasswordState.working, busy_key="busy.resetting", type="submit",
                            size="3", width="100%"),
                form_alert(PasswordState.form_error),
                spacing="4", width="100%",
            ),
            on_submit=PasswordState.change_password,
        )),
        ("done", rx.vstack(
            rx.box(rx.icon("circle-check", size=28, aria_hidden="true"), class_name="outcome-icon"),
            rx.heading(t("reset.done_title"), as_="h1", size="6"),
            rx.text(t("reset.done"), role="status"),
            link_button(t("signin.submit"), href=paths.SIGN_IN, size="3"),
            spacing="3", width="100%",
        )),
        rx.vstack(
            rx.box(rx.icon("link-2-off", size=28, aria_hidden="true"), class_name="outcome-icon"),
            rx.heading(t("link.title"), as_="h1", size="6"),
            rx.text(PasswordState.problem, role="alert"),
            rx.text(t("reset.restart"), color_scheme="gray", size="2"),
            link_button(t("forgot.submit"), href=paths.FORGOT_PASSWORD, size="3"),
            spacing="3", width="100%",
        ),
    )), class_name="flow"))
