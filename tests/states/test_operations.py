"""What operations see of the running app: /_metrics, the request ids in the JSON log lines of
events and HTTP requests, and the HTTP routes' database work kept off the event loop.

Events go through Reflex's own event processor with the app's middleware, as the websocket
delivers them."""

from __future__ import annotations

import asyncio
import contextvars
import io
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from prometheus_client import REGISTRY
from reflex.event import Event
from reflex_base.event.processor import BaseStateEventProcessor
from starlette.testclient import TestClient

import lcadmin.lcadmin as application
from lcadmin import routes
from lcadmin.logs import JsonFormatter
from lcadmin.routes import http_routes
from lcadmin.settings import get_settings
from lcadmin.states import locale
from lcadmin.states.locale import LocaleState

TOKEN = "m" * 40


@pytest.fixture
def metrics_token(monkeypatch):
    monkeypatch.setenv("LCADMIN_METRICS_TOKEN", TOKEN)
    get_settings.cache_clear()
    yield TOKEN
    get_settings.cache_clear()


@pytest.fixture
def client(app_db):
    with TestClient(http_routes(), base_url="http://localhost:8000", follow_redirects=False) as test_client:
        yield test_client


def test_without_a_token_configured_there_are_no_metrics(client, monkeypatch):
    monkeypatch.delenv("LCADMIN_METRICS_TOKEN", raising=False)
    get_settings.cache_clear()
    assert client.get("/_metrics").status_code == 404
    assert client.get("/_metrics", headers={"Authorization": "Bearer "}).status_code == 404


@pytest.mark.parametrize("authorization", [None, "", f"Basic {TOKEN}", f"Bearer {TOKEN[:-1]}", f"Bearer {TOKEN}x",
                                           "Bearer", TOKEN])
def test_a_wrong_token_gets_401(client, metrics_token, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = client.get("/_metrics", headers=headers)
    assert response.status_code == 401 and "lcadmin_" not in response.text
    assert response.headers["www-authenticate"].startswith("Bearer")


def _events(processor_events: list[tuple[str, dict]]) -> None:
    """Deliver ``processor_events`` (event name, router data) to one tab, in order, through Reflex's
    event processor with the app's middleware."""
    async def deliver():
        processor = BaseStateEventProcessor(middleware=application.app)
        processor.configure()
        async with processor:
            for name, router_data in processor_events:
                future = await processor.enqueue("tab-1", Event(name=name, payload={}, router_data=router_data))
                await asyncio.wait_for(future, timeout=20)
            await processor.join(timeout=20)

    # In a thread of its own (another test's tool may own this thread's event loop), in this
    # thread's context: Reflex finds the app's registered handlers there.
    context = contextvars.copy_context()
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(context.run, asyncio.run, deliver()).result(timeout=60)


DETECT = f"{LocaleState.get_full_name()}.detect_locale"
ROUTER = {"pathname": "/", "headers": {"accept-language": "en-GB"}}


def _handled(handler: str) -> float:
    return REGISTRY.get_sample_value("lcadmin_events_total", {"handler": handler, "outcome": "ok"}) or 0.0


def test_the_metrics_count_events_handled_for_the_right_token(client, metrics_token):
    before = _handled("LocaleState.detect_locale")
    _events([(DETECT, ROUTER), (DETECT, ROUTER)])
    response = client.get("/_metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    assert response.headers["cache-control"] == "no-store"
    assert _handled("LocaleState.detect_locale") >= before + 2
    line = next(line for line in response.text.splitlines()
                if line.startswith('lcadmin_events_total{handler="LocaleState.detect_locale",outcome="ok"}'))
    assert float(line.rsplit(" ", 1)[1]) == _handled("LocaleState.detect_locale")
    assert 'lcadmin_event_duration_seconds_count{handler="LocaleState.detect_locale"}' in response.text
    assert "lcadmin_outbox_pending_messages" in response.text


@contextmanager
def _json_lines(logger_name: str):
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    lines: list[dict] = []
    try:
        yield lines
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
        lines.extend(json.loads(line) for line in buffer.getvalue().splitlines())


def test_each_event_logs_with_a_request_id_of_its_own(app_db, monkeypatch):
    negotiate = locale.negotiate_locale

    def negotiate_and_log(accept_language):
        logging.getLogger("lcadmin.test_operations").info("negotiating password=hunter2-hunter2")
        return negotiate(accept_language)

    monkeypatch.setattr(locale, "negotiate_locale", negotiate_and_log)
    with _json_lines("lcadmin.test_operations") as lines:
        _events([(DETECT, ROUTER), (DETECT, ROUTER)])
    assert len(lines) >= 2  # (the first event of a tab also runs the page's on_load events)
    ids = [line["request_id"] for line in lines]
    assert all(ids) and len(set(ids)) == len(ids)
    assert all("hunter2" not in line["message"] for line in lines)


def test_an_http_request_logs_with_the_proxys_request_id_and_answers_with_it(client, monkeypatch):
    seen = []
    redeem = routes.redeem_handoff

    def redeem_and_log(session, **arguments):
        logging.getLogger("lcadmin.test_operations").info("redeeming code=%s", arguments["code"])
        return redeem(session, **arguments)

    monkeypatch.setattr(routes, "redeem_handoff", redeem_and_log)
    with _json_lines("lcadmin.test_operations") as lines:
        given = client.get("/auth/session", params={"code": "made-up"}, headers={"X-Request-ID": "proxy-42"})
        fresh = client.get("/auth/session", params={"code": "made-up"}, headers={"X-Request-ID": "bad id;x"})
        seen.extend([given.headers["x-request-id"], fresh.headers["x-request-id"]])
    assert seen[0] == "proxy-42" and seen[1] != "bad id;x" and len(seen[1]) == 16
    assert [line["request_id"] for line in lines] == seen  # the thread doing the database work has it too
    assert all("made-up" not in line["message"] for line in lines)


@contextmanager
def _off_the_loop(scope):
    """``session_scope``, refusing to run where an event loop is running (on it)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        with scope() as session:
            yield session
        return
    raise AssertionError("database work on the event loop")


def test_the_routes_do_their_database_work_off_the_event_loop(client, monkeypatch):
    original = routes.session_scope
    monkeypatch.setattr(routes, "session_scope", lambda: _off_the_loop(original))
    assert client.get("/auth/session", params={"code": "made-up"}).status_code == 303
    client.cookies.set("lcadmin_session", "some-session-id")
    response = client.post("/auth/sign-out", headers={"Origin": "http://localhost:3000"})
    assert response.status_code == 303


def test_outside_the_events_own_task_the_request_id_is_reflexs_transaction_id():
    # Reflex runs the backend's error handler in a task of its own, with only its event context.
    from reflex_base.event.context import EventContext

    from lcadmin.logs import current_request_id

    context = EventContext(token="tab-1", state_manager=None, enqueue_impl=None, txid="0a1b2c3d4e5f")
    token = EventContext.set(context)
    try:
        assert current_request_id() == "0a1b2c3d4e5f"
    finally:
        EventContext.reset(token)
    assert current_request_id() is None
