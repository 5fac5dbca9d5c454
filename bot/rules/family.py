"""Family rules with no Telegram in them: invite secrets, digest weeks and numbers, alerts.

Invite tokens carry 192 bits of randomness in 32 URL-safe characters (Telegram's start
parameter allows 64 of ``A-Za-z0-9_-``); only their SHA-256 is stored, so a database leak
does not hand out links.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.rules.stats import DayLog, Progress, summarise

INVITE_TTL = timedelta(hours=72)
GROUP_CODE_TTL = timedelta(hours=1)
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
GROUP_CODE_SHAPE = re.compile(r"^[A-Z0-9]{8}$")
CHEER_MAX = 200
MAX_LIVE_INVITES = 5  # links waiting to be opened, at once
MAX_FOLLOWERS = 20  # family and care team together: every list stays short enough to read
DEFAULT_DIGEST_DAY = 6  # Sunday
DEFAULT_DIGEST_TIME = "18:00"
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def new_token() -> str:
    return secrets.token_urlsafe(24)


def new_group_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


def secret_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"


def next_weekly(weekday: int, local_time: str, zone: str, after: datetime) -> datetime:
    """The next instant after ``after`` at ``local_time`` on ``weekday`` in ``zone``."""
    from bot.rules.due import next_due

    hour, minute = map(int, local_time.split(":"))
    return next_due(time(hour, minute), 1 << weekday, zone, after)


def week_of(day: date) -> tuple[date, date]:
    """The week a day falls in: Monday to Sunday, in the person's own local days. Every screen
    that says "this week" (/progress, /digest, the summary, the charts) means this week."""
    start = day - timedelta(days=day.weekday())
    return start, start + timedelta(days=6)


def digest_week(due_at: datetime, zone: str) -> tuple[date, date]:
    """The week a digest sent at ``due_at`` is about: the week ending that day when it comes
    on a Sunday (the default), else the last whole week; never a week of someone else's
    making (seven days back from a Wednesday)."""
    day = due_at.astimezone(ZoneInfo(zone)).date()
    return week_of(day if day.weekday() == 6 else day - timedelta(days=7))


@dataclass(frozen=True)
class Digest:
    """The numbers a weekly digest shows about one patient."""

    week_start: date
    week_end: date
    sessions: int
    planned: int
    reps: int
    reps_last_week: int
    reps_by_day: tuple[tuple[date, int], ...]
    trend: str | None
    streak: int
    milestones: tuple[str, ...]
    cheers: int
    active_days: int
    so_far: bool = False  # the week is not over yet (a preview)
    best_run: int = 0
    pain_days: frozenset[date] = frozenset()


def digest_numbers(*, logs: Sequence[DayLog], week_start: date, week_end: date,
                   planned: int, milestones: Sequence[str], cheers: int,
                   today: date | None = None) -> Digest:
    """Sessions against planned, reps per day and against the week before, the trend. With
    ``today`` inside the week (a preview), the streak is counted as of today."""
    as_of = min(week_end, today) if today is not None else week_end
    progress: Progress = summarise(logs, today=as_of, days=(as_of - week_start).days + 1,
                                   week_starts=week_start.weekday())
    days = [log for log in logs if week_start <= log.day <= week_end]
    before = [log for log in logs
              if week_start - timedelta(days=7) <= log.day < week_start]
    return Digest(
        week_start=week_start, week_end=week_end,
        sessions=sum(log.sessions for log in days), planned=planned,
        reps=sum(log.reps for log in days), reps_last_week=sum(log.reps for log in before),
        reps_by_day=progress.reps_by_day, trend=progress.trend, streak=progress.streak,
        milestones=tuple(milestones), cheers=cheers,
        active_days=len({log.day for log in days if log.reps > 0}),
        so_far=as_of < week_end, best_run=progress.best_run, pain_days=progress.pain_days)


def inactivity_episode(*, last_practice: date | None, since: date, today: date,
                       days: int) -> str | None:
    """An episode key when nothing was practised for ``days`` days, else None. The key names
    the last day of practice, so one quiet spell is one episode, told once."""
    anchor = last_practice or since
    if (today - anchor).days >= days:
        return f"quiet-since-{anchor.isoformat()}"
    return None


def invitation_problem(*, kind: str, expected: str, used: bool, expires_at: datetime,
                       now: datetime) -> str | None:
    """Why an invitation cannot be used now ("invalid", "used", "expired"), or None."""
    if kind != expected:
        return "invalid"
    if used:
        return "used"
    if expires_at <= now:
        return "expired"
    return None


def role_of(*, practising: bool, setting_up: bool, follows: int, is_family: bool) -> str:
    """Where someone stands, from what they chose and the links they hold: "patient" (set up
    to practise), "family" (follows someone, or chose family), "setup" (chose to practise and
    has not finished), or "new". A link to someone wins over an unfinished set-up, so a family
    member who once tapped "I am practising" is never pushed back into it."""
    if practising:
        return "patient"
    if follows:
        return "family"
    if setting_up and not is_family:
        return "setup"
    if is_family:
        return "family"
    return "setup" if setting_up else "new"
