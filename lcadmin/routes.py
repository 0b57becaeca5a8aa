"""The app's own HTTP routes, beside Reflex's websocket: the only place a real HttpOnly session
cookie can be set or removed; and the Prometheus metrics.

Every HTTP request gets a request id for the logs (the reverse proxy's ``X-Request-ID`` when it
sends a well-formed one), echoed in the response's ``X-Request-ID``. The routes' database work
runs in a worker thread, off the event loop that serves every tab of the worker.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import re
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from lcadmin import metrics, paths
from lcadmin.db import session_scope
from lcadmin.logs import bind_request_id, incoming_request_id, reset_request_id
from lcadmin.models import utcnow
from lcadmin.services.sessions import HANDOFF_BINDING_COOKIE, SESSION_COOKIE, end_session, redeem_handoff
from lcadmin.settings import get_settings


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def allowed_origins() -> set[str]:
    """Where the routes may send a browser back to: the origins the websocket accepts."""
    from reflex.config import get_config

    origins = {origin.rstrip("/") for origin in get_config().cors_allowed_origins}
    return origins | {get_settings().public_url}


def _redeem(**arguments) -> tuple[str, str] | None:
    with session_scope() as session:
        return redeem_handoff(session, **arguments)


def _end(raw_id: str, ip: str | None) -> None:
    with session_scope() as session:
        end_session(session, raw_id, utcnow(), ip=ip)


async def start_session(request: Request) -> RedirectResponse:
    """GET /auth/session?code=…: exchange a sign-in hand-off code for the session cookie."""
    settings = get_settings()
    result = await asyncio.to_thread(
        _redeem, code=request.query_params.get("code", ""), binding=request.cookies.get(HANDOFF_BINDING_COOKIE),
        previous_session=request.cookies.get(SESSION_COOKIE), ip=_client_ip(request),
        user_agent=request.headers.get("user-agent"), settings=settings, now=utcnow())
    if result is None:
        return RedirectResponse(f"{settings.public_url}{paths.SIGN_IN}", status_code=303)
    raw_id, return_to = result
    response = RedirectResponse(return_to, status_code=303)
    response.delete_cookie(HANDOFF_BINDING_COOKIE, path="/", samesite="lax", secure=settings.cookies_secure)
    response.set_cookie(SESSION_COOKIE, raw_id, max_age=settings.session_max_hours * 3600, path="/",
                        httponly=True, samesite="lax", secure=settings.cookies_secure)
    return response


def _same_origin_post(request: Request) -> str | None:
    """The origin of a POST sent by one of the app's own pages, or None for any other sender.

    Browsers put an ``Origin`` header on every POST; a form another site submits carries that
    site's origin (or ``Sec-Fetch-Site: cross-site``), and is refused."""
    origin = (request.headers.get("origin") or "").rstrip("/")
    if origin not in allowed_origins():
        return None
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "same-site"):
        return None
    return origin


async def sign_out(request: Request) -> Response:
    """POST /auth/sign-out from the app's own page: end the session and drop its cookie, then go
    home. A GET, or a POST from another site (logout CSRF), changes nothing."""
    settings = get_settings()
    origin = _same_origin_post(request)
    if origin is None:
        return PlainTextResponse("Forbidden", status_code=403)
    raw_id = request.cookies.get(SESSION_COOKIE)
    if raw_id:
        await asyncio.to_thread(_end, raw_id, _client_ip(request))
    response = RedirectResponse(f"{origin}/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=settings.cookies_secure)
    return response


def _bearer_token(request: Request) -> str:
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def metrics_endpoint(request: Request) -> Response:
    """GET /_metrics: the Prometheus metrics, for ``Authorization: Bearer <LCADMIN_METRICS_TOKEN>``
    only. Without a token configured the route does not exist (404); a wrong or missing token
    gets 401."""
    expected = get_settings().metrics_token
    if not expected:
        return PlainTextResponse("Not Found", status_code=404)
    if not hmac.compare_digest(_bearer_token(request).encode(), expected.encode()):
        return PlainTextResponse("Unauthorized", status_code=401,
                                 headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    body, content_type = await asyncio.to_thread(metrics.exposition)
    return Response(body, headers={"content-type": content_type, "cache-control": "no-store"})


class RequestIds:
    """An ASGI middleware: each HTTP request runs with its request id bound for the logs, and
    answers with it in ``X-Request-ID``."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = next((value for name, value in scope.get("headers", []) if name == b"x-request-id"), b"")
        request_id = incoming_request_id(header.decode("latin-1"))

        async def send_with_id(message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                message = {**message, "headers": [*kept, (b"x-request-id", request_id.encode())]}
            await send(message)

        token = bind_request_id(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            reset_request_id(token)


def http_routes() -> Starlette:
    """The Starlette app Reflex mounts its own backend into."""
    return Starlette(routes=[
        Route(paths.AUTH_SESSION, start_session, methods=["GET"]),
        Route(paths.AUTH_SIGN_OUT, sign_out, methods=["POST"]),
        Route(paths.METRICS, metrics_endpoint, methods=["GET"]),
    ], middleware=[Middleware(RequestIds)])


def content_security_policy(public_url: str, script_hashes: frozenset[str] = frozenset()) -> str:
    """The policy every page is served with.

    Reflex's bundle evaluates code it receives over the websocket (``rx.call_script``, event
    callbacks), so scripts need ``'unsafe-eval'``; its components inject styles at run time. The
    inline scripts of the built pages are allowed by their hashes only. Nothing may frame the
    app, and forms, plugins and ``<base>`` are locked down."""
    websocket = public_url.replace("https://", "wss://").replace("http://", "ws://")
    hashes = " ".join(f"'{h}'" for h in sorted(script_hashes))
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'unsafe-eval' {hashes}".rstrip(),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        f"connect-src 'self' {websocket}",
        "frame-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
    ])


_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL)


def inline_script_hashes(build_dir: Path) -> frozenset[str]:
    """The CSP hashes (``sha256-…``) of every inline script of the built pages in ``build_dir``
    (the theme switch, React Router's boot data): the only inline scripts the policy allows."""
    hashes = set()
    for page in build_dir.rglob("*.html"):
        for body in _INLINE_SCRIPT.findall(page.read_bytes()):
            hashes.add("sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode())
    return frozenset(hashes)


def _build_dir() -> Path:
    from reflex.utils import prerequisites
    from reflex_base import constants

    return prerequisites.get_web_dir() / constants.Dirs.STATIC


def security_headers(app, *, script_hashes: frozenset[str] | None = None):
    """An ASGI wrapper that adds the security headers to every HTTP response of ``app``; the
    inline scripts allowed are those of the frontend build (read once, when the wrapper is made)."""
    settings = get_settings()
    if script_hashes is None:
        script_hashes = inline_script_hashes(_build_dir()) if _build_dir().is_dir() else frozenset()
    headers = [
        (b"content-security-policy", content_security_policy(settings.public_url, script_hashes).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"x-frame-options", b"DENY"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(self)"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if settings.cookies_secure:  # served over https: browsers must never come back over http
        headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
    names = {name for name, _ in headers}

    async def with_headers(scope, receive, send):
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": kept + headers}
            await send(message)

        await app(scope, receive, send_with_headers)

    return with_headers
