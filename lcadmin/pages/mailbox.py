"""``/dev/mailbox``: the outbox, in dev and demo only (not registered in prod)."""

from __future__ import annotations

import reflex as rx

from lcadmin.components.i18n import t
from lcadmin.components.layout import page_frame
from lcadmin.states.mailbox import MailboxState


def _message(message: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(rx.text(message["subject"], weight="bold"), rx.badge(message["status"]), justify="between",
                    width="100%", spacing="2", wrap="wrap"),
            rx.text(message["to"], " · ", message["created"], size="1", color_scheme="gray"),
            rx.el.iframe(src_doc=message["html"], title=message["subject"], class_name="mail-preview",
                         sandbox="allow-popups allow-popups-to-escape-sandbox"),
            rx.el.details(rx.el.summary("text/plain"), rx.el.pre(message["text"], class_name="mail-text")),
            spacing="2", width="100%",
        ),
        width="100%",
    )


def mailbox_page() -> rx.Component:
    """Every outgoing e-mail, newest first, rendered as the recipient sees it."""
    return page_frame(
        rx.heading(t("mailbox.title"), as_="h1", size="6"),
        rx.text(t("mailbox.intro"), color_scheme="gray"),
        rx.cond(MailboxState.messages.length() > 0,  # pyright: ignore[reportAttributeAccessIssue] (a list Var)
                rx.vstack(rx.foreach(MailboxState.messages, _message), spacing="3", width="100%", margin_top="16px"),
                rx.text(t("mailbox.empty"), margin_top="16px")),
    )
