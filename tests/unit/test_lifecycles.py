"""Every lifecycle, move by move: each move its table lists is allowed, every other one refused."""

from __future__ import annotations

import itertools

import pytest

from lcadmin.domain.audit import AuditAction
from lcadmin.domain.statuses import (
    MOVE_ACTIONS,
    TRANSITIONS,
    CollectionStatus,
    OrderStatus,
    OutboxStatus,
    PaymentStatus,
    allowed_moves,
    can_move,
    move_action,
)

MOVES = [(current, target) for kind in TRANSITIONS for current, target in itertools.product(kind, kind)]


def test_every_lifecycle_has_a_row_for_each_status():
    for kind, table in TRANSITIONS.items():
        assert set(table) == set(kind), kind.__name__
        assert all(set(targets) <= set(kind) for targets in table.values()), kind.__name__


@pytest.mark.parametrize(("current", "target"), MOVES, ids=lambda s: f"{type(s).__name__}.{s}")
def test_a_move_is_allowed_exactly_when_its_table_lists_it(current, target):
    assert can_move(current, target) is (target in TRANSITIONS[type(current)][current])


@pytest.mark.parametrize("kind", TRANSITIONS, ids=lambda k: k.__name__)
def test_every_status_of_a_lifecycle_is_reached_from_where_its_records_start(kind):
    # A payment is recorded with the provider's first answer: waiting for 3-D Secure, or a SEPA
    # debit awaiting the bank (a charge answered at once is recorded succeeded or failed).
    starts = {PaymentStatus: {PaymentStatus.REQUIRES_ACTION, PaymentStatus.PROCESSING}}.get(kind, {next(iter(kind))})
    reached, frontier = set(starts), list(starts)
    while frontier:
        for target in allowed_moves(frontier.pop()):
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(kind)


def test_no_move_crosses_lifecycles():
    assert not can_move(OrderStatus.SIGNED, PaymentStatus.SUCCEEDED)  # a payment status is not an order's


def test_every_audited_move_is_a_reachable_target():
    reachable = {(type(target), target.value) for table in TRANSITIONS.values() for targets in table.values()
                 for target in targets}
    assert set(MOVE_ACTIONS) <= reachable
    assert all(isinstance(action, AuditAction) for action in MOVE_ACTIONS.values())


def test_a_status_finds_the_event_of_its_own_lifecycle_only():
    # "failed" is the same string for a message, a payment and a collection: each has its own event
    assert move_action(PaymentStatus.FAILED) is AuditAction.PAYMENT_FAILED
    assert move_action(OutboxStatus.FAILED) is None
    assert move_action(CollectionStatus.FAILED) is AuditAction.COLLECTION_FAILED
    assert move_action(PaymentStatus.SUCCEEDED) is None
