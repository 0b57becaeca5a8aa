"""The middleware that gives every websocket event its request id and measures it.

It runs first, in the event's own task, once the tab's state is loaded: from there on, every log
line of the event (its handler's, the services' in worker threads, Reflex's) carries the event's
request id, which is the transaction id Reflex gives the event (the one Reflex's own error lines
quote as ``txid``). When the task ends, the event is counted by handler and outcome, with its
duration (``lcadmin.metrics``).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import reflex as rx
from reflex.middleware.middleware import Middleware
from reflex_base.event.context import EventContext

from lcadmin import metrics
from lcadmin.logs import bind_request_id, new_request_id

OTHER = "other"  # the label of an event no state declares (never seen: the guard drops those first)


def handler_labels() -> dict[str, str]:
    """The metrics label of every handler the app's states answer, by event name:
    ``AuthState.sign_in`` (the event name in full where two states share a class name)."""
    handlers: list[tuple[str, str, str]] = []  # (event name, state class name, handler name)
    states: dict[str, str] = {}  # state full name -> class name
    pending = [rx.State]
    while pending:
        cls = pending.pop()
        states[cls.get_full_name()] = cls.__name__
        handlers.extend((f"{cls.get_full_name()}.{name}", cls.__name__, name) for name in cls.event_handlers)
        pending.extend(cls.get_substates())
    classes = Counter(states.values())
    return {full: f"{cls}.{name}" if classes[cls] == 1 else full for full, cls, name in handlers}


def _event_request_id() -> str:
    try:
        return EventContext.get().txid or new_request_id()
    except LookupError:
        return new_request_id()


def _outcome(task: asyncio.Task) -> str:
    if task.cancelled():
        return "cancelled"
    return "error" if task.exception() is not None else "ok"


class EventObserver(Middleware):
    """Binds each event's request id for the logs and counts the event once it is handled."""

    def __init__(self) -> None:
        self._labels: dict[str, str] | None = None

    def label(self, event_name: str) -> str:
        """The metrics label of the handler ``event_name`` names."""
        if self._labels is None:  # every state is declared once the app is imported
            self._labels = handler_labels()
        return self._labels.get(event_name, OTHER)

    async def preprocess(self, app, state, event) -> None:
        bind_request_id(_event_request_id())  # for the rest of this event's task
        task = asyncio.current_task()
        if task is not None:
            handler, started = self.label(event.name), time.perf_counter()
            task.add_done_callback(
                lambda done: metrics.observe_event(handler, _outcome(done), time.perf_counter() - started))
        return None
