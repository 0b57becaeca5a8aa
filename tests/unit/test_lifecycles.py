"""Every lifecycle, move by move: each move its table lists is allowed, every other one refused."""

from __future__ import annotations

import itertools

import pytest

from lcadmin.domain.audit import AuditAction
from lcadmin.domain.statuses import MOVE_ACTIONS, TRANSITIONS, OrderStatus, PaymentStatus, allowed_moves, can_move

MOVES = [(current, target) for kind in TRANSITIONS for current, target in itertools.product(kind, kind)]


def test_every_lifecycle_has_a_row_for_each_status():
    for kind, table in TRANSITIONS.items():
        assert set(table) == set(kind), kind.__name__
        assert all(set(targets) <= set(kind) for targets in table.values()), kind.__name__


@pytest.mark.parametrize(("current", "target"), MOVES, ids=lambda s: f"{type(s).__name__}.{s}")
def test_a_move_is_allowed_exactly_when_its_table_lists_it(current, target):
    assert can_move(current, target) is (target in TRANSITIONS[type(current)][current])


@pytest.mark.parametrize("kind", TRANSITIONS, ids=lambda k: k.__name__)
def test_every_status_of_a_lifecycle_is_reached_from_its_first(kind):
    first = next(iter(kind))
    reached, frontier = {first}, [first]
    while frontier:
        for target in allowed_moves(frontier.pop()):
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(kind)


def test_no_move_crosses_lifecycles():
    assert not can_move(OrderStatus.SIGNED, PaymentStatus.SUCCEEDED)  # a payment status is not an order's


def test_every_audited_move_is_a_reachable_target():
    reachable = {target for table in TRANSITIONS.values() for targets in table.values() for target in targets}
    assert set(MOVE_ACTIONS) <= reachable
    assert all(isinstance(action, AuditAction) for action in MOVE_ACTIONS.values())
