"""What every state needs from the request: client IP, the session cookie, the active language,
and error codes turned into translated messages. Kept out of the handlers so each stays short."""

from __future__ import annotations

import math
from datetime import datetime
from http.cookies import CookieError, SimpleCookie

import reflex as rx

from lcadmin.i18n import LOCALES, gettext
from lcadmin.models import utcnow
from lcadmin.services.errors import ServiceError, Throttled
from lcadmin.services.sessions import SESSION_COOKIE
from lcadmin.settings import get_settings
from lcadmin.states.locale import LocaleState

MAX_FIELD = 400  # longer input is cut: no field of the product needs more


def clip(value: object, limit: int = MAX_FIELD) -> str:
    """A handler argument as a bounded string, whatever the client sent."""
    return value[:limit] if isinstance(value, str) else ""


def client_ip(state: rx.State) -> str | None:
    """The caller's IP (Reflex honours X-Forwarded-For only for configured trusted proxies)."""
    return state.router.session.client_ip or None


def session_cookie(state: rx.State) -> str | None:
    """The opaque session id from the Cookie header sent when the websocket connected."""
    try:
        jar = SimpleCookie(state.router.headers.cookie or "")
    except CookieError:
        return None
    morsel = jar.get(SESSION_COOKIE)
    return morsel.value if morsel else None


def page_origin(state: rx.State) -> str:
    """The origin the page was loaded from (the websocket only accepts allowed origins)."""
    return (state.router.headers.origin or get_settings().public_url).rstrip("/")


async def active_locale(state: rx.State) -> str:
    """The language the visitor sees."""
    locale = (await state.get_state(LocaleState)).locale
    return locale if locale in LOCALES else get_settings().default_locale


def message_for(error: ServiceError, locale: str, now: datetime | None = None) -> str:
    """The translated sentence for a service error."""
    if isinstance(error, Throttled):
        minutes = max(1, math.ceil(((error.until - (now or utcnow())).total_seconds()) / 60))
        return gettext("error.throttled", locale, minutes=str(minutes))
    try:
        return gettext(f"error.{error.code}", locale)
    except KeyError:
        return gettext("error.unexpected", locale)
