"""``/admin/invoices/[number]``: one invoice or credit note, its lines and totals, what is left to
pay, its payments with their receipts, the credit notes against it, and its downloads."""

from __future__ import annotations

import reflex as rx

from lcadmin import paths
from lcadmin.components.forms import busy_button
from lcadmin.components.i18n import t, t_fmt
from lcadmin.components.payment import payment_dialog, payment_success
from lcadmin.pages.admin import admin_frame, lines_table, payments_table, skeleton_rows, status_badge, total_row
from lcadmin.settings import get_settings
from lcadmin.states.invoice import InvoiceState
from lcadmin.states.invoices import InvoicesState
from lcadmin.states.payment import PaymentState


def _fact(label_key: str, value) -> rx.Component:
    return rx.vstack(rx.text(t(label_key), size="1", color_scheme="gray"), rx.text(value, size="2", weight="medium"),
                     spacing="0")


def _lines() -> rx.Component:
    view = InvoiceState.view
    return lines_table(
        "invoice.lines", InvoiceState.lines,
        total_row(t("pdf.subtotal"), view["subtotal"]),
        total_row(t("pdf.tax_total"), view["tax"]),
        total_row(t("pdf.total"), rx.text.strong(view["total"])),
        rx.cond(~view["is_credit_note"].to(bool), total_row(t("invoice.due"), rx.text.strong(view["amount_due"]))),
        id="invoice-lines",
    )


def _downloads(number: rx.Var) -> rx.Component:
    return rx.flex(
        rx.cond(InvoiceState.view["can_pay"].to(bool),
                rx.button(rx.icon("credit-card", size=16), t("pay.open"),
                          on_click=PaymentState.open_for("invoice", number))),
        busy_button(rx.icon("file-down", size=16), t("invoices.download_pdf"),
                    busy=InvoicesState.downloading == number + ":pdf", busy_key="action.preparing", variant="soft",
                    on_click=InvoicesState.download_pdf(number)),
        busy_button(rx.icon("file-code", size=16), t("invoices.download_facturx"),
                    busy=InvoicesState.downloading == number + ":facturx", busy_key="action.preparing", variant="soft",
                    color_scheme="gray", on_click=InvoicesState.download_facturx(number)),
        spacing="2", wrap="wrap",
    )


def _related() -> rx.Component:
    return rx.cond(
        InvoiceState.credit_notes.length() > 0,  # pyright: ignore[reportAttributeAccessIssue] (a list Var)
        rx.vstack(
            rx.heading(t("invoice.credit_notes"), as_="h2", size="4"),
            rx.foreach(InvoiceState.credit_notes, lambda c: rx.hstack(
                rx.link(c["number"], href=paths.INVOICE_PAGES + c["number"].to(str)),
                rx.text(c["issue_date"], size="2"),
                rx.text(c["total"], size="2", class_name="num"), spacing="3", wrap="wrap")),
            spacing="2", width="100%",
        ),
    )


def invoice_page() -> rx.Component:
    """One invoice."""
    view, number = InvoiceState.view, InvoiceState.view["number"].to(str)
    return admin_frame("invoices", rx.cond(
        ~InvoiceState.loaded,
        skeleton_rows(),
        rx.cond(
            InvoiceState.found,
            rx.vstack(
                rx.link(rx.icon("arrow-left", size=14, aria_hidden="true"), t("invoice.back"), href=paths.INVOICES,
                        size="2", class_name="icon-link"),
                rx.flex(
                    rx.hstack(rx.heading(view["kind_label"].to(str) + " " + number, as_="h1", size="6",
                                         id="invoice-title", tab_index=-1, class_name="section-title"),
                              status_badge(view["status_label"], view["status_tone"]), spacing="3", align="center",
                              wrap="wrap"),
                    _downloads(number),
                    justify="between", align="center", spacing="3", wrap="wrap", width="100%",
                ),
                rx.cond(view["paid_note"].to(str) != "",
                        rx.callout.root(rx.callout.icon(rx.icon("circle-check")), rx.callout.text(view["paid_note"]),
                                        color_scheme="green", id="paid-note")),
                rx.cond(view["collection_note"].to(str) != "",
                        rx.callout.root(rx.callout.icon(rx.icon("calendar-clock")),
                                        rx.callout.text(view["collection_note"]),
                                        color_scheme=rx.match(view["collection_tone"], ("danger", "red"),
                                                              ("warning", "amber"), "blue"),
                                        id="collection-note")),
                rx.cond(view["corrects"].to(str) != "",
                        rx.link(t_fmt("invoice.corrects", number=view["corrects"]),
                                href=paths.INVOICE_PAGES + view["corrects"].to(str), size="2")),
                rx.grid(
                    _fact("col.issue_date", view["issue_date"]),
                    rx.cond(view["due_date"].to(str) != "", _fact("col.due_date", view["due_date"])),
                    rx.cond(view["contract"].to(str) != "", _fact("invoice.contract", view["contract"])),
                    rx.cond(view["order_number"].to(str) != "",
                            rx.vstack(rx.text(t("invoice.order"), size="1", color_scheme="gray"),
                                      rx.link(view["order_number"], href=paths.ORDERS + view["order_number"].to(str),
                                              size="2", weight="medium"), spacing="0")),
                    columns=rx.breakpoints(initial="2", md="4"), spacing="3", width="100%",
                ),
                *([payment_success(), payment_dialog()] if get_settings().online_payment else []),
                _lines(),
                _related(),
                rx.heading(t("invoice.payments"), as_="h2", size="4"),
                rx.cond(InvoiceState.payments.length() > 0,  # pyright: ignore[reportAttributeAccessIssue]
                        payments_table(InvoiceState.payments, InvoiceState.loaded),
                        rx.text(t("invoice.no_payments"), size="2", color_scheme="gray")),
                spacing="4", width="100%",
            ),
            rx.callout.root(rx.callout.text(InvoiceState.error), color_scheme="red", role="alert"),
        ),
    ), titled=True)
