"""`lcadmin serve`'s start-up checks and build stamp, and the reverse proxy's view of a request."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lcadmin import serve
from lcadmin.db import create_engine
from lcadmin.migrations import upgrade
from lcadmin.proxy import behind_proxy, forwarded_client
from lcadmin.settings import load_settings
from tests.helpers import PROD_SERVICES
from tests.states.conftest import run_async


def _settings(**env):
    return load_settings({"LCADMIN_ENV": "demo", **env})


def test_a_migrated_database_passes_and_redis_is_optional(tmp_path):
    url = f"sqlite:///{tmp_path / 'ok.db'}"
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    checks = serve.preflight(_settings(REFLEX_DB_URL=url))
    assert [(c.name, c.ok) for c in checks] == [("database", True), ("redis", True)]
    assert "one worker" in checks[1].detail


def test_a_database_behind_the_migrations_is_refused_with_the_command_to_run(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    upgrade(engine, "d0e1f2a3b4c5")
    engine.dispose()
    with pytest.raises(serve.StartRefused, match=r"REFLEX_DB_URL: the database is not at the code's migrations.*"
                                                 r"reflex db migrate"):
        serve.preflight(_settings(REFLEX_DB_URL=url))


def test_unreachable_services_are_refused_naming_their_variables():
    settings = _settings(REFLEX_DB_URL="postgresql+psycopg://postgres@127.0.0.1:1/none",
                         REFLEX_REDIS_URL="redis://127.0.0.1:1/0", LCADMIN_WORKERS="1")
    with pytest.raises(serve.StartRefused) as refused:
        serve.preflight(settings)
    assert "REFLEX_DB_URL: the database cannot be reached" in str(refused.value)
    assert "REFLEX_REDIS_URL: Redis cannot be reached" in str(refused.value)


@pytest.mark.parametrize(("env", "message"), [
    ({"LCADMIN_ENV": "dev"}, "LCADMIN_ENV=dev is a developer's machine"),
    ({"LCADMIN_ENV": "prod", "LCADMIN_PUBLIC_URL": "https://admin.example.com"}, "REFLEX_DB_URL"),
    ({"LCADMIN_ENV": "prod", "LCADMIN_PUBLIC_URL": "https://admin.example.com", **PROD_SERVICES}, "LCADMIN_SECRET_KEY"),
    ({"LCADMIN_ENV": "prod", "LCADMIN_PUBLIC_URL": "https://admin.example.com", "LCADMIN_SECRET_KEY": "k" * 40,
      **PROD_SERVICES, "LCADMIN_PAYMENT_PROVIDER": "sandbox"}, "LCADMIN_PAYMENT_PROVIDER=sandbox"),
])
def test_the_command_refuses_to_start_and_says_why(tmp_path, env, message):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LCADMIN_", "REFLEX_"))}
    done = subprocess.run([str(Path(sys.executable).parent / "lcadmin"), "serve", "--port", "1"],
                          env={**clean, "REFLEX_DB_URL": f"sqlite:///{tmp_path / 'x.db'}", **env}, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and message in done.stderr, done.stderr


def test_the_build_stamp_follows_the_sources_and_the_settings_compiled_in(tmp_path):
    (tmp_path / "lcadmin").mkdir()
    page = tmp_path / "lcadmin" / "page.py"
    page.write_text("title = 'Factures'\n")
    first = serve.build_fingerprint(_settings(), tmp_path)
    assert serve.build_fingerprint(_settings(), tmp_path) == first
    assert serve.build_fingerprint(_settings(LCADMIN_PUBLIC_URL="https://admin.example.com"), tmp_path) != first
    assert serve.build_fingerprint(_settings(LCADMIN_DEFAULT_LOCALE="en"), tmp_path) != first
    assert serve.build_fingerprint(_settings(LCADMIN_SESSION_IDLE_MINUTES="45"), tmp_path) != first  # in the page
    page.write_text("title = 'Invoices'\n")
    assert serve.build_fingerprint(_settings(), tmp_path) != first


def test_the_client_is_read_from_the_right_of_x_forwarded_for():
    assert forwarded_client("203.0.113.9", 1) == "203.0.113.9"
    # A browser may send its own X-Forwarded-For; the proxy appends the address it saw.
    assert forwarded_client("10.9.9.9, 198.51.100.7", 1) == "198.51.100.7"
    assert forwarded_client("198.51.100.7, 10.0.0.2", 2) == "198.51.100.7"
    assert forwarded_client("", 1) is None and forwarded_client("not-an-ip", 1) is None
    assert forwarded_client("198.51.100.7", 2) is None  # fewer proxies than configured: not trusted


def _seen(hops: int, headers: list[tuple[bytes, bytes]], kind: str = "http") -> dict:
    seen = {}

    async def app(scope, receive, send):
        seen.update(client=scope["client"][0], scheme=scope["scheme"])

    scope = {"type": kind, "scheme": "http" if kind == "http" else "ws", "client": ("127.0.0.1", 5000),
             "headers": headers}
    run_async(behind_proxy(app, hops=hops)(scope, None, None))  # Playwright may own this thread's loop
    return seen


def test_behind_the_proxy_the_app_sees_the_browsers_address_and_https():
    headers = [(b"x-forwarded-for", b"198.51.100.7"), (b"x-forwarded-proto", b"https")]
    assert _seen(1, headers) == {"client": "198.51.100.7", "scheme": "https"}
    assert _seen(1, headers, "websocket") == {"client": "198.51.100.7", "scheme": "wss"}
    # Without a trusted proxy the headers are anyone's words: ignored.
    assert _seen(0, headers) == {"client": "127.0.0.1", "scheme": "http"}
    assert _seen(1, [(b"x-forwarded-proto", b"gopher")]) == {"client": "127.0.0.1", "scheme": "http"}


def test_a_stamp_without_its_build_is_not_a_build(tmp_path, monkeypatch):
    monkeypatch.setenv("REFLEX_WEB_WORKDIR", str(tmp_path))
    settings = _settings()
    (tmp_path / serve.BUILD_STAMP).write_text(f'{{"fingerprint": "{serve.build_fingerprint(settings)}"}}')
    assert not serve.build_is_current(settings)  # the build folder was removed
    (tmp_path / "build" / "client").mkdir(parents=True)
    assert serve.build_is_current(settings)
