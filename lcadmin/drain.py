"""A web worker's graceful stop: on SIGTERM the events under way finish before it closes.

Granian stops a worker on SIGTERM by closing its connections at once, websockets included: an
event half done (a payment being recorded, a PDF being made) would be cut off and its answer lost.
This module puts a step in front of that. Each worker counts the events under way (the
:class:`EventsUnderWay` middleware). On SIGTERM or SIGINT it:

1. stops saying it is healthy: ``/ping`` answers 503, so the proxy stops sending it new visitors;
2. waits until no event has been under way for :data:`QUIET_SECONDS` (at most
   :data:`DRAIN_SECONDS`);
3. hands the signal on to granian, which closes the connections and runs the app's shutdown (the
   background jobs hand back their claims there, and the PDF renderers stop).

Only the server's main process should receive SIGTERM (systemd's ``KillMode=mixed``): it passes
the stop to its workers. Signalling the whole group at once would also stop the PDF renderers
in the middle of their work.

The browsers then reconnect through the proxy to another instance, with the tab's state in Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time

from reflex.middleware.middleware import Middleware

from lcadmin.pdf import pool

log = logging.getLogger(__name__)
DRAIN_SECONDS = 20.0  # below systemd's TimeoutStopSec (30 s in deploy/systemd)
QUIET_SECONDS = 0.5  # how long no event must be under way before the worker closes
_POLL_SECONDS = 0.05
_under_way = 0
_draining = False
_stopping: list[asyncio.Future] = []


def under_way() -> int:
    """How many events this worker is handling now."""
    return _under_way


def draining() -> bool:
    """Whether this worker is stopping (its health check then fails)."""
    return _draining


def _ended(_task: asyncio.Task) -> None:
    global _under_way
    _under_way -= 1


class EventsUnderWay(Middleware):
    """Counts each event from the moment its state is loaded until its task ends."""

    async def preprocess(self, app, state, event) -> None:
        global _under_way
        task = asyncio.current_task()
        if task is not None:
            _under_way += 1
            task.add_done_callback(_ended)
        return None


async def _drain_then(hand_on) -> None:
    deadline = time.monotonic() + DRAIN_SECONDS
    waited_for, quiet_since = _under_way, time.monotonic()
    # Idle for a moment, not just for an instant: an event a tab sent as the stop came may still
    # be on its way in; it starts within that moment and is waited for too.
    while time.monotonic() < deadline:
        if _under_way > 0:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= QUIET_SECONDS:
            break
        await asyncio.sleep(_POLL_SECONDS)
    if _under_way > 0:
        log.warning("stopping with %d events still under way after %.0f s", _under_way, DRAIN_SECONDS)
    elif waited_for:
        log.info("stopping: the %d events under way have ended", waited_for)
    hand_on()


def _on_stop_signal(hand_on) -> None:
    global _draining
    if _draining:
        return  # the same stop, signalled again (by the server process, or the whole group)
    _draining = True
    _stopping.append(asyncio.ensure_future(_drain_then(hand_on)))  # kept: the loop holds tasks weakly


@contextlib.asynccontextmanager
async def graceful_stop():
    """The worker's lifespan: the drain put in front of its stop signals at start; at its end,
    once the connections are closed, the PDF renderers stopped (they would keep the worker
    process alive otherwise)."""
    _install()
    try:
        yield
    finally:
        await asyncio.to_thread(pool.shutdown)


def _install() -> None:
    """Put the drain in front of the stop signals the server registered on this worker's loop."""
    loop = asyncio.get_running_loop()
    registered = getattr(loop, "_signal_handlers", None)  # asyncio's own record of loop signal handlers
    if not isinstance(registered, dict):
        log.warning("graceful stop not installed: the %s event loop keeps its signal handlers to itself; a stop "
                    "closes the connections at once", type(loop).__name__)
        return
    for signum in (signal.SIGTERM, signal.SIGINT):
        handle = registered.get(signum)
        if handle is None:
            continue
        callback, args = handle._callback, handle._args
        loop.add_signal_handler(signum, _on_stop_signal, lambda callback=callback, args=args: callback(*args))


def health_gate(app):
    """Wrap an ASGI app so that ``/ping`` answers 503 while this worker drains, and so that its
    HTTP requests count as work under way."""

    async def gated(scope, receive, send):
        global _under_way
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        if _draining and scope.get("path") == "/ping":
            await send({"type": "http.response.start", "status": 503,
                        "headers": [(b"content-type", b"text/plain"), (b"connection", b"close")]})
            await send({"type": "http.response.body", "body": b"stopping"})
            return
        _under_way += 1  # an HTTP request too (the sign-in's hand-off sets the session cookie)
        try:
            await app(scope, receive, send)
        finally:
            _under_way -= 1

    return gated
