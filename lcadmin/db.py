"""The database engine and the transaction scopes every caller uses.

SQLite is set up for integrity under concurrency: WAL journal, foreign keys enforced, a busy
timeout, and ``BEGIN IMMEDIATE`` for write transactions so that two writers never both read a value
and then collide on the write (with SQLite's default deferred transactions, parallel writers
allocating numbers were measured issuing duplicates and "database is locked" errors). Read-only
scopes keep deferred transactions so readers never wait for writers in WAL mode.

The same code runs on PostgreSQL when ``REFLEX_DB_URL`` names one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import sqlalchemy
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.sql import Select
from sqlmodel import Session

from lcadmin.settings import get_settings

SQLITE_BUSY_TIMEOUT_MS = 10_000
_engines: dict[str, Engine] = {}
_lock = threading.Lock()
_Statement = TypeVar("_Statement", bound=Select)


def _setup_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself, instead of pysqlite's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")


def create_engine(url: str, connect_args: dict | None = None) -> Engine:
    """A new engine for ``url``, with SQLite's integrity settings when it is SQLite.

    ``connect_args`` go to the driver (e.g. a PostgreSQL ``search_path``).
    """
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sqlalchemy.create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30, **(connect_args or {})}
        )
        _setup_sqlite(engine)
    else:
        engine = sqlalchemy.create_engine(url, pool_pre_ping=True, connect_args=connect_args or {})
    return engine


def get_engine(url: str | None = None) -> Engine:
    """The shared engine for ``url`` (the configured database when omitted)."""
    url = url or get_settings().db_url
    with _lock:
        if url not in _engines:
            _engines[url] = create_engine(url)
        return _engines[url]


def dispose_engines() -> None:
    """Close every pooled connection (tests switch databases; workers fork)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A write transaction: commits when the block ends, rolls back if it raises.

    On SQLite it starts with ``BEGIN IMMEDIATE``, taking the write lock up front.
    """
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A read-only transaction, deferred on SQLite so it never waits for a writer; never commits.

    Closing the session ends the transaction; the objects read stay usable, detached.
    """
    engine = (engine or get_engine()).execution_options(sqlite_begin="DEFERRED")
    with Session(engine, expire_on_commit=False) as session:
        yield session


def skip_locked(session: Session, statement: _Statement, *, of=None) -> _Statement:
    """``statement`` locking the rows it selects until the transaction ends, and passing over the
    rows another transaction holds: how a background job claims work on PostgreSQL, so that two
    processes running the same job at once split the rows between them instead of waiting for
    each other (``FOR NO KEY UPDATE SKIP LOCKED``: rows locked so are still referable by foreign
    keys, so inserting a row that points at one does not wait).

    On SQLite the statement is returned as it is: SQLite has no row locks, and its write
    transactions (``BEGIN IMMEDIATE``) already run one at a time. On both, the conditional UPDATE
    that follows (a claim, a compare-and-set move) is what decides who won.

    Args:
        session: The session the statement runs in (its database decides).
        statement: A SELECT of the rows to claim, without DISTINCT, aggregates or outer joins.
        of: With joins, the table (or its columns) whose rows are locked; all of them otherwise.
    """
    if session.get_bind().dialect.name != "postgresql":
        return statement
    return statement.with_for_update(skip_locked=True, key_share=True, of=of)
