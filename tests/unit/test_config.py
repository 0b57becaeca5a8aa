"""rxconfig.py: the database comes from the settings and the websocket accepts only our origin."""

import runpy
from pathlib import Path

import pytest

from lcadmin.settings import get_settings

RXCONFIG = Path(__file__).resolve().parents[2] / "rxconfig.py"


@pytest.fixture
def load_config(monkeypatch):
    def load(**env):
        for name in ("LCADMIN_PUBLIC_URL", "LCADMIN_ENV", "REFLEX_DB_URL"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        return runpy.run_path(str(RXCONFIG))["config"]

    yield load
    get_settings.cache_clear()


def test_cors_is_limited_to_the_public_url(load_config):
    config = load_config(LCADMIN_PUBLIC_URL="https://admin.example.com")
    assert list(config.cors_allowed_origins) == ["https://admin.example.com"]


def test_on_a_laptop_both_spellings_of_localhost_may_connect(load_config):
    config = load_config()
    assert set(config.cors_allowed_origins) == {"http://localhost:3000", "http://127.0.0.1:3000"}
    assert config.db_url == "sqlite:///.data/lcadmin.db"


def test_the_database_url_passes_through(load_config):
    config = load_config(REFLEX_DB_URL="postgresql+psycopg://app@db.internal/lcadmin")
    assert config.db_url == "postgresql+psycopg://app@db.internal/lcadmin"
