"""The card payment form, used on the order page and in the invoices page's dialog."""

from __future__ import annotations

import reflex as rx

from lcadmin.components.forms import field_error, form_alert
from lcadmin.components.i18n import t, t_fmt
from lcadmin.states.payment import PaymentState


def _card_input(label_key: str, name: str, *, autocomplete: str, placeholder: str, width: str = "100%") -> rx.Component:
    # Uncontrolled on purpose: the value goes out with the form, never into a state var.
    return rx.box(
        rx.el.label(t(label_key), html_for=name, class_name="field-label"),
        rx.input(id=name, name=name, auto_complete=autocomplete, placeholder=placeholder, input_mode="numeric",
                 size="3", width="100%"),
        class_name="field", width=width,
    )


def payment_form() -> rx.Component:
    """Card number, expiry and CVC, then "Payer {amount}"."""
    return rx.form(
        rx.vstack(
            _card_input("pay.card_number", "card_number", autocomplete="cc-number", placeholder="4242 4242 4242 4242"),
            rx.hstack(
                _card_input("pay.expiry", "card_expiry", autocomplete="cc-exp", placeholder="12/28", width="50%"),
                _card_input("pay.cvc", "card_cvc", autocomplete="cc-csc", placeholder="123", width="50%"),
                spacing="3", width="100%",
            ),
            field_error(PaymentState.card_error, "card"),
            rx.button(rx.icon("lock", size=16), t_fmt("pay.button", amount=PaymentState.amount), type="submit",
                      size="3", width="100%"),
            form_alert(PaymentState.error),
            rx.text(t("pay.secure"), size="1", color_scheme="gray"),
            rx.callout.root(rx.callout.text(t("pay.sandbox")), size="1", color_scheme="gray", variant="surface"),
            spacing="3", width="100%",
        ),
        on_submit=PaymentState.submit,
        reset_on_submit=True,
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
