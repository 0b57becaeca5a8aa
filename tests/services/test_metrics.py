"""The Prometheus metrics the services feed: payments, throttle locks, the outbox; and the counts
shared between worker processes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from datetime import UTC, date, datetime

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from lcadmin import metrics
from lcadmin.db import dispose_engines, session_scope
from lcadmin.models import OutboxMessage
from lcadmin.payments.sandbox import SandboxProvider
from lcadmin.services import payments, throttle
from lcadmin.services.payments import CardInput
from lcadmin.services.sessions import Principal
from lcadmin.settings import get_settings, load_settings
from tests.factories import context

NOW = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)
VENDOR = load_settings({}).vendor
FLEXIS = Principal(1, "hbernard@flexis.com", "Hugo Bernard", 1, "Flexis", "admin")


def _count(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _pay(engine, provider, card: str):
    with session_scope(engine) as session:
        return payments.pay(session, context(principal=FLEXIS, now=NOW), kind="invoice", number="F2026-00005",
                            idempotency_key=uuid.uuid4().hex, card=CardInput(card, "12/28", "123"),
                            provider=provider, vendor=VENDOR)


def _payments(outcome: str) -> float:
    return _count("lcadmin_payments_total", outcome=outcome)


def test_each_recorded_payment_outcome_is_counted(demo):
    provider = SandboxProvider(demo, today=date(2026, 11, 26))
    before = {outcome: _payments(outcome) for outcome in ("succeeded", "failed", "requires_action")}
    assert _pay(demo, provider, "4000 0000 0000 0002").status == "failed"
    assert _payments("failed") == before["failed"] + 1
    waiting = _pay(demo, provider, "4000 0025 0000 3155")
    assert waiting.status == "requires_action" and _payments("requires_action") == before["requires_action"] + 1
    intent = waiting.action_url.rsplit("/", 1)[-1]
    with session_scope(demo) as session:
        done = payments.complete_authentication(session, context(principal=FLEXIS, now=NOW), intent_id=intent,
                                                approved=True, provider=provider, vendor=VENDOR)
    assert done.status == "succeeded" and _payments("succeeded") == before["succeeded"] + 1
    assert _payments("failed") == before["failed"] + 1  # nothing counted twice


def _fail_five_times(session) -> None:
    for _ in range(throttle.SIGN_IN.max_failures):
        throttle.register_failure(session, throttle.SIGN_IN, ["account:a@b.fr|ip:203.0.113.9"], NOW)


def test_a_throttle_lock_counts_once_committed_and_never_when_rolled_back(engine):
    before = _count("lcadmin_throttle_locks_total", scope="sign_in")
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        _fail_five_times(session)
        raise RuntimeError("the transaction rolls back")
    assert _count("lcadmin_throttle_locks_total", scope="sign_in") == before
    with session_scope(engine) as session:
        _fail_five_times(session)
        assert _count("lcadmin_throttle_locks_total", scope="sign_in") == before  # not before the commit
    assert _count("lcadmin_throttle_locks_total", scope="sign_in") == before + 1


@pytest.fixture
def app_database(db_path, monkeypatch):
    """The app's own engine (the one a scrape reads) on this test's database."""
    monkeypatch.setenv("REFLEX_DB_URL", f"sqlite:///{db_path}")
    get_settings.cache_clear()
    dispose_engines()
    yield db_path
    get_settings.cache_clear()
    dispose_engines()


def _families(text: str) -> dict:
    return {family.name: family for family in text_string_to_metric_families(text)}


def _outbox(engine, status: str) -> None:
    with session_scope(engine) as session:
        session.add(OutboxMessage(to_address="x@example.com", subject="s", text_body="t", html_body="h",
                                  kind="test", status=status))


def test_a_scrape_reads_the_outbox_backlog_and_failures_from_the_database(app_database, engine):
    for status in ("pending", "pending", "failed", "sent"):
        _outbox(engine, status)
    body, content_type = metrics.exposition()
    families = _families(body.decode())
    assert content_type.startswith("text/plain")
    assert families["lcadmin_outbox_pending_messages"].samples[0].value == 2
    assert families["lcadmin_outbox_failed_messages"].samples[0].value == 1
    assert families["lcadmin_database_up"].samples[0].value == 1
    assert "lcadmin_payments" in families and "lcadmin_event_duration_seconds" in families


def test_a_scrape_says_when_the_database_cannot_be_read(tmp_path, monkeypatch):
    monkeypatch.setenv("REFLEX_DB_URL", f"sqlite:///{tmp_path}/empty.db")  # no tables
    get_settings.cache_clear()
    dispose_engines()
    try:
        families = _families(metrics.exposition()[0].decode())
    finally:
        get_settings.cache_clear()
        dispose_engines()
    assert families["lcadmin_database_up"].samples[0].value == 0
    assert "lcadmin_outbox_pending_messages" not in families


_WORKER = textwrap.dedent("""
    from lcadmin import metrics
    metrics.PAYMENTS.labels(outcome="succeeded").inc()
    metrics.observe_event("AuthState.sign_in", "ok", 0.02)
""")
_SCRAPE = textwrap.dedent("""
    import sys
    from lcadmin import metrics
    sys.stdout.write(metrics.exposition()[0].decode())
""")


def test_in_multiprocess_mode_a_scrape_sums_every_worker_process(tmp_path, db_path):
    folder = tmp_path / "metrics"
    folder.mkdir()
    env = {**os.environ, metrics.MULTIPROCESS_DIR: str(folder), "REFLEX_DB_URL": f"sqlite:///{db_path}"}
    for _ in range(2):  # two worker processes, each with its own file
        subprocess.run([sys.executable, "-c", _WORKER], env=env, check=True, timeout=60)
    scraped = subprocess.run([sys.executable, "-c", _SCRAPE], env=env, check=True, timeout=60, capture_output=True,
                             text=True).stdout
    families = _families(scraped)
    succeeded = [s for s in families["lcadmin_payments"].samples
                 if s.name == "lcadmin_payments_total" and s.labels == {"outcome": "succeeded"}]
    assert succeeded[0].value == 2
    counts = [s for s in families["lcadmin_event_duration_seconds"].samples
              if s.name == "lcadmin_event_duration_seconds_count"]
    assert counts[0].labels == {"handler": "AuthState.sign_in"} and counts[0].value == 2
    assert families["lcadmin_outbox_pending_messages"].samples[0].value == 0
