"""Background work is done once, however many processes run it at the same moment.

Three e-mail senders (threads, then real ``lcadmin worker`` processes) share one outbox and each
message reaches a real SMTP server once, on SQLite and on PostgreSQL; no database lock is held
while the server talks. On PostgreSQL two scheduled rounds at once collect each due invoice
once (one charge each), send each notice once and detach each removed method once; two
reconciliations ask the provider once; rows another transaction holds are passed over, never
waited for. The worker stops on SIGTERM with status 0 and hands back what it claimed and did not
send; so does a web process shutting down. With ``LCADMIN_BACKGROUND=worker`` the web app runs
no background job.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from sqlalchemy.engine import Engine
from sqlmodel import select

from lcadmin import jobs, migrations
from lcadmin.db import create_engine, dispose_engines, read_scope, session_scope
from lcadmin.domain.cards import CardInput
from lcadmin.domain.permissions import Role
from lcadmin.mail.outbox import enqueue
from lcadmin.mail.smtp import deliver_due
from lcadmin.mail.templates import RenderedMail
from lcadmin.models import (
    AuditEvent,
    Collection,
    Invoice,
    Membership,
    OutboxMessage,
    Payment,
    PaymentMethod,
    SandboxIntent,
    utcnow,
)
from lcadmin.payments.sandbox import SandboxProvider
from lcadmin.services import payment_methods, payments
from lcadmin.settings import get_settings, load_settings
from tests import factories
from tests.conftest import postgres_url
from tests.factories import context
from tests.helpers import race

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
ISSUED, DUE = date(2026, 11, 26), date(2026, 12, 26)
AT_DUE = datetime(2026, 12, 26, 9, 0, tzinfo=UTC)
POSTGRESQL = pytest.param("postgresql", marks=pytest.mark.postgres)


class Inbox:
    """A real SMTP server (aiosmtpd on 127.0.0.1, a free port) keeping what it receives. Each
    message's DATA waits ``stall`` seconds before it is accepted (and, given ``gate``, until that
    event is set); ``talking`` is set as the first one arrives; ``probe`` (if any) runs while the
    server holds each message."""

    def __init__(self, *, stall: float = 0.0, probe=None, gate: threading.Event | None = None) -> None:
        self.messages: list = []
        self.stall, self.probe, self.gate = stall, probe, gate
        self.talking = threading.Event()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        self.talking.set()
        if self.probe is not None:
            self.probe()
        if self.stall:
            await asyncio.sleep(self.stall)
        if self.gate is not None:
            await asyncio.to_thread(self.gate.wait, 30)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def __enter__(self) -> Inbox:
        self._controller.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._controller.stop()

    @property
    def smtp(self):
        return load_settings({"LCADMIN_SMTP_HOST": "127.0.0.1", "LCADMIN_SMTP_PORT": str(self.port)}).smtp

    def addressees(self) -> Counter:
        return Counter(m["To"] for m in self.messages)


@pytest.fixture(params=["sqlite", POSTGRESQL])
def database(request) -> Iterator[tuple[Engine, str]]:
    """A migrated database, SQLite or PostgreSQL, and its URL."""
    if request.param == "sqlite":
        url = f"sqlite:///{request.getfixturevalue('db_path')}"
        engine = create_engine(url)
    else:
        url = postgres_url(request.getfixturevalue("pg_schema"))
        engine = create_engine(url)
        migrations.upgrade(engine)
    yield engine, url
    engine.dispose()


@pytest.fixture
def pg_database(pg_schema) -> Iterator[tuple[Engine, str]]:
    url = postgres_url(pg_schema)
    engine = create_engine(url)
    migrations.upgrade(engine)
    yield engine, url
    engine.dispose()


@pytest.fixture
def configure(monkeypatch):
    """Point the process's own settings and engine (what ``lcadmin.jobs`` uses) at a database."""

    def point_at(url: str, **variables: str) -> None:
        for name in list(os.environ):
            if name.startswith(("LCADMIN_", "REFLEX_")):
                monkeypatch.delenv(name)
        monkeypatch.setenv("REFLEX_DB_URL", url)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        dispose_engines()

    yield point_at
    get_settings.cache_clear()
    dispose_engines()


def _enqueue(engine: Engine, count: int, now: datetime) -> list[int]:
    with session_scope(engine) as session:
        rows = [enqueue(session, to=f"n{n}@example.org", kind="test", now=now,
                        mail=RenderedMail(f"Message {n}", f"Bonjour {n}", f"<p>Bonjour {n}</p>"))
                for n in range(count)]
        session.flush()
        return [row.id for row in rows]


def _outbox(engine: Engine) -> list[OutboxMessage]:
    with read_scope(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


# --- three senders, one outbox ---------------------------------------------------------------

def test_three_senders_at_once_deliver_each_of_60_messages_once(database):
    engine, url = database
    _enqueue(engine, 60, NOW)
    with Inbox(stall=0.005) as inbox:
        def sender() -> str:
            own = create_engine(url)  # a pool of its own, as another process would have
            sent = 0
            try:
                while True:
                    done = deliver_due(own, inbox.smtp, NOW, batch=7)
                    sent += done[0]
                    if done == (0, 0):
                        return str(sent)
            finally:
                own.dispose()

        results = race(3, sender)
    assert sum(int(r) for r in results) == 60 and sum(int(r) > 0 for r in results) >= 2, results
    assert inbox.addressees() == Counter({f"n{n}@example.org": 1 for n in range(60)})
    messages = _outbox(engine)
    assert Counter(m.status for m in messages) == {"sent": 60}
    assert {(m.attempts, m.claimed_until) for m in messages} == {(1, None)}


def _no_lock_probe(engine: Engine, url: str, seen: list[str]):
    """What the SMTP server checks while it holds a message: no transaction of the sender holds
    the database (SQLite: its write lock is free at once; PostgreSQL: no outbox row is locked)."""
    if url.startswith("sqlite"):
        def probe() -> None:
            connection = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
            try:
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("ROLLBACK")
                seen.append("free")
            except sqlite3.OperationalError as error:
                seen.append(str(error))
            finally:
                connection.close()
    else:
        def probe() -> None:
            try:
                with engine.begin() as connection:
                    connection.exec_driver_sql("SELECT id FROM outbox_message FOR UPDATE NOWAIT").all()
                seen.append("free")
            except sa.exc.OperationalError as error:
                seen.append(str(error.orig))
    return probe


def test_no_database_lock_is_held_while_the_smtp_server_talks(database):
    engine, url = database
    _enqueue(engine, 3, NOW)
    seen: list[str] = []
    with Inbox(probe=_no_lock_probe(engine, url, seen)) as inbox:
        assert deliver_due(engine, inbox.smtp, NOW) == (3, 0)
    assert seen == ["free"] * 3


@pytest.mark.postgres
def test_a_message_another_transaction_holds_is_passed_over_not_waited_for(pg_database):
    engine, _ = pg_database
    first = _enqueue(engine, 4, NOW)[0]
    holder = engine.connect()
    holder.exec_driver_sql(f"SELECT id FROM outbox_message WHERE id = {first} FOR UPDATE")  # another sender's claim
    try:
        with Inbox() as inbox, ThreadPoolExecutor(max_workers=1) as pool:
            assert pool.submit(deliver_due, engine, inbox.smtp, NOW).result(timeout=20) == (3, 0)
            assert inbox.addressees() == Counter({f"n{n}@example.org": 1 for n in (1, 2, 3)})
            holder.rollback()
            assert deliver_due(engine, inbox.smtp, NOW) == (1, 0)
    finally:
        holder.close()
    assert [m.status for m in _outbox(engine)] == ["sent"] * 4


def _worker_env(url: str, smtp_port: int, **variables: str) -> dict[str, str]:
    # The worker's settings are its own: none of the suite's.
    env = {name: value for name, value in os.environ.items() if not name.startswith(("LCADMIN_", "REFLEX_"))}
    return env | {"REFLEX_DB_URL": url, "LCADMIN_SMTP_HOST": "127.0.0.1", "LCADMIN_SMTP_PORT": str(smtp_port),
                  "LCADMIN_BACKGROUND": "worker", "PYTHONUNBUFFERED": "1"} | variables


class WorkerProcess:
    """``python -m lcadmin.cli worker`` in a process of its own, its log in a file."""

    def __init__(self, url: str, smtp_port: int, log: Path, *arguments: str) -> None:
        self.log = log
        self._file = log.open("w")
        self.process = subprocess.Popen([sys.executable, "-m", "lcadmin.cli", "worker", *arguments],
                                        env=_worker_env(url, smtp_port), stdout=self._file, stderr=subprocess.STDOUT)

    def text(self) -> str:
        return self.log.read_text()

    def wait_started(self, timeout: float = 60) -> None:
        _until(lambda: "worker started" in self.text() or self.process.poll() is not None, timeout)
        assert "worker started" in self.text(), self.text()

    def terminate(self, timeout: float = 30) -> int:
        """SIGTERM, then its exit status."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self._file.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._file.close()


def _until(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)


@pytest.mark.parametrize("database", ["sqlite", POSTGRESQL], indirect=True)
def test_three_worker_processes_deliver_each_of_60_messages_once(database, tmp_path):
    engine, url = database
    with Inbox(stall=0.02) as inbox:
        workers = [WorkerProcess(url, inbox.port, tmp_path / f"worker{n}.log") for n in range(3)]
        try:
            for worker in workers:
                worker.wait_started()
            _enqueue(engine, 60, utcnow())
            _until(lambda: all(m.status == "sent" for m in _outbox(engine)), 90)
            statuses = [worker.terminate() for worker in workers]
        finally:
            for worker in workers:
                worker.kill()
    logs = [worker.text() for worker in workers]
    assert statuses == [0, 0, 0], logs
    assert all("worker stopped: every round finished" in text for text in logs), logs
    sent = [sum(int(n) for n in re.findall(r"outbox: (\d+) sent", text)) for text in logs]
    assert sum(sent) == 60 and sum(n > 0 for n in sent) >= 2, sent  # shared (a sender takes 20 per round)
    assert inbox.addressees() == Counter({f"n{n}@example.org": 1 for n in range(60)})
    assert Counter(m.status for m in _outbox(engine)) == {"sent": 60}


# --- the worker's stop -----------------------------------------------------------------------

@pytest.mark.parametrize("database", ["sqlite", POSTGRESQL], indirect=True)
def test_the_worker_stops_on_sigterm_after_the_message_under_way_and_hands_back_the_rest(database, tmp_path):
    engine, url = database
    first, *others = _enqueue(engine, 5, utcnow())
    with Inbox(stall=2.0) as inbox:  # a slow server: the worker holds all five claims meanwhile
        worker = WorkerProcess(url, inbox.port, tmp_path / "worker.log", "--grace", "30")
        try:
            assert inbox.talking.wait(60), worker.text()
            status = worker.terminate()
        finally:
            worker.kill()
    assert status == 0, worker.text()
    assert "worker stopping (SIGTERM)" in worker.text() and "worker stopped: every round finished" in worker.text()
    messages = {m.id: m for m in _outbox(engine)}
    assert messages[first].status == "sent" and inbox.addressees() == Counter({"n0@example.org": 1})
    assert [(messages[i].status, messages[i].claimed_until, messages[i].attempts) for i in others] == \
        [("pending", None, 0)] * 4  # handed back: due for the next sender at once


def test_a_worker_whose_grace_runs_out_exits_0_and_hands_back_all_but_the_message_under_way(engine, db_path,
                                                                                          tmp_path):
    first, *others = _enqueue(engine, 5, utcnow())
    with Inbox(stall=30.0) as inbox:
        worker = WorkerProcess(f"sqlite:///{db_path}", inbox.port, tmp_path / "worker.log", "--grace", "1")
        try:
            assert inbox.talking.wait(60), worker.text()
            started = time.monotonic()
            status = worker.terminate(timeout=20)
            took = time.monotonic() - started
        finally:
            worker.kill()
    assert status == 0 and took < 10, worker.text()
    assert "still under way (outbox sender)" in worker.text()
    messages = {m.id: m for m in _outbox(engine)}
    # The server may yet accept the message under way: its claim is left to lapse, not handed back.
    assert messages[first].status == "pending" and messages[first].claimed_until is not None
    assert [(messages[i].status, messages[i].claimed_until) for i in others] == [("pending", None)] * 4


def test_a_web_process_shutting_down_hands_back_the_messages_it_claimed(engine, db_path, configure):
    first, *others = _enqueue(engine, 5, utcnow())
    gate = threading.Event()  # the first message is held by the server until the shutdown began
    with Inbox(gate=gate) as inbox:
        configure(f"sqlite:///{db_path}", LCADMIN_SMTP_HOST="127.0.0.1", LCADMIN_SMTP_PORT=str(inbox.port))

        async def serve_then_shut_down() -> None:
            task = asyncio.create_task(jobs.run_outbox_sender())  # the lifespan task
            assert await asyncio.to_thread(inbox.talking.wait, 30)
            task.cancel()  # what Reflex does to its lifespan tasks at shutdown
            await asyncio.sleep(0.2)  # the task has taken the cancellation (asked its round to stop)
            gate.set()  # the server now accepts the message under way
            with pytest.raises(asyncio.CancelledError):
                await task

        with ThreadPoolExecutor(max_workers=1) as pool:  # a loop of its own, whatever owns this thread's
            pool.submit(asyncio.run, serve_then_shut_down()).result(timeout=60)
    messages = {m.id: m for m in _outbox(engine)}
    assert messages[first].status == "sent"  # the round under way was let finish
    assert [(messages[i].status, messages[i].claimed_until) for i in others] == [("pending", None)] * 4


@pytest.mark.parametrize(("background", "expected"), [
    ("worker", set()),
    ("web", {"run_outbox_sender", "run_payment_reconciler", "run_scheduled_jobs"}),
])
def test_the_web_app_runs_the_background_jobs_only_when_they_are_left_to_it(background, expected, tmp_path):
    script = ("import json; from reflex.config import get_config; get_config(); import lcadmin.lcadmin as m; "
              "print(json.dumps([getattr(t, '__name__', str(t)) for t in m.app.get_lifespan_tasks()]))")
    env = _worker_env(f"sqlite:///{tmp_path / 'unused.db'}", 9, LCADMIN_BACKGROUND=background)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr
    tasks = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert tasks & {"run_outbox_sender", "run_payment_reconciler", "run_scheduled_jobs"} == expected
    assert "_prepare_sign_in" in tasks  # the sign-in preparation stays with the web process


# --- the scheduled rounds and the reconciliation on PostgreSQL --------------------------------

class Calls:
    """Counts the calls of one provider method across threads (the sandbox's, at class level)."""

    def __init__(self, monkeypatch, name: str) -> None:
        self.made: list[tuple] = []
        self._lock = threading.Lock()
        real = getattr(SandboxProvider, name)

        def counted(provider, *args, **kwargs):
            with self._lock:
                self.made.append(args + tuple(sorted(kwargs.items())))
            return real(provider, *args, **kwargs)

        monkeypatch.setattr(SandboxProvider, name, counted)


def _company_to_collect(engine: Engine, settings, provider: SandboxProvider) -> dict:
    """A company whose contract is paid by a saved card and has an invoice due on DUE; besides,
    a second card ending in December 2026, a removed card not detached at the provider yet, and
    an outside accountant whose access ends three days after DUE."""
    with session_scope(engine) as session:
        company = factories.company(session)
        user = factories.account(session, company=company, role=Role.BILLING_ADMIN)
        factories.account(session, company=company, role=Role.ADMIN)
        accountant = factories.account(session, company=company, role=Role.BILLING_READER)
        session.exec(sa.update(Membership).where(Membership.user_id == accountant.id)
                     .values(access_until=AT_DUE + timedelta(days=3)))
        _, order = factories.contracted_order(session, company)
        invoice = factories.invoice(session, company, sales_order=order, issue_date=ISSUED, terms_days=30)
        for status, (month, year) in (("active", (12, 2026)), ("removed", (6, 2027))):
            session.add(PaymentMethod(company_id=company.id, kind="card", status=status,
                                      provider_method_id=f"pm_test_{uuid.uuid4().hex}", holder_name="Alex Test",
                                      card_brand="visa", card_last4="1111", exp_month=month, exp_year=year,
                                      created_at=NOW, updated_at=NOW, removed_at=NOW if status == "removed" else None))
        principal = factories.principal(user, company, Role.BILLING_ADMIN)
        ids = {"company": company.id, "invoice": invoice.id}
    with session_scope(engine) as session:
        outcome = payment_methods.start_card_setup(
            session, context(principal=principal),
            form=payment_methods.CardSetupInput("Alex Test", CardInput("4242 4242 4242 4242", "12/28", "123"), True),
            idempotency_key=uuid.uuid4().hex, provider=provider, settings=settings)
    assert outcome.status == "active"
    return ids


def _mails(engine: Engine, kind: str) -> Counter:
    with read_scope(engine) as session:
        return Counter(session.exec(select(OutboxMessage.to_address).where(OutboxMessage.kind == kind)).all())


@pytest.mark.postgres
def test_two_scheduled_rounds_at_once_collect_each_invoice_once_and_send_each_notice_once(pg_database, settings,
                                                                                          configure, monkeypatch):
    engine, url = pg_database
    provider = SandboxProvider(engine, today=ISSUED)
    companies = [_company_to_collect(engine, settings, provider) for _ in range(6)]
    configure(url)
    charges, detaches = Calls(monkeypatch, "charge_saved"), Calls(monkeypatch, "detach_method")

    rounds = race(2, lambda: json.dumps(jobs.scheduled_round(now=AT_DUE)))
    totals = Counter()
    for done in rounds:
        totals.update(json.loads(done))
    assert {name: totals[name] for name in ("scheduled", "collected", "expiry_notices", "detached",
                                            "access_notices")} == dict.fromkeys(
        ("scheduled", "collected", "expiry_notices", "detached", "access_notices"), 6), rounds
    assert len(charges.made) == 6 and len(detaches.made) == 6  # the provider was asked once for each
    with read_scope(engine) as session:
        for ids in companies:
            assert session.get(Invoice, ids["invoice"]).status == "paid"
            [payment] = session.exec(select(Payment).where(Payment.invoice_id == ids["invoice"])).all()
            assert payment.idempotency_key == f"collect:{ids['invoice']}:1"
            assert session.exec(select(Collection.status).where(Collection.invoice_id == ids["invoice"])).one() \
                == "succeeded"
        assert len(session.exec(select(SandboxIntent).where(SandboxIntent.status == "succeeded")).all()) == 6
        assert all(session.exec(select(PaymentMethod.detached_at).where(PaymentMethod.status == "removed")).all())
        events = Counter(session.exec(select(AuditEvent.action)).all())
    assert events["collection.attempted"] == 6 and events["payment_method.expiry_notice"] == 6
    assert events["membership.expiry_notice"] == 6
    for kind in ("receipt", "card_expiry", "admin_access_ending"):
        sent = _mails(engine, kind)
        assert set(sent.values()) == {1} and len(sent) >= 6, (kind, sent)  # each recipient's once
    assert set(jobs.scheduled_round(now=AT_DUE + timedelta(minutes=1)).values()) == {0}  # nothing left


@pytest.mark.postgres
def test_two_reconciliations_at_once_settle_a_charge_cut_short_once(pg_database, configure, monkeypatch):
    from lcadmin.demo import DEMO_PASSWORD, load_demo_data
    from lcadmin.services.passwords import hash_password
    from lcadmin.services.sessions import Principal

    engine, url = pg_database
    with session_scope(engine) as session:
        load_demo_data(session, password_hash=hash_password(DEMO_PASSWORD))
    provider = SandboxProvider(engine, today=ISSUED)
    real_confirm = provider.confirm_intent

    def charge_then_die(intent_id, *, token_id):
        real_confirm(intent_id, token_id=token_id)  # the bank charges the card...
        raise RuntimeError("the process died")  # ...and the payment is never written

    monkeypatch.setattr(provider, "confirm_intent", charge_then_die)
    flexis = Principal(1, "hbernard@flexis.com", "Hugo Bernard", 1, "Flexis", "admin")
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        payments.pay(session, context(principal=flexis, now=NOW), kind="invoice", number="F2026-00005",
                     idempotency_key=uuid.uuid4().hex, card=CardInput("4242 4242 4242 4242", "12/28", "123"),
                     provider=provider, vendor=load_settings({}).vendor)
    configure(url)
    asked = Calls(monkeypatch, "retrieve_intent")

    settled = race(2, lambda: str(jobs.reconcile_payments(now=NOW + payments.SETTLE_AFTER + timedelta(seconds=1))))
    assert sorted(settled) == ["0", "1"] and len(asked.made) == 1  # one of them asked the bank, once
    with read_scope(engine) as session:
        assert session.exec(select(Invoice.status).where(Invoice.number == "F2026-00005")).one() == "paid"
        assert len(session.exec(select(Payment)).all()) == 1
    assert set(_mails(engine, "receipt").values()) == {1}
