"""``/payments/authenticate/[intent]``: the sandbox bank's 3-D Secure page (a real provider hosts
its own; the sandbox's lives here)."""

from __future__ import annotations

import reflex as rx

from lcadmin import paths
from lcadmin.components.forms import busy_button, card, form_alert
from lcadmin.components.i18n import t, t_fmt
from lcadmin.components.layout import page_frame
from lcadmin.states.payment import AuthenticationState


def _back(**props) -> rx.Component:
    """Back where the step began: the wallet for a card's set-up, the invoices for a payment."""
    return rx.cond(AuthenticationState.setup, rx.link(t("wallet.back"), href=paths.PAYMENT_METHODS, **props),
                   rx.link(t("pay.back"), href=paths.INVOICES, **props))


def authentication_page() -> rx.Component:
    """Confirm or refuse the payment, as a bank's 3-D Secure step would."""
    return page_frame(rx.center(card(
        rx.box(rx.icon("shield-check", size=28), class_name="outcome-icon"),
        rx.heading(t("pay.authenticate_title"), as_="h1", size="6"),
        rx.cond(
            AuthenticationState.outcome != "",
            rx.vstack(
                rx.callout.root(rx.callout.text(AuthenticationState.outcome), color_scheme="green", role="status"),
                _back(), spacing="3",
            ),
            rx.vstack(
                rx.cond(AuthenticationState.amount != "",
                        rx.text(t_fmt("pay.authenticate_body", amount=rx.text.strong(AuthenticationState.amount)))),
                rx.cond(AuthenticationState.saving_label != "",
                        rx.text(t_fmt("wallet.setup_title", card=rx.text.strong(AuthenticationState.saving_label)))),
                rx.hstack(
                    rx.cond(AuthenticationState.setup,
                            busy_button(t("wallet.approve"), busy=AuthenticationState.working, busy_key="busy.saving",
                                        size="3", on_click=AuthenticationState.approve),
                            busy_button(t("pay.approve"), busy=AuthenticationState.working, busy_key="busy.paying",
                                        size="3", on_click=AuthenticationState.approve)),
                    rx.button(t("pay.decline"), size="3", variant="soft", color_scheme="red",
                              disabled=AuthenticationState.working, on_click=AuthenticationState.decline),
                    spacing="3",
                ),
                form_alert(AuthenticationState.error),
                _back(size="2"),
                spacing="3", width="100%",
            ),
        ),
    ), class_name="flow"))
