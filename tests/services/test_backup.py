"""``lcadmin backup`` and ``lcadmin restore`` on SQLite: a consistent copy while the app writes, and
back; and what they refuse."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from datetime import UTC, datetime

import pytest

from lcadmin.backup import BackupRefused, backup, restore, run_backup, run_restore
from lcadmin.cli import main
from lcadmin.db import create_engine, session_scope
from lcadmin.models import ThrottleFailure
from lcadmin.settings import get_settings

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _url(path) -> str:
    return f"sqlite:///{path}"


def _ids(path) -> list[int]:
    with sqlite3.connect(path) as connection:
        return [row[0] for row in connection.execute("SELECT id FROM throttle_failure ORDER BY id")]


class Writer(threading.Thread):
    """The app writing, one committed row after another, until stopped."""

    def __init__(self, path) -> None:
        super().__init__(daemon=True)
        self.engine = create_engine(_url(path))
        self.committed: list[int] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            with session_scope(self.engine) as session:
                row = ThrottleFailure(scope="test", key=f"ip:{len(self.committed)}", occurred_at=NOW)
                session.add(row)
                session.flush()
                row_id = row.id
            self.committed.append(row_id)

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + 30
        while len(self.committed) < count and time.monotonic() < deadline:
            time.sleep(0.005)

    def finish(self) -> list[int]:
        self.stop.set()
        self.join(timeout=30)
        self.engine.dispose()
        return list(self.committed)


def test_a_backup_taken_while_the_app_writes_is_consistent_and_restores_exactly(db_path, tmp_path):
    writer = Writer(db_path)
    writer.start()
    writer.wait_for(50)
    committed_before = set(writer.committed)
    report = backup(_url(db_path), tmp_path / "lcadmin-backup.db")
    writer.wait_for(len(writer.committed) + 50)  # the app keeps writing after the backup too
    committed = writer.finish()

    saved = _ids(report.destination)
    assert committed_before <= set(saved)  # every row committed before it began
    assert saved == committed[:len(saved)]  # one snapshot: the rows committed up to one moment, none after
    assert len(committed) > len(saved)
    with sqlite3.connect(report.destination) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one self-contained file
    assert not list(tmp_path.glob("*.partial")) and report.revision != "none"

    restored = restore(_url(db_path), report.destination)
    assert _ids(db_path) == saved  # exactly the backup's data
    assert restored.kept is not None and _ids(restored.kept) == committed  # what it replaced is kept
    with sqlite3.connect(db_path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    with session_scope(create_engine(_url(db_path))) as session:  # the app can use it again
        session.add(ThrottleFailure(scope="test", key="after", occurred_at=NOW))


def test_a_restore_refuses_a_database_in_use(db_path, tmp_path):
    copy = backup(_url(db_path), tmp_path / "copy.db").destination
    app = create_engine(_url(db_path))
    with app.connect() as connection:  # the app has it open, even idle
        connection.exec_driver_sql("SELECT 1")
        with pytest.raises(BackupRefused, match="in use"):
            restore(_url(db_path), copy)
        assert run_restore(_url(db_path), str(copy)) == 2
    app.dispose()
    restore(_url(db_path), copy)


@pytest.mark.parametrize("url", ["postgresql+psycopg://lcadmin@db.example.com:5432/lcadmin",
                                 "postgresql://lcadmin@localhost/lcadmin"])
def test_postgresql_is_left_to_pg_dump_and_pg_restore(url, tmp_path, capsys):
    with pytest.raises(BackupRefused, match="pg_dump"):
        backup(url, tmp_path / "x.db")
    with pytest.raises(BackupRefused, match="pg_restore"):
        restore(url, tmp_path / "x.db")
    assert run_backup(url, str(tmp_path / "x.db")) == 2
    assert "pg_dump" in capsys.readouterr().err


def _foreign_database(path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")


def test_a_restore_refuses_what_is_not_an_lcadmin_backup(db_path, tmp_path):
    before = _ids(db_path)
    _foreign_database(tmp_path / "other.db")
    with pytest.raises(BackupRefused, match="not an lcadmin database"):
        restore(_url(db_path), tmp_path / "other.db")
    (tmp_path / "notes.txt").write_text("SELECT * FROM company;")
    with pytest.raises(BackupRefused, match="not a SQLite database"):
        restore(_url(db_path), tmp_path / "notes.txt")
    with pytest.raises(BackupRefused, match="no file"):
        restore(_url(db_path), tmp_path / "missing.db")
    assert _ids(db_path) == before and not list(tmp_path.glob("*.before-restore-*"))


def test_a_restore_refuses_a_backup_from_a_newer_version(db_path, tmp_path):
    newer = backup(_url(db_path), tmp_path / "newer.db").destination
    with sqlite3.connect(newer) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    with pytest.raises(BackupRefused, match="does not know"):
        restore(_url(db_path), newer)


def test_a_backup_never_overwrites_by_mistake(db_path, tmp_path):
    with pytest.raises(BackupRefused, match="the database itself"):
        backup(_url(db_path), db_path, overwrite=True)
    (tmp_path / "taken.db").write_bytes(b"keep me")
    with pytest.raises(BackupRefused, match="already exists"):
        backup(_url(db_path), tmp_path / "taken.db")
    assert (tmp_path / "taken.db").read_bytes() == b"keep me"
    assert backup(_url(db_path), tmp_path / "taken.db", overwrite=True).size_bytes > 0
    with pytest.raises(BackupRefused, match="does not exist"):
        backup(_url(db_path), tmp_path / "nowhere" / "x.db")


def test_the_commands_say_what_they_did(db_path, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("REFLEX_DB_URL", _url(db_path))
    get_settings.cache_clear()
    try:
        assert main(["backup", str(tmp_path / "nightly.db")]) == 0
        said = capsys.readouterr().out
        assert "Backup written to" in said and "integrity ok" in said
        assert main(["restore", str(tmp_path / "nightly.db")]) == 0
        said = capsys.readouterr().out
        assert "restored from" in said and "before-restore" in said
        shutil.copyfile(tmp_path / "nightly.db", tmp_path / "again.db")
        assert main(["backup", str(tmp_path / "again.db")]) == 2  # exists
    finally:
        get_settings.cache_clear()
