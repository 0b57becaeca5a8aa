"""What every state needs from the request: client IP, the session cookie, the active language,
and error codes turned into translated messages. Kept out of the handlers so each stays short."""

from __future__ import annotations

import functools
import ipaddress
import json
import math
from datetime import datetime
from http.cookies import CookieError, SimpleCookie

import reflex as rx

from lcadmin.domain.text import TextProblem, field_text
from lcadmin.i18n import LOCALES, gettext
from lcadmin.models import utcnow
from lcadmin.services.errors import LinkProblem, ServiceError, Throttled
from lcadmin.services.paging import PAGE_SIZE as PAGE_SIZE  # the lists' page size, for their pagers
from lcadmin.services.sessions import SESSION_COOKIE
from lcadmin.settings import get_settings
from lcadmin.states.locale import LocaleState

MAX_FIELD = 400  # longer input is cut: no field of the product needs more


def text_arg(value: object, limit: int = MAX_FIELD) -> str | None:
    """A handler's text argument, at most ``limit`` characters, or None when it must be refused:
    not text at all, or holding a control character, NUL or a lone surrogate (see
    ``lcadmin.domain.text``). Every text a client sends goes through here once."""
    try:
        return field_text(value, limit)
    except TextProblem:
        return None


def clip(value: object, limit: int = MAX_FIELD) -> str:
    """A handler argument that names something to look up (a number, a filter, a URL part): the
    bounded text, or "" (which finds nothing) when :func:`text_arg` refuses it."""
    return text_arg(value, limit) or ""


def one_of(value: object, choices, default: str) -> str:
    """``value`` if it is one of ``choices`` (strings), else ``default``."""
    return value if isinstance(value, str) and value in choices else default


def page_number(value: object) -> int | None:
    """A page number argument (1 and up), or None when it is none: not a whole number (a bool, a
    float, text) or below 1. A number past the end is the service's to bring back to the last page."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else None


def page_param(state: rx.State, name: str, limit: int) -> str:
    """A dynamic route's parameter (``/admin/orders/[number]``), refused like any argument."""
    return clip(state.router.page.params.get(name, ""), limit)


async def typed_text(state: rx.State, value: object, limit: int, *, error: str) -> str | None:
    """What was typed into a field, or None when :func:`text_arg` refuses it: then the field's
    error var (named ``error``) says why and the field keeps its previous value; otherwise that
    error var is cleared."""
    text = text_arg(value, limit)
    setattr(state, error, "" if text is not None else gettext("error.invalid_characters", await active_locale(state)))
    return text


def client_ip(state: rx.State) -> str | None:
    """The caller's IP (Reflex honours X-Forwarded-For only for configured trusted proxies)."""
    return state.router.session.client_ip or None


def is_loopback(ip: str | None) -> bool:
    """Whether a client IP is this machine's own (127.0.0.0/8, ::1)."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def session_cookie(state: rx.State) -> str | None:
    """The opaque session id from the Cookie header sent when the websocket connected."""
    return session_id_in(state.router.headers.cookie or "")


@functools.lru_cache(maxsize=512)
def session_id_in(cookie_header: str) -> str | None:
    """The session id a Cookie header carries, or None. A tab's header is the same on every event
    of its connection (it is captured when the websocket connects): it is parsed once."""
    try:
        jar = SimpleCookie(cookie_header)
    except CookieError:
        return None
    morsel = jar.get(SESSION_COOKIE)
    return morsel.value if morsel else None


def page_origin(state: rx.State) -> str:
    """The origin the page was loaded from (the websocket only accepts allowed origins)."""
    return (state.router.headers.origin or get_settings().public_url).rstrip("/")


def full_navigation(url: str) -> rx.event.EventSpec:
    """Load ``url`` as a new page. ``rx.redirect`` to the page's own host navigates inside the
    single-page app and never requests the server: on one origin (production) the HTTP routes
    that set or drop the session cookie would never be reached."""
    return rx.call_script(f"window.location.assign({json.dumps(url)})")


def post_navigation(url: str) -> rx.event.EventSpec:
    """Load ``url`` as a new page by a POST from this page (its own origin, as the route checks)."""
    return rx.call_script("(() => { const form = document.createElement('form'); form.method = 'post'; "
                          f"form.action = {json.dumps(url)}; document.body.appendChild(form); form.submit(); }})()")


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


async def show_link_state(state: rx.State, link_state: str, error: ServiceError | None = None) -> None:
    """An invitation link's page: its ``state`` var set to ``link_state`` (valid, used, expired,
    unknown…) and its ``problem`` var to why it cannot be used (empty while valid); a refusal of
    the link's button (``error``) sets both from its code."""
    if isinstance(error, LinkProblem):
        link_state = error.code.removeprefix("link_")
    elif error is not None:
        return
    state.state = link_state  # pyright: ignore[reportAttributeAccessIssue] (the page's own var)
    state.problem = ("" if link_state in ("valid", "done")  # pyright: ignore[reportAttributeAccessIssue]
                     else message_for(LinkProblem(f"link_{link_state}"), await active_locale(state)))


_DEFAULT = object()


def shows_busy(flag: str, value=True, after=_DEFAULT):
    """Decorate a handler whose work takes a while: the var ``flag`` is set (to ``value``, or to
    ``value(*args)`` for a row's own action) and sent to the browser at once, so that the control
    disables itself and says it is working, then set to ``after`` (by default, back to its
    default) when the work is done, whatever happened. The handler becomes an async generator;
    what it returns is sent as the last event."""

    def decorate(handler):
        @functools.wraps(handler)
        async def working(self, *args, **kwargs):
            done = type(self).__fields__[flag].default_value() if after is _DEFAULT else after
            setattr(self, flag, value(*args, **kwargs) if callable(value) else value)
            try:
                yield
                result = await handler(self, *args, **kwargs)
            except Exception:
                # Reflex sends a handler's last changes only when it ends normally: send the
                # reset first, or the control would stay "working" in the browser.
                setattr(self, flag, done)
                yield
                raise
            finally:
                setattr(self, flag, done)
            yield result

        return working

    return decorate


def loads_list(handler):
    """Decorate a list page's ``load``: its ``loaded`` var is false (skeleton rows shown) until
    the rows are there, so "nothing yet" is only ever said of a list that was loaded."""
    return shows_busy("loaded", False, after=True)(handler)
