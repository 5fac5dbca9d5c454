"""A tick's budget, shared by the work that can wait (``bot.jobs.budget``): each piece is
sized to what the tick has left, never below its smallest (so it always moves on) nor above
its largest (so one statement stays short); the per-item estimate learns from what pieces
took, without their fixed cost."""

from __future__ import annotations

from bot.jobs.budget import Pace, TickBudget


class Timer:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_budget_counts_from_the_tick_s_start_and_is_whole_outside_a_tick() -> None:
    timer = Timer()
    budget = TickBudget(seconds=0.04, timer=timer)
    assert budget.left() == 0.04  # a direct call, outside any tick
    budget.start()
    timer.now += 0.015
    assert abs(budget.left() - 0.025) < 1e-9
    timer.now += 0.1  # the tick ran long: nothing left, never less
    assert budget.left() == 0.0
    budget.stop()
    assert budget.left() == 0.04


def test_a_piece_fits_the_time_left_within_its_smallest_and_largest() -> None:
    pace = Pace(smallest=50, largest=500, first_guess=0.00002, fixed=0.004)
    assert pace.how_many(0.014) == 500  # (14 - 4) ms at 0.02 ms an item: 500
    assert pace.how_many(0.008) == 200
    assert pace.how_many(0.0) == 50  # nothing left: the smallest piece still goes
    assert pace.how_many(1.0) == 500  # plenty left: one statement stays short


def test_the_estimate_learns_per_item_cost_and_ignores_tiny_pieces() -> None:
    pace = Pace(smallest=50, largest=500, first_guess=0.00002, fixed=0.004)
    for _ in range(20):  # items turn out to cost 0.04 ms each
        pace.took(250, 0.004 + 250 * 0.00004)
    assert abs(pace.per_item - 0.00004) < 1e-6
    assert pace.how_many(0.014) == 250
    pace.took(3, 1.0)  # the last short piece of a round says nothing per item
    assert abs(pace.per_item - 0.00004) < 1e-6
    pace.took(500, 0.001)  # faster than the fixed cost: not a negative estimate
    assert pace.per_item > 0
