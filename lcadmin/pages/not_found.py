"""Any address the app does not know: a page of its own, in the visitor's language, with a way
home and a way in (or back to the Admin Center when signed in)."""

from __future__ import annotations

import reflex as rx

from lcadmin import paths
from lcadmin.components.forms import card, link_button
from lcadmin.components.i18n import t
from lcadmin.components.layout import page_frame
from lcadmin.states.shell import ShellState


def not_found_page() -> rx.Component:
    """The 404 page."""
    return page_frame(rx.center(card(rx.vstack(
        rx.box(rx.icon("map-pin-off", size=28, aria_hidden="true"), class_name="outcome-icon"),
        rx.text("404", size="2", color_scheme="gray", weight="medium"),
        rx.heading(t("notfound.title"), as_="h1", size="6"),
        rx.text(t("notfound.body")),
        rx.flex(
            link_button(rx.icon("house", size=16, aria_hidden="true"), t("notfound.home"), href=paths.HOME,
                        size="3", variant="soft"),
            rx.cond(ShellState.user_name != "",
                    link_button(t("app.name"), href=paths.ADMIN, size="3"),
                    link_button(t("signin.submit"), href=paths.SIGN_IN, size="3")),
            spacing="3", wrap="wrap",
        ),
        spacing="3", width="100%",
    )), class_name="flow"))
