"""The HTTP routes that set and drop the session cookie, called as a browser would over HTTP."""

from __future__ import annotations

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from lcadmin.db import read_scope, session_scope
from lcadmin.models import UserAccount, UserSession, utcnow
from lcadmin.routes import http_routes, inline_script_hashes, security_headers
from lcadmin.services import sessions
from lcadmin.settings import get_settings


def _code(email: str = "hbernard@flexis.com", return_to: str = "http://localhost:3000/admin") -> str:
    now = utcnow()
    with session_scope() as session:
        user = session.exec(select(UserAccount).where(UserAccount.email == email)).one()
        return sessions.create_handoff(session, user_id=user.id, company_id=sessions.default_company_id(session, user.id, now),
                                       return_to=return_to, ip="testclient", now=now)


def _bound(client: TestClient, code: str) -> str:
    """The binding cookie the sign-in leaves in the browser that signed in."""
    client.cookies.set(sessions.HANDOFF_BINDING_COOKIE, sessions.handoff_binding(code, get_settings().secret_key))
    return code


@pytest.fixture
def client(app_db):
    with TestClient(http_routes(), base_url="http://localhost:8000", follow_redirects=False) as test_client:
        yield test_client


def test_a_hand_off_code_becomes_an_http_only_lax_cookie_once(client):
    code = _bound(client, _code())
    response = client.get("/auth/session", params={"code": code})
    assert response.status_code == 303 and response.headers["location"] == "http://localhost:3000/admin"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(f"{sessions.SESSION_COOKIE}="))
    assert cookie.startswith(f"{sessions.SESSION_COOKIE}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Path=/" in cookie and f"Max-Age={get_settings().session_max_hours * 3600}" in cookie
    assert "Secure" not in cookie  # the public URL is http://localhost:3000 here
    with read_scope() as session:
        assert len(session.exec(select(UserSession)).all()) == 1

    assert any(c.startswith(f"{sessions.HANDOFF_BINDING_COOKIE}=") and "Max-Age=0" in c
               for c in response.headers.get_list("set-cookie"))  # the binding is dropped once used
    again = client.get("/auth/session", params={"code": _bound(client, code)})  # single use
    assert again.headers["location"].endswith("/sign-in") and "set-cookie" not in again.headers
    unknown = client.get("/auth/session", params={"code": "made-up"})
    assert unknown.headers["location"].endswith("/sign-in") and "set-cookie" not in unknown.headers


def test_signing_in_again_rotates_the_session_id(client):
    first = client.get("/auth/session", params={"code": _bound(client, _code())}).cookies[sessions.SESSION_COOKIE]
    client.cookies.set(sessions.SESSION_COOKIE, first)
    second = client.get("/auth/session", params={"code": _bound(client, _code())}).cookies[sessions.SESSION_COOKIE]
    assert second and second != first
    with session_scope() as session:
        assert sessions.resolve_session(session, first, settings=get_settings(), now=utcnow()) is None
        assert sessions.resolve_session(session, second, settings=get_settings(), now=utcnow()) is not None


def test_over_https_the_cookie_is_secure(app_db, monkeypatch):
    monkeypatch.setenv("LCADMIN_PUBLIC_URL", "https://billing.example.com")
    get_settings.cache_clear()
    with TestClient(http_routes(), base_url="https://billing.example.com", follow_redirects=False) as client:
        code = _bound(client, _code(return_to="https://billing.example.com/admin"))
        response = client.get("/auth/session", params={"code": code})
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(f"{sessions.SESSION_COOKIE}="))
    assert "Secure" in cookie and "HttpOnly" in cookie


def _session_cookie(client: TestClient) -> str:
    response = client.get("/auth/session", params={"code": _bound(client, _code())})
    return response.cookies[sessions.SESSION_COOKIE]


def test_sign_out_is_a_post_from_the_apps_own_page(client):
    raw_id = _session_cookie(client)
    client.cookies.set(sessions.SESSION_COOKIE, raw_id)
    response = client.post("/auth/sign-out", headers={"Origin": "http://localhost:3000", "Sec-Fetch-Site": "same-site"})
    assert response.status_code == 303 and response.headers["location"] == "http://localhost:3000/"
    assert f'{sessions.SESSION_COOKIE}=""' in response.headers["set-cookie"]
    assert "Max-Age=0" in response.headers["set-cookie"]
    with session_scope() as session:  # ended server-side too: the cookie is worthless
        assert sessions.resolve_session(session, raw_id, settings=get_settings(), now=utcnow()) is None


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"}, {"Origin": "null"}, {},
    {"Origin": "http://localhost:3000", "Sec-Fetch-Site": "cross-site"},
])
def test_no_other_site_can_sign_anyone_out(client, headers):
    """Logout CSRF: a form another site submits (or a link, a GET) ends nothing, drops nothing."""
    raw_id = _session_cookie(client)
    client.cookies.set(sessions.SESSION_COOKIE, raw_id)
    response = client.post("/auth/sign-out", headers=headers)
    assert response.status_code == 403 and "set-cookie" not in response.headers
    assert client.get("/auth/sign-out").status_code == 405
    with session_scope() as session:
        assert sessions.resolve_session(session, raw_id, settings=get_settings(), now=utcnow()) is not None


def test_a_code_opened_in_another_browser_signs_nobody_in(client):
    """Someone signs in, keeps the code, and sends the link to a victim: the victim's browser
    lacks the binding cookie, so nothing happens and the victim stays who they were."""
    code = _code("pdurand@acme-logistique.fr")
    response = client.get("/auth/session", params={"code": code})
    assert response.headers["location"].endswith("/sign-in") and "set-cookie" not in response.headers
    with read_scope() as session:
        assert session.exec(select(UserSession)).all() == []


def _headers(app_db, monkeypatch, public_url: str) -> dict:
    monkeypatch.setenv("LCADMIN_PUBLIC_URL", public_url)
    get_settings.cache_clear()
    app = security_headers(http_routes(), script_hashes=frozenset({"sha256-abc="}))
    with TestClient(app, base_url=public_url, follow_redirects=False) as client:
        return dict(client.get("/auth/session", params={"code": "x"}).headers)


def test_every_response_carries_the_security_headers(app_db, monkeypatch):
    headers = _headers(app_db, monkeypatch, "http://localhost:3000")
    policy = headers["content-security-policy"]
    for directive in ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'",
                      "form-action 'self'", "connect-src 'self' ws://localhost:3000", "'sha256-abc='"):
        assert directive in policy
    script_src = next(part for part in policy.split("; ") if part.startswith("script-src"))
    assert "'unsafe-inline'" not in script_src  # inline scripts by hash only
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "strict-transport-security" not in headers


def test_over_https_browsers_are_told_to_stay_on_https(app_db, monkeypatch):
    headers = _headers(app_db, monkeypatch, "https://billing.example.com")
    assert headers["strict-transport-security"].startswith("max-age=31536000")
    assert "connect-src 'self' wss://billing.example.com" in headers["content-security-policy"]


def test_the_built_pages_inline_scripts_are_allowed_by_their_hash(tmp_path):
    (tmp_path / "admin").mkdir()
    (tmp_path / "index.html").write_bytes(b"<html><script>window.a = 1;</script><script src='/x.js'></script></html>")
    (tmp_path / "admin" / "x.html").write_bytes(b"<script type='module'>import '/m.js';</script>")
    hashes = inline_script_hashes(tmp_path)
    assert len(hashes) == 2  # the one with a src needs none
    import base64
    import hashlib
    assert "sha256-" + base64.b64encode(hashlib.sha256(b"window.a = 1;").digest()).decode() in hashes
