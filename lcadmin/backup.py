"""``lcadmin backup FILE`` and ``lcadmin restore FILE``: the SQLite database copied to a file, and back.

A backup is taken with SQLite's online backup API while the app keeps running: it reads one
consistent snapshot (every transaction committed before it began, none after), which copying
the file would not give with the write-ahead log. The copy is written to a temporary file beside
FILE, made self-contained (no ``-wal`` file), checked with ``PRAGMA integrity_check``, then
renamed to FILE, so FILE is never a half-written backup.

A restore first checks that FILE is an lcadmin database, intact, at a migration this code knows
(not one made by a newer version), and that no process has the database open: the app, a
``lcadmin worker`` or a ``lcadmin jobs run`` must be stopped first (SQLite tells, as long as the
database is on a local disk). The database it replaces is kept beside it
(``….before-restore-<time>``); then FILE is copied in with the backup API, under an exclusive
lock that keeps everyone out until it is done.

PostgreSQL databases are refused: ``pg_dump`` and ``pg_restore`` do this job there.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import sys
import time
from contextlib import closing, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

EXIT_REFUSED = 2
EXIT_FAILED = 1
SQLITE_HEADER = b"SQLite format 3\x00"
# Tables every lcadmin database has had since its first migration.
LCADMIN_TABLES = frozenset({"alembic_version", "company", "user_account", "invoice", "audit_event"})
BUSY_TIMEOUT_S = 30.0

POSTGRES_REFUSAL = ("REFLEX_DB_URL names a PostgreSQL database: `lcadmin backup` and `lcadmin restore` copy SQLite "
                    "databases only. Use pg_dump --format=custom (a consistent snapshot while the app runs) and "
                    "pg_restore (with the app stopped) instead.")


class BackupRefused(Exception):
    """The backup or restore cannot be done as asked; the message says why (exit code 2)."""


class BackupFailed(Exception):
    """The copy was made but is not sound; nothing was replaced (exit code 1)."""


@dataclass(frozen=True)
class CopyReport:
    """What a backup or a restore did."""

    source: Path
    destination: Path
    size_bytes: int
    revision: str
    seconds: float
    kept: Path | None = None  # restore: the database it replaced, kept beside it
    behind_head: bool = False  # restore: the backup predates the code's latest migration


def sqlite_file(db_url: str) -> Path:
    """The database file ``REFLEX_DB_URL`` names.

    Raises:
        BackupRefused: A PostgreSQL URL, or no SQLite file.
    """
    if db_url.startswith(("postgresql", "postgres")):
        raise BackupRefused(POSTGRES_REFUSAL)
    path = db_url.removeprefix("sqlite:///").partition("?")[0] if db_url.startswith("sqlite:///") else ""
    if not path or path == ":memory:":
        raise BackupRefused(f"REFLEX_DB_URL={db_url!r} names no SQLite database file")
    return Path(path)


def _connect(path: Path, mode: str, timeout: float = BUSY_TIMEOUT_S) -> sqlite3.Connection:
    # A URI, so that opening never creates a file unless asked (mode=rwc).
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=timeout,
                           isolation_level=None)


def _integrity(connection: sqlite3.Connection) -> str:
    rows = connection.execute("PRAGMA integrity_check").fetchall()
    return "ok" if rows == [("ok",)] else "; ".join(str(row[0]) for row in rows[:5])


def _revision(connection: sqlite3.Connection) -> str | None:
    try:
        rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError:
        return None
    return rows[0][0] if len(rows) == 1 else None


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _same_file(one: Path, other: Path) -> bool:
    return one.resolve() == other.resolve() or (one.exists() and other.exists() and os.path.samefile(one, other))


def _copy(source: sqlite3.Connection, destination: Path) -> tuple[str | None, int]:
    """Copy the database of ``source`` into the new file ``destination`` (self-contained and
    checked), and return its revision and size."""
    with closing(_connect(destination, "rwc")) as target:
        source.backup(target)  # in one step: one read transaction, so one consistent snapshot
        target.execute("PRAGMA journal_mode=DELETE")  # no -wal file beside the copy
        problem = _integrity(target)
        if problem != "ok":
            raise BackupFailed(f"the copy failed SQLite's integrity check ({problem}): nothing was replaced")
        revision = _revision(target)
    _fsync(destination)
    return revision, destination.stat().st_size


def backup(db_url: str, destination: Path | str, *, overwrite: bool = False) -> CopyReport:
    """Copy the SQLite database of ``db_url`` to ``destination``, consistently, while the app runs.

    Raises:
        BackupRefused: PostgreSQL, no database, ``destination`` is the database itself, exists
            (without ``overwrite``) or is in a missing folder.
        BackupFailed: The copy failed its integrity check (``destination`` is left as it was).
    """
    source, destination = sqlite_file(db_url), Path(destination)
    if not source.is_file():
        raise BackupRefused(f"there is no database at {source}")
    if any(_same_file(destination, Path(f"{source}{suffix}")) for suffix in ("", "-wal", "-shm", "-journal")):
        raise BackupRefused(f"{destination} is the database itself: name another file")
    if destination.is_dir():
        raise BackupRefused(f"{destination} is a folder: name a file in it")
    if destination.exists() and not overwrite:
        raise BackupRefused(f"{destination} already exists: name a new file, or pass --overwrite")
    if not destination.parent.is_dir():
        raise BackupRefused(f"the folder {destination.parent} does not exist")
    started = time.monotonic()
    partial = destination.with_name(f".{destination.name}.{secrets.token_hex(4)}.partial")
    try:
        with closing(_connect(source, "rw")) as live:  # only read; "ro" cannot open a WAL file left without -shm
            revision, size = _copy(live, partial)
        os.replace(partial, destination)
    finally:
        with suppress(FileNotFoundError):
            partial.unlink()
    with suppress(OSError):  # the rename itself survives a power cut
        _fsync(destination.parent)
    return CopyReport(source, destination, size, revision or "none", time.monotonic() - started)


def _check_backup(path: Path) -> tuple[str, bool]:
    """The backup's migration and whether it is behind the code's latest.

    Raises:
        BackupRefused: Not an lcadmin SQLite database, damaged, or at an unknown migration.
    """
    from alembic.util import CommandError

    from lcadmin.migrations import script_directory

    if not path.is_file():
        raise BackupRefused(f"there is no file at {path}")
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupRefused(f"{path} is not a SQLite database")
    try:
        with closing(_connect(path, "ro")) as connection:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if missing := LCADMIN_TABLES - tables:
                raise BackupRefused(f"{path} is not an lcadmin database (it lacks the tables "
                                    f"{', '.join(sorted(missing))})")
            problem, revision = _integrity(connection), _revision(connection)
    except sqlite3.DatabaseError as error:
        raise BackupRefused(f"{path} cannot be read as a SQLite database ({error})") from error
    if problem != "ok":
        raise BackupRefused(f"{path} is damaged (SQLite's integrity check: {problem})")
    if revision is None:
        raise BackupRefused(f"{path} records no migration (alembic_version): not an lcadmin backup")
    scripts = script_directory()
    try:
        known = scripts.get_revision(revision) is not None
    except CommandError:
        known = False
    if not known:
        raise BackupRefused(f"{path} is at migration {revision}, which this version of lcadmin does not know (a "
                            "backup made by a newer version?): restore it with the version that made it")
    return revision, revision not in scripts.get_heads()


def _take_exclusively(path: Path) -> sqlite3.Connection:
    """A connection holding the database ``path`` exclusively until it is closed.

    Raises:
        BackupRefused: Another connection, of any process, has the database open.
    """
    connection = _connect(path, "rwc", timeout=0.0)
    try:
        # A database in WAL mode can be locked exclusively only while no other connection has
        # it open, even an idle one.
        connection.execute("PRAGMA locking_mode=EXCLUSIVE")
        connection.execute("BEGIN EXCLUSIVE")
        connection.execute("ROLLBACK")  # the lock stays, in exclusive locking mode
    except sqlite3.OperationalError as error:
        connection.close()
        raise BackupRefused(f"the database {path} is in use ({error}): stop the app (lcadmin serve or reflex "
                            "run), the `lcadmin worker` and any `lcadmin jobs run`, then restore again") from error
    return connection


def restore(db_url: str, backup_file: Path | str, *, now: datetime | None = None) -> CopyReport:
    """Replace the SQLite database of ``db_url`` by the backup ``backup_file``; the database it
    replaces is kept beside it. The app must be stopped.

    Raises:
        BackupRefused: PostgreSQL; the file is not an lcadmin database, is damaged or is at a
            migration this code does not know; the database is in use.
        BackupFailed: The restored database failed its integrity check (the previous one is kept).
    """
    target, backup_file = sqlite_file(db_url), Path(backup_file)
    if backup_file.exists() and _same_file(backup_file, target):
        raise BackupRefused(f"{backup_file} is the database itself")
    revision, behind = _check_backup(backup_file)
    started, kept = time.monotonic(), None
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(_take_exclusively(target)) as live:
        if live.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
            kept = target.with_name(f"{target.name}.before-restore-{stamp}")
            _copy(live, kept)
        with closing(_connect(backup_file, "ro")) as copy:
            copy.backup(live)
        live.execute("PRAGMA journal_mode=WAL")  # as the app keeps it
        problem = _integrity(live)
        if problem != "ok":
            raise BackupFailed(f"the restored database failed SQLite's integrity check ({problem}); the previous "
                               f"one is kept at {kept}")
    return CopyReport(backup_file, target, target.stat().st_size, revision, time.monotonic() - started, kept, behind)


def _size(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.1f} kB"


def run_backup(db_url: str, file: str, *, overwrite: bool = False) -> int:
    """``lcadmin backup FILE``: do it and say what was done; the exit code."""
    try:
        done = backup(db_url, file, overwrite=overwrite)
    except BackupRefused as error:
        print(f"Backup refused: {error}", file=sys.stderr)
        return EXIT_REFUSED
    except (BackupFailed, sqlite3.Error, OSError) as error:
        print(f"Backup failed: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Backup written to {done.destination}: a consistent copy of {done.source} ({_size(done.size_bytes)}, "
          f"migration {done.revision}, integrity ok) in {done.seconds:.2f} s.")
    return 0


def run_restore(db_url: str, file: str) -> int:
    """``lcadmin restore FILE``: do it and say what was done; the exit code."""
    try:
        done = restore(db_url, file)
    except BackupRefused as error:
        print(f"Restore refused: {error}", file=sys.stderr)
        return EXIT_REFUSED
    except (BackupFailed, sqlite3.Error, OSError) as error:
        print(f"Restore failed: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Database {done.destination} restored from {done.source} ({_size(done.size_bytes)}, migration "
          f"{done.revision}, integrity ok) in {done.seconds:.2f} s."
          + (f" The database it replaced is kept at {done.kept}." if done.kept else ""))
    if done.behind_head:
        print("The backup predates this version's latest migration: run `reflex db migrate` before starting the app.")
    return 0
