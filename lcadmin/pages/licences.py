"""/admin/licences, "Licences": seats per product and contract, their holders
(searched, filtered, sorted and paginated on the server), assigning by e-mail, each holder's
actions; and /licence/[secret], the page behind the invitation's link."""

from __future__ import annotations

import reflex as rx

from lcadmin.components.forms import busy_button, callout, confirm_dialog, field_error, form_alert
from lcadmin.components.i18n import t, t_fmt
from lcadmin.components.invitation import accept_link_page
from lcadmin.pages.admin import _table, admin_frame, labelled_select, options, status_badge
from lcadmin.states.licences import AssignState, BulkState, LicenceLinkState, LicencesState, PurchaseState


def _text(number) -> rx.Var:
    """A number var as text, for a sentence."""
    return rx.Var.create(number).to_string()


def _pool(row: rx.Var) -> rx.Component:
    """One product under one contract: its seats, as numbers and as a bar."""
    return rx.card(rx.vstack(
        rx.flex(rx.text(row["product"], weight="bold"), rx.badge(t_fmt("licences.contract", contract=row["contract"]),
                                                                 color_scheme="gray", variant="soft"),
                justify="between", align="center", wrap="wrap", spacing="2", width="100%"),
        rx.text(t_fmt("licences.pool_counts", assigned=rx.text.strong(row["assigned"].to_string()),
                      purchased=row["purchased"].to_string(), available=rx.text.strong(row["available"].to_string())),
                size="2"),
        rx.progress(value=row["percent"].to(int), max=100, aria_label=row["product"].to(str), size="2"),
        spacing="2", width="100%",
    ), size="2", class_name="pool-card", custom_attrs={"data-pool": row["key"]})


def _actions(row: rx.Var) -> rx.Component:
    seat, invited = row["id"].to(str), row["status"].to(str) == "invited"
    who = " " + row["email"].to(str)
    busy = lambda action: LicencesState.working == seat + ":" + action
    return rx.cond(LicencesState.can_manage, rx.flex(
        rx.cond(invited, rx.fragment(
            busy_button(t("licences.resend"), busy=busy("resend"), busy_key="busy.sending", size="1", variant="soft",
                        on_click=LicencesState.resend(seat), aria_label=t("licences.resend").to(str) + who),
            busy_button(t("licences.revoke"), busy=busy("revoke"), busy_key="busy.saving", size="1", variant="soft",
                        color_scheme="gray", on_click=LicencesState.revoke(seat),
                        aria_label=t("licences.revoke").to(str) + who)),
            rx.fragment(  # an invitation is revoked; a licence in use is reassigned or removed
                rx.button(t("licences.reassign"), size="1", variant="soft", on_click=LicencesState.ask_reassign(seat),
                          aria_label=t("licences.reassign").to(str) + who),
                rx.button(t("licences.unassign"), size="1", variant="soft", color_scheme="red",
                          on_click=LicencesState.ask_unassign(seat), aria_label=t("licences.unassign").to(str) + who))),
        spacing="2", wrap="wrap"))


def _filters() -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.text(t("licences.search"), size="1", weight="medium", color_scheme="gray"),
            rx.input(value=LicencesState.search, on_change=LicencesState.set_search.debounce(300),
                     aria_label=t("licences.search"), placeholder="@", size="2", type="search"),
            spacing="1"),
        labelled_select("licences.filter", LicencesState.status, LicencesState.set_status,
                        *options([(code, f"licences.filter.{code}")
                                  for code in ("all", "invited", "active", "never", "inactive")])),
        labelled_select("licences.sort", LicencesState.sort, LicencesState.set_sort,
                        *options([(code, f"licences.sort.{code}")
                                  for code in ("email", "name", "assigned", "activity")])),
        spacing="3", wrap="wrap", align="end",
    )


def _pager() -> rx.Component:
    return rx.flex(
        rx.text(rx.cond(LicencesState.total == 1, t("licences.total_one"),
                        t_fmt("licences.total_many", count=_text(LicencesState.total))),
                size="2", color_scheme="gray", aria_live="polite", id="holders-total"),
        rx.flex(
            rx.button(rx.icon("chevron-left", size=16), size="1", variant="soft", aria_label=t("licences.previous"),
                      disabled=LicencesState.page <= 1, on_click=LicencesState.go_to(LicencesState.page - 1)),
            rx.text(t_fmt("licences.page", page=_text(LicencesState.page), pages=_text(LicencesState.pages)),
                    size="2", id="holders-page"),
            rx.button(rx.icon("chevron-right", size=16), size="1", variant="soft", aria_label=t("licences.next"),
                      disabled=LicencesState.page >= LicencesState.pages,
                      on_click=LicencesState.go_to(LicencesState.page + 1)),
            spacing="2", align="center"),
        justify="between", align="center", wrap="wrap", spacing="3", width="100%",
    )


def _assign_dialog() -> rx.Component:
    form = rx.form(rx.vstack(
        _pool_select(AssignState.pool, AssignState.set_pool, "assign-pool"),
        rx.box(
            rx.el.label(t("licences.emails"), html_for="emails", class_name="field-label"),
            rx.text_area(id="emails", name="emails", rows="5", width="100%", on_blur=AssignState.check,
                         aria_describedby="emails-hint emails-checked emails-refused emails-error",
                         aria_invalid=rx.cond((AssignState.emails_error != "") | (AssignState.refused != ""), "true",
                                              "false"), auto_complete=False, spell_check=False),
            rx.text(t("licences.emails_hint"), size="1", color_scheme="gray", id="emails-hint"),
            rx.cond(AssignState.checked != "", rx.text(AssignState.checked, size="1", color_scheme="green",
                                                       id="emails-checked", aria_live="polite")),
            rx.cond(AssignState.refused != "", rx.text(AssignState.refused, size="2", color_scheme="red",
                                                       id="emails-refused", role="alert")),
            field_error(AssignState.emails_error, "emails"),
            class_name="field", width="100%"),
        rx.box(
            rx.el.label(t("licences.language"), html_for="assign-locale", class_name="field-label"),
            rx.select.root(rx.select.trigger(id="assign-locale"), rx.select.content(
                rx.select.item("Français", value="fr"), rx.select.item("English", value="en")),
                value=AssignState.locale, on_change=AssignState.set_locale),
            class_name="field"),
        busy_button(rx.icon("send", size=16), t("licences.send"), busy=AssignState.sending, busy_key="busy.inviting",
                    type="submit", size="3", width="100%"),
        form_alert(AssignState.error),
        spacing="3", width="100%",
    ), on_submit=AssignState.submit)
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title(t("licences.assign")),
        rx.dialog.description(t("licences.emails_hint"), size="2", color_scheme="gray", class_name="sr-only"),
        form,
        rx.dialog.close(rx.button(t("action.cancel"), variant="soft", color_scheme="gray", margin_top="12px")),
        max_width="520px",
    ), open=AssignState.opened, on_open_change=AssignState.close)


def _pool_select(value, on_change, select_id: str) -> rx.Component:
    """Which licence (product and contract), with its seats available."""
    return rx.box(
        rx.el.label(t("licences.pool"), html_for=select_id, class_name="field-label"),
        rx.select.root(rx.select.trigger(id=select_id, width="100%"), rx.select.content(
            rx.foreach(LicencesState.pools, lambda p: rx.select.item(
                p["product"].to(str) + " · " + p["contract"].to(str) + " (" + p["available"].to_string() + ")",
                value=p["key"].to(str)))), value=value, on_change=on_change),
        class_name="field", width="100%")


def _import_dialog() -> rx.Component:
    verdicts = rx.cond(BulkState.lines.length() > 0, rx.vstack(  # pyright: ignore[reportAttributeAccessIssue]
        rx.text(t_fmt("licences.import_counts", ready=rx.text.strong(_text(BulkState.ready)),
                      problems=rx.text.strong(_text(BulkState.problems))), size="2", id="import-counts",
                aria_live="polite"),
        rx.cond(BulkState.problems > 0, callout(t("licences.import_fix"), "amber", "triangle-alert")),
        _table(["col.line", "col.email", "col.product", "col.verdict"], BulkState.lines,
               lambda r: [rx.table.row_header_cell(r["number"]), rx.table.cell(r["email"]),
                          rx.table.cell(r["product"]),
                          rx.table.cell(rx.badge(r["label"], color_scheme=rx.cond(r["verdict"] == "ok", "green",
                                                                                   "red"), variant="soft"))],
               "licences.import_counts", "licences.import", rx.Var.create(True)),
        spacing="2", width="100%"))
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title(t("licences.import")),
        rx.dialog.description(t("licences.import_help"), size="2", color_scheme="gray"),
        rx.vstack(
            _pool_select(BulkState.pool, BulkState.set_pool, "import-pool"),
            rx.el.label(rx.upload(  # the label names the drop zone's file input
                rx.vstack(rx.icon("file-up", size=22, aria_hidden="true"),
                          rx.text(rx.cond(BulkState.file_name != "", BulkState.file_name, t("licences.import_drop")),
                                  size="2"),
                          align="center", spacing="1"),
                id="licences-csv", multiple=False, max_files=1, class_name="csv-drop",
                on_drop=BulkState.upload(rx.upload_files(upload_id="licences-csv")),
                border="1px dashed var(--gray-8)", border_radius="8px", padding="16px", width="100%",
            ), display="block", width="100%"),
            field_error(BulkState.csv_error, "licences-csv"),
            form_alert(BulkState.error),
            verdicts,
            rx.button(rx.cond(BulkState.working, rx.fragment(rx.spinner(size="2"), t("busy.inviting")),
                              rx.fragment(rx.icon("check", size=16), t("licences.apply"))),
                      size="3", width="100%", on_click=BulkState.apply, aria_busy=rx.cond(BulkState.working, "true",
                                                                                           "false"),
                      disabled=(BulkState.ready == 0) | (BulkState.problems > 0) | BulkState.working),
            spacing="3", width="100%", margin_top="12px"),
        rx.dialog.close(rx.button(t("action.cancel"), variant="soft", color_scheme="gray", margin_top="12px")),
        max_width="640px",
    ), open=BulkState.opened, on_open_change=BulkState.close)


def _purchase_dialog() -> rx.Component:
    quote = PurchaseState.quote
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title(t("licences.buy")),
        rx.dialog.description(t("licences.buy_help"), size="2", color_scheme="gray"),
        rx.form(rx.vstack(
            _pool_select(PurchaseState.pool, PurchaseState.set_pool, "buy-pool"),
            rx.box(
                rx.el.label(t("licences.quantity"), html_for="buy-quantity", class_name="field-label"),
                rx.input(id="buy-quantity", name="quantity", type="number", min="1", max="1000", size="3",
                         value=PurchaseState.quantity, on_change=PurchaseState.set_quantity.debounce(250),
                         input_mode="numeric", aria_describedby="buy-quantity-error",
                         aria_invalid=rx.cond(PurchaseState.quantity_error != "", "true", "false")),
                field_error(PurchaseState.quantity_error, "buy-quantity"),
                class_name="field"),
            rx.cond(quote.contains("total"),  # pyright: ignore[reportAttributeAccessIssue] (a dict Var)
                    rx.card(rx.vstack(
                        rx.text(t_fmt("licences.quote", quantity=quote["quantity"], unit=quote["unit_price"],
                                      period=quote["period"]), size="2"),
                        rx.text(t_fmt("licences.quote_total", total=rx.text.strong(quote["total"]), tax=quote["tax"]),
                                size="3", id="buy-total"),
                        spacing="1"), variant="surface", size="1")),
            busy_button(rx.icon("shopping-cart", size=16), t("licences.prepare"), busy=PurchaseState.working,
                        busy_key="busy.preparing_order", type="submit", size="3", width="100%"),
            form_alert(PurchaseState.error),
            spacing="3", width="100%", margin_top="12px"), on_submit=PurchaseState.submit),
        rx.dialog.close(rx.button(t("action.cancel"), variant="soft", color_scheme="gray", margin_top="12px")),
        max_width="520px",
    ), open=PurchaseState.opened, on_open_change=PurchaseState.close)


def _unassign_dialog() -> rx.Component:
    return confirm_dialog(t_fmt("licences.unassign_title", email=LicencesState.confirming_email),
                          t("licences.unassign_body"), confirm=t("licences.unassign_confirm"),
                          busy=LicencesState.working == "unassign", on_confirm=LicencesState.unassign,
                          open=LicencesState.confirming != "", on_open_change=LicencesState.close_confirm)


def _reassign_dialog() -> rx.Component:
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title(t_fmt("licences.reassign_title", email=LicencesState.reassigning_email)),
        rx.dialog.description(t("licences.unassign_body"), size="2", color_scheme="gray"),
        rx.form(rx.vstack(
            rx.box(
                rx.el.label(t("licences.reassign_to"), html_for="reassign-email", class_name="field-label"),
                rx.input(id="reassign-email", name="email", type="email", size="3", width="100%",
                         auto_complete="off", aria_describedby="reassign-email-error",
                         aria_invalid=rx.cond(LicencesState.reassign_error != "", "true", "false")),
                field_error(LicencesState.reassign_error, "reassign-email"),
                class_name="field", width="100%"),
            busy_button(t("licences.reassign_confirm"), busy=LicencesState.working == "reassign",
                        busy_key="busy.sending", type="submit", size="3", width="100%"),
            spacing="3", width="100%", margin_top="12px"),
            on_submit=LicencesState.reassign),
        rx.dialog.close(rx.button(t("action.cancel"), variant="soft", color_scheme="gray", margin_top="12px")),
        max_width="460px",
    ), open=LicencesState.reassigning != "", on_open_change=LicencesState.close_reassign)


HOLDER_COLUMNS = ["col.holder", "col.email", "col.product", "col.status", "col.assigned_on", "col.last_activity",
                  "licences.actions"]


def licences_page() -> rx.Component:
    """/admin/licences."""
    return admin_frame(
        "licences",
        rx.cond(LicencesState.notice != "", callout(LicencesState.notice, "green", "circle-check", role="status",
                                                     id="licences-notice")),
        rx.cond(LicencesState.error != "", callout(LicencesState.error, "red", "circle-alert", role="alert")),
        rx.flex(
            rx.heading(t("licences.summary"), as_="h2", size="4"),
            rx.cond((LicencesState.can_manage | LicencesState.can_buy) &
                    (LicencesState.pools.length() > 0),  # pyright: ignore[reportAttributeAccessIssue]
                    rx.flex(
                        rx.cond(LicencesState.can_manage, rx.fragment(
                            rx.button(rx.icon("user-plus", size=16), t("licences.assign"), on_click=AssignState.open),
                            rx.button(rx.icon("file-up", size=16), t("licences.import"), variant="soft",
                                      on_click=BulkState.open))),
                        rx.cond(LicencesState.can_buy,
                                rx.button(rx.icon("shopping-cart", size=16), t("licences.buy"), variant="soft",
                                          on_click=PurchaseState.open)),
                        rx.cond(LicencesState.can_manage,
                                busy_button(rx.icon("file-down", size=16), t("licences.export"),
                                            busy=BulkState.working, busy_key="action.preparing", variant="soft",
                                            color_scheme="gray", on_click=BulkState.export)),
                        spacing="2", wrap="wrap")),
            justify="between", align="center", wrap="wrap", spacing="3", width="100%"),
        rx.cond(LicencesState.loaded & ~LicencesState.can_manage, callout(t("licences.read_only"), "gray", "eye")),
        rx.cond(~LicencesState.loaded, rx.fragment(), rx.cond(
            LicencesState.pools.length() > 0,  # pyright: ignore[reportAttributeAccessIssue] (a list Var)
            rx.grid(rx.foreach(LicencesState.pools, _pool), columns=rx.breakpoints(initial="1", sm="2", md="3"),
                    spacing="3", width="100%"),
            callout(t("licences.empty_pools"), "gray", "inbox"))),
        rx.heading(t("licences.holders"), as_="h2", size="4", margin_top="8px"),
        _filters(),
        _table(HOLDER_COLUMNS, LicencesState.holders,
               lambda r: [rx.table.row_header_cell(rx.cond(r["name"].to(str) != "", r["name"], "—")),
                          rx.table.cell(r["email"]), rx.table.cell(r["product"]),
                          rx.table.cell(status_badge(r["status_label"], r["status_tone"])),
                          rx.table.cell(r["assigned_on"]), rx.table.cell(r["last_activity"]),
                          rx.table.cell(_actions(r))],
               rx.cond(LicencesState.filtered, t("licences.none_match"), t("licences.holders_empty")),
               "licences.holders", LicencesState.loaded),
        rx.cond(LicencesState.loaded & (LicencesState.total > 0), _pager()),
        _assign_dialog(), _import_dialog(), _purchase_dialog(), _unassign_dialog(), _reassign_dialog(),
    )


def licence_link_page() -> rx.Component:
    """The invitation's link: what it gives, then "Activer ma licence" (signed in) or sign in /
    create an account, coming back here."""
    return accept_link_page(
        LicenceLinkState, icon="badge-check", title_key="licence.title",
        body=rx.fragment(
            rx.text(t_fmt("licence.body", company=rx.text.strong(LicenceLinkState.company),
                          product=rx.text.strong(LicenceLinkState.product), email=LicenceLinkState.email)),
            rx.text(t("licence.any_account"), size="2", color_scheme="gray")),
        accept=busy_button(t("licence.activate"), busy=LicenceLinkState.working, busy_key="busy.activating",
                           size="3", width="100%", on_click=LicenceLinkState.activate),
        done=rx.callout.root(rx.callout.text(t_fmt("licence.done", product=LicenceLinkState.product,
                                                   company=LicenceLinkState.company)),
                             color_scheme="green", role="status", id="licence-done"))
