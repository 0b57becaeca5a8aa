"""/admin/activity, "Journal d'activité": the company's events, newest first, filtered by
person, category, period and a search, fifty at a time, and exported as CSV."""

from __future__ import annotations

import reflex as rx

from lcadmin.components.forms import busy_button, callout, field_error
from lcadmin.components.i18n import t, t_fmt
from lcadmin.pages.admin import _table, admin_frame, labelled_select, options, status_badge
from lcadmin.states.audit_log import ALL, CATEGORIES, TABLE_ID, AuditLogState

COLUMNS = ["auditlog.col.when", "auditlog.col.who", "auditlog.col.what", "auditlog.col.document", "auditlog.col.ip",
           "auditlog.col.outcome"]


def _date_field(label_key: str, input_id: str, value: rx.Var, on_change, error: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.el.label(rx.text(t(label_key), size="1", weight="medium", color_scheme="gray"), html_for=input_id),
        rx.input(id=input_id, type="date", value=value, on_change=on_change, size="2",
                 aria_invalid=rx.cond(error != "", "true", "false"), aria_describedby=f"{input_id}-error"),
        field_error(error, input_id),
        spacing="1", max_width="220px",
    )


def _filters() -> rx.Component:
    return rx.flex(
        labelled_select("auditlog.filter.person", AuditLogState.person, AuditLogState.set_person,
                        rx.select.item(t("auditlog.filter.all_people"), value=ALL),
                        rx.foreach(AuditLogState.people, lambda p: rx.select.item(p["label"], value=p["value"]))),
        labelled_select("auditlog.filter.category", AuditLogState.category, AuditLogState.set_category,
                        *options([(ALL, "auditlog.filter.all_categories")] +
                                 [(code, f"auditlog.category.{code}") for code in CATEGORIES])),
        _date_field("auditlog.date_from", "audit-from", AuditLogState.date_from, AuditLogState.set_date_from,
                    AuditLogState.date_from_error),
        _date_field("auditlog.date_to", "audit-to", AuditLogState.date_to, AuditLogState.set_date_to,
                    AuditLogState.date_to_error),
        rx.vstack(
            rx.text(t("auditlog.search"), size="1", weight="medium", color_scheme="gray"),
            rx.input(value=AuditLogState.search, on_change=AuditLogState.set_search.debounce(300), type="search",
                     aria_label=t("auditlog.search"), placeholder=t("auditlog.search_placeholder"), size="2",
                     min_width="260px"),
            spacing="1"),
        rx.cond(AuditLogState.filtered,
                rx.button(rx.icon("x", size=14), t("auditlog.clear"), size="2", variant="ghost", color_scheme="gray",
                          on_click=AuditLogState.clear_filters, margin_top="22px")),  # level with the fields
        spacing="3", wrap="wrap", align="start",
    )


# Radix keeps table cells on one line: these wrap within a width, so that the six columns fit a
# 1280 px screen without scrolling sideways (long addresses and IPv6 break anywhere). "stretch"
# lets the cell's own alignment apply: left in the table, right in a phone's card.
_WRAP = {"white_space": "normal", "overflow_wrap": "anywhere"}


def _who(row: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(row["who"], size="2", weight="medium", **_WRAP),
        rx.cond(row["who_email"].to(str) != "", rx.text(row["who_email"], size="1", color_scheme="gray", **_WRAP)),
        spacing="0", align="stretch", max_width="210px",
    )


def _what(row: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(row["what"], size="2", **_WRAP),
        rx.text(row["category"], size="1", color_scheme="gray", **_WRAP),
        spacing="0", align="stretch", max_width="240px",
    )


def _cells(row: rx.Var) -> list[rx.Component]:
    return [
        rx.table.row_header_cell(row["when"]),
        rx.table.cell(_who(row)),
        rx.table.cell(_what(row)),
        # No document: an empty cell, which a phone's card leaves out.
        rx.table.cell(rx.cond(row["document"].to(str) != "",
                              rx.text(row["document"], size="2", max_width="220px", **_WRAP))),
        rx.table.cell(rx.cond(row["ip"].to(str) != "",
                              rx.code(row["ip"], variant="ghost", size="1", display="inline-block",
                                      white_space="normal", word_break="break-all",
                                      max_width=rx.breakpoints(initial="100%", sm="130px")))),
        rx.table.cell(status_badge(row["outcome_label"], row["outcome_tone"])),
    ]


def _pager() -> rx.Component:
    return rx.flex(
        rx.text(t_fmt("auditlog.zone", zone=rx.text.strong(AuditLogState.zone)), size="1", color_scheme="gray",
                id="audit-zone"),
        rx.flex(
            rx.cond(AuditLogState.page > 2, rx.button(
                rx.icon("chevrons-left", size=16), t("auditlog.first"), size="1", variant="ghost",
                on_click=AuditLogState.first_page)),
            rx.button(rx.icon("chevron-left", size=16), t("auditlog.newer"), size="1", variant="soft",
                      disabled=AuditLogState.page <= 1, on_click=AuditLogState.newer),
            rx.text(t_fmt("auditlog.page", page=rx.Var.create(AuditLogState.page).to_string()), size="2",
                    id="audit-page", aria_live="polite"),
            rx.button(t("auditlog.older"), rx.icon("chevron-right", size=16), size="1", variant="soft",
                      disabled=~AuditLogState.has_older, on_click=AuditLogState.older),
            spacing="2", align="center", wrap="wrap"),
        justify="between", align="center", wrap="wrap", spacing="3", width="100%", margin_top="8px",
    )


def audit_log_page() -> rx.Component:
    """/admin/activity: the filters and the export, one page of events, the time zone they are
    shown in, and the pages."""
    return admin_frame(
        "activity",
        rx.flex(
            rx.text(t("auditlog.intro"), size="2", color_scheme="gray", max_width="680px"),
            busy_button(rx.icon("file-down", size=16), t("auditlog.export"), busy=AuditLogState.exporting,
                        busy_key="auditlog.exporting", on_click=AuditLogState.export, variant="soft",
                        id="audit-export"),
            justify="between", align="start", spacing="3", wrap="wrap", width="100%", margin_bottom="12px",
        ),
        _filters(),
        rx.cond(AuditLogState.error != "", callout(AuditLogState.error, "red", "circle-alert", role="alert")),
        rx.cond(AuditLogState.notice != "", callout(AuditLogState.notice, "amber", "info", id="audit-notice",
                                                   role="status")),
        rx.box(
            _table(COLUMNS, AuditLogState.rows, _cells,
                   rx.cond(AuditLogState.filtered | (AuditLogState.page > 1), t("auditlog.none_match"),
                           t("auditlog.empty")),
                   "auditlog.table", AuditLogState.loaded),
            margin_top="12px", width="100%", id=TABLE_ID, scroll_margin_top="72px",  # under the sticky header
        ),
        rx.cond(AuditLogState.loaded, _pager()),
    )
