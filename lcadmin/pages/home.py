"""The public page ``/``: how to turn on billing management, with the way in at the top."""

from __future__ import annotations

import reflex as rx

from lcadmin import paths
from lcadmin.components.i18n import t, t_rich
from lcadmin.components.layout import page_frame

# Where "Accéder à la facturation" leads: the billing access form.

_STEPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("home.step1", ()),
    ("home.step2", ("important:home.step2.important", "tip:home.tip1")),
    ("home.step3", ("tip:home.tip2",)),
    ("home.step4", ("important:home.step4.important",)),
    ("home.step5", ()),
)
_BENEFITS = (
    ("file-text", "home.benefit.contracts"),
    ("download", "home.benefit.invoices"),
    ("credit-card", "home.benefit.payment"),
    ("users", "home.benefit.licences"),
)


def access_billing_button(size: str = "3") -> rx.Component:
    """The way into the billing access flow."""
    return rx.link(
        rx.button(t("cta.access_billing"), rx.icon("arrow-right", size=16), size=size, class_name="cta"),
        href=paths.ACCESS,
        underline="none",
    )


def _note(kind_and_key: str) -> rx.Component:
    kind, _, key = kind_and_key.partition(":")
    if kind == "tip":
        return rx.callout.root(
            rx.callout.icon(rx.icon("lightbulb")),
            rx.box(
                rx.text(t("home.tip"), weight="bold", as_="div", size="2"),
                rx.text(t_rich(key), size="2"),
            ),
            color_scheme="amber",
            variant="surface",
            class_name="tip",
        )
    return rx.callout.root(
        rx.callout.icon(rx.icon("info")),
        rx.callout.text(t_rich(key)),
        color_scheme="blue",
        variant="soft",
    )


def _step(number: int, key: str, notes: tuple[str, ...]) -> rx.Component:
    return rx.el.li(
        rx.flex(
            rx.box(rx.text(str(number), weight="bold"), class_name="step-number", aria_hidden="true"),
            rx.vstack(
                rx.text(t_rich(key), size="3"),
                *[_note(note) for note in notes],
                spacing="3",
                width="100%",
            ),
            spacing="4",
            align="start",
        ),
        class_name="step",
    )


def _hero() -> rx.Component:
    return rx.box(
        rx.text(t("home.eyebrow"), size="2", weight="medium", color_scheme="indigo", class_name="eyebrow"),
        rx.heading(t("home.title"), as_="h1", size=rx.breakpoints(initial="7", sm="8"), class_name="hero-title"),
        rx.text(t("home.lead"), size="4", color_scheme="gray", class_name="hero-lead"),
        access_billing_button(),
        class_name="hero",
    )


def _benefits() -> rx.Component:
    return rx.box(
        rx.heading(t("home.benefits.title"), as_="h2", size="5"),
        rx.grid(
            *[
                rx.card(
                    rx.hstack(
                        rx.box(rx.icon(icon, size=20), class_name="benefit-icon"),
                        rx.hstack(rx.icon("check", size=16, color_scheme="green", aria_hidden="true"),
                                  rx.text(t(key), weight="medium"), spacing="2", align="center"),
                        spacing="3",
                        align="center",
                    ),
                    class_name="benefit",
                )
                for icon, key in _BENEFITS
            ],
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        class_name="benefits",
    )


def home_page() -> rx.Component:
    """``/``: the help content as a page."""
    return page_frame(
        _hero(),
        rx.box(
            rx.heading(t("home.how"), as_="h2", size="6"),
            rx.el.ol(*[_step(n, key, notes) for n, (key, notes) in enumerate(_STEPS, start=1)],
                     class_name="steps"),
            class_name="how",
        ),
        _benefits(),
    )
