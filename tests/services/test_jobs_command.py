"""``lcadmin jobs run``: every background job once, for a cron beside the running app; ``lcadmin
worker``: the same jobs in a loop, until SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlmodel import select

from lcadmin.db import read_scope
from lcadmin.models import Collection, OutboxMessage


def _jobs_run(db_path: Path) -> str:
    # The command's settings are its own: none of the suite's (the browser tests set some for their apps).
    env = {name: value for name, value in os.environ.items() if not name.startswith(("LCADMIN_", "REFLEX_"))}
    env |= {"REFLEX_DB_URL": f"sqlite:///{db_path}", "LCADMIN_SMTP_HOST": "127.0.0.1",
            "LCADMIN_SMTP_PORT": "9"}  # nothing listens there: the e-mails wait in the outbox
    done = subprocess.run([sys.executable, "-m", "lcadmin.cli", "jobs", "run"], env=env, capture_output=True,
                          text=True, timeout=120, check=True)
    return done.stdout


def _counts(output: str) -> dict[str, int]:
    """``Jobs run: payments settled 0, scheduled 1, …`` as {"payments settled": 0, "scheduled": 1, …}."""
    return {name.strip(): int(count) for name, count in re.findall(r"([a-z ]+) (\d+)", output.split(":", 1)[1])}


def test_jobs_run_schedules_collections_and_notices_once(demo, db_path):
    first = _counts(_jobs_run(db_path))
    assert first["scheduled"] == 1 and first["expiry notices"] == 1, first  # F2026-00005, the demo Visa 4242
    again = _counts(_jobs_run(db_path))
    assert again["scheduled"] == 0 and again["expiry notices"] == 0, again
    with read_scope(demo) as session:
        [collection] = session.exec(select(Collection)).all()
        expiry = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "card_expiry")).all()
    assert collection.status in ("scheduled", "succeeded")  # succeeded once F2026-00005's due date has come
    assert sorted(m.to_address for m in expiry) == ["compta@flexis.com", "hbernard@flexis.com"]


def test_the_worker_runs_the_same_jobs_until_sigterm_then_exits_0(demo, db_path):
    env = {name: value for name, value in os.environ.items() if not name.startswith(("LCADMIN_", "REFLEX_"))}
    env |= {"REFLEX_DB_URL": f"sqlite:///{db_path}", "LCADMIN_SMTP_HOST": "127.0.0.1", "LCADMIN_SMTP_PORT": "9",
            "LCADMIN_BACKGROUND": "worker"}
    worker = subprocess.Popen([sys.executable, "-m", "lcadmin.cli", "worker"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # its first scheduled round runs at once
            with read_scope(demo) as session:
                if session.exec(select(OutboxMessage).where(OutboxMessage.kind == "card_expiry")).all():
                    break
            time.sleep(0.2)
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == 0, output
    assert "worker started" in output and "worker stopped" in output, output
    again = _counts(_jobs_run(db_path))  # the worker did the work: nothing is done twice
    assert again["scheduled"] == 0 and again["expiry notices"] == 0, again
    with read_scope(demo) as session:
        assert len(session.exec(select(Collection)).all()) == 1


def _usage_import(db_path: Path, csv_path: Path) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("LCADMIN_", "REFLEX_"))}
    env["REFLEX_DB_URL"] = f"sqlite:///{db_path}"
    return subprocess.run([sys.executable, "-m", "lcadmin.cli", "usage", "import", str(csv_path)], env=env,
                          capture_output=True, text=True, timeout=120)


def test_usage_import_records_the_latest_activity_and_is_idempotent(demo, db_path, tmp_path):
    from lcadmin.models import Seat

    usage = tmp_path / "usage.csv"
    usage.write_text("email,product,last_active_at\n"
                     "khaddad@flexis.com,SNA,2026-11-30T16:20:00Z\n"  # never active before
                     "KHADDAD@flexis.com,sna,2026-10-01\n"  # older: kept out
                     "nobody@flexis.com,SNA,2026-11-30\n"
                     "lpetit@flexis.com,XYZ,2026-11-30\n"
                     "not an address,SNA,2026-11-30\n"
                     "lpetit@flexis.com,LRN,2999-01-01\n", encoding="utf-8")
    first = _usage_import(db_path, usage)
    assert first.returncode == 0, first.stderr
    assert "1 updated, 1 unchanged, 2 unknown, unreadable lines: 6, 7" in first.stdout
    again = _usage_import(db_path, usage)
    assert "0 updated, 2 unchanged" in again.stdout  # idempotent
    with read_scope(demo) as session:
        karim = session.exec(select(Seat).where(Seat.email == "khaddad@flexis.com")).one()
    assert karim.last_active_at.isoformat() == "2026-11-30T16:20:00+00:00"
    usage.write_bytes("é@x.example,SNA,2026-11-30\n".encode("latin-1"))
    refused = _usage_import(db_path, usage)
    assert refused.returncode == 2 and "not UTF-8" in refused.stderr
