"""End-to-end fixtures: the real app (AppHarness: backend in-process, Vite dev frontend) on a
migrated SQLite database holding the demo data, driven by Playwright in Debian's Chromium.

Playwright never downloads a browser here: it launches /usr/bin/chromium (or $LCADMIN_CHROMIUM).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from lcadmin import migrations
from lcadmin.db import create_engine, dispose_engines, session_scope
from lcadmin.demo import DEMO_PASSWORD, load_demo_data
from lcadmin.services.passwords import hash_password
from lcadmin.settings import get_settings
from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("LCADMIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    require(Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None,
            f"no Chromium at {CHROMIUM} (apt-get install chromium, or set LCADMIN_CHROMIUM)")
    return CHROMIUM


@pytest.fixture(scope="session")
def app_url(chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The running app's address, with its own database of demo data."""
    from reflex.config import reload_config
    from reflex.testing import AppHarness

    db_file = tmp_path_factory.mktemp("e2e") / "e2e.db"
    url = f"sqlite:///{db_file}"
    engine = create_engine(url)
    migrations.upgrade(engine)
    with session_scope(engine) as session:
        load_demo_data(session, password_hash=hash_password(DEMO_PASSWORD))
    engine.dispose()

    saved = os.environ.get("REFLEX_DB_URL")
    os.environ["REFLEX_DB_URL"] = url
    get_settings.cache_clear()
    dispose_engines()
    reload_config()  # rxconfig puts the venv's bun on PATH before the harness looks for it
    harness = AppHarness.create(root=ROOT, app_name="lcadmin")
    try:
        harness.start()
        frontend = harness.frontend_url.rstrip("/")
        # The websocket accepts only the configured public origin; the dev frontend listens on a
        # port chosen at start, so that exact origin is what the running server must accept.
        harness.app_instance.sio.eio.cors_allowed_origins = [frontend]
        yield frontend
    finally:
        harness.stop()
        if saved is None:
            os.environ.pop("REFLEX_DB_URL", None)
        else:
            os.environ["REFLEX_DB_URL"] = saved
        get_settings.cache_clear()
        dispose_engines()


@pytest.fixture(scope="session")
def browser(chromium_path: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, app_url):
    """Open a page in a fresh browser profile: ``new_page(locale="en-US", width=375)``."""
    contexts = []

    def open_page(*, locale: str = "fr-FR", width: int = 1280, color_scheme: str = "light"):
        context = browser.new_context(locale=locale, viewport={"width": width, "height": 900},
                                      color_scheme=color_scheme)
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
