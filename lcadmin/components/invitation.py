"""The page behind an invitation's link (a licence, an admin role): opened without being used,
accepted by a signed-in account of any address."""

from __future__ import annotations

import reflex as rx

from lcadmin import paths
from lcadmin.components.forms import card, link_button
from lcadmin.components.i18n import t, t_fmt
from lcadmin.components.layout import page_frame
from lcadmin.states.shell import ShellState


def accept_link_page(state, *, icon: str, title_key: str, body: rx.Component, accept: rx.Component,
                     done: rx.Component) -> rx.Component:
    """The page behind an invitation's link (a licence, an admin role): what it gives and, for a
    signed-in person, the button that accepts it (``accept``), otherwise a way to sign in or
    create an account that comes back here (``state.back_here``); then ``done``, or why the link
    no longer works. ``state`` has the vars ``state`` (loading, valid, done, or a problem) and
    ``back_here`` and ``problem``."""
    back = "?" + paths.NEXT + "=" + state.back_here
    valid = rx.vstack(
        rx.box(rx.icon(icon, size=28, aria_hidden="true"), class_name="outcome-icon"),
        rx.heading(t(title_key), as_="h1", size="6"),
        body,
        rx.cond(
            ShellState.user_name != "",
            rx.vstack(rx.text(t_fmt("licence.signed_in_as", name=rx.text.strong(ShellState.user_name)), size="2"),
                      accept, spacing="2", width="100%"),
            rx.flex(link_button(t("licence.sign_in"), href=paths.SIGN_IN + back, size="3"),
                    link_button(t("licence.sign_up"), href=paths.SIGN_UP + back, size="3", variant="soft"),
                    spacing="3", wrap="wrap"),
        ),
        spacing="3", width="100%",
    )
    finished = rx.vstack(
        rx.box(rx.icon("circle-check", size=28, aria_hidden="true"), class_name="outcome-icon"),
        rx.heading(t(title_key), as_="h1", size="6"), done, spacing="3", width="100%")
    invalid = rx.vstack(
        rx.box(rx.icon("link-2-off", size=28, aria_hidden="true"), class_name="outcome-icon"),
        rx.heading(t("link.title"), as_="h1", size="6"),
        rx.text(state.problem, role="alert"),
        spacing="3", width="100%",
    )
    return page_frame(rx.center(card(rx.match(
        state.state,
        ("loading", rx.center(rx.spinner(size="3"), width="100%")),
        ("valid", valid),
        ("done", finished),
        invalid,
    )), class_name="flow"))
