"""Service-level fixtures: a throwaway schema on the real PostgreSQL server."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa

from lcadmin.db import create_engine
from tests.conftest import require

POSTGRES_URL = os.environ.get("LCADMIN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _reachable() -> str | None:
    try:
        probe = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with probe.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        probe.dispose()
        return None
    except Exception as error:  # noqa: BLE001 - any failure means: no server to test against
        return f"no PostgreSQL at {POSTGRES_URL} ({type(error).__name__})"


@pytest.fixture
def pg_engine():
    """An engine on a fresh, empty schema of the PostgreSQL server, dropped afterwards."""
    problem = _reachable()
    require(problem is None, problem or "")
    schema = f"lcadmin_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine = create_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


