"""When a reminder is next due: wall-clock times in the patient's zone, turned into UTC instants.

Reminders are stored as a local wall time plus a weekday mask, and the scheduler only ever asks
"what is the next instant after this one?". Daylight saving makes that question subtle, so the
rules live here, in one place, and are tested over whole years:

- a wall time that does not exist that day (spring-forward gap) fires at the first valid
  instant after it, i.e. when the clocks jump (02:30 in New York on that day → 03:00);
- a wall time that happens twice (fall-back) fires once only, at its first occurrence;
  asking again from that instant moves on to the next enabled day.

Also the small parsers and labels for what a patient types when setting a reminder.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.rules.typed import NONE, TypedWords

ALL_DAYS = 0b1111111  # bit 0 = Monday ... bit 6 = Sunday
WEEKDAYS = 0b0011111
WEEKENDS = 0b1100000

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _zone(zone: str) -> ZoneInfo:
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone: {zone!r}") from error


def _exists(wall: datetime, tz: ZoneInfo) -> bool:
    """Whether a naive wall time is ever shown by the clocks in ``tz``."""
    there = wall.replace(tzinfo=tz)
    return there.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall


def _gap_end(wall: datetime, tz: ZoneInfo) -> datetime:
    """The instant the clocks jump over the missing ``wall`` time (UTC).

    For a time in a gap, fold=1 reads it with the offset after the jump and fold=0 with the
    offset before, so the jump lies between those two instants. Local time only moves forward
    between them, so bisecting whole seconds finds the jump: the first instant whose wall time
    is past ``wall`` (offsets change on whole seconds).
    """
    low = int(wall.replace(tzinfo=tz, fold=1).timestamp())
    high = int(wall.replace(tzinfo=tz, fold=0).timestamp()) + 1
    low, high = min(low, high), max(low, high)
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, tz).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def _occurrence(day: date, local_time: time, tz: ZoneInfo) -> datetime:
    """The one instant (UTC) at which a reminder for ``day`` fires."""
    wall = datetime.combine(day, local_time)
    if _exists(wall, tz):
        return wall.replace(tzinfo=tz, fold=0).astimezone(UTC)  # first of two, if repeated
    return _gap_end(wall, tz)


def _check_mask(weekdays: int) -> None:
    if isinstance(weekdays, bool) or not 1 <= weekdays <= ALL_DAYS:
        raise ValueError(f"weekday mask must be 1..{ALL_DAYS}, not {weekdays!r}")


def next_due(local_time: time, weekdays: int, zone: str, after: datetime) -> datetime:
    """The first instant strictly after ``after`` when the wall clock in ``zone`` shows
    ``local_time`` on an enabled weekday, as an aware UTC datetime.

    Each local date yields exactly one instant (see the module notes on DST), so walking this
    function forward gives one reminder per enabled day: never twice, never skipped.
    """
    if after.tzinfo is None or after.utcoffset() is None:
        raise ValueError("after must be timezone-aware")
    if local_time.tzinfo is not None:
        raise ValueError("local_time is a wall-clock time and must be naive")
    _check_mask(weekdays)
    tz = _zone(zone)
    after_utc = after.astimezone(UTC)
    start = after_utc.astimezone(tz).date()
    # The day before covers a gap that pushes an occurrence past midnight; two weeks ahead
    # covers every weekday even if the zone ever drops a whole date (as Samoa did in 2011).
    candidates = (
        _occurrence(day, local_time, tz)
        for day in (start + timedelta(days=offset) for offset in range(-1, 15))
        if weekdays >> day.weekday() & 1
    )
    return min(instant for instant in candidates if instant > after_utc)


# --- what patients type -------------------------------------------------------------------

_DAY_WORDS = {
    word: index
    for index, words in enumerate((
        ("mo", "mon", "monday", "mondays"),
        ("tu", "tue", "tues", "tuesday", "tuesdays"),
        ("we", "wed", "weds", "wednesday", "wednesdays"),
        ("th", "thu", "thur", "thurs", "thursday", "thursdays"),
        ("fr", "fri", "friday", "fridays"),
        ("sa", "sat", "saturday", "saturdays"),
        ("su", "sun", "sunday", "sundays"),
    ))
    for word in words
}
_GROUP_WORDS = {
    "daily": ALL_DAYS, "everyday": ALL_DAYS, "weekdays": WEEKDAYS, "weekday": WEEKDAYS,
    "workdays": WEEKDAYS, "weekends": WEEKENDS, "weekend": WEEKENDS,
}
_PHRASES = (
    (re.compile(r"\b(?:every|each|all)\s+days?\b|\ball\s+week\b"), " daily "),
    (re.compile(r"\bwork\s*days\b"), " workdays "),
    (re.compile(r"\s*(?:[-–—~]|\bto\b|\bthrough\b|\bthru\b|\btill\b|\buntil\b)\s*"), " - "),
    (re.compile(r"[,;/&+.，、]|\band\b"), " "),
)


def _day(word: str, text: str, days: dict[str, int]) -> int:
    if word not in days:
        raise ValueError(f"not a day: {word!r} in {text!r}")
    return days[word]


def _phrase(words: tuple[str, ...]) -> str:
    return "|".join(r"\s+".join(map(re.escape, w.split())) if re.search(r"[\u3400-\u9fff]", w)
                    else r"\b" + r"\s+".join(map(re.escape, w.split())) + r"\b"
                    for w in sorted(words, key=len, reverse=True))


def parse_weekdays(text: str, words: TypedWords = NONE) -> int:
    """A weekday mask from "mon-fri", "sat,sun", "weekdays", "weekends", "daily", "mon,wed,fri".

    Ranges may wrap ("fri-mon" is Fri, Sat, Sun, Mon). Anything not understood is a ValueError,
    so a typo never silently changes the days a reminder fires on.
    """
    clean = text.casefold()
    days = dict(_DAY_WORDS) | {w: i for i, group in enumerate(words.days) for w in group}
    extra = [(words.every_day, " daily "), (words.weekends, " weekends "),
             (words.weekdays, " weekdays "), (words.to, " - "), (words.and_, " ")]
    for group, replacement in extra:  # other languages' words first, spaced out
        if group:
            clean = re.sub(_phrase(group), replacement, clean)
    if words.days:
        clean = re.sub(_phrase(tuple(days)), lambda m: f" {m.group(0)} ", clean)
    for pattern, replacement in _PHRASES:
        clean = pattern.sub(replacement, clean)
    tokens = clean.split()
    if not tokens:
        raise ValueError("no days given")
    mask = 0
    position = 0
    while position < len(tokens):
        word = tokens[position]
        if word in _GROUP_WORDS:
            mask |= _GROUP_WORDS[word]
            position += 1
            continue
        first = _day(word, text, days)
        if position + 1 < len(tokens) and tokens[position + 1] == "-":
            if position + 2 >= len(tokens):
                raise ValueError(f"a range needs an end: {text!r}")
            last = _day(tokens[position + 2], text, days)
            for offset in range((last - first) % 7 + 1):
                mask |= 1 << (first + offset) % 7
            position += 3
        else:
            mask |= 1 << first
            position += 1
    return mask


def weekdays_label(mask: int, names: Sequence[str] = DAY_NAMES, every_day: str = "every day",
                   comma: str = ", ") -> str:
    """A short label for a mask: "every day", "Mon–Fri", "Sat, Sun", "Mon, Wed, Fri" (in the
    reader's words when ``names``, ``every_day`` and ``comma`` are given).

    Runs of three or more days become a range; shorter runs are listed.
    """
    _check_mask(mask)
    if mask == ALL_DAYS:
        return every_day
    parts: list[str] = []
    day = 0
    while day < 7:
        if not mask >> day & 1:
            day += 1
            continue
        end = day
        while end + 1 < 7 and mask >> (end + 1) & 1:
            end += 1
        if end - day >= 2:
            parts.append(f"{names[day]}–{names[end]}")
        else:
            parts.extend(names[day : end + 1])
        day = end + 1
    return comma.join(parts)


_TIME_24 = re.compile(r"^(\d{1,2})\s*[:.h]\s*(\d{2})$|^(\d{1,2})\s*h$")
_TIME_12 = re.compile(r"^(\d{1,2})(?:\s*[:.]\s*(\d{2}))?\s*(am|pm)$")


def parse_time(text: str) -> time:
    """A wall-clock time from "9:30", "09:30", "18:00", "7pm", "7:15 am", "21.30", "18h30".

    A bare number ("7") is refused: it could be morning or evening, and a reminder at the
    wrong end of the day is worse than asking again.
    """
    clean = " ".join(text.casefold().split()).replace("a.m.", "am").replace("p.m.", "pm")
    clean = clean.removesuffix(".").strip()
    if clean == "noon":
        return time(12, 0)
    if clean == "midnight":
        return time(0, 0)
    if not clean.isascii():
        raise ValueError(f"not a time: {text!r}")
    found = _TIME_24.match(clean)
    if found:
        hour = int(found[1] or found[3])
        minute = int(found[2] or 0)
        if hour > 23 or minute > 59:
            raise ValueError(f"not a time of day: {text!r}")
        return time(hour, minute)
    found = _TIME_12.match(clean)
    if found:
        hour, minute = int(found[1]), int(found[2] or 0)
        if not 1 <= hour <= 12 or minute > 59:
            raise ValueError(f"not a time of day: {text!r}")
        return time(hour % 12 + (12 if found[3] == "pm" else 0), minute)
    raise ValueError(f"not a time: {text!r}")


def in_quiet_hours(local: time, start: time, end: time) -> bool:
    """Whether a local wall time falls in quiet hours (which may run past midnight)."""
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def quiet_end_after(instant: datetime, zone: ZoneInfo, end: time) -> datetime:
    """The next end of quiet hours after ``instant``, as UTC."""
    local = instant.astimezone(zone)
    candidate = datetime.combine(local.date(), end, tzinfo=zone)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=zone)
    return candidate.astimezone(instant.tzinfo)


def alert_due_at(now: datetime, zone: ZoneInfo, quiet: tuple[time, time]) -> datetime:
    """When an alert may reach someone: now, unless it is their quiet time (the night), then
    at its end. Pain reported at 23:00 reaches family at 08:00, not in their sleep."""
    local = now.astimezone(zone)
    if in_quiet_hours(local.time(), *quiet):
        return quiet_end_after(now, zone, quiet[1])
    return now
