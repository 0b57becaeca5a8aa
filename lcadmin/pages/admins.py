"""/admin/admins, "Administrateurs": who acts for the company (role, contracts, end date, added
on, last sign-in, status), inviting, changing and removing; the permission matrix; and
/invitation/[secret], the page behind an invitation's link."""

from __future__ import annotations

import reflex as rx

from lcadmin import paths
from lcadmin.components.forms import (
    busy_button,
    callout,
    confirm_dialog,
    field_error,
    form_alert,
    labelled_checkbox,
    link_button,
)
from lcadmin.components.i18n import t, t_fmt
from lcadmin.components.invitation import accept_link_page
from lcadmin.domain.permissions import ROLES
from lcadmin.pages.admin import _table, admin_frame, status_badge
from lcadmin.pages.security import two_factor_policy_card
from lcadmin.states.admins import AccessFormState, AdminsState, InvitationLinkState

COLUMNS = ["admins.col.person", "col.role", "admins.col.added", "admins.col.last_sign_in", "col.status",
           "admins.col.actions"]
_TONES = {"active": "success", "invited": "info", "link_expired": "warning", "ended": "neutral"}


def _actions(row: rx.Var) -> rx.Component:
    key, who = row["key"].to(str), " " + row["email"].to(str)
    invited = key.startswith("i")  # pyright: ignore[reportAttributeAccessIssue] (a string Var)
    busy = lambda action: AdminsState.working == key + ":" + action
    return rx.cond(row["can_edit"].to(bool), rx.flex(
        rx.cond(invited, rx.fragment(
            busy_button(t("admins.resend"), busy=busy("resend"), busy_key="busy.sending", size="1", variant="soft",
                        on_click=AdminsState.resend(key), aria_label=t("admins.resend").to(str) + who),
            busy_button(t("admins.revoke"), busy=busy("revoke"), busy_key="busy.saving", size="1", variant="soft",
                        color_scheme="gray", on_click=AdminsState.revoke(key),
                        aria_label=t("admins.revoke").to(str) + who)),
            rx.fragment(
                rx.button(t("admins.edit"), size="1", variant="soft", on_click=AccessFormState.open_edit(key),
                          aria_label=t("admins.edit").to(str) + who),
                rx.button(t("admins.remove"), size="1", variant="soft", color_scheme="red",
                          on_click=AdminsState.ask_remove(key), aria_label=t("admins.remove").to(str) + who))),
        spacing="2", wrap="wrap"))


def _cells(row: rx.Var) -> list[rx.Component]:
    tone = rx.match(row["status"].to(str), *[(status, tone) for status, tone in _TONES.items()], "info")
    return [
        rx.table.row_header_cell(rx.vstack(
            rx.hstack(rx.text(rx.cond(row["name"].to(str) != "", row["name"].to(str), row["email"].to(str)),
                              weight="medium"),
                      rx.cond(row["is_self"].to(bool), rx.badge(t("admins.you"), variant="outline")),
                      spacing="2", align="center"),
            rx.cond(row["name"].to(str) != "", rx.text(row["email"].to(str), size="1", color_scheme="gray")),
            spacing="0", align="start")),
        rx.table.cell(rx.vstack(
            rx.text(row["role_label"].to(str)),
            rx.text(row["scope"].to(str), size="1", color_scheme="gray"),
            rx.cond(row["until"].to(str) != "", rx.text(t_fmt("admins.until_day", date=row["until"].to(str)),
                                                        size="1", color_scheme="amber")),
            spacing="0", align="start")),
        rx.table.cell(row["added_on"].to(str)),
        rx.table.cell(rx.cond(row["last_sign_in"].to(str) != "", row["last_sign_in"].to(str), "—")),
        rx.table.cell(status_badge(row["status_label"], tone)),
        rx.table.cell(_actions(row)),
    ]


def _matrix() -> rx.Component:
    """The permission matrix: what each role may do (from lcadmin.domain.permissions)."""
    mark = lambda value: rx.cond(
        value == "yes",
        rx.hstack(rx.icon("check", size=16, color=rx.color("green", 11), aria_hidden="true"),
                  rx.text(t("admins.matrix.yes"), class_name="sr-only")),
        rx.hstack(rx.icon("minus", size=16, color=rx.color("gray", 9), aria_hidden="true"),
                  rx.text(t("admins.matrix.no"), class_name="sr-only")))
    headers = ["admins.matrix.permission", *[f"role.{role.value}" for role in ROLES]]
    # A plain table (Radix's wraps itself in a scroll area, which must then take the focus): its
    # role headers wrap, so it fits the page; on a phone each right becomes a card.
    return rx.box(
        rx.heading(t("admins.matrix.title"), as_="h2", size="4", margin_top="24px"),
        rx.text(t("admins.matrix.lead"), size="2", color_scheme="gray"),
        rx.box(rx.el.table(
            rx.el.caption(t("admins.matrix.title"), class_name="sr-only"),
            rx.el.thead(rx.el.tr(*[rx.el.th(t(h), scope="col") for h in headers])),
            rx.el.tbody(rx.foreach(AdminsState.matrix, lambda row: rx.el.tr(
                rx.el.th(row["label"], scope="row"),
                *[rx.el.td(mark(row[role.value]), custom_attrs={"data-label": t(f"role.{role.value}")})
                  for role in ROLES]))),
            class_name="matrix-table"), class_name="responsive-table role-matrix", id="role-matrix"),
        width="100%",
    )


def _scope_fields() -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(t("admins.col.scope"), class_name="field-label"),
        labelled_checkbox(t("admins.scope_all"), checked=AccessFormState.everything,
                          on_change=AccessFormState.set_everything, checkbox_id="scope-all"),
        rx.cond(~AccessFormState.everything, rx.vstack(
            rx.foreach(AdminsState.contracts, lambda contract: labelled_checkbox(
                contract["label"],
                checked=AccessFormState.chosen.contains(contract["key"]),  # pyright: ignore[reportAttributeAccessIssue]
                on_change=lambda value: AccessFormState.toggle_contract(contract["key"], value),
                checkbox_id="scope-" + contract["key"].to(str))),
            spacing="1", padding_left="24px")),
        rx.text(t("admins.scope_hint"), size="1", color_scheme="gray"),
        field_error(AccessFormState.scope_error, "scope"),
        class_name="field plain-fieldset",
    )


def _access_dialog() -> rx.Component:
    inviting = AccessFormState.editing == ""
    form = rx.form(rx.vstack(
        rx.cond(inviting, rx.box(
            rx.el.label(t("admins.email"), html_for="admin-email", class_name="field-label"),
            rx.input(id="admin-email", name="email", type="email", value=AccessFormState.email,
                     on_change=AccessFormState.set_email, auto_complete="off", size="3", width="100%",
                     aria_invalid=rx.cond(AccessFormState.email_error != "", "true", "false"),
                     aria_describedby="email-error"),
            rx.text(t("admins.email_hint"), size="1", color_scheme="gray"),
            field_error(AccessFormState.email_error, "email"),
            class_name="field", width="100%")),
        rx.box(
            rx.el.label(t("col.role"), html_for="admin-role", class_name="field-label"),
            rx.select.root(rx.select.trigger(id="admin-role", width="100%"), rx.select.content(
                rx.foreach(AdminsState.roles, lambda role: rx.select.item(role["label"], value=role["key"]))),
                value=AccessFormState.role, on_change=AccessFormState.set_role),
            field_error(AccessFormState.role_error, "role"),
            class_name="field", width="100%"),
        rx.cond((AccessFormState.role == "billing_admin") | (AccessFormState.role == "billing_reader"),
                _scope_fields()),
        rx.box(
            rx.el.label(t("admins.until"), html_for="admin-until", class_name="field-label"),
            rx.input(id="admin-until", type="date", value=AccessFormState.until, on_change=AccessFormState.set_until,
                     size="3", aria_describedby="until-hint until-error",
                     aria_invalid=rx.cond(AccessFormState.until_error != "", "true", "false")),
            rx.text(t("admins.until_hint"), size="1", color_scheme="gray", id="until-hint"),
            field_error(AccessFormState.until_error, "until"),
            class_name="field", width="100%"),
        rx.cond(inviting, rx.box(
            rx.el.label(t("licences.language"), html_for="admin-locale", class_name="field-label"),
            rx.select.root(rx.select.trigger(id="admin-locale"), rx.select.content(
                rx.select.item("Français", value="fr"), rx.select.item("English", value="en")),
                value=AccessFormState.locale, on_change=AccessFormState.set_locale),
            class_name="field")),
        busy_button(rx.cond(inviting, rx.icon("send", size=16), rx.icon("save", size=16)),
                    rx.cond(inviting, t("admins.send"), t("admins.save")), busy=AccessFormState.sending,
                    busy_key="busy.saving", type="submit", size="3", width="100%"),
        form_alert(AccessFormState.error),
        spacing="3", width="100%",
    ), on_submit=AccessFormState.submit)
    return rx.dialog.root(rx.dialog.content(
        rx.dialog.title(rx.cond(inviting, t("admins.invite"),
                                t_fmt("admins.edit_title", email=AccessFormState.editing_email))),
        rx.dialog.description(t("admins.invite_lead"), size="2", color_scheme="gray", margin_bottom="12px"),
        form,
        rx.dialog.close(rx.button(t("action.cancel"), variant="soft", color_scheme="gray", margin_top="12px")),
        max_width="560px",
    ), open=AccessFormState.opened, on_open_change=AccessFormState.close)


def _remove_dialog() -> rx.Component:
    return confirm_dialog(t_fmt("admins.remove_title", email=AdminsState.confirming_email), t("admins.remove_body"),
                          confirm=t("admins.remove_confirm"), busy=AdminsState.working == "remove",
                          on_confirm=AdminsState.remove, open=AdminsState.confirming != "",
                          on_open_change=AdminsState.close_confirm)


def admins_page() -> rx.Component:
    """/admin/admins."""
    return admin_frame(
        "admins",
        rx.flex(
            rx.text(t("admins.lead"), size="2", color_scheme="gray", max_width="640px"),
            rx.button(rx.icon("user-plus", size=16), t("admins.invite"), on_click=AccessFormState.open_invite,
                      id="invite-admin"),
            justify="between", align="center", wrap="wrap", spacing="3", width="100%"),
        rx.cond(AdminsState.notice != "", callout(AdminsState.notice, "green", "circle-check", role="status",
                                                  id="admins-notice")),
        form_alert(AdminsState.error),
        _table(COLUMNS, AdminsState.admins, _cells, "admins.empty", "admin.nav.admins", AdminsState.loaded),
        two_factor_policy_card(),
        _matrix(),
        _access_dialog(),
        _remove_dialog(),
    )


def invitation_page() -> rx.Component:
    """The invitation's link: what it gives, then "Accepter l'invitation" (signed in) or sign in /
    create an account, coming back here."""
    return accept_link_page(
        InvitationLinkState, icon="shield-check", title_key="invitation.title",
        body=rx.fragment(
            rx.text(t_fmt("invitation.body", inviter=rx.text.strong(InvitationLinkState.inviter),
                          company=rx.text.strong(InvitationLinkState.company),
                          role=rx.text.strong(InvitationLinkState.role), email=InvitationLinkState.email)),
            rx.text(t("invitation.any_account"), size="2", color_scheme="gray")),
        accept=rx.vstack(
            busy_button(t("invitation.accept"), busy=InvitationLinkState.working, busy_key="busy.activating",
                        size="3", width="100%", on_click=InvitationLinkState.accept),
            form_alert(InvitationLinkState.problem), spacing="2", width="100%"),
        done=rx.vstack(
            rx.callout.root(rx.callout.text(t_fmt("invitation.done", role=InvitationLinkState.role,
                                                  company=InvitationLinkState.company)),
                            color_scheme="green", role="status", id="invitation-done"),
            link_button(t("invitation.open"), href=paths.ADMIN, size="3"), spacing="3", width="100%"))
