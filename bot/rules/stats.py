"""The numbers behind /progress, the weekly digests and milestones, from per-day logs.

Everything is counted in the patient's local days (the caller turns instants into days), and
"today" is a parameter, so the same logs always give the same numbers. A day counts as active
when reps were logged. Days after ``today`` are ignored throughout: they can only come from a
clock or time-zone change, and must not make a streak or a week look better than it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction


@dataclass(frozen=True)
class DayLog:
    """What happened on one local day."""

    day: date
    reps: int  # total reps that local day (reps*sets summed)
    sessions: int  # finished guided sessions that day
    difficulties: tuple[int, ...] = ()  # difficulty ratings given that day
    pain: bool = False


@dataclass(frozen=True)
class Progress:
    """A summary as of ``today``; see :func:`summarise` for what each number means."""

    streak: int  # consecutive active days ending today, or yesterday if nothing yet today
    this_week_sessions: int
    last_week_sessions: int
    this_week_reps: int
    last_week_reps: int
    this_week_difficulty: float | None  # mean rating, None without ratings
    last_week_difficulty: float | None
    trend: str | None  # "easier" | "steady" | "harder" | None
    total_reps: int
    total_sessions: int
    active_days_this_week: int
    reps_by_day: tuple[tuple[date, int], ...]  # the last `days` days ending today, oldest first
    best_run: int = 0  # the longest run of active days in that window (shown instead of a 0)
    pain_days: frozenset[date] = frozenset()  # days in that window when something hurt
    week_start: date | None = None  # this week: Monday to Sunday (bot.rules.family.week_of)


MILESTONES = ("first_session", "streak_3", "streak_7", "reps_100", "reps_1000")

STEADY_WITHIN = Fraction(1, 2)  # a change in mean rating smaller than this is "steady"


@dataclass
class _Day:
    reps: int = 0
    sessions: int = 0
    ratings: list[int] = field(default_factory=list)
    pain: bool = False


def _merge(logs: Iterable[DayLog], today: date) -> dict[date, _Day]:
    """One entry per day up to today, duplicates summed."""
    merged: dict[date, _Day] = {}
    for log in logs:
        if log.day > today:
            continue
        day = merged.setdefault(log.day, _Day())
        day.reps += log.reps
        day.sessions += log.sessions
        day.ratings.extend(log.difficulties)
        day.pain = day.pain or log.pain
    return merged


def _streak(merged: dict[date, _Day], today: date) -> int:
    """Active days in a row back from today; a day not yet practised does not break it."""
    def active(day: date) -> bool:
        return day in merged and merged[day].reps > 0

    day = today if active(today) else today - timedelta(days=1)
    streak = 0
    while active(day):
        streak += 1
        day -= timedelta(days=1)
    return streak


def _mean(ratings: list[int]) -> Fraction | None:
    return Fraction(sum(ratings), len(ratings)) if ratings else None


def _trend(this_week: Fraction | None, last_week: Fraction | None) -> str | None:
    """Lower ratings mean easier. Exact fractions, so 0.5 is never lost to rounding."""
    if this_week is None or last_week is None:
        return None
    change = this_week - last_week
    if abs(change) < STEADY_WITHIN:
        return "steady"
    return "easier" if change < 0 else "harder"


def summarise(
    logs: Iterable[DayLog], *, today: date, days: int = 28, week_starts: int = 0
) -> Progress:
    """Streak, this week against last, difficulty trend, totals and a zero-filled daily series.

    "This week" is the current calendar week (starting on ``week_starts``, 0=Monday..6=Sunday)
    up to today; "last week" is the whole calendar week before it. Logs may come in any order
    and may repeat a day; repeated days are added together.
    """
    if not 0 <= week_starts <= 6:
        raise ValueError(f"week_starts must be 0..6, not {week_starts}")
    if days < 0:
        raise ValueError(f"days must not be negative, not {days}")
    merged = _merge(logs, today)
    this_start = today - timedelta(days=(today.weekday() - week_starts) % 7)
    last_start = this_start - timedelta(days=7)

    def week(start: date, end: date) -> list[_Day]:
        return [entry for day, entry in merged.items() if start <= day <= end]

    this_week = week(this_start, today)
    last_week = week(last_start, this_start - timedelta(days=1))
    this_mean = _mean([r for entry in this_week for r in entry.ratings])
    last_mean = _mean([r for entry in last_week for r in entry.ratings])
    series = tuple(
        (day, merged[day].reps if day in merged else 0)
        for day in (today - timedelta(days=offset) for offset in range(days - 1, -1, -1))
    )
    return Progress(
        streak=_streak(merged, today),
        this_week_sessions=sum(entry.sessions for entry in this_week),
        last_week_sessions=sum(entry.sessions for entry in last_week),
        this_week_reps=sum(entry.reps for entry in this_week),
        last_week_reps=sum(entry.reps for entry in last_week),
        this_week_difficulty=None if this_mean is None else float(this_mean),
        last_week_difficulty=None if last_mean is None else float(last_mean),
        trend=_trend(this_mean, last_mean),
        total_reps=sum(entry.reps for entry in merged.values()),
        total_sessions=sum(entry.sessions for entry in merged.values()),
        active_days_this_week=sum(1 for entry in this_week if entry.reps > 0),
        reps_by_day=series,
        best_run=_best_run(series),
        pain_days=frozenset(day for day, _ in series if day in merged and merged[day].pain),
        week_start=this_start,
    )


def _best_run(series: tuple[tuple[date, int], ...]) -> int:
    best = run = 0
    for _, reps in series:
        run = run + 1 if reps > 0 else 0
        best = max(best, run)
    return best


def milestones_reached(progress: Progress, *, achieved: AbstractSet[str]) -> list[str]:
    """Milestone keys now satisfied and not yet in ``achieved``, in :data:`MILESTONES` order.

    The caller stores what it celebrates, so each milestone is announced once.
    """
    reached = {
        "first_session": progress.total_sessions >= 1,
        "streak_3": progress.streak >= 3,
        "streak_7": progress.streak >= 7,
        "reps_100": progress.total_reps >= 100,
        "reps_1000": progress.total_reps >= 1000,
    }
    return [key for key in MILESTONES if reached[key] and key not in achieved]
