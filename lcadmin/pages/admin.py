"""The Admin Center: the company's name and its four sections."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import reflex as rx

from lcadmin import paths
from lcadmin.components.forms import busy_button
from lcadmin.components.i18n import t, t_fmt
from lcadmin.components.layout import page_frame
from lcadmin.components.pager import pager
from lcadmin.components.payment import payment_dialog, payment_success
from lcadmin.settings import get_settings
from lcadmin.states.auth import AuthState
from lcadmin.states.invoices import InvoicesState
from lcadmin.states.orders import OrdersState
from lcadmin.states.overview import OverviewState
from lcadmin.states.payment import PaymentState
from lcadmin.states.shell import ShellState

SECTIONS = (
    ("overview", paths.ADMIN, "layout-dashboard", "admin.nav.overview"),
    ("contracts", paths.CONTRACTS, "file-text", "admin.nav.contracts"),
    ("invoices", paths.INVOICES, "receipt", "admin.nav.invoices"),
    ("payment", paths.PAYMENT_METHODS, "credit-card", "admin.nav.payment"),
    ("licences", paths.LICENCES, "users", "admin.nav.licences"),
    ("admins", paths.ADMINS, "shield-check", "admin.nav.admins"),
    ("activity", paths.AUDIT_LOG, "scroll-text", "admin.nav.activity"),
)


def _nav(active: str) -> rx.Component:
    # Only the sections the role may use (ShellState.sections, from lcadmin.states.shell): the
    # server refuses the others anyway, this keeps the menu honest.
    return rx.el.nav(
        *[
            rx.cond(
                ShellState.sections.contains(name),  # pyright: ignore[reportAttributeAccessIssue] (a list Var)
                rx.link(rx.hstack(rx.icon(icon, size=16), rx.text(t(key)), spacing="2", align="center"),
                        href=href, underline="none",
                        class_name="admin-tab active" if name == active else "admin-tab",
                        aria_current="page" if name == active else None),
            )
            for name, href, icon, key in SECTIONS
        ],
        class_name="admin-nav",
        aria_label=t("app.name"),
    )


def idle_warning() -> rx.Component:
    """"Vous êtes toujours là ?": shown by ``assets/idle-warning.js`` two minutes before an idle
    session ends, with "Rester connecté" and "Se déconnecter"; and the hidden button the script
    clicks to tell the server of the person's activity."""
    return rx.fragment(
        rx.el.button(on_click=ShellState.keep_alive, id="keep-alive", type="button", tab_index=-1,
                     aria_hidden="true", class_name="sr-only"),
        rx.box(
            rx.card(rx.vstack(
                rx.heading(t("idle.title"), as_="h2", size="4", id="idle-title"),
                rx.text(t("idle.body"), size="2", id="idle-body"),
                rx.flex(
                    rx.button(t("idle.stay"), on_click=ShellState.keep_alive,
                              custom_attrs={"data-idle-action": "stay"}),
                    rx.button(t("admin.sign_out"), variant="soft", color_scheme="gray", on_click=AuthState.sign_out),
                    spacing="3", wrap="wrap",
                ),
                spacing="3",
            ), size="3"),
            id="idle-warning", role="alertdialog", aria_labelledby="idle-title", aria_describedby="idle-body",
            class_name="idle-warning",
            custom_attrs={"data-idle-minutes": str(get_settings().session_idle_minutes)},
        ),
    )


def company_switcher() -> rx.Component:
    """"Changer d'entreprise": for an account holding roles in several companies (a group, an
    accounting firm); the server checks the membership again on every switch."""
    return rx.cond(
        ShellState.companies.length() > 1,  # pyright: ignore[reportAttributeAccessIssue] (a list Var)
        rx.vstack(
            rx.select.root(
                rx.select.trigger(aria_label=t("switch.label"), id="company-switcher", variant="soft"),
                rx.select.content(rx.foreach(ShellState.companies, lambda company: rx.select.item(
                    company["name"] + " · " + company["role"], value=company["key"]))),
                value=ShellState.active_company, on_change=ShellState.switch_to, size="2"),
            rx.cond(ShellState.switch_error != "", rx.text(ShellState.switch_error, size="1", color_scheme="red",
                                                           role="alert")),
            spacing="1"),
    )


def admin_frame(active: str, *content: rx.Component, titled: bool = False) -> rx.Component:
    """Company name, sections, and the section's content (signing out is in the header's menu).
    The page's h1 is the section's name, unless the content brings its own (``titled``: an
    order's or an invoice's page)."""
    title = next(key for name, _, _, key in SECTIONS if name == active)
    return page_frame(
        idle_warning(),
        rx.vstack(
            rx.text(t_fmt("admin.welcome", name=ShellState.user_name), size="2", color_scheme="gray"),
            rx.flex(
                rx.text(rx.cond(ShellState.company_name != "", ShellState.company_name, t("app.name")), size="7",
                        weight="bold", id="company-name"),
                company_switcher(),
                align="center", spacing="3", wrap="wrap"),
            spacing="1",
        ),
        _nav(active),
        rx.cond(
            ShellState.sections.contains(active),  # pyright: ignore[reportAttributeAccessIssue] (a list Var)
            rx.box(*([] if titled else [rx.heading(t(title), as_="h1", size="5", class_name="section-title",
                                                   tab_index=-1)]),
                   *content, class_name="admin-content"),
            rx.cond(ShellState.company_name == "",
                    rx.callout.root(rx.callout.text(t("admin.no_company")), color_scheme="amber"),
                    rx.cond(ShellState.user_name != "",
                            rx.callout.root(rx.callout.text(t("error.forbidden")), color_scheme="amber",
                                            id="section-forbidden"))),
        ),
        wide=True,
    )


# Columns of amounts and counts: right-aligned, in tabular figures.
NUMERIC = frozenset({"col.subtotal", "col.total", "col.amount", "col.orders", "pdf.col.quantity", "pdf.col.unit_price",
                     "pdf.col.amount"})


def labelled(cells: list[rx.Component], headers: list[str]) -> list[rx.Component]:
    """Each cell carries its column's name (``data-label``): on a phone, rows become cards whose
    every line says what it is (``.responsive-table`` in styles.css), so no amount or action is
    cut off to the right."""
    for cell, header in zip(cells, headers, strict=True):
        cell.custom_attrs = {**cell.custom_attrs, "data-label": t(header)}
        if header in NUMERIC:
            cell.class_name = "num"  # pyright: ignore[reportAttributeAccessIssue] (a component prop)
    return cells


LINE_COLUMNS = ["pdf.col.description", "pdf.col.quantity", "pdf.col.unit_price", "pdf.col.amount"]


def total_row(label, amount, **props) -> rx.Component:
    """Sous-total, taxe, total: under the amounts on a desktop, one line of the totals card on a
    phone."""
    return rx.table.row(
        rx.table.cell(label, col_span=3, class_name="total-label"),
        rx.table.cell(amount, class_name="num", custom_attrs={"data-label": label}, **props),
        class_name="total-row",
    )


def lines_table(caption_key: str, lines: rx.Var, *totals: rx.Component, **props) -> rx.Component:
    """A document's lines (description, quantity, unit price, amount) and its total rows."""
    return rx.box(
        rx.table.root(
            rx.el.caption(t(caption_key), class_name="sr-only"),
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(k), class_name="num" if k in NUMERIC else "")
                                           for k in LINE_COLUMNS])),
            rx.table.body(
                rx.foreach(lines, lambda line: rx.table.row(*labelled([
                    rx.table.cell(line["description"]), rx.table.cell(line["quantity"]),
                    rx.table.cell(line["unit_price"]), rx.table.cell(line["amount"])], LINE_COLUMNS))),
                *totals,
            ),
            variant="surface", size="2",
        ),
        class_name="table-scroll responsive-table", **props,
    )


def skeleton_rows(count: int = 4) -> rx.Component:
    """Grey rows where a list will be, announced as loading."""
    return rx.vstack(
        rx.text(t("list.loading"), class_name="sr-only"),
        *[rx.skeleton(rx.box(height="40px", width="100%"), loading=True) for _ in range(count)],
        role="status", aria_busy="true", spacing="2", width="100%", class_name="list-loading",
    )


@dataclass(frozen=True)
class Sorting:
    """Which headers sort the list: header key -> column, the list's current column and direction,
    and the handler a header calls with its column."""

    columns: dict[str, str]
    current: rx.Var
    descending: rx.Var
    sort_by: Callable[[str], Any]


def _header(key: str, sorting: Sorting | None) -> rx.Component:
    props = {"class_name": "num" if key in NUMERIC else ""}
    if sorting is None or key not in sorting.columns:
        return rx.table.column_header_cell(t(key), **props)
    column = sorting.columns[key]
    active = sorting.current == column
    icon = rx.cond(active, rx.cond(sorting.descending, rx.icon("arrow-down", size=14), rx.icon("arrow-up", size=14)),
                   rx.icon("arrow-up-down", size=14, color="var(--gray-10)"))
    return rx.table.column_header_cell(
        rx.el.button(t(key), icon, type="button", on_click=sorting.sort_by(column), class_name="sort-button"),
        aria_sort=rx.cond(active, rx.cond(sorting.descending, "descending", "ascending"), "none"), **props)


def _count(number: rx.Var, words: tuple[str, str]) -> rx.Component:
    """"312 documents" above a list (one: its singular)."""
    return rx.text(rx.cond(number == 1, t(words[0]), t_fmt(words[1], count=number.to_string())), size="2",
                   color_scheme="gray", class_name="row-count", aria_live="polite")


def _table(headers: list[str], rows: rx.Var, cells, empty, label_key: str, loaded: rx.Var, *,
           count: tuple[str, str] | None = None, sorting: Sorting | None = None, total: rx.Var | None = None,
           paged: rx.Component | None = None) -> rx.Component:
    """A table of ``rows`` (cards on a phone), skeleton rows until ``loaded``, then an explaining
    callout when there are none (``empty``: a message key, or an already translated text).
    ``count``: the singular and plural keys of the row count shown above it (of ``total`` rows,
    for a list shown a page at a time; else of ``rows``); ``sorting``: its sortable headers;
    ``paged``: the list's pager, under it."""
    return rx.cond(
        ~loaded,
        skeleton_rows(),
        _rows_or_empty(headers, rows, cells, empty, label_key, count, sorting, total, paged),
    )


def _rows_or_empty(headers: list[str], rows: rx.Var, cells, empty, label_key: str, count: tuple[str, str] | None,
                   sorting: Sorting | None, total: rx.Var | None = None,
                   paged: rx.Component | None = None) -> rx.Component:
    shown = rx.Var.create(rows).length()  # pyright: ignore[reportAttributeAccessIssue] (a list Var)
    return rx.cond(
        shown > 0,
        rx.fragment(
            rx.box(
                _count(shown if total is None else total, count) if count else rx.fragment(),
                rx.table.root(
                    # the table's name (Radix puts aria-label on a div)
                    rx.el.caption(t(label_key), class_name="sr-only"),
                    rx.table.header(rx.table.row(*[_header(h, sorting) for h in headers])),
                    rx.table.body(rx.foreach(rows, lambda row: rx.table.row(*labelled(cells(row), headers)))),
                    variant="surface", size="2",
                ),
                class_name="table-scroll responsive-table",
            ),
            paged or rx.fragment(),
        ),
        rx.callout.root(rx.callout.icon(rx.icon("inbox")),
                        rx.callout.text(t(empty) if isinstance(empty, str) else empty), color_scheme="gray"),
    )


def status_badge(label: rx.Var, tone: rx.Var) -> rx.Component:
    """A status as a badge, coloured by the tone the service gave it."""
    colors = rx.match(tone, ("success", "green"), ("warning", "amber"), ("danger", "red"), ("neutral", "gray"), "blue")
    return rx.badge(label, color_scheme=colors, variant="soft")


def _tile(icon: str, title_key: str, *body: rx.Component, tile_id: str) -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.icon(icon, size=18, aria_hidden="true"), rx.heading(t(title_key), as_="h2", size="3"),
                  spacing="2", align="center"),
        *body, spacing="2", width="100%",
    ), size="2", id=tile_id)


def _muted(key: str) -> rx.Component:
    return rx.text(t(key), size="2", color_scheme="gray")


def overview_page() -> rx.Component:
    """/admin: amounts due and overdue with "Payer", orders awaiting signature, the next invoice
    due and the last payment."""
    view = OverviewState.view
    due = _tile("wallet", "overview.due", rx.cond(
        view["open_count"].to(int) > 0,
        rx.vstack(
            rx.text(view["amount_due"], size="7", weight="bold", id="overview-due"),
            rx.cond(view["overdue_count"].to(int) > 0,
                    rx.text(t_fmt("overview.overdue", amount=rx.text.strong(view["overdue"])), size="2",
                            color_scheme="red", id="overview-overdue")),
            rx.flex(
                rx.cond(view["can_pay"].to(bool),
                        rx.button(rx.icon("credit-card", size=16), t_fmt("overview.pay", amount=view["pay_amount"],
                                                                         number=view["pay_number"]),
                                  on_click=PaymentState.open_for("invoice", view["pay_number"].to(str)))),
                rx.link(t("overview.see_invoices"), href=paths.INVOICES, size="2"),
                spacing="3", align="center", wrap="wrap",
            ),
            spacing="2", width="100%",
        ),
        _muted("overview.nothing_due"),
    ), tile_id="tile-due")
    to_sign = _tile("pen-line", "overview.to_sign", rx.cond(
        OverviewState.to_sign.length() > 0,  # pyright: ignore[reportAttributeAccessIssue] (a list Var)
        rx.vstack(rx.foreach(OverviewState.to_sign, lambda o: rx.flex(
            rx.link(o["number"], href=paths.ORDERS + o["number"].to(str), weight="medium"),
            rx.text(o["total"], size="2", class_name="num"), justify="between", width="100%", wrap="wrap")),
            spacing="1", width="100%"),
        _muted("overview.nothing_to_sign"),
    ), tile_id="tile-sign")
    upcoming = _tile("calendar-clock", "overview.next", rx.cond(
        view["next_number"].to(str) != "",
        rx.vstack(
            rx.link(view["next_number"], href=paths.INVOICE_PAGES + view["next_number"].to(str), weight="medium"),
            rx.text(t_fmt("overview.next_body", amount=rx.text.strong(view["next_amount"]), date=view["next_due"]),
                    size="2"),
            spacing="1"),
        _muted("overview.nothing_next"),
    ), tile_id="tile-next")
    last = _tile("receipt", "overview.last", rx.cond(
        view["last_paid_number"].to(str) != "",
        rx.vstack(
            rx.link(view["last_paid_number"], href=paths.INVOICE_PAGES + view["last_paid_number"].to(str),
                    weight="medium"),
            rx.text(t_fmt("overview.last_body", amount=rx.text.strong(view["last_paid_amount"]),
                          date=view["last_paid_on"]), size="2"),
            rx.cond(view["last_receipt"].to(str) != "",
                    busy_button(rx.icon("file-down", size=14), t("payments.receipt"),
                                busy=InvoicesState.downloading == view["last_receipt"].to(str) + ":receipt",
                                busy_key="action.preparing", size="1", variant="soft",
                                on_click=InvoicesState.download_receipt(view["last_receipt"].to(str)))),
            spacing="1"),
        _muted("overview.nothing_paid"),
    ), tile_id="tile-last")
    seats = _tile("users", "overview.licences", rx.cond(
        view["seats_purchased"].to(int) > 0,
        rx.vstack(
            rx.text(t_fmt("overview.licences_body", available=rx.text.strong(view["seats_available"].to_string()),
                          purchased=view["seats_purchased"].to_string()), size="2"),
            rx.link(t("overview.see_licences"), href=paths.LICENCES, size="2"),
            spacing="1"),
        _muted("licences.empty_pools"),
    ), tile_id="tile-licences")
    expiring = rx.cond(view["cards_expiring"].to(int) > 0, rx.callout.root(
        rx.callout.icon(rx.icon("triangle-alert")),
        rx.callout.text(rx.cond(view["cards_expiring"].to(int) == 1, t("wallet.expiring_one"),
                                t_fmt("wallet.expiring_many", count=view["cards_expiring"].to_string())), " ",
                        rx.link(t("wallet.see"), href=paths.PAYMENT_METHODS, weight="medium")),
        color_scheme="amber", id="overview-expiring"))
    return admin_frame(
        "overview",
        *([payment_success(), payment_dialog()] if get_settings().online_payment else []),
        expiring,
        rx.cond(~OverviewState.loaded, skeleton_rows(2),
                rx.grid(rx.cond(view["shows_billing"].to(bool), rx.fragment(due, to_sign, upcoming, last)),
                        rx.cond(view["shows_licences"].to(bool), seats),
                        columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%")),
    )


def labelled_select(label_key: str, value, on_change, *items: rx.Component) -> rx.Component:
    """A small select with its label above."""
    return rx.vstack(
        rx.text(t(label_key), size="1", weight="medium", color_scheme="gray"),
        rx.select.root(
            rx.select.trigger(aria_label=t(label_key)),
            rx.select.content(*items),
            value=value, on_change=on_change, size="2",
        ),
        spacing="1",
    )


def options(pairs: list[tuple[str, str]]) -> list[rx.Component]:
    """Select items from (value, message key) pairs."""
    return [rx.select.item(t(key), value=value) for value, key in pairs]


def _contract_options(numbers: rx.Var) -> list[rx.Component]:
    """"Tous les contrats", then each contract number."""
    return [rx.select.item(t("invoices.filter.all_contracts"), value="all"),
            rx.foreach(numbers, lambda number: rx.select.item(number, value=number))]


def contracts_page() -> rx.Component:
    """/admin/contracts: the contracts, then their orders, filtered and sorted, each a page at a time."""
    return admin_frame(
        "contracts",
        rx.heading(t("orders.contracts"), as_="h2", size="4"),
        _table(["col.number", "col.title", "col.period", "col.status", "wallet.contracts_title", "col.orders",
                "col.total"],
               OrdersState.contracts,
               lambda r: [rx.table.row_header_cell(r["number"]), rx.table.cell(r["title"]), rx.table.cell(r["period"]),
                          rx.table.cell(status_badge(r["status_label"], r["status_tone"])),
                          rx.table.cell(rx.link(r["method"], href=paths.PAYMENT_METHODS)), rx.table.cell(r["orders"]),
                          rx.table.cell(r["total"])],
               "contracts.empty", "orders.contracts", OrdersState.loaded, count=("count.contract", "count.contracts"),
               total=OrdersState.contracts_total,
               paged=pager("pager.contracts", page=OrdersState.contracts_page, pages=OrdersState.contracts_pages,
                           total=OrdersState.contracts_total,
                           on_previous=OrdersState.go_to_contracts_page(OrdersState.contracts_page - 1),
                           on_next=OrdersState.go_to_contracts_page(OrdersState.contracts_page + 1),
                           pager_id="contracts-pager")),
        rx.flex(
            rx.heading(t("orders.orders"), as_="h2", size="4"),
            rx.flex(
                labelled_select("invoices.filter.status", OrdersState.status, OrdersState.set_status,
                                 *options([("all", "invoices.filter.all")] +
                                           [(code, f"status.order.{code}")
                                            for code in ("awaiting_signature", "signed", "paid", "cancelled")])),
                labelled_select("invoices.filter.contract", OrdersState.contract, OrdersState.set_contract,
                                 *_contract_options(OrdersState.contract_numbers)),
                labelled_select("orders.sort", OrdersState.sort, OrdersState.set_sort,
                                 *options([(code, f"orders.sort.{code}")
                                            for code in ("newest", "oldest", "number", "amount")])),
                spacing="3", align="end", wrap="wrap",
            ),
            justify="between", align="end", spacing="3", wrap="wrap", width="100%",
        ),
        _table(
            ["col.number", "col.contract", "col.period", "col.status", "col.subtotal", "col.total"],
            OrdersState.orders,
            lambda r: [rx.table.row_header_cell(rx.link(r["number"], href=paths.ORDERS + r["number"])),
                       rx.table.cell(r["contract"]), rx.table.cell(r["period"]),
                       rx.table.cell(status_badge(r["status_label"], r["status_tone"])), rx.table.cell(r["subtotal"]),
                       rx.table.cell(r["total"])],
            rx.cond(OrdersState.filtered, t("orders.none_match"), t("admin.orders.empty")), "admin.nav.contracts",
            OrdersState.loaded, count=("count.order", "count.orders"), total=OrdersState.total,
            paged=pager("pager.orders", page=OrdersState.page, pages=OrdersState.pages, total=OrdersState.total,
                        on_previous=OrdersState.previous_page, on_next=OrdersState.next_page, pager_id="orders-pager"),
        ),
    )


def _invoice_filters() -> rx.Component:
    statuses = options([("all", "invoices.filter.all")] +
                        [(code, f"status.invoice.{code}") for code in ("open", "overdue", "paid", "void")] +
                        [("issued", "invoices.filter.credit_notes")])
    return rx.flex(
        labelled_select("invoices.filter.status", InvoicesState.status, InvoicesState.set_status, *statuses),
        labelled_select("invoices.filter.contract", InvoicesState.contract, InvoicesState.set_contract,
                         *_contract_options(InvoicesState.contracts)),
        labelled_select("invoices.filter.period", InvoicesState.period, InvoicesState.set_period,
                         rx.select.item(t("invoices.filter.all_periods"), value="all"),
                         rx.foreach(InvoicesState.periods, lambda p: rx.select.item(p["label"], value=p["value"]))),
        rx.vstack(
            rx.text(t("invoices.search"), size="1", weight="medium", color_scheme="gray"),
            rx.input(value=InvoicesState.search, on_change=InvoicesState.set_search, placeholder="F2026-…",
                     aria_label=t("invoices.search"), size="2"),
            spacing="1",
        ),
        spacing="3", wrap="wrap", align="end",
    )


def _download_buttons(number: rx.Var, can_pay: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.cond(can_pay, rx.button(rx.icon("credit-card", size=14), t("pay.open"), size="1",
                                   on_click=PaymentState.open_for("invoice", number),
                                   aria_label=t("pay.open").to(str) + " " + number)),  # its visible text first
        busy_button(rx.icon("file-down", size=14), t("invoices.download_pdf"), busy=InvoicesState.downloading ==
                    number + ":pdf", busy_key="action.preparing", size="1", variant="soft",
                    on_click=InvoicesState.download_pdf(number), aria_label=number + " PDF"),
        busy_button(rx.icon("file-code", size=14), t("invoices.download_facturx"), busy=InvoicesState.downloading ==
                    number + ":facturx", busy_key="action.preparing", size="1", variant="soft", color_scheme="gray",
                    on_click=InvoicesState.download_facturx(number), aria_label=number + " Factur-X"),
        spacing="2",  # one line on a desktop; a phone's card wraps them (styles.css)
    )


def invoices_page() -> rx.Component:
    """/admin/invoices: the invoices and credit notes a page at a time, filtered, each downloadable
    at once; then the payments history, a page at a time too."""
    return admin_frame("invoices",
        *([payment_success(), payment_dialog()] if get_settings().online_payment else []),
        _invoice_filters(),
        rx.cond(InvoicesState.error != "", rx.callout.root(rx.callout.text(InvoicesState.error), color_scheme="red")),
        _table(
            # Excluding tax is on the invoice's page and its PDF: the row keeps what is paid, and its
            # three actions on one line at 1280 px.
            ["col.number", "col.kind", "col.contract", "col.issue_date", "col.due_date", "col.total",
             "col.status", "col.actions"],
            InvoicesState.rows,
            lambda r: [rx.table.row_header_cell(rx.link(r["number"], href=paths.INVOICE_PAGES + r["number"].to(str))),
                       rx.table.cell(r["kind_label"]),
                       rx.table.cell(r["contract"]), rx.table.cell(r["issue_date"]), rx.table.cell(r["due_date"]),
                       rx.table.cell(r["total"]),
                       rx.table.cell(status_badge(r["status_label"], r["status_tone"])),
                       rx.table.cell(_download_buttons(r["number"].to(str), r["can_pay"].to(bool)))],
            rx.cond(InvoicesState.filtered, t("invoices.none_match"), t("admin.invoices.empty")), "admin.nav.invoices",
            InvoicesState.loaded, count=("count.document", "count.documents"), total=InvoicesState.total,
            paged=pager("pager.invoices", page=InvoicesState.page, pages=InvoicesState.pages, total=InvoicesState.total,
                        on_previous=InvoicesState.previous_page, on_next=InvoicesState.next_page,
                        pager_id="invoices-pager"),
            sorting=Sorting({"col.number": "number", "col.issue_date": "issue_date", "col.due_date": "due_date",
                             "col.total": "total"}, InvoicesState.sort, InvoicesState.descending,
                            InvoicesState.sort_by),
        ),
        rx.heading(t("payments.title"), as_="h2", size="4", margin_top="12px"),
        payments_table(InvoicesState.payments, InvoicesState.loaded, paged=pager(
            "pager.payments", page=InvoicesState.payments_page, pages=InvoicesState.payments_pages,
            total=InvoicesState.payments_total,
            on_previous=InvoicesState.go_to_payments_page(InvoicesState.payments_page - 1),
            on_next=InvoicesState.go_to_payments_page(InvoicesState.payments_page + 1), pager_id="payments-pager")),
    )


def payments_table(rows: rx.Var, loaded: rx.Var, *, paged: rx.Component | None = None) -> rx.Component:
    """Succeeded payments, each with its receipt to download (a page of them, with ``paged``)."""
    return _table(
        ["col.receipt", "col.paid_on", "col.invoice", "col.amount", "col.card", "col.actions"], rows,
        lambda r: [rx.table.row_header_cell(r["receipt_number"]), rx.table.cell(r["paid_on"]),
                   rx.table.cell(rx.link(r["invoice_number"], href=paths.INVOICE_PAGES + r["invoice_number"].to(str))),
                   rx.table.cell(r["amount"]), rx.table.cell(r["card"]),
                   rx.table.cell(rx.cond(r["receipt_number"].to(str) != "", busy_button(
                                             rx.icon("file-down", size=14), t("payments.receipt"),
                                             busy=InvoicesState.downloading == r["receipt_number"].to(str) + ":receipt",
                                             busy_key="action.preparing", size="1", variant="soft",
                                             on_click=InvoicesState.download_receipt(r["receipt_number"].to(str)),
                                             aria_label=t("payments.receipt").to(str) + " " +
                                             r["receipt_number"].to(str))))],
        "payments.empty", "payments.title", loaded, paged=paged,
    )
