"""The pager under a list: which rows the page shows of how many, and the way to the pages before
and after it. One piece for every paged list of the Admin Center."""

from __future__ import annotations

import reflex as rx

from lcadmin.components.i18n import t, t_fmt
from lcadmin.states.base import PAGE_SIZE


def _text(number) -> rx.Var:
    return rx.Var.create(number).to_string()


def pager(label_key: str, *, page: rx.Var, pages: rx.Var, total: rx.Var, on_previous, on_next,
          pager_id: str) -> rx.Component:
    """"1–25 sur 312" with "Précédent" and "Suivant", each disabled at its end of the list; a list
    that fits on one page shows its count alone.

    Args:
        label_key: The name of the navigation landmark ("Pages des factures"): a page with two
            lists has two pagers, each named for its own.
        page: The page shown (from 1), a var of the list's state (as the next two).
        pages: How many pages the list fills.
        total: How many rows the filtered list holds.
        on_previous: The handler that shows the page before.
        on_next: The handler that shows the page after.
        pager_id: The element's id (its range text is ``<id>-range``).
    """
    first = (page - 1) * PAGE_SIZE + 1
    last = rx.cond(page * PAGE_SIZE < total, page * PAGE_SIZE, total)
    return rx.el.nav(
        rx.text(t_fmt("pager.range", first=_text(first), last=_text(last), total=_text(total)), size="2",
                color_scheme="gray", aria_live="polite", id=f"{pager_id}-range"),
        rx.cond(pages > 1, rx.flex(
            rx.button(rx.icon("chevron-left", size=16, aria_hidden="true"), t("pager.previous"), size="2",
                      variant="soft", disabled=page <= 1, on_click=on_previous),
            rx.button(t("pager.next"), rx.icon("chevron-right", size=16, aria_hidden="true"), size="2",
                      variant="soft", disabled=page >= pages, on_click=on_next),
            spacing="2", wrap="wrap")),
        aria_label=t(label_key), id=pager_id,
        # one line on a desktop; on a phone the buttons wrap under the range rather than overflow
        style={"display": "flex", "flex_wrap": "wrap", "justify_content": "space-between", "align_items": "center",
               "gap": "8px 12px", "margin_top": "8px", "width": "100%"},
    )
