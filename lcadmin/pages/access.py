"""``/billing/access``: "Gérer la facturation dans le {vendor} Admin Center"."""

from __future__ import annotations

import reflex as rx

from lcadmin import paths
from lcadmin.components.forms import busy_button, card, form_alert, text_field
from lcadmin.components.i18n import t, t_fmt
from lcadmin.components.layout import page_frame
from lcadmin.states.access import AccessState


def _cancel_or_next() -> rx.Component:
    """"Annuler" (back to the public page) and "Suivant" (submits the step)."""
    return rx.flex(
        rx.button(t("action.cancel"), type="button", variant="soft", color_scheme="gray", size="3",
                  on_click=AccessState.cancel),
        busy_button(t("action.next"), busy=AccessState.working, busy_key="busy.checking", type="submit", size="3"),
        justify="end", spacing="3", width="100%",
    )


def _email_step() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading(t("access.title"), as_="h1", size="6"),
            rx.text(t("access.subtitle"), color_scheme="gray"),
            text_field("access.email.label", input_id="business-email", value=AccessState.email,
                       on_change=AccessState.set_email, error=AccessState.email_error, input_type="email",
                       autocomplete="email", placeholder_key="access.email.placeholder", autofocus=True),
            rx.cond(AccessState.free_mail & (AccessState.email_error == ""),
                    rx.callout.root(rx.callout.icon(rx.icon("info")), rx.callout.text(t("access.free_mail_hint")),
                                    color_scheme="amber", size="1", id="free-mail-hint")),
            _cancel_or_next(),
            form_alert(AccessState.form_error),
            spacing="4", width="100%",
        ),
        on_submit=AccessState.submit_email,
    )


def _proof_step() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading(t("proof.title"), as_="h1", size="6"),
            rx.text(t("proof.intro")),
            rx.text(t_fmt("proof.for", email=AccessState.email), size="2", color_scheme="gray"),
            text_field("proof.reference.label", input_id="reference", value=AccessState.reference,
                       on_change=AccessState.set_reference, error=AccessState.reference_error, autocomplete="off",
                       placeholder_key="proof.reference.placeholder", autofocus=True),
            text_field("proof.amount.label", input_id="amount", value=AccessState.amount,
                       on_change=AccessState.set_amount, error=AccessState.amount_error, autocomplete="off",
                       placeholder_key="proof.amount.placeholder", input_mode="decimal"),
            rx.text(t("proof.where"), size="1", color_scheme="gray"),
            _cancel_or_next(),
            form_alert(AccessState.form_error),
            spacing="4", width="100%",
        ),
        on_submit=AccessState.submit_proof,
    )


def _outcome(icon: str, title_key: str, *body: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.box(rx.icon(icon, size=28), class_name="outcome-icon"),
        rx.heading(t(title_key), as_="h1", size="6"),
        *body,
        spacing="3", width="100%",
    )


def _sent() -> rx.Component:
    return _outcome(
        "mail-check", "sent.title",
        rx.text(t_fmt("sent.body", email=rx.text.strong(AccessState.email))),
        rx.text(t("sent.spam"), color_scheme="gray", size="2"),
        busy_button(t("sent.resend"), busy=AccessState.working, busy_key="busy.sending", variant="soft",
                    on_click=AccessState.resend),
        rx.cond(AccessState.notice != "", rx.text(AccessState.notice, size="2", role="status")),
    )


def _sign_in_hint() -> rx.Component:
    return _outcome(
        "log-in", "hint.title", rx.text(t("hint.body")),
        rx.link(rx.button(t("hint.sign_in"), size="3"), href=paths.SIGN_IN, underline="none"),
    )


def _awaiting_approval() -> rx.Component:
    return _outcome(
        "hourglass", "approval.title", rx.text(t("approval.body")),
        rx.link(t("action.back_home"), href=paths.HOME),
    )


def access_page() -> rx.Component:
    """The access form and the screens that follow it."""
    return page_frame(
        rx.center(
            card(rx.match(
                AccessState.step,
                ("proof", _proof_step()),
                ("activation_sent", _sent()),
                ("sign_in", _sign_in_hint()),
                ("awaiting_approval", _awaiting_approval()),
                _email_step(),
            )),
            class_name="flow",
        )
    )
