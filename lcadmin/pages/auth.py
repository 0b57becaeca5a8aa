"""``/sign-in``, ``/sign-up``, ``/billing/accept`` ("Accepter et continuer") and ``/terms``."""

from __future__ import annotations

import reflex as rx

from lcadmin import paths
from lcadmin.components.forms import busy_button, card, field_error, form_alert, password_field, text_field
from lcadmin.components.i18n import t, t_fmt
from lcadmin.components.layout import page_frame
from lcadmin.domain.terms import TERMS_VERSION
from lcadmin.states.auth import CODE_FIELD, MAX_CODE, PASSWORD_FIELD, AuthState
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
    return page_frame(rx.center(_account_card(title_key, fields, submit_key, busy_key, on_submit, switch),
                                class_name="flow"))


def _code_card() -> rx.Component:
    """The second step of a sign-in with two-step verification: the code from the app, or a
    recovery code. The input is uncontrolled: its value leaves the browser with the form only."""
    label = rx.cond(AuthState.recovery_mode, t("security.code.recovery_label"), t("security.code.label"))
    hint = rx.cond(AuthState.recovery_mode, t("security.code.recovery_hint"), t("security.sign_in.hint"))
    return card(
        rx.form(
            rx.vstack(
                rx.heading(t("security.sign_in.title"), as_="h1", size="6"),
                rx.text(t("security.sign_in.intro"), size="2"),
                rx.box(
                    rx.el.label(label, html_for="two-factor-code", class_name="field-label"),
                    rx.input(id="two-factor-code", name=CODE_FIELD, on_change=AuthState.clear_errors, size="3",
                             auto_complete="one-time-code", auto_focus=True, width="100%",
                             input_mode=rx.cond(AuthState.recovery_mode, "text", "numeric"),
                             placeholder=rx.cond(AuthState.recovery_mode, "XXXX-XXXX-XXXX-XXXX", "123456"),
                             max_length=MAX_CODE, spell_check=False, auto_capitalize="off",
                             aria_invalid=rx.cond(AuthState.code_error != "", "true", "false"),
                             aria_describedby="two-factor-code-error two-factor-code-hint",
                             class_name="code-input"),
                    field_error(AuthState.code_error, "two-factor-code"),
                    rx.text(hint, size="1", color_scheme="gray", class_name="field-hint", id="two-factor-code-hint"),
                    class_name="field",
                ),
                busy_button(t("security.sign_in.submit"), busy=AuthState.working, busy_key="busy.checking",
                            type="submit", size="3", width="100%"),
                rx.flex(
                    rx.button(rx.cond(AuthState.recovery_mode, t("security.sign_in.use_app"),
                                      t("security.sign_in.use_recovery")),
                              type="button", variant="ghost", size="2", on_click=AuthState.toggle_recovery),
                    rx.button(t("security.sign_in.back"), type="button", variant="ghost", color_scheme="gray", size="2",
                              on_click=AuthState.cancel_code),
                    justify="between", wrap="wrap", spacing="2", width="100%",
                ),
                spacing="4", width="100%",
            ),
            on_submit=AuthState.verify_code,
            reset_on_submit=False,
        ),
    )


def _account_card(title_key: str, fields: list[rx.Component], submit_key: str, busy_key: str, on_submit,
                  switch: tuple[str, str, str]) -> rx.Component:
    question_key, link_key, href = switch
    return card(
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
    )


def sign_in_page() -> rx.Component:
    """Sign in, or go and sign up; then, for an account with two-step verification, the code."""
    password_card = _account_card(
        "signin.title",
        [text_field("field.email", input_id="email", value=AuthState.email, on_change=AuthState.set_email,
                    error=AuthState.email_error, input_type="email", autocomplete="username", autofocus=True),
         _password("current-password"),
         rx.link(t("signin.forgot"), href=paths.FORGOT_PASSWORD, size="2", align="right", class_name="forgot-link")],
        "signin.submit", "busy.signing_in", AuthState.sign_in, ("signin.no_account", "signin.sign_up", paths.SIGN_UP),
    )
    return page_frame(rx.center(rx.cond(AuthState.code_step, _code_card(), password_card), class_name="flow"))


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
