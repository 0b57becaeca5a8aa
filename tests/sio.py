"""A hand-rolled Socket.IO client that speaks to the app exactly as the browser's bundle does,
but sends whatever a test asks: any handler name, any arguments, any cookie.

Engine.IO v4 over one websocket: the server opens with ``0{...}``, the client joins the event
namespace with ``40/_event,{auth}``, events travel as ``42/_event,["event", {...}]``, and the
server's pings (``2``) are answered with pongs (``3``).
"""

from __future__ import annotations

import collections
import contextlib
import json
import socket
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import simple_websocket
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, CloseConnection, Message, Ping, RejectConnection, Request

NAMESPACE = "/_event"
ROOT = "reflex___state____state"


def handler_name(state_cls: type, handler: str) -> str:
    """The full event name of ``state_cls.handler`` as the frontend sends it."""
    return f"{state_cls.get_full_name()}.{handler}"


class SingleThreadWebSocket:
    """A websocket over TLS that reads and writes in the caller's thread only.

    simple_websocket reads in a thread of its own while the caller writes: on a TLS socket, that
    is two threads inside one OpenSSL connection at once, which breaks it under load ("wrong
    version number"). Same interface as simple_websocket's client: ``send``, ``receive``, ``close``.
    """

    def __init__(self, url: str, *, headers: dict[str, str], ssl_context) -> None:
        parts = urlsplit(url)
        self._sock = ssl_context.wrap_socket(socket.create_connection((parts.hostname, parts.port or 443), timeout=30),
                                             server_hostname=parts.hostname)
        self._ws = WSConnection(ConnectionType.CLIENT)
        self._messages: collections.deque[str] = collections.deque()
        self._parts: list[str] = []
        self._accepted = False
        extra = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
        self._sock.sendall(self._ws.send(Request(host=parts.netloc, target=f"{parts.path}?{parts.query}",
                                                 extra_headers=extra)))
        deadline = time.monotonic() + 30
        while not self._accepted:
            if time.monotonic() > deadline:
                raise ConnectionError("the websocket handshake did not complete")
            self._pump(max(deadline - time.monotonic(), 0.05))

    def _pump(self, timeout: float) -> None:
        self._sock.settimeout(timeout)
        try:
            data = self._sock.recv(65536)
        except TimeoutError:
            return
        except OSError as error:
            raise simple_websocket.ConnectionClosed(message=str(error)) from error
        if not data:
            raise simple_websocket.ConnectionClosed()
        self._ws.receive_data(data)
        for event in self._ws.events():
            if isinstance(event, AcceptConnection):
                self._accepted = True
            elif isinstance(event, RejectConnection):
                raise ConnectionError(f"websocket refused: {event.status_code}")
            elif isinstance(event, Ping):
                self._sock.sendall(self._ws.send(event.response()))
            elif isinstance(event, CloseConnection):
                raise simple_websocket.ConnectionClosed(reason=event.code)
            elif isinstance(event, Message):
                self._parts.append(event.data if isinstance(event.data, str) else event.data.decode())
                if event.message_finished:
                    self._messages.append("".join(self._parts))
                    self._parts = []

    def send(self, text: str) -> None:
        from wsproto.events import TextMessage

        self._sock.settimeout(30)
        self._sock.sendall(self._ws.send(TextMessage(data=text)))

    def receive(self, timeout: float | None = None) -> str | None:
        deadline = time.monotonic() + (timeout if timeout is not None else 3600)
        while not self._messages:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self._pump(remaining)
        return self._messages.popleft()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._sock.sendall(self._ws.send(CloseConnection(code=1000)))
        self._sock.close()


class SocketClient:
    """One tab's websocket: a token, a cookie header, the events it receives."""

    def __init__(self, backend_url: str, *, origin: str, cookie: str = "", token: str | None = None,
                 pathname: str = "/", ssl_context=None):
        self.token = token or str(uuid.uuid4())
        self.pathname = pathname
        parts = urlsplit(backend_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        url = f"{scheme}://{parts.netloc}{NAMESPACE}/?EIO=4&transport=websocket&token={self.token}"
        headers = {"Origin": origin, "User-Agent": "lcadmin-tests"}
        if cookie:
            headers["Cookie"] = cookie
        self.updates: list[dict[str, Any]] = []
        self.other_events: list[tuple[str, list]] = []  # e.g. "new_token" (the token was taken)
        self.closed = False
        self._ws: Any = (SingleThreadWebSocket(url, headers=headers, ssl_context=ssl_context) if ssl_context is not None
                    else simple_websocket.Client.connect(url, headers=headers))
        # Join the namespace at once, as the browser's client does. (Granian, the production
        # server, only flushes what it queued for a new websocket once the client sends a frame:
        # a client waiting silently for the opening packet waits for the next ping, 25 s later.)
        self._ws.send(f"40{NAMESPACE},{json.dumps({})}")
        opening = self._ws.receive(timeout=10)
        if not opening or not opening.startswith("0"):
            raise ConnectionError(f"no Engine.IO opening packet: {opening!r}")
        self._expect(lambda packet: packet.startswith(f"40{NAMESPACE}"), timeout=10)

    def _read(self, timeout: float) -> str | None:
        try:
            packet = self._ws.receive(timeout=timeout)
        except simple_websocket.ConnectionClosed:
            self.closed = True
            return None
        if packet is None:
            return None
        if packet == "2":
            self._ws.send("3")
            return ""
        if packet.startswith(f"42{NAMESPACE},"):
            name, *args = json.loads(packet[len(f"42{NAMESPACE},"):])
            if name == "event" and args:
                self.updates.append(args[0])
            elif name != "ping":
                self.other_events.append((name, args))
        if packet.startswith("1"):  # Engine.IO close
            self.closed = True
        return packet

    def _expect(self, matches, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.closed:
            packet = self._read(max(deadline - time.monotonic(), 0.05))
            if packet and matches(packet):
                return packet
        raise TimeoutError("the expected packet never came")

    def emit(self, name: str, payload: dict[str, Any] | None = None, *, router_data: dict | None = None,
             raw: str | None = None) -> None:
        """Send one event (``raw``: the JSON text of the event itself, sent as is)."""
        event = raw if raw is not None else json.dumps({
            "name": name, "payload": payload or {},
            "router_data": router_data or {"pathname": self.pathname, "query": {}, "asPath": self.pathname}})
        self._ws.send(f'42{NAMESPACE},["event",{event}]')

    def value(self, state_cls: type, var: str, *, where=lambda value: True, after: int = 0,
              timeout: float = 10.0) -> Any:
        """The first value the server sends for ``state_cls.var`` (after the first ``after``
        updates) that satisfies ``where``, waiting for it to come."""
        key, field = state_cls.get_full_name(), f"{var}_rx_state_"

        def sent(update: dict) -> bool:
            delta = update.get("delta", {}).get(key, {})
            return field in delta and where(delta[field])

        return self.wait_for(sent, after=after, timeout=timeout)["delta"][key][field]

    def events(self, name: str, *, after: int = 0) -> list[dict[str, Any]]:
        """The frontend events (``_call_script``, ``_redirect``…) received so far."""
        return [event for update in self.updates[after:] for event in update.get("events", []) if event["name"] == name]

    def hydrate(self) -> list[dict[str, Any]]:
        """Load the page as the browser does: every update until the page's on_load handlers ran."""
        before = len(self.updates)
        self.emit(f"{ROOT}.hydrate_and_load", {"vars": {}, "hashes": []})
        self.wait_for(lambda update: update.get("delta", {}).get(ROOT, {}).get("is_hydrated_rx_state_") is True,
                      after=before)
        return self.updates[before:]

    def wait_for(self, predicate, *, after: int = 0, timeout: float = 10.0) -> dict[str, Any]:
        """The first update received (after the first ``after``) that satisfies ``predicate``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for update in self.updates[after:]:
                if predicate(update):
                    return update
            if self.closed:
                break
            self._read(0.1)
        raise TimeoutError(f"no such update; the connection {'closed' if self.closed else 'stayed open'}")

    def drain(self, seconds: float = 0.5) -> None:
        """Read whatever arrives for a while."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.closed:
            self._read(0.05)

    def alive(self) -> bool:
        """Whether the connection still answers an event (a ping of the app's own)."""
        if self.closed:
            return False
        self._ws.send(f'42{NAMESPACE},["ping"]')
        try:
            self._expect(lambda packet: packet == f'42{NAMESPACE},["ping","pong"]', timeout=5)
        except TimeoutError:
            return False
        return True

    def close(self) -> None:
        with contextlib.suppress(Exception):  # already gone
            self._ws.close()
