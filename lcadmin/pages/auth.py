"""``/sign-in``, ``/sign-up``, ``/billing/accept`` ("Accepter et continuer") and ``/terms``."""

from __future__ import annotations

import reflex as rx

from lcadmin import paths
from lcadmin.components.forms import busy_button, card, form_alert, password_field, text_field
from lcadmin.components.i18n import t, t_fmt
from lcadmin.components.layout import page_frame
from lcadmin.domain.terms import TERMS_VERSION
from lcadmin.states.auth import PASSWORD_FIELD, AuthState
from lcadmin.states.tab import PendingActivationState


def _pending_notice() -> rx.Component:
    return rx.cond(
        PendingActivationState.company != "",
        rx.callout.root(rx.callout.icon(rx.icon("key-round")),
                        rx.callout.text(t_fmt("signin.pending", company=PendingActivationState.company)),
                        color_scheme="indigo", size="1"),
    )


def _password(autocomplete: str, hint_key: str | None = None) -> rx.Component:
    return password_field("field.password", input_id="password", name=PASSWORD_FIELD,
                          on_typing=AuthState.clear_errors, error=AuthState.password_error,
                          shown=AuthState.show_password, on_toggle=AuthState.toggle_password,
                          autocomplete=autocomplete, hint_key=hint_key)


def _account_form(title_key: str, fields: list[rx.Component], submit_key: str, busy_key: str, on_submit,
                  switch: tuple[str, str, str]) -> rx.Component:
    """A sign-in or sign-up card, with the link to the other one under it."""
    question_key, link_key, href = switch
    return page_frame(rx.center(card(
        rx.form(
            rx.vstack(
                rx.heading(t(title_key), as_="h1", size="6"),
                _pending_notice(),
                *fields,
                busy_button(t(submit_key), busy=AuthState.working, busy_key=busy_key, type="submit", size="3",
                            width="100%"),
                form_alert(AuthState.form_error),
                spacing="4", width="100%",
            ),
            on_submit=on_submit,
        ),
        rx.separator(size="4"),
        rx.flex(rx.text(t(question_key), size="2"), rx.link(t(link_key), href=href, weight="bold", size="2"),
                spacing="2", wrap="wrap"),
    ), class_name="flow"))


def sign_in_page() -> rx.Component:
    """Sign in, or go and sign up."""
    return _account_form(
        "signin.title",
        [text_field("field.email", input_id="email", value=AuthState.email, on_change=AuthState.set_email,
                    error=AuthState.email_error, input_type="email", autocomplete="username", autofocus=True),
         _password("current-password"),
         rx.link(t("signin.forgot"), href=paths.FORGOT_PASSWORD, size="2", align="right", class_name="forgot-link")],
        "signin.submit", "busy.signing_in", AuthState.sign_in, ("signin.no_account", "signin.sign_up", paths.SIGN_UP),
    )


def sign_up_page() -> rx.Component:
    """Create an account: its e-mail may differ from the business e-mail."""
    return _account_form(
        "signup.title",
        [text_field("field.full_name", input_id="full-name", value=AuthState.full_name,
                    on_change=AuthState.set_full_name, error=AuthState.name_error, autocomplete="name",
                    autofocus=True),
         text_field("field.email", input_id="email", value=AuthState.email, on_change=AuthState.set_email,
                    error=AuthState.email_error, input_type="email", autocomplete="email",
                    hint_key="signup.email_hint"),
         _password("new-password", "signup.password_hint")],
        "signup.submit", "busy.signing_up", AuthState.sign_up, ("signup.have_account", "signin.submit", paths.SIGN_IN),
    )


def accept_page() -> rx.Component:
    """The terms, with their version, and "Accepter et continuer"."""
    return page_frame(rx.center(card(
        rx.form(
            rx.vstack(
                rx.heading(t("accept.title"), as_="h1", size="6"),
                rx.text(t_fmt("accept.version", version=rx.Var.create(TERMS_VERSION)), size="1",
                        color_scheme="gray"),
                rx.cond(PendingActivationState.company != "",
                        rx.text(t_fmt("accept.intro", company=rx.text.strong(PendingActivationState.company)))),
                rx.el.ul(rx.el.li(t("accept.term1")), rx.el.li(t("accept.term2")), rx.el.li(t("accept.term3")),
                         class_name="terms"),
                rx.link(t("accept.read_full"), rx.icon("external-link", size=14, aria_hidden="true"),
                        href=paths.TERMS, is_external=True, size="2", class_name="icon-link"),
                # The button is the acceptance (the seed: one click finishes the activation).
                rx.text(t_fmt("accept.consent", version=rx.Var.create(TERMS_VERSION)), size="2", id="terms-consent"),
                rx.cond(PendingActivationState.company == "",
                        rx.button(t("accept.submit"), size="3", width="100%", disabled=True),
                        busy_button(t("accept.submit"), busy=AuthState.working, busy_key="busy.activating",
                                    type="submit", size="3", width="100%", aria_describedby="terms-consent")),
                form_alert(AuthState.form_error),
                spacing="4", width="100%",
            ),
            on_submit=AuthState.accept_and_continue,
        ),
        width="560px",
    ), class_name="flow"))


TERMS_SECTIONS = 7


def terms_page() -> rx.Component:
    """The full terms of use, in the visitor's language, with their version."""
    return page_frame(rx.el.article(
        rx.heading(t("terms.title"), as_="h1", size="7"),
        rx.text(t_fmt("terms.version", version=rx.Var.create(TERMS_VERSION)), size="2", color_scheme="gray"),
        *[rx.el.section(rx.heading(t(f"terms.s{n}.title"), as_="h2", size="4"), rx.text(t(f"terms.s{n}.body")))
          for n in range(1, TERMS_SECTIONS + 1)],
        class_name="terms-text",
    ))
