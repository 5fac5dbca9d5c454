"""Progress numbers: streaks, calendar weeks, the difficulty trend, totals and milestones."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rules.stats import MILESTONES, DayLog, Progress, milestones_reached, summarise

TODAY = date(2026, 11, 25)  # a Wednesday; Monday 23rd starts the week


def day(offset: int) -> date:
    """A day relative to TODAY (0 = today, -1 = yesterday)."""
    return TODAY + timedelta(days=offset)


def active(*offsets: int, reps: int = 10) -> list[DayLog]:
    return [DayLog(day=day(offset), reps=reps, sessions=1) for offset in offsets]


# --- streaks -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offsets", "streak"),
    [
        ((), 0),
        ((0,), 1),
        ((0, -1, -2), 3),
        ((-1,), 1),  # only yesterday: today is not over yet
        ((-1, -2, -3), 3),  # nothing yet today keeps yesterday's streak
        ((-2, -3), 0),  # yesterday missed: broken
        ((0, -1, -3, -4), 2),  # a gap ends it
        ((0, 1, 2), 1),  # future days are ignored
        ((1, -1), 1),
    ],
)
def test_streak(offsets: tuple[int, ...], streak: int) -> None:
    assert summarise(active(*offsets), today=TODAY).streak == streak


def test_a_day_with_zero_reps_does_not_count() -> None:
    logs = [*active(-1, -2), DayLog(day=day(0), reps=0, sessions=1)]
    assert summarise(logs, today=TODAY).streak == 2
    logs = [*active(0, -2), DayLog(day=day(-1), reps=0, sessions=0, difficulties=(3,))]
    assert summarise(logs, today=TODAY).streak == 1


def test_duplicate_and_unordered_days_are_summed() -> None:
    logs = [
        DayLog(day=day(0), reps=5, sessions=1, difficulties=(2,)),
        DayLog(day=day(-1), reps=4, sessions=0),
        DayLog(day=day(0), reps=7, sessions=1, difficulties=(4,)),
    ]
    progress = summarise(logs, today=TODAY)
    assert progress.this_week_reps == 16
    assert progress.this_week_sessions == 2
    assert progress.this_week_difficulty == 3.0
    assert progress.reps_by_day[-2:] == ((day(-1), 4), (day(0), 12))
    assert progress.streak == 2
    assert progress.active_days_this_week == 2


# --- weeks -------------------------------------------------------------------------------------


def test_this_week_runs_monday_to_today_and_last_week_is_the_whole_week_before() -> None:
    logs = [
        DayLog(day=date(2026, 11, 23), reps=10, sessions=1),  # Monday, this week
        DayLog(day=date(2026, 11, 22), reps=20, sessions=2),  # Sunday, last week
        DayLog(day=date(2026, 11, 16), reps=30, sessions=3),  # Monday, last week
        DayLog(day=date(2026, 11, 15), reps=40, sessions=4),  # Sunday, the week before
    ]
    progress = summarise(logs, today=TODAY)
    assert (progress.this_week_reps, progress.this_week_sessions) == (10, 1)
    assert (progress.last_week_reps, progress.last_week_sessions) == (50, 5)
    assert progress.active_days_this_week == 1
    assert progress.total_reps == 100
    assert progress.total_sessions == 10


def test_weeks_starting_on_sunday() -> None:
    logs = [
        DayLog(day=date(2026, 11, 22), reps=20, sessions=2),  # Sunday: starts this week
        DayLog(day=date(2026, 11, 21), reps=30, sessions=3),  # Saturday: last week
        DayLog(day=date(2026, 11, 15), reps=40, sessions=4),  # Sunday: starts last week
        DayLog(day=date(2026, 11, 14), reps=50, sessions=5),  # Saturday: the week before
    ]
    progress = summarise(logs, today=TODAY, week_starts=6)
    assert progress.this_week_reps == 20
    assert progress.last_week_reps == 70
    monday = summarise(logs, today=TODAY)
    assert monday.this_week_reps == 0
    assert monday.last_week_reps == 50


def test_on_the_first_day_of_the_week_this_week_is_only_today() -> None:
    monday = date(2026, 11, 23)
    logs = [DayLog(day=monday, reps=5, sessions=1),
            DayLog(day=monday - timedelta(days=1), reps=7, sessions=1)]
    progress = summarise(logs, today=monday)
    assert progress.this_week_reps == 5
    assert progress.last_week_reps == 7


def test_future_days_count_nowhere() -> None:
    logs = [*active(0), *active(1, reps=1000)]
    progress = summarise(logs, today=TODAY)
    assert progress.total_reps == 10
    assert progress.this_week_reps == 10
    assert progress.reps_by_day[-1] == (TODAY, 10)


def test_bad_arguments_are_rejected() -> None:
    with pytest.raises(ValueError):
        summarise([], today=TODAY, week_starts=7)
    with pytest.raises(ValueError):
        summarise([], today=TODAY, days=-1)


# --- difficulty trend --------------------------------------------------------------------------


def rated(this_week: tuple[int, ...], last_week: tuple[int, ...]) -> Progress:
    logs = [DayLog(day=day(0), reps=10, sessions=1, difficulties=this_week),
            DayLog(day=day(-7), reps=10, sessions=1, difficulties=last_week)]
    return summarise(logs, today=TODAY)


@pytest.mark.parametrize(
    ("this_week", "last_week", "trend"),
    [
        ((3,), (3,), "steady"),
        ((3, 4), (3,), "harder"),  # +0.5 exactly is a change
        ((3, 2), (3,), "easier"),  # -0.5 exactly is a change
        ((3, 3, 4), (3,), "steady"),  # +0.33
        ((2,), (4,), "easier"),
        ((5,), (1,), "harder"),
        ((2, 3, 3), (2, 2, 3, 3), "steady"),  # 2.67 vs 2.5
        ((3, 3, 4, 4, 4), (3, 3, 3, 3, 4), "steady"),  # 3.6 vs 3.2: +0.4
        ((), (3,), None),
        ((3,), (), None),
        ((), (), None),
    ],
)
def test_trend(this_week: tuple[int, ...], last_week: tuple[int, ...], trend: str | None) -> None:
    progress = rated(this_week, last_week)
    assert progress.trend == trend
    if this_week:
        assert progress.this_week_difficulty == pytest.approx(sum(this_week) / len(this_week))
    else:
        assert progress.this_week_difficulty is None


def test_ratings_older_than_last_week_do_not_count() -> None:
    logs = [DayLog(day=day(0), reps=10, sessions=1, difficulties=(3,)),
            DayLog(day=day(-14), reps=10, sessions=1, difficulties=(1,))]
    progress = summarise(logs, today=TODAY)
    assert progress.last_week_difficulty is None
    assert progress.trend is None


# --- the daily series --------------------------------------------------------------------------


def test_reps_by_day_is_zero_filled_oldest_first_ending_today() -> None:
    logs = [DayLog(day=day(-3), reps=8, sessions=1), DayLog(day=day(-40), reps=99, sessions=1)]
    series = summarise(logs, today=TODAY).reps_by_day
    assert len(series) == 28
    assert series[0] == (day(-27), 0)
    assert series[-1] == (TODAY, 0)
    assert dict(series)[day(-3)] == 8
    assert sum(reps for _, reps in series) == 8
    assert [d for d, _ in series] == sorted(d for d, _ in series)
    assert len(summarise(logs, today=TODAY, days=7).reps_by_day) == 7
    assert summarise(logs, today=TODAY, days=0).reps_by_day == ()


def test_no_logs_at_all() -> None:
    progress = summarise([], today=TODAY)
    assert progress.streak == 0
    assert progress.total_reps == progress.total_sessions == 0
    assert progress.trend is None
    assert all(reps == 0 for _, reps in progress.reps_by_day)


# --- milestones --------------------------------------------------------------------------------


def test_milestones_are_reached_in_order_and_only_once() -> None:
    assert milestones_reached(summarise([], today=TODAY), achieved=set()) == []
    first = summarise(active(0), today=TODAY)
    assert milestones_reached(first, achieved=set()) == ["first_session"]
    assert milestones_reached(first, achieved={"first_session"}) == []
    week = summarise(active(*range(-6, 1), reps=150), today=TODAY)
    assert milestones_reached(week, achieved=set()) == list(MILESTONES)
    assert milestones_reached(week, achieved={"first_session", "streak_3", "reps_100"}) == [
        "streak_7", "reps_1000"]
    assert milestones_reached(week, achieved=frozenset(MILESTONES) | {"stage_elbow"}) == []


@pytest.mark.parametrize(
    ("reps", "streak_days", "expected"),
    [
        (99, 2, ["first_session"]),
        (100, 3, ["first_session", "streak_3", "reps_100"]),
        (999, 6, ["first_session", "streak_3", "reps_100"]),
        (1000, 7, list(MILESTONES)),
    ],
)
def test_milestone_thresholds(reps: int, streak_days: int, expected: list[str]) -> None:
    logs = active(*range(-streak_days + 1, 1), reps=1)
    logs.append(DayLog(day=day(-100), reps=reps - streak_days, sessions=0))
    progress = summarise(logs, today=TODAY)
    assert (progress.total_reps, progress.streak) == (reps, streak_days)
    assert milestones_reached(progress, achieved=set()) == expected


# --- properties --------------------------------------------------------------------------------

day_logs = st.lists(
    st.builds(
        DayLog,
        day=st.integers(-60, 5).map(day),
        reps=st.integers(0, 300),
        sessions=st.integers(0, 3),
        difficulties=st.lists(st.integers(1, 5), max_size=3).map(tuple),
        pain=st.booleans(),
    ),
    max_size=60,
)


@given(day_logs, st.integers(0, 6))
def test_summary_properties(logs: list[DayLog], week_starts: int) -> None:
    progress = summarise(logs, today=TODAY, week_starts=week_starts)
    past = [log for log in logs if log.day <= TODAY]
    active_days = {log.day for log in past if log.reps > 0}
    assert 0 <= progress.streak <= len(active_days)
    assert progress.total_reps == sum(log.reps for log in past)
    assert progress.total_sessions == sum(log.sessions for log in past)
    assert sum(reps for _, reps in progress.reps_by_day) == sum(
        log.reps for log in past if log.day > TODAY - timedelta(days=28))
    assert progress.this_week_reps + progress.last_week_reps <= progress.total_reps
    assert 0 <= progress.active_days_this_week <= min(7, len(active_days))
    assert progress.active_days_this_week <= (TODAY.weekday() - week_starts) % 7 + 1
    for mean in (progress.this_week_difficulty, progress.last_week_difficulty):
        assert mean is None or 1 <= mean <= 5
    assert (progress.trend is None) == (
        progress.this_week_difficulty is None or progress.last_week_difficulty is None)


@given(day_logs)
def test_order_does_not_matter(logs: list[DayLog]) -> None:
    assert summarise(logs, today=TODAY) == summarise(list(reversed(logs)), today=TODAY)


@given(day_logs, st.sets(st.sampled_from(MILESTONES)))
def test_milestones_never_repeat_and_keep_order(logs: list[DayLog], achieved: set[str]) -> None:
    progress = summarise(logs, today=TODAY)
    new = milestones_reached(progress, achieved=achieved)
    assert not set(new) & achieved
    assert new == [key for key in MILESTONES if key in new]
    assert milestones_reached(progress, achieved=achieved | set(new)) == []
