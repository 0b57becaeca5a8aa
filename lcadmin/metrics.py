"""The Prometheus metrics of lcadmin, served at ``/_metrics`` (``lcadmin.routes``).

- ``lcadmin_events_total{handler, outcome}`` and ``lcadmin_event_duration_seconds{handler}``: the
  websocket events handled (``lcadmin.event_observer``), by handler (one label value per
  registered handler, so a bounded set) and outcome (``ok``, ``error``, ``cancelled``);
- ``lcadmin_payments_total{outcome}``: payment attempts' outcomes as they are recorded (an attempt
  sent to 3-D Secure counts ``requires_action``, then ``succeeded`` or ``failed`` once answered);
- ``lcadmin_throttle_locks_total{scope}``: keys locked by the throttle (``sign_in``,
  ``sign_in_ip``, ``sign_in_account`` for sign-in; one scope per policy);
- ``lcadmin_outbox_pending_messages``, ``lcadmin_outbox_failed_messages`` and
  ``lcadmin_database_up``: read from the database at scrape time.

Counts that follow a database change are made only once its transaction commits: a rolled-back
payment or lock counts nothing.

The app runs several worker processes: when ``PROMETHEUS_MULTIPROC_DIR`` names a directory (it
must be set before this module is first imported, and be emptied when the app starts), each
process writes its counts there and a scrape sums every process's. Without it, a scrape reports
the process that answers it, with its own CPU and memory figures.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import sqlalchemy as sa
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, SessionTransaction
from sqlmodel import col

from lcadmin.domain.statuses import OutboxStatus, PaymentStatus

log = logging.getLogger(__name__)

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"

EVENTS = Counter("lcadmin_events", "Websocket events handled, by handler and outcome.", ["handler", "outcome"])
EVENT_SECONDS = Histogram(
    "lcadmin_event_duration_seconds", "Time to handle a websocket event, once its tab's state is loaded.",
    ["handler"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0))
PAYMENTS = Counter("lcadmin_payments", "Payment attempts' outcomes, as recorded.", ["outcome"])
THROTTLE_LOCKS = Counter("lcadmin_throttle_locks", "Keys locked by the throttle, by policy.", ["scope"])
for _status in PaymentStatus:  # every outcome is reported from the start, at zero
    PAYMENTS.labels(outcome=_status.value)

_ON_COMMIT = "lcadmin_metrics_on_commit"


def observe_event(handler: str, outcome: str, seconds: float) -> None:
    """Count one websocket event and its duration."""
    EVENTS.labels(handler=handler, outcome=outcome).inc()
    EVENT_SECONDS.labels(handler=handler).observe(seconds)


def _when_committed(session: Session, counter) -> None:
    session.info.setdefault(_ON_COMMIT, []).append(counter)


def count_payment(session: Session, status: PaymentStatus | str) -> None:
    """Count a payment attempt's outcome (its status as just recorded in ``session``), once the
    transaction commits."""
    _when_committed(session, PAYMENTS.labels(outcome=str(status)))


def count_throttle_lock(session: Session, scope: str) -> None:
    """Count a key the throttle locked in ``session``, once the transaction commits."""
    _when_committed(session, THROTTLE_LOCKS.labels(scope=scope))


@event.listens_for(Session, "after_commit")
def _count_committed(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: its transaction may still roll back
        return
    for counter in session.info.pop(_ON_COMMIT, ()):
        counter.inc()


@event.listens_for(Session, "after_transaction_end")
def _forget_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # rolled back or closed: what it would have counted never happened
        session.info.pop(_ON_COMMIT, None)


class _DatabaseGauges(Collector):
    """The outbox's backlog and failures, read when Prometheus asks."""

    def describe(self) -> list[Metric]:
        return []  # registering it must not query the database

    def collect(self) -> Iterator[Metric]:
        from lcadmin.db import read_scope
        from lcadmin.models import OutboxMessage

        try:
            with read_scope() as session:
                counts = dict(session.execute(
                    sa.select(OutboxMessage.status, sa.func.count())
                    .where(col(OutboxMessage.status).in_([OutboxStatus.PENDING.value, OutboxStatus.FAILED.value]))
                    .group_by(OutboxMessage.status)).all())
        except SQLAlchemyError as error:
            log.warning("metrics: the database cannot be read (%s)", type(error).__name__)
            yield GaugeMetricFamily("lcadmin_database_up", "Whether the last scrape could read the database.", 0)
            return
        yield GaugeMetricFamily("lcadmin_database_up", "Whether the last scrape could read the database.", 1)
        yield GaugeMetricFamily("lcadmin_outbox_pending_messages", "E-mails waiting in the outbox to be sent.",
                                counts.get(OutboxStatus.PENDING.value, 0))
        yield GaugeMetricFamily("lcadmin_outbox_failed_messages", "E-mails the outbox gave up sending.",
                                counts.get(OutboxStatus.FAILED.value, 0))


class _Scrape:
    """What one scrape reports: the counts (of every worker process, in multiprocess mode) and the
    database's gauges."""

    def __init__(self, *sources: CollectorRegistry | Collector) -> None:
        self._sources = sources

    def collect(self) -> Iterator[Metric]:
        for source in self._sources:
            yield from source.collect()


def multiprocess() -> bool:
    """Whether the counts are shared between worker processes (``PROMETHEUS_MULTIPROC_DIR``)."""
    return bool(os.environ.get(MULTIPROCESS_DIR))


def exposition() -> tuple[bytes, str]:
    """The text a Prometheus scrape receives, and its content type. It reads the database and
    the worker processes' files: call it off the event loop."""
    if multiprocess():
        counts = CollectorRegistry()
        MultiProcessCollector(counts)
    else:
        counts = REGISTRY
    return generate_latest(_Scrape(counts, _DatabaseGauges())), CONTENT_TYPE_LATEST  # type: ignore[arg-type]
