"""``/admin/orders/[number]``: "Formulaire de commande pour {company}", with the e-signature."""

from __future__ import annotations

import reflex as rx

from lcadmin import paths
from lcadmin.components.forms import busy_button, form_alert, labelled_checkbox, text_field
from lcadmin.components.i18n import t, t_fmt
from lcadmin.components.payment import payment_dialog, payment_success
from lcadmin.pages.admin import admin_frame, lines_table, status_badge, total_row
from lcadmin.settings import get_settings
from lcadmin.states.invoices import InvoicesState
from lcadmin.states.order import OrderState
from lcadmin.states.payment import PaymentState
from lcadmin.states.shell import ShellState


def _block(title_key: str, lines: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(t(title_key), size="1", weight="bold", color_scheme="gray", class_name="eyebrow"),
        rx.foreach(lines, lambda line: rx.text(line, size="2")),
        spacing="1",
    )


def _signature() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(t("order.sign_title"), as_="h2", size="4"),
            rx.cond(
                OrderState.signed_note != "",
                rx.callout.root(rx.callout.icon(rx.icon("badge-check")), rx.callout.text(OrderState.signed_note),
                                color_scheme="green", id="signed-note"),
                rx.cond(
                    OrderState.can_sign,
                    rx.form(
                        rx.vstack(
                            text_field("sign.name", input_id="signer-name", value=OrderState.signer_name,
                                       on_change=OrderState.set_signer_name, error=OrderState.name_error,
                                       autocomplete="name"),
                            labelled_checkbox(t_fmt("sign.authorize", company=ShellState.company_name),
                                              checked=OrderState.authorized, on_change=OrderState.set_authorized,
                                              checkbox_id="sign-authorize"),
                            rx.text(t_fmt("sign.amount", total=rx.text.strong(OrderState.total)), size="2",
                                    id="sign-amount"),
                            busy_button(rx.icon("pen-line", size=16), t("sign.button"), busy=OrderState.signing,
                                        busy_key="busy.signing", type="submit", size="3"),
                            form_alert(OrderState.form_error),
                            spacing="3", width="100%",
                        ),
                        on_submit=OrderState.sign,
                    ),
                    rx.text(t("sign.not_allowed"), color_scheme="gray", size="2"),
                ),
            ),
            spacing="3", width="100%",
        ),
        size="3", width="100%",
    )


def _online_payment() -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.box(rx.icon("credit-card", size=22), class_name="benefit-icon"),
            rx.vstack(
                rx.heading(t("order.pay_title"), as_="h2", size="4"),
                rx.text(t("order.pay_body"), size="2", color_scheme="gray"),
                rx.cond(OrderState.can_pay,
                        rx.button(t("pay.open"), size="3", on_click=PaymentState.open_for("order", OrderState.number)),
                        rx.cond(OrderState.awaiting_signature, rx.text(t("sign.pay_after"), size="2"))),
                spacing="2", width="100%",
            ),
            spacing="4", align="start", width="100%",
        ),
        size="3", width="100%",
    )


def _lines() -> rx.Component:
    return lines_table(
        "order.lines", OrderState.lines,
        total_row(t("order.subtotal"), OrderState.subtotal, id="order-subtotal"),
        total_row(t("order.tax"), OrderState.tax),
        total_row(OrderState.total_label, rx.text.strong(OrderState.total, id="order-total")),
    )


_STEP_ORDER = ("review", "sign", "pay")


def _steps() -> rx.Component:
    """Review, sign, pay: where the order stands, in one place."""
    def step(index: int, name: str) -> rx.Component:
        # A step is done once the order stands at a later one ("done" is after all three).
        later = (*_STEP_ORDER, "done")[index:]
        done = rx.Var.create(list(later)).contains(OrderState.step)  # pyright: ignore[reportAttributeAccessIssue]
        current = OrderState.step == name
        return rx.el.li(
            rx.box(rx.cond(done, rx.icon("check", size=14, aria_hidden="true"), rx.text(str(index))),
                   class_name="step-dot"),
            rx.text(t(f"order.step.{name}"), size="2", weight=rx.cond(current, "bold", "regular")),
            rx.text(rx.cond(done, t("order.step.done"), rx.cond(current, t("order.step.current"), "")),
                    class_name="sr-only"),
            class_name=rx.cond(done, "order-step done", rx.cond(current, "order-step current", "order-step")),
            aria_current=rx.cond(current, "step", None),
        )
    return rx.el.ol(*[step(i + 1, name) for i, name in enumerate(_STEP_ORDER)], class_name="order-steps",
                    aria_label=t("order.steps"))


def _paid() -> rx.Component:
    """Once paid: when, and the invoice and receipt."""
    return rx.callout.root(
        rx.callout.icon(rx.icon("circle-check")),
        rx.flex(
            rx.text(OrderState.paid_note, weight="medium"),
            rx.cond(OrderState.invoice_number != "",
                    rx.link(t_fmt("order.see_invoice", number=OrderState.invoice_number),
                            href=paths.INVOICE_PAGES + OrderState.invoice_number)),
            rx.cond(OrderState.receipt_number != "",
                    busy_button(rx.icon("file-down", size=14),
                                t_fmt("order.see_receipt", number=OrderState.receipt_number),
                                busy=InvoicesState.downloading == OrderState.receipt_number + ":receipt",
                                busy_key="action.preparing", size="1", variant="soft",
                                on_click=InvoicesState.download_receipt(OrderState.receipt_number))),
            spacing="3", align="center", wrap="wrap",
        ),
        color_scheme="green", id="order-paid",
    )


def order_page() -> rx.Component:
    """The order form."""
    return admin_frame("contracts", rx.cond(
        OrderState.found,
        rx.vstack(
            rx.link(rx.hstack(rx.icon("arrow-left", size=14), t("admin.nav.contracts"), spacing="1", align="center"),
                    href=paths.CONTRACTS, size="2"),
            rx.flex(
                rx.hstack(rx.heading(OrderState.title, as_="h1", size="6", tab_index=-1, class_name="section-title"),
                          status_badge(OrderState.status_label, OrderState.status_tone), spacing="3", align="center",
                          wrap="wrap"),
                busy_button(rx.icon("file-down", size=16), t("order.download"), busy=OrderState.downloading,
                            busy_key="action.preparing", variant="soft", on_click=OrderState.download_pdf),
                justify="between", align="center", spacing="3", wrap="wrap", width="100%",
            ),
            rx.grid(
                _block("order.primary_contact", OrderState.primary_contact),
                _block("order.billing_contact", OrderState.billing_contact),
                _block("order.billing_address", OrderState.billing_address),
                rx.vstack(rx.text(t("order.number"), size="1", weight="bold", color_scheme="gray",
                                  class_name="eyebrow"),
                          rx.text(OrderState.number, size="3", weight="bold"), spacing="1"),
                columns=rx.breakpoints(initial="1", sm="2", md="4"), spacing="4", width="100%",
            ),
            rx.heading(t("order.info"), as_="h3", size="4"),
            rx.grid(
                rx.foreach(OrderState.information, lambda row: rx.vstack(
                    rx.text(row[0], size="1", color_scheme="gray"), rx.text(row[1], size="2", weight="medium"),
                    spacing="0")),
                columns=rx.breakpoints(initial="2", md="3"), spacing="3", width="100%",
            ),
            _steps(),
            rx.cond(OrderState.paid_note != "", _paid()),
            payment_success(),
            _lines(),
            _signature(),
            *([_online_payment(), payment_dialog()] if get_settings().online_payment else []),
            spacing="4", width="100%",
        ),
        rx.cond(OrderState.error != "", rx.callout.root(rx.callout.text(OrderState.error), color_scheme="red")),
    ), titled=True)
