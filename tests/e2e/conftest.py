"""End-to-end fixtures: the real app (AppHarness: backend in-process, Vite dev frontend) on a
migrated SQLite database holding the demo data, driven by Playwright in Debian's Chromium.

Playwright never downloads a browser here: it launches /usr/bin/chromium (or $LCADMIN_CHROMIUM).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller

from lcadmin import migrations
from lcadmin.db import create_engine, dispose_engines, session_scope
from lcadmin.demo import DEMO_PASSWORD, load_demo_data
from lcadmin.services.passwords import hash_password
from lcadmin.settings import get_settings
from tests.conftest import require
from tests.e2e.cluster import free_port, wait_for_answer

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("LCADMIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    require(Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None,
            f"no Chromium at {CHROMIUM} (apt-get install chromium, or set LCADMIN_CHROMIUM)")
    return CHROMIUM


class Inbox:
    """A real SMTP server (aiosmtpd on 127.0.0.1) that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list = []
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def wait_for(self, to: str, subject: str, *, after: int = 0, timeout: float = 20.0):
        """The first message to ``to`` with ``subject`` among those received after the first ``after``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages[after:]:
                if message["To"] == to and message["Subject"] == subject:
                    return message
            time.sleep(0.2)
        raise AssertionError(f"no e-mail {subject!r} to {to} within {timeout} s; got "
                             f"{[(m['To'], m['Subject']) for m in self.messages]}")

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture(scope="session")
def inbox() -> Iterator[Inbox]:
    server = Inbox()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def e2e_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The running app's database: migrated, with the demo data."""
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'e2e.db'}"
    engine = create_engine(url)
    migrations.upgrade(engine)
    with session_scope(engine) as session:
        load_demo_data(session, password_hash=hash_password(DEMO_PASSWORD))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def app_url(chromium_path: str, inbox: Inbox, e2e_db_url: str) -> Iterator[str]:
    """The running app's address, with its own database of demo data and its SMTP settings pointed
    at the test's SMTP server."""
    from reflex.config import get_config, reload_config
    from reflex.testing import AppHarness

    url = e2e_db_url

    # The demo's invoices fall due on fixed dates: collecting them by themselves would make the
    # journeys that pay them depend on the day the suite runs (collection has its service tests).
    overrides = {"REFLEX_DB_URL": url, "LCADMIN_SMTP_HOST": "127.0.0.1", "LCADMIN_SMTP_PORT": str(inbox.port),
                 "LCADMIN_AUTOMATIC_COLLECTION": "false"}
    saved = {name: os.environ.get(name) for name in overrides}
    os.environ.update(overrides)
    get_settings.cache_clear()
    dispose_engines()
    reload_config()  # rxconfig puts the venv's bun on PATH before the harness looks for it
    harness = AppHarness.create(root=ROOT, app_name="lcadmin")
    try:
        harness.start()
        # The backend listens on 127.0.0.1; cookies belong to a host name, so the browser must
        # reach the frontend under that same name for the session cookie to travel with it.
        backend_host = urlsplit(get_config().api_url).hostname
        frontend = harness.frontend_url.rstrip("/").replace("//localhost:", f"//{backend_host}:")
        # The websocket accepts only the configured public origin; the dev frontend listens on a
        # port chosen at start, so that exact origin is what the running server must accept.
        harness.app_instance.sio.eio.cors_allowed_origins = [frontend]
        config = get_config()
        config.cors_allowed_origins = (*config.cors_allowed_origins, frontend)
        yield frontend
    finally:
        harness.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()
        dispose_engines()


@pytest.fixture(scope="session")
def browser(chromium_path: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _page_opener(browser, base_url: str):
    """``open_page(locale=..., width=..., color_scheme=...)`` in fresh browser profiles, and the
    list of those profiles (closed by the fixture)."""
    contexts = []

    def open_page(*, locale: str = "fr-FR", width: int = 1280, color_scheme: str = "light"):
        context = browser.new_context(locale=locale, viewport={"width": width, "height": 900},
                                      color_scheme=color_scheme, accept_downloads=True, base_url=base_url)
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    return open_page, contexts


@pytest.fixture
def new_page(browser, app_url):
    """Open a page in a fresh browser profile: ``new_page(locale="en-US", width=375)``."""
    open_page, contexts = _page_opener(browser, app_url)
    yield open_page
    for context in contexts:
        context.close()

class ProductionApp:
    """``reflex run --env prod --single-port`` in a process of its own, as deployed: one origin,
    the production bundle, its own database, frontend folder and state store."""

    def __init__(self, root: Path, workdir: Path, inbox: Inbox) -> None:
        self.port = free_port()
        self.url = f"http://localhost:{self.port}"
        self.db_url = f"sqlite:///{workdir / 'prod.db'}"
        self.log_path = workdir / "app.log"
        self.secret_key = "e2e-production-secret-key-0123456789abcdef"
        engine = create_engine(self.db_url)
        migrations.upgrade(engine)
        with session_scope(engine) as session:
            load_demo_data(session, password_hash=hash_password(DEMO_PASSWORD))
        self.engine = engine
        env = {**os.environ, "REFLEX_DB_URL": self.db_url, "LCADMIN_PUBLIC_URL": self.url,
               "LCADMIN_ENV": "demo", "LCADMIN_SECRET_KEY": self.secret_key,
               "LCADMIN_SMTP_HOST": "127.0.0.1", "LCADMIN_SMTP_PORT": str(inbox.port),
               "REFLEX_WEB_WORKDIR": str(workdir / ".web"), "REFLEX_STATES_WORKDIR": str(workdir / ".states"),
               "LCADMIN_AUTOMATIC_COLLECTION": "false", "PYTHONUNBUFFERED": "1"}
        env.pop("REFLEX_REDIS_URL", None)
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "reflex"), "run", "--env", "prod", "--single-port",
             "--frontend-port", str(self.port), "--backend-port", str(self.port)],
            cwd=root, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait(self, timeout: float = 240) -> None:
        wait_for_answer(f"{self.url}/ping", self.process, self.log_path, timeout)

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
        self._log.close()
        self.engine.dispose()


@pytest.fixture(scope="session")
def prod_app(chromium_path: str, inbox: Inbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProductionApp]:
    """The app built and served in production mode on one port (see :class:`ProductionApp`)."""
    app = ProductionApp(ROOT, tmp_path_factory.mktemp("production"), inbox)
    try:
        app.wait()
        yield app
    finally:
        app.stop()


@pytest.fixture
def prod_page(browser, prod_app):
    """Open a page of the production app in a fresh browser profile, as ``new_page`` does."""
    open_page, contexts = _page_opener(browser, prod_app.url)
    yield open_page
    for context in contexts:
        context.close()
