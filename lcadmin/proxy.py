"""The client's address and scheme as the reverse proxy saw them.

Behind Caddy every connection comes from the proxy, over plain http. With
``REFLEX_TRUSTED_PROXY_HOPS=N`` (the number of proxies in front of the app, set only when there
are that many), the HTTP requests and websockets are rewritten before anything reads them: the
client is the address the N-th proxy from the app saw (``X-Forwarded-For``, read from the right,
so a value the browser forged on the left is never taken) and the scheme is the one the nearest
proxy was reached with (``X-Forwarded-Proto``). Without it the app's redirects would send browsers
to ``http://`` and the sessions would record the proxy's address. Reflex applies the same rule to
the websocket's client IP; this extends it to the HTTP routes and the built pages.
"""

from __future__ import annotations

import ipaddress

_SCHEMES = {"http": ("http", "ws"), "https": ("https", "wss")}


def _header(scope, name: bytes) -> str:
    values = [value.decode("latin-1") for key, value in scope.get("headers", []) if key.lower() == name]
    return ",".join(values)


def forwarded_client(forwarded_for: str, hops: int) -> str | None:
    """The client address ``hops`` proxies away, from an ``X-Forwarded-For`` value, or None
    when the header holds fewer entries or the entry is not an IP address."""
    entries = [entry.strip() for entry in forwarded_for.split(",") if entry.strip()]
    if hops < 1 or len(entries) < hops:
        return None
    candidate = entries[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def behind_proxy(app, *, hops: int | None = None):
    """Wrap an ASGI app so that it sees the client and scheme the proxy saw (unchanged when no
    proxy is trusted)."""
    if hops is None:
        from reflex.config import get_config

        hops = get_config().trusted_proxy_hops
    if not hops:
        return app

    async def rewritten(scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            scope = dict(scope)
            client = forwarded_client(_header(scope, b"x-forwarded-for"), hops)
            if client is not None:
                port = scope["client"][1] if scope.get("client") else 0
                scope["client"] = (client, port)
            proto = _header(scope, b"x-forwarded-proto").split(",")[-1].strip().lower()
            if proto in _SCHEMES:
                scope["scheme"] = _SCHEMES[proto][0 if scope["type"] == "http" else 1]
        await app(scope, receive, send)

    return rewritten
