"""Fixtures shared by the whole pyramid: a fresh migrated SQLite database per test, cheap password
hashing, and the rule that decides whether a test lacking a service skips or fails."""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
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


POSTGRES_URL = os.environ.get("LCADMIN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _reachable() -> str | None:
    try:
        probe = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with probe.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        probe.dispose()
        return None
    except Exception as error:
        return f"no PostgreSQL at {POSTGRES_URL} ({type(error).__name__})"


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A fresh, empty schema of the PostgreSQL server (dropped afterwards); its URL is
    ``postgres_url(schema)``."""
    problem = _reachable()
    require(problem is None, problem or "")
    schema = f"lcadmin_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def postgres_url(schema: str) -> str:
    """The URL of the test server with ``schema`` first on the search path."""
    return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"


@pytest.fixture
def pg_engine(pg_schema: str) -> Iterator[Engine]:
    """An engine on a fresh, empty schema of the PostgreSQL server."""
    engine = create_engine(postgres_url(pg_schema))
    try:
        yield engine
    finally:
        engine.dispose()
