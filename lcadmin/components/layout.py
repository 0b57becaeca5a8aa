"""The frame around every page: header with the product's name, the language switch, the theme
toggle and the account (a way to sign in, or the signed-in person's menu); the main area; the
vendor's legal footer."""

from __future__ import annotations

import reflex as rx
from reflex.style import resolved_color_mode

from lcadmin import paths
from lcadmin.components.i18n import t
from lcadmin.i18n import LANGUAGE_NAMES, LOCALES
from lcadmin.states.auth import AuthState
from lcadmin.states.locale import LocaleState
from lcadmin.states.shell import ShellState

MAIN_ID = "main"


def language_switch() -> rx.Component:
    """The two languages, each named in itself, as a segmented control."""
    return rx.segmented_control.root(
        *[rx.segmented_control.item(LANGUAGE_NAMES[code], value=code) for code in LOCALES],
        value=rx.cond(LocaleState.locale == "", LOCALES[0], LocaleState.locale),
        on_change=LocaleState.set_locale,
        size="1",
        aria_label=t("language.label"),
        id="language-switch",
    )


def _brand() -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.box(rx.icon("layout-dashboard", size=18, color="white"), class_name="brand-mark"),
            rx.text(t("app.name"), weight="bold", size="3", class_name="brand-name"),
            align="center",
            spacing="2",
        ),
        href=paths.HOME,
        underline="none",
        color="inherit",
    )


def account_menu() -> rx.Component:
    """"Se connecter" for a visitor; for a signed-in person their name, opening a menu with the
    Admin Center and "Se déconnecter"."""
    return rx.cond(
        ShellState.user_name != "",
        rx.dropdown_menu.root(
            rx.dropdown_menu.trigger(rx.button(
                rx.icon("circle-user", size=16, aria_hidden="true"),
                rx.text(ShellState.user_name, class_name="account-name"),
                rx.icon("chevron-down", size=14, aria_hidden="true"),
                variant="soft", color_scheme="gray", size="2", id="account-menu",
            )),
            rx.dropdown_menu.content(
                rx.cond(ShellState.company_name != "",
                        rx.text(ShellState.company_name, size="1", color_scheme="gray", class_name="menu-label")),
                rx.dropdown_menu.item(rx.link(rx.icon("layout-dashboard", size=14), t("app.name"), href=paths.ADMIN,
                                              underline="none", color="inherit", class_name="icon-link"),
                                      as_child=True),
                rx.dropdown_menu.item(rx.link(rx.icon("shield-check", size=14), t("security.menu"), href=paths.SECURITY,
                                              underline="none", color="inherit", class_name="icon-link"),
                                      as_child=True),
                rx.dropdown_menu.separator(),
                rx.dropdown_menu.item(rx.icon("log-out", size=14), t("admin.sign_out"), on_select=AuthState.sign_out),
                align="end",
            ),
            modal=False,  # a modal menu hides the rest of the page with aria-hidden while it stays focusable
        ),
        rx.link(rx.icon("log-in", size=16, aria_hidden="true"), t("signin.submit"), href=paths.SIGN_IN,
                underline="none", weight="medium", size="2", class_name="header-sign-in icon-link"),
    )


def header(width: str = "page-width") -> rx.Component:
    """Top bar of every page."""
    return rx.el.header(
        rx.flex(
            _brand(),
            rx.hstack(
                language_switch(),
                rx.color_mode.button(size="2", variant="ghost", aria_label=t("color_mode.dark"),
                                     aria_pressed=rx.cond(resolved_color_mode == "dark", "true", "false")),
                account_menu(),
                align="center",
                spacing="3",
            ),
            justify="between",
            align="center",
            wrap="wrap",
            spacing="3",
            class_name=width,
            padding_y="12px",
        ),
        class_name="site-header",
    )


def footer(width: str = "page-width") -> rx.Component:
    """The vendor's legal identity, as any invoice-issuing site shows it."""
    return rx.el.footer(
        rx.box(rx.text(t("footer.legal"), size="1", color_scheme="gray"), class_name=width),
        class_name="site-footer",
    )


def page_frame(*children: rx.Component, wide: bool = False) -> rx.Component:
    """Header, the page's own content in <main>, footer; ``wide`` for pages of wide tables."""
    width = "page-width wide" if wide else "page-width"
    return rx.box(
        rx.el.a(t("nav.skip"), href=f"#{MAIN_ID}", class_name="skip-link"),
        header(width),
        rx.el.main(rx.box(*children, class_name=width), id=MAIN_ID, class_name="site-main"),
        footer(width),
        class_name="site",
    )
