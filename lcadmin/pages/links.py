"""``/activate/[secret]``, ``/decision/[secret]``, ``/report/[secret]``: the pages behind the links in
e-mails. Opening one never uses the link; its button does."""

from __future__ import annotations

import reflex as rx

from lcadmin import paths
from lcadmin.components.forms import busy_button, card, link_button
from lcadmin.components.i18n import t, t_fmt
from lcadmin.components.layout import page_frame
from lcadmin.states.links import LinkState


def _invalid(requester: bool) -> rx.Component:
    """Why the link no longer works; the requester may start again, while a contact who already
    answered has nothing left to do (and is not told to ask for access)."""
    after = [rx.text(t("link.restart"), color_scheme="gray", size="2"),
             link_button(t("action.start_again"), href=paths.ACCESS, size="3")] if requester else [
             rx.text(t("link.contact_done"), color_scheme="gray", size="2"),
             link_button(t("notfound.home"), href=paths.HOME, size="3", variant="soft")]
    return rx.vstack(
        rx.box(rx.icon("link-2-off", size=28, aria_hidden="true"), class_name="outcome-icon"),
        rx.heading(t("link.title"), as_="h1", size="6"),
        rx.text(LinkState.problem, role="alert"),
        *after,
        spacing="3", width="100%",
    )


def _frame(valid: rx.Component, done: rx.Component | None = None, *, requester: bool = True) -> rx.Component:
    return page_frame(rx.center(card(rx.match(
        LinkState.state,
        ("loading", rx.center(rx.spinner(size="3"), width="100%")),
        ("valid", valid),
        ("done", done or rx.center(rx.spinner(size="3"), width="100%")),
        _invalid(requester),
    )), class_name="flow"))


def activate_page() -> rx.Component:
    """The activation link: one button, "Activer mon compte"."""
    return _frame(rx.vstack(
        rx.box(rx.icon("badge-check", size=28), class_name="outcome-icon"),
        rx.heading(t("activate.title"), as_="h1", size="6"),
        rx.text(t_fmt("activate.body", company=rx.text.strong(LinkState.company),
                      email=rx.text.strong(LinkState.requester))),
        busy_button(t("activate.button"), busy=LinkState.working, busy_key="busy.activating", size="3", width="100%",
                    on_click=LinkState.activate),
        spacing="3", width="100%",
    ))


def _final(message) -> rx.Component:
    """A contact's answer is recorded: a page of its own, with nothing more to do."""
    return rx.vstack(
        rx.box(rx.icon("circle-check", size=28, aria_hidden="true"), class_name="outcome-icon"),
        rx.heading(t("link.thanks"), as_="h1", size="6"),
        rx.callout.root(rx.callout.text(message), color_scheme="green", role="status"),
        rx.text(t("link.contact_done"), color_scheme="gray", size="2"),
        spacing="3", width="100%",
    )


def decision_page() -> rx.Component:
    """A contact approves or refuses a request from an unknown domain."""
    return _frame(
        rx.vstack(
            rx.heading(t_fmt("decision.title", company=LinkState.company), as_="h1", size="6"),
            rx.text(t_fmt("decision.body", email=rx.text.strong(LinkState.requester), document=LinkState.document)),
            rx.cond(LinkState.purpose == "approve",
                    busy_button(rx.icon("check", size=16), t("decision.approve"), busy=LinkState.working,
                                busy_key="busy.sending", size="3", color_scheme="green", on_click=LinkState.decide),
                    busy_button(rx.icon("x", size=16), t("decision.refuse"), busy=LinkState.working,
                                busy_key="busy.sending", size="3", color_scheme="red", variant="outline",
                                on_click=LinkState.decide)),
            spacing="3", width="100%",
        ),
        _final(rx.cond(LinkState.outcome == "approved", t("decision.approved"), t("decision.refused"))),
        requester=False,
    )


def report_page() -> rx.Component:
    """A contact withdraws an access granted through a proof."""
    return _frame(
        rx.vstack(
            rx.heading(t("report.title"), as_="h1", size="6"),
            rx.text(t_fmt("report.body", email=rx.text.strong(LinkState.requester), company=LinkState.company,
                          document=LinkState.document)),
            busy_button(t("report.button"), busy=LinkState.working, busy_key="busy.sending", size="3",
                        color_scheme="red", on_click=LinkState.report),
            spacing="3", width="100%",
        ),
        _final(t("report.done")),
        requester=False,
    )
