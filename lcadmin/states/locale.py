"""The active language: the visitor's explicit choice (remembered in a cookie), else their
browser's preference, else the configured default."""

from __future__ import annotations

import json

import reflex as rx

from lcadmin.i18n import LOCALES, gettext, negotiate_locale

ONE_YEAR = 365 * 24 * 3600

# Per page route, the handlers that show its server-made text again in the new language
# (statuses, dates, amounts, messages) without losing what was typed; filled where the pages
# are registered (lcadmin.lcadmin).
RELABEL: dict[str, list] = {}
# Per page route, the message key of its title (``document.title``, in the page's language).
TITLES: dict[str, str] = {}


def page_title(key: str, locale: str) -> str:
    """``Factures · Northwind Admin Center``; the product's name alone for a page without one."""
    name = gettext("app.name", locale)
    return f"{gettext(key, locale)} · {name}" if key else name


class LocaleState(rx.State):
    """Which language every page is shown in."""

    # Only an explicit choice is stored, so a first visit keeps following the browser.
    chosen_locale: str = rx.Cookie("", name="lcadmin_locale", max_age=ONE_YEAR, same_site="lax")
    locale: str = ""

    def _apply(self, locale: str):
        self.locale = locale
        title = page_title(TITLES.get(self.router.page.path, ""), locale)
        return rx.call_script(f"document.documentElement.lang = {json.dumps(locale)}; "
                              f"document.title = {json.dumps(title)}")

    @rx.event
    def detect_locale(self):
        """On every page load: the remembered choice, else the browser's Accept-Language."""
        if self.chosen_locale in LOCALES:
            return self._apply(self.chosen_locale)
        return self._apply(negotiate_locale(self.router.headers.accept_language))

    @rx.event
    def set_locale(self, locale: str | list[str]):
        """The visitor picks a language; unknown values are ignored."""
        if not isinstance(locale, str) or locale not in LOCALES:
            return None
        self.chosen_locale = locale
        return [self._apply(locale), *RELABEL.get(self.router.page.path, [])]
