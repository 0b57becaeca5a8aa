"""Fixtures shared by the whole pyramid: a fresh migrated SQLite database per test, cheap password
hashing, and the rule that decides whether a test lacking a service skips or fails."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from passlib.context import CryptContext
from sqlalchemy.engine import Engine
from sqlmodel import Session

from lcadmin import migrations
from lcadmin.db import create_engine, session_scope
from lcadmin.services import passwords

IN_CI = os.environ.get("CI", "").lower() == "true"


def require(available: bool, reason: str) -> None:
    """Skip when a service or tool is missing on a laptop; fail in CI, where nothing may skip."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> None:
    """argon2id with tiny parameters: same code path, a millisecond per hash instead of 100."""
    passwords.use_context(
        CryptContext(schemes=["argon2"], argon2__memory_cost=256, argon2__rounds=1, argon2__parallelism=1)
    )


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head; each test gets a copy (much faster than migrating again)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = create_engine(f"sqlite:///{path}")
    migrations.upgrade(engine)
    engine.dispose()
    with sqlite3.connect(path) as connection:  # fold the WAL into the file before copying it
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def db_path(migrated_template: Path, tmp_path: Path) -> Path:
    """A fresh, migrated SQLite database file for this test."""
    path = tmp_path / "lcadmin.db"
    shutil.copyfile(migrated_template, path)
    return path


@pytest.fixture
def engine(db_path: Path) -> Iterator[Engine]:
    """The engine of this test's own database."""
    engine = create_engine(f"sqlite:///{db_path}")
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A write session on this test's database, committed at the end of the test."""
    with session_scope(engine) as session:
        yield session


@pytest.fixture
def demo(engine: Engine) -> Engine:
    """This test's database, holding the demo data."""
    from lcadmin.demo import DEMO_PASSWORD, load_demo_data

    with session_scope(engine) as session:
        load_demo_data(session, password_hash=passwords.hash_password(DEMO_PASSWORD))
    return engine


@pytest.fixture
def settings():
    """The default settings (demo vendor, public URL http://localhost:3000), independent of the
    environment the tests run in."""
    from lcadmin.settings import load_settings

    return load_settings({})
