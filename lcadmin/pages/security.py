"""/admin/security, "Sécurité du compte": the signed-in person's two-step verification and active
sessions (for anyone signed in, with or without a company); and the card of the company's policy
"two-step verification required" that the "Administrateurs" page shows."""

from __future__ import annotations

import reflex as rx

from lcadmin import paths
from lcadmin.components.forms import busy_button, callout, field_error, form_alert
from lcadmin.components.i18n import t, t_fmt
from lcadmin.components.layout import page_frame
from lcadmin.pages.admin import _table, idle_warning, skeleton_rows
from lcadmin.states.auth import CODE_FIELD, MAX_CODE
from lcadmin.states.security import RECOVERY_FILE, SecurityState, TwoFactorPolicyState
from lcadmin.states.shell import ShellState

SESSION_COLUMNS = ["security.sessions.col.device", "security.sessions.col.ip", "security.sessions.col.started",
                   "security.sessions.col.last_active", "security.sessions.col.action"]


def code_input(input_id: str, error: rx.Var, *, label_key: str = "security.code.label",
               hint_key: str = "security.code.hint", numeric: bool = False) -> rx.Component:
    """A labelled two-step code field, its error next to it. Uncontrolled: the code leaves the
    browser with its form only (under :data:`CODE_FIELD`), never as a var."""
    return rx.box(
        rx.el.label(t(label_key), html_for=input_id, class_name="field-label"),
        rx.input(id=input_id, name=CODE_FIELD, size="3", auto_complete="one-time-code", max_length=MAX_CODE,
                 input_mode="numeric" if numeric else "text", spell_check=False, auto_capitalize="off",
                 aria_invalid=rx.cond(error != "", "true", "false"),
                 aria_describedby=f"{input_id}-error {input_id}-hint", class_name="code-input", width="100%"),
        field_error(error, input_id),
        rx.text(t(hint_key), size="1", color_scheme="gray", class_name="field-hint", id=f"{input_id}-hint"),
        class_name="field",
    )


def _text(number) -> rx.Var:
    """A number var as text, for a sentence."""
    return rx.Var.create(number).to_string()


def _notice() -> rx.Component:
    message = rx.match(SecurityState.notice,
                       ("enabled", t("security.notice.enabled")), ("disabled", t("security.notice.disabled")),
                       ("regenerated", t("security.notice.regenerated")),
                       ("ended_others", t("security.notice.ended_others")),
                       ("ended_one", t("security.notice.ended_one")), t("security.notice.enabled"))
    return rx.cond(SecurityState.notice != "",
                   callout(message, "green", "circle-check", role="status", id="security-notice"))


def _status_badge() -> rx.Component:
    return rx.cond(SecurityState.enabled,
                   rx.badge(rx.icon("check", size=12, aria_hidden="true"), t("security.status.on"),
                            color_scheme="green", variant="soft", id="two-factor-status"),
                   rx.badge(t("security.status.off"), color_scheme="gray", variant="soft", id="two-factor-status"))


def _off_panel() -> rx.Component:
    return rx.vstack(
        rx.text(t("security.off.intro"), size="2"),
        busy_button(rx.icon("shield-plus", size=16, aria_hidden="true"), t("security.enrol.start"),
                    busy=SecurityState.working, busy_key="action.preparing", on_click=SecurityState.start_enrolment,
                    class_name="wrapping-button"),
        spacing="3", align="start", width="100%",
    )


def _step(number: str, *children: rx.Component) -> rx.Component:
    return rx.el.li(rx.flex(rx.box(number, class_name="step-number", aria_hidden="true"),
                            rx.vstack(*children, spacing="2", width="100%"), spacing="3", width="100%"),
                    class_name="enrol-step")


def _enrol_panel() -> rx.Component:
    """Scan (or type the key), then the first code."""
    return rx.el.ol(
        _step("1",
              rx.text(t("security.enrol.scan"), size="2"),
              rx.flex(
                  # Filled by assets/reveal.js from the handler's script: no React child, no src prop.
                  rx.el.img(alt=t("security.enrol.qr_alt"), width="176", height="176", class_name="qr-code",
                            id="enrol-qr"),
                  rx.vstack(
                      rx.text(t("security.enrol.manual"), size="2", color_scheme="gray"),
                      rx.el.code(class_name="rt-reset rt-Code rt-r-size-3 rt-variant-soft setup-key", id="setup-key"),
                      rx.button(rx.icon("copy", size=14, aria_hidden="true"), t("security.enrol.copy_key"),
                                type="button", size="1", variant="soft", color_scheme="gray",
                                on_click=rx.call_script("window.lcadminCopy('setup-key')")),
                      spacing="2", align="start"),
                  spacing="4", align="center", wrap="wrap")),
        _step("2",
              rx.text(t("security.enrol.confirm_intro"), size="2"),
              rx.form(
                  rx.vstack(
                      code_input("enrol-code", SecurityState.code_error, hint_key="security.enrol.code_hint",
                                 numeric=True),
                      rx.flex(
                          busy_button(t("security.enrol.confirm"), busy=SecurityState.working,
                                      busy_key="busy.checking", type="submit"),
                          rx.button(t("action.cancel"), type="button", variant="soft", color_scheme="gray",
                                    on_click=SecurityState.cancel_enrolment),
                          spacing="3", wrap="wrap"),
                      spacing="3", width="100%", max_width="360px"),
                  on_submit=SecurityState.confirm_enrolment, reset_on_submit=False)),
        class_name="enrol-steps",
    )


def _recovery_panel() -> rx.Component:
    """The codes just made, shown once, with ways to keep them."""
    return rx.vstack(
        rx.heading(t("security.recovery.title"), as_="h3", size="3"),
        rx.text(t("security.recovery.intro"), size="2"),
        # Filled by assets/reveal.js (the codes are never in a var); its file's words ride along.
        rx.el.ul(class_name="recovery-codes", id="recovery-codes", aria_label=t("security.recovery.title"),
                 custom_attrs={"data-title": t("security.recovery.file_title"),
                               "data-note": t("security.recovery.file_note")}),
        rx.flex(
            rx.button(rx.icon("download", size=14, aria_hidden="true"), t("security.recovery.download"), type="button",
                      variant="soft",
                      on_click=rx.call_script(f"window.lcadminDownloadCodes('recovery-codes', '{RECOVERY_FILE}')")),
            rx.button(rx.icon("copy", size=14, aria_hidden="true"), t("security.recovery.copy"), type="button",
                      variant="soft", on_click=rx.call_script("window.lcadminCopy('recovery-codes')")),
            rx.button(t("security.recovery.done"), type="button", on_click=SecurityState.done_with_codes),
            spacing="3", wrap="wrap"),
        spacing="3", width="100%", align="start",
    )


def _confirm_form() -> rx.Component:
    """The code asked before turning it off or renewing the codes."""
    disabling = SecurityState.confirming == "disable"
    return rx.form(
        rx.vstack(
            rx.text(rx.cond(disabling, t("security.disable.intro"), t("security.regenerate.intro")), size="2"),
            code_input("manage-code", SecurityState.code_error),
            rx.flex(
                busy_button(rx.cond(disabling, t("security.disable.confirm"), t("security.regenerate.confirm")),
                            busy=SecurityState.working, busy_key="busy.checking", type="submit",
                            color_scheme=rx.cond(disabling, "red", "indigo"), class_name="wrapping-button"),
                rx.button(t("action.cancel"), type="button", variant="soft", color_scheme="gray",
                          on_click=SecurityState.close_confirm),
                spacing="3", wrap="wrap"),
            spacing="3", width="100%", max_width="420px"),
        on_submit=SecurityState.confirm, reset_on_submit=False,
    )


def _on_panel() -> rx.Component:
    return rx.vstack(
        rx.text(t_fmt("security.on.since", date=SecurityState.enabled_on), size="2"),
        rx.text(t_fmt("security.on.recovery_left", count=rx.text.strong(_text(SecurityState.recovery_left))),
                size="2", id="recovery-left"),
        rx.cond(SecurityState.recovery_left <= 3,
                callout(t("security.on.recovery_low"), "amber", "triangle-alert")),
        rx.cond(SecurityState.confirming != "", _confirm_form(), rx.flex(
            rx.button(rx.icon("refresh-cw", size=14, aria_hidden="true"), t("security.regenerate.start"),
                      variant="soft", on_click=SecurityState.ask("regenerate"), class_name="wrapping-button"),
            rx.button(t("security.disable.start"), variant="soft", color_scheme="red",
                      on_click=SecurityState.ask("disable")),
            spacing="3", wrap="wrap")),
        spacing="3", width="100%", align="start",
    )


def _two_factor_card() -> rx.Component:
    return rx.card(rx.vstack(
        rx.flex(
            rx.hstack(rx.icon("smartphone", size=18, aria_hidden="true"),
                      rx.heading(t("security.two_factor.title"), as_="h2", size="4"), spacing="2", align="center"),
            rx.cond(SecurityState.loaded, _status_badge()),
            justify="between", align="center", wrap="wrap", spacing="2", width="100%"),
        rx.text(t("security.two_factor.intro"), size="2", color_scheme="gray"),
        rx.cond(SecurityState.error != "", callout(SecurityState.error, "red", "circle-alert", role="alert")),
        rx.cond(~SecurityState.loaded, skeleton_rows(2), rx.cond(
            SecurityState.codes_shown,
            _recovery_panel(),
            rx.cond(SecurityState.enabled, _on_panel(),
                    rx.cond(SecurityState.enrolling, _enrol_panel(), _off_panel())))),
        spacing="4", width="100%",
    ), size="3", width="100%", id="two-factor-card")


def _session_cells(row: rx.Var) -> list[rx.Component]:
    browser = rx.cond(row["browser"] != "", row["browser"], t("security.sessions.unknown_browser"))
    system = rx.cond(row["system"] != "", row["system"], t("security.sessions.unknown_system"))
    device = rx.text(browser, " · ", system)
    current = row["current"] != ""
    return [
        rx.table.cell(rx.flex(device, rx.cond(current, rx.badge(t("security.sessions.this"), color_scheme="green",
                                                                 variant="soft")),
                              spacing="2", align="center", wrap="wrap")),
        rx.table.cell(rx.cond(row["ip"] != "", row["ip"], "—")),
        rx.table.cell(row["started"]),
        rx.table.cell(row["last_active"]),
        rx.table.cell(rx.cond(current, rx.fragment(), busy_button(
            t("security.sessions.end_one"), busy=SecurityState.ending == row["key"], busy_key="busy.signing_out",
            size="1", variant="soft", color_scheme="gray", on_click=SecurityState.end_session(row["key"]),
            aria_label=t("security.sessions.end_one").to(str) + " (" + browser.to(str) + " · " + system.to(str)
            + ")"))),
    ]


def _end_others_button() -> rx.Component:
    """"Se déconnecter partout ailleurs": disabled while it works, and when there is no other session."""
    busy = SecurityState.ending == "others"
    alone = SecurityState.sessions.length() <= 1  # pyright: ignore[reportAttributeAccessIssue] (a list Var)
    return rx.button(
        rx.cond(busy, rx.fragment(rx.spinner(size="2"), t("busy.signing_out")),
                rx.fragment(rx.icon("log-out", size=14, aria_hidden="true"), t("security.sessions.end_others"))),
        disabled=busy | alone, aria_busy=rx.cond(busy, "true", "false"), variant="soft", color_scheme="red",
        on_click=SecurityState.end_others, id="end-other-sessions", class_name="wrapping-button",
    )


def _sessions_card() -> rx.Component:
    return rx.card(rx.vstack(
        rx.flex(
            rx.hstack(rx.icon("monitor-smartphone", size=18, aria_hidden="true"),
                      rx.heading(t("security.sessions.title"), as_="h2", size="4"), spacing="2", align="center"),
            _end_others_button(),
            justify="between", align="center", wrap="wrap", spacing="3", width="100%"),
        rx.text(t("security.sessions.intro"), size="2", color_scheme="gray"),
        form_alert(SecurityState.sessions_error),
        rx.box(_table(SESSION_COLUMNS, SecurityState.sessions, _session_cells, "security.sessions.empty",
                      "security.sessions.title", SecurityState.loaded), width="100%"),
        spacing="4", width="100%",
    ), size="3", width="100%", id="sessions-card")


def security_page() -> rx.Component:
    """/admin/security."""
    return page_frame(
        idle_warning(),
        rx.vstack(
            rx.vstack(
                rx.cond(ShellState.company_name != "",
                        rx.link(rx.icon("arrow-left", size=14, aria_hidden="true"), t("security.back"),
                                href=paths.ADMIN, size="2", class_name="icon-link")),
                rx.heading(t("security.title"), as_="h1", size="7", tab_index=-1),
                rx.text(t("security.intro"), size="2", color_scheme="gray"),
                spacing="2", width="100%",
            ),
            _notice(),
            rx.cond(SecurityState.loaded & (SecurityState.required_by != "") & ~SecurityState.enabled,
                    callout(t_fmt("security.required", companies=rx.text.strong(SecurityState.required_by)), "amber",
                            "shield-alert", id="two-factor-required")),
            _two_factor_card(),
            _sessions_card(),
            spacing="5", width="100%", class_name="security-page",
        ),
    )


def two_factor_policy_card() -> rx.Component:
    """The company's policy "two-step verification required for its admins", for the
    "Administrateurs" page (whose ``on_load`` runs :meth:`TwoFactorPolicyState.load`). Shown
    once loaded: only to whoever may manage the company's admins."""
    blocked = ~TwoFactorPolicyState.caller_enrolled & ~TwoFactorPolicyState.required
    return rx.cond(TwoFactorPolicyState.loaded, rx.card(rx.vstack(
        rx.hstack(rx.icon("shield-check", size=18, aria_hidden="true"),
                  rx.heading(t("security.policy.title"), as_="h2", size="4"), spacing="2", align="center"),
        rx.text(t_fmt("security.policy.intro", company=TwoFactorPolicyState.company), size="2"),
        rx.flex(
            rx.switch(checked=TwoFactorPolicyState.required, on_change=TwoFactorPolicyState.set_required,
                      disabled=TwoFactorPolicyState.saving | blocked, id="two-factor-policy"),
            rx.el.label(rx.text(t("security.policy.switch"), size="2", weight="medium"), html_for="two-factor-policy"),
            spacing="2", align="center"),
        rx.cond(blocked, rx.callout.root(
            rx.callout.icon(rx.icon("info")),
            rx.callout.text(t("security.policy.self_first"), " ",
                            rx.link(t("security.policy.self_first_link"), href=paths.SECURITY, weight="bold")),
            color_scheme="amber", size="1")),
        rx.cond(TwoFactorPolicyState.saved,
                rx.text(rx.cond(TwoFactorPolicyState.required, t("security.policy.saved_on"),
                                t("security.policy.saved_off")),
                        size="2", color_scheme="green", role="status", id="two-factor-policy-saved")),
        form_alert(TwoFactorPolicyState.error),
        spacing="3", width="100%",
    ), size="3", width="100%", id="two-factor-policy-card"))
