"""What the event websocket lets through, before Reflex looks at it.

Any client can send any frame. Reflex itself would queue an event naming no handler and then log
it whole (router data with the Cookie header, payload with whatever was typed), and would let
any size through up to its buffer limit. Here every incoming event is checked first:

- it must be a JSON object naming a handler the app registers (for ``setvar``, Reflex's alias
  of a state's ``set_<var>`` handlers, a ``var_name`` whose handler exists);
- its serialized size must stay under :data:`MAX_EVENT_BYTES`;
- for the app's own handlers, its arguments must be ones the handler takes (Reflex would call
  it anyway and log the TypeError's whole traceback, for every such frame);
- its name and router data must be clean text (no lone surrogate, no control character): those
  reach state vars that go back to the browser, and text that cannot be encoded drops the tab's
  websocket. The payload of the app's own handlers is left to them: they refuse such text with
  the field's message. Reflex's internal handlers get no such care, so theirs is checked here.

A refused event is dropped with one short log line; past a few a minute, they are only counted.
"""

from __future__ import annotations

import inspect
import json
import logging
import time
from collections.abc import Iterator, Mapping
from typing import Any

import reflex as rx

from lcadmin.domain.text import is_clean

log = logging.getLogger(__name__)

MAX_EVENT_BYTES = 64 * 1024  # a form submit is a few hundred bytes
_LOG_EVERY = 60.0
_LOG_BURST = 10


def _handlers() -> Iterator[tuple[str, Any]]:
    """Every handler the app's states answer, with its event name as the frontend writes it."""
    pending = [rx.State]
    while pending:
        cls = pending.pop()
        for name, handler in cls.event_handlers.items():
            yield f"{cls.get_full_name()}.{name}", handler
        pending.extend(cls.get_substates())


def registered_events() -> frozenset[str]:
    """Every event name the app's states answer, as the frontend writes it."""
    return frozenset(name for name, _ in _handlers())


def coroutine_handlers(own: frozenset[str]) -> frozenset[str]:
    """The app's own handlers that are coroutines (or async generators), by event name."""
    return frozenset(name for name, handler in _handlers() if name in own and (
        inspect.iscoroutinefunction(handler.fn) or inspect.isasyncgenfunction(handler.fn)))


def handler_signatures(own: frozenset[str]) -> dict[str, inspect.Signature]:
    """The signature of each of the app's own handlers (``self`` included), by event name."""
    signatures: dict[str, inspect.Signature] = {}
    for name, handler in _handlers():
        if name in own:
            try:
                signatures[name] = inspect.signature(handler.fn)
            except (TypeError, ValueError):
                continue
    return signatures


def _fits(signature: inspect.Signature, payload: object) -> bool:
    if not isinstance(payload, dict):
        return False
    try:
        signature.bind(None, **payload)
    except TypeError:
        return False
    return True


class _RateLimitedLog:
    """At most a few lines a minute, then a count: a flood of junk cannot grow the log."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._window_start = 0.0
        self._lines = 0
        self._suppressed = 0

    def __call__(self, reason: str, name: object, size: int) -> None:
        now = time.monotonic()
        if now - self._window_start > _LOG_EVERY:
            if self._suppressed:
                log.warning("%s: %d more in the last minute", self._what, self._suppressed)
            self._window_start, self._lines, self._suppressed = now, 0, 0
        if self._lines >= _LOG_BURST:
            self._suppressed += 1
            return
        self._lines += 1
        shown = (ascii(name[-80:]) if len(name) <= 80 else "…" + ascii(name[-80:])) if isinstance(name, str) \
            else type(name).__name__
        log.warning("%s (%s): %s, %d bytes", self._what, reason, shown, size)


def refusal(data: Any, known: frozenset[str], own: frozenset[str],
            signatures: Mapping[str, inspect.Signature] | None = None,
            awaited: frozenset[str] = frozenset()) -> tuple[str | None, int]:
    """Why the event ``data`` must be dropped (None when it may go on to its handler), and its
    size in bytes. ``signatures``: the app's own handlers' (their arguments are checked);
    ``awaited``: the handlers that are coroutines (Reflex's ``setvar`` calls a setter without
    awaiting it, so such a setter is only reached through its own event)."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            return "not JSON", len(data)
    try:
        size = len(json.dumps(data, ensure_ascii=True))
    except (TypeError, ValueError):
        return "not serializable", 0
    if not isinstance(data, dict):
        return "not an object", size
    if size > MAX_EVENT_BYTES:
        return "too large", size
    name = data.get("name")
    if not isinstance(name, str) or name not in known:
        return "unknown handler", size
    if name.endswith(".setvar"):  # Reflex calls the state's own set_<var_name> handler: it must exist
        var_name = (data.get("payload") or {}).get("var_name") if isinstance(data.get("payload"), dict) else None
        setter = f"{name.removesuffix('setvar')}set_{var_name}" if isinstance(var_name, str) else ""
        if setter not in known:
            return "setvar of no handler", size
        if setter in awaited:
            return "setvar of a coroutine handler", size
    if not is_clean(data.get("router_data")):
        return "invalid characters in router data", size
    if name not in own and not is_clean(data.get("payload")):
        return "invalid characters in payload", size
    signature = (signatures or {}).get(name)
    if signature is not None and not _fits(signature, data.get("payload") or {}):
        return "arguments the handler does not take", size
    return None, size


def guard_events(app: rx.App) -> None:
    """Put the checks of this module in front of the app's event websocket."""
    namespace = app.event_namespace
    if namespace is None or getattr(namespace, "lcadmin_guarded", False):
        return
    known = registered_events()
    own = frozenset(name for name in known if ".lcadmin___" in name)
    signatures, awaited = handler_signatures(own), coroutine_handlers(own)
    deliver = namespace.on_event
    dropped = _RateLimitedLog("dropped an event")

    async def on_event(sid: str, data: Any) -> None:
        reason, size = refusal(data, known, own, signatures, awaited)
        if reason is not None:
            dropped(reason, data.get("name") if isinstance(data, dict) else None, size)
            return
        await deliver(sid, data)

    namespace.on_event = on_event  # python-socketio looks handlers up on the instance
    setattr(namespace, "lcadmin_guarded", True)  # noqa: B010 - a mark of our own on Reflex's object


_frontend_log = _RateLimitedLog("a browser reported an error")


def frontend_error(exception: Exception) -> None:
    """A browser reported an error: one short line, rate-limited like dropped events (any
    client can send such reports, with any text)."""
    text = str(exception)
    _frontend_log("not checked", text, len(text))


def backend_error(exception: Exception):
    """What the browser is told when a handler fails unexpectedly: a sentence in the app's
    language and a reference to quote; the details go to the log only (redacted), except on a
    developer's machine."""
    import secrets

    from lcadmin.i18n import gettext
    from lcadmin.settings import get_settings

    settings = get_settings()
    reference = secrets.token_hex(4)
    log.error("handler failed [ref %s]", reference, exc_info=exception)
    description = gettext("error.server", settings.default_locale, reference=reference)
    if settings.is_dev:
        description += f"\n{type(exception).__name__}: {exception}"
    return rx.toast.error(description, id="backend-error", position="top-center", duration=10_000)
