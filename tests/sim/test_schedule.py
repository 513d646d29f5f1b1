"""The clock of a fixed-rate prim and the catch-up rule (portalis.sim.schedule), on their own."""

from __future__ import annotations

import pytest

from portalis.sim.schedule import Cadence, CatchUp


def test_a_cadence_counts_whole_periods_and_carries_the_rest() -> None:
    cadence = Cadence(period=1 / 60, step_dt=1 / 60)
    rule = CatchUp()
    due = [cadence.advance(1 / 144, rule) for _ in range(144)]
    assert sum(due) == 60 and set(due) == {0, 1}
    assert rule.dropped == 0


def test_a_stall_is_capped_at_max_calls_and_the_backlog_dropped() -> None:
    cadence = Cadence(period=0.01, step_dt=0.01)
    rule = CatchUp(max_calls=4)
    assert cadence.advance(1.0, rule) == 4
    assert rule.dropped == 96
    assert cadence.advance(0.01, rule) == 1  # not carried


def test_without_a_cap_a_stall_makes_every_call() -> None:
    cadence = Cadence(period=0.01, step_dt=0.01)
    rule = CatchUp(max_calls=None)
    assert cadence.advance(1.0, rule) == 100
    assert rule.dropped == 0


def test_without_a_budget_every_due_call_is_made() -> None:
    assert list(CatchUp(budget_s=None).calls(5)) == [0, 1, 2, 3, 4]


def test_a_spent_budget_ends_catch_up_after_the_first_call() -> None:
    rule = CatchUp(budget_s=1e-12)
    made = []
    for k in rule.calls(5):
        made.append(k)
        sum(range(1000))  # the call: longer than the budget
    assert made == [0]
    assert rule.dropped == 4


@pytest.mark.parametrize("budget", [0.0, -1.0, float("nan")])
def test_a_budget_must_be_positive(budget: float) -> None:
    with pytest.raises(ValueError, match="budget"):
        CatchUp(budget_s=budget)
