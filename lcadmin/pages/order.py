"""``/admin/orders/[number]``: "Formulaire de commande pour {company}", with the e-signature."""

from __future__ import annotations

import reflex as rx

from lcadmin import paths
from lcadmin.components.forms import form_alert, text_field
from lcadmin.components.i18n import t, t_fmt
from lcadmin.components.payment import payment_dialog, payment_success
from lcadmin.pages.admin import admin_frame, status_badge
from lcadmin.settings import get_settings
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
                            rx.el.label(rx.checkbox(checked=OrderState.authorized, on_change=OrderState.set_authorized),
                                        rx.text(t_fmt("sign.authorize", company=ShellState.company_name), size="2"),
                                        class_name="inline-check"),
                            rx.button(rx.icon("pen-line", size=16), t("sign.button"), type="submit", size="3"),
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
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(k)) for k in
                                           ("pdf.col.description", "pdf.col.quantity", "pdf.col.unit_price",
                                            "pdf.col.amount")])),
            rx.table.body(
                rx.foreach(OrderState.lines, lambda line: rx.table.row(
                    rx.table.cell(line["description"]), rx.table.cell(line["quantity"]),
                    rx.table.cell(line["unit_price"]),
                    rx.table.cell(line["amount"]))),
                rx.table.row(rx.table.cell(), rx.table.cell(), rx.table.cell(t("order.subtotal")),
                             rx.table.cell(OrderState.subtotal, id="order-subtotal")),
                rx.table.row(rx.table.cell(), rx.table.cell(), rx.table.cell(t("order.tax")),
                             rx.table.cell(OrderState.tax)),
                rx.table.row(rx.table.cell(), rx.table.cell(), rx.table.cell(rx.text.strong(OrderState.total_label)),
                             rx.table.cell(rx.text.strong(OrderState.total))),
            ),
            variant="surface", size="2",
        ),
        class_name="table-scroll",
    )


def order_page() -> rx.Component:
    """The order form."""
    return admin_frame("contracts", rx.cond(
        OrderState.found,
        rx.vstack(
            rx.link(rx.hstack(rx.icon("arrow-left", size=14), t("admin.nav.contracts"), spacing="1", align="center"),
                    href=paths.CONTRACTS, size="2"),
            rx.flex(
                rx.hstack(rx.heading(OrderState.title, as_="h2", size="6"),
                          status_badge(OrderState.status_label, OrderState.status_tone), spacing="3", align="center",
                          wrap="wrap"),
                rx.button(rx.icon("file-down", size=16), t("order.download"), variant="soft",
                          on_click=OrderState.download_pdf),
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
            payment_success(),
            *([_online_payment(), payment_dialog()] if get_settings().online_payment else []),
            _lines(),
            _signature(),
            spacing="4", width="100%",
        ),
        rx.cond(OrderState.error != "", rx.callout.root(rx.callout.text(OrderState.error), color_scheme="red")),
    ))
