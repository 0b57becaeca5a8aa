"""The app's own HTTP routes, beside Reflex's websocket: the only place a real HttpOnly session
cookie can be set or removed."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from lcadmin.db import session_scope
from lcadmin.models import utcnow
from lcadmin.services.sessions import HANDOFF_BINDING_COOKIE, SESSION_COOKIE, redeem_handoff
from lcadmin.settings import get_settings


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def allowed_origins() -> set[str]:
    """Where the routes may send a browser back to: the origins the websocket accepts."""
    from reflex.config import get_config

    origins = {origin.rstrip("/") for origin in get_config().cors_allowed_origins}
    return origins | {get_settings().public_url}


async def start_session(request: Request) -> RedirectResponse:
    """GET /auth/session?code=…: exchange a sign-in hand-off code for the session cookie."""
    settings = get_settings()
    with session_scope() as session:
        result = redeem_handoff(session, code=request.query_params.get("code", ""),
                                binding=request.cookies.get(HANDOFF_BINDING_COOKIE),
                                previous_session=request.cookies.get(SESSION_COOKIE), ip=_client_ip(request),
                                user_agent=request.headers.get("user-agent"), settings=settings, now=utcnow())
    if result is None:
        return RedirectResponse(f"{settings.public_url}/sign-in", status_code=303)
    raw_id, return_to = result
    response = RedirectResponse(return_to, status_code=303)
    response.delete_cookie(HANDOFF_BINDING_COOKIE, path="/", samesite="lax", secure=settings.cookies_secure)
    response.set_cookie(SESSION_COOKIE, raw_id, max_age=settings.session_max_hours * 3600, path="/",
                        httponly=True, samesite="lax", secure=settings.cookies_secure)
    return response


async def drop_session_cookie(request: Request) -> RedirectResponse:
    """GET /auth/sign-out?next=…: remove the cookie (the session was already ended server-side)."""
    settings = get_settings()
    target = request.query_params.get("next", "")
    if not target or _origin(target) not in allowed_origins():
        target = settings.public_url + "/"
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=settings.cookies_secure)
    return response


def http_routes() -> Starlette:
    """The Starlette app Reflex mounts its own backend into."""
    return Starlette(routes=[
        Route("/auth/session", start_session, methods=["GET"]),
        Route("/auth/sign-out", drop_session_cookie, methods=["GET"]),
    ])
