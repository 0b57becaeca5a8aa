"""State tests: handlers called as the browser would, against a test database with the demo data."""

from __future__ import annotations

import asyncio
import inspect
from concurrent.futures import ThreadPoolExecutor

import pytest
import reflex as rx
from reflex.istate.data import RouterData

import lcadmin.lcadmin  # noqa: F401  (the app registers every state)
from lcadmin.db import dispose_engines
from lcadmin.settings import get_settings
from tests.conftest import postgres_url


@pytest.fixture
def app_db(demo, db_path, monkeypatch):
    """Point the app's own engine (the one handlers use) at this test's demo database."""
    monkeypatch.setenv("REFLEX_DB_URL", f"sqlite:///{db_path}")
    get_settings.cache_clear()
    dispose_engines()
    yield demo
    get_settings.cache_clear()
    dispose_engines()


@pytest.fixture
def pg_app_db(pg_engine, pg_schema, monkeypatch):
    """Like ``app_db``, on a migrated PostgreSQL schema holding the demo data."""
    from lcadmin import migrations
    from lcadmin.db import session_scope
    from lcadmin.demo import DEMO_PASSWORD, load_demo_data
    from lcadmin.services.passwords import hash_password

    migrations.upgrade(pg_engine)
    with session_scope(pg_engine) as session:
        load_demo_data(session, password_hash=hash_password(DEMO_PASSWORD))
    monkeypatch.setenv("REFLEX_DB_URL", postgres_url(pg_schema))
    get_settings.cache_clear()
    dispose_engines()
    yield pg_engine
    get_settings.cache_clear()
    dispose_engines()


class Browser:
    """One browser tab: a state tree, its request headers, and a way to call handlers."""

    def __init__(self, *, cookie: str = "", ip: str = "203.0.113.50", accept_language: str = "fr-FR",
                 path: str = "/", params: dict | None = None, url: str | None = None):
        """``url``: the address in the browser's bar (path and query), when it differs from ``path``
        (the route, e.g. ``/admin/orders/[number]``)."""
        self.root = rx.State()
        self.root.router = RouterData.from_router_data({
            "headers": {"cookie": cookie, "origin": "http://localhost:3000", "accept-language": accept_language},
            "ip": ip, "pathname": path, "query": dict(params or {}), "asPath": url or path,
        })

    def state(self, cls):
        return self.root.get_substate(cls.get_full_name().split(".")[1:])

    def call(self, handler, *args):
        """What the handler sends the browser: its return value, or for a handler that yields
        (one that shows it is working) the last event it yields."""
        result = handler(*args)
        if inspect.isasyncgen(result):
            result = _last_of(result)
        if not asyncio.iscoroutine(result):
            return result
        # A thread of its own: another test's tool (Playwright) may own this thread's event loop.
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, result).result()


def run_async(coroutine):
    """Run a coroutine to its end, in a thread of its own (another test's tool, Playwright, may
    own this thread's event loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _last_of(events):
    last = None
    async for event in events:
        last = event if event is not None else last
    return last


@pytest.fixture
def browser():
    return Browser
