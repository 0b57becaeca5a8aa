"""The card payment form, used on the order page and in the invoices page's dialog."""

from __future__ import annotations

import reflex as rx

from lcadmin.components.forms import busy_button, field_error, form_alert
from lcadmin.components.i18n import t, t_fmt
from lcadmin.states.payment import PaymentState


def card_input(label_key: str, name: str, kind: str, error: rx.Var, *, autocomplete: str, placeholder,
                width: str = "100%", extra: rx.Component | None = None) -> rx.Component:
    """One card field, its live check (written by ``assets/card-fields.js`` as the person types)
    and the server's refusal, both right under it. Uncontrolled on purpose: the value goes out
    with the form, never into a state var."""
    return rx.box(
        rx.flex(rx.el.label(t(label_key), html_for=name, class_name="field-label"), extra or rx.fragment(),
                justify="between", align="center"),
        rx.input(id=name, name=name, auto_complete=autocomplete, placeholder=placeholder, input_mode="numeric",
                 size="3", width="100%", aria_invalid=rx.cond(error != "", "true", "false"),
                 aria_describedby=f"{name}-check {name}-error", custom_attrs={"data-card": kind},
                 spell_check=False, auto_correct="off"),
        rx.text(id=f"{name}-check", color_scheme="red", size="2", class_name="field-error", aria_live="polite"),
        field_error(error, name),
        class_name="field", width=width,
    )


def payment_form() -> rx.Component:
    """Card number (its brand shown as it is recognised), expiry and CVC, each checked as typed
    and refused next to itself, then "Payer {amount}". The values stay after a refusal."""
    messages = {"data-msg-number": t("error.invalid_number"), "data-msg-expiry": t("error.invalid_expiry"),
                "data-msg-expired": t("error.expired_card"), "data-msg-cvc": t("error.cvc_three"),
                "data-msg-cvc-amex": t("error.cvc_four")}
    return rx.form(
        rx.vstack(
            rx.cond(PaymentState.saved.length() > 0,  # pyright: ignore[reportAttributeAccessIssue] (a list Var)
                    rx.vstack(
                        rx.foreach(PaymentState.saved, lambda saved: busy_button(
                            rx.icon("credit-card", size=16),
                            t_fmt("pay.with_saved", amount=PaymentState.amount, card=saved["label"]),
                            busy=PaymentState.paying, busy_key="busy.paying", type="button", size="3",
                            width="100%", variant="soft", on_click=PaymentState.pay_saved(saved["id"]))),
                        rx.text(t("pay.or_new_card"), size="2", color_scheme="gray", weight="medium"),
                        spacing="2", width="100%", id="saved-cards")),
            card_input("pay.card_number", "card_number", "number", PaymentState.number_error,
                        autocomplete="cc-number", placeholder="1234 1234 1234 1234",
                        extra=rx.text(size="1", weight="medium", color_scheme="gray", id="card-brand",
                                      custom_attrs={"data-card-brand": ""}, aria_live="polite")),
            rx.flex(
                card_input("pay.expiry", "card_expiry", "expiry", PaymentState.expiry_error, autocomplete="cc-exp",
                            placeholder=t("pay.expiry_placeholder")),
                card_input("pay.cvc", "card_cvc", "cvc", PaymentState.cvc_error, autocomplete="cc-csc",
                            placeholder="123"),
                spacing="3", width="100%", class_name="card-row",
            ),
            busy_button(rx.icon("lock", size=16), t_fmt("pay.button", amount=PaymentState.amount),
                        busy=PaymentState.paying, busy_key="busy.paying", type="submit", size="3", width="100%"),
            form_alert(PaymentState.error),
            rx.text(t("pay.secure"), size="1", color_scheme="gray"),
            rx.callout.root(rx.callout.text(t("pay.sandbox")), size="1", color_scheme="gray", variant="surface"),
            spacing="3", width="100%",
        ),
        on_submit=PaymentState.submit,
        custom_attrs=messages,
    )


def payment_dialog() -> rx.Component:
    """The payment form in a dialog (invoices page)."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("order.pay_title")),
            rx.dialog.description(PaymentState.number, size="2", color_scheme="gray"),
            payment_form(),
            rx.dialog.close(rx.button(t("action.cancel"), variant="soft", color_scheme="gray", margin_top="12px")),
            max_width="460px",
        ),
        open=PaymentState.opened,
        on_open_change=PaymentState.close,
    )


def payment_success() -> rx.Component:
    """The confirmation once a payment went through."""
    return rx.cond(PaymentState.succeeded != "",
                   rx.callout.root(rx.callout.icon(rx.icon("circle-check")), rx.callout.text(PaymentState.succeeded),
                                   color_scheme="green", role="status", id="payment-succeeded"))
