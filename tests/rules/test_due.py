"""Reminder due times: one per enabled local day, across every DST change, never twice."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rules.due import ALL_DAYS, next_due, parse_time, parse_weekdays, weekdays_label

NY, LONDON, SYDNEY = "America/New_York", "Europe/London", "Australia/Sydney"
MON_FRI = 0b0011111


def local(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(ZoneInfo(zone))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def exists(day: date, at: time, zone: str) -> bool:
    wall = datetime.combine(day, at)
    tz = ZoneInfo(zone)
    return wall.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall


def is_a_jump(instant: datetime, zone: str) -> bool:
    """Whether the clocks in ``zone`` jumped forward exactly at ``instant``."""
    before = local(instant - timedelta(seconds=1), zone).replace(tzinfo=None)
    return local(instant, zone).replace(tzinfo=None) - before > timedelta(seconds=1)


# --- the DST changes of 2024, both directions, in three zones --------------------------------

# (zone, local date of the change, wall time of the gap or repeat, the other wall time it maps to)
SPRING = [(NY, date(2024, 3, 10)), (LONDON, date(2024, 3, 31)), (SYDNEY, date(2024, 10, 6))]
AUTUMN = [(NY, date(2024, 11, 3)), (LONDON, date(2024, 10, 27)), (SYDNEY, date(2024, 4, 7))]


@pytest.mark.parametrize(("zone", "change"), SPRING + AUTUMN)
def test_nine_oclock_stays_nine_oclock_across_each_change(zone: str, change: date) -> None:
    start = datetime.combine(change - timedelta(days=2), time(12), ZoneInfo(zone))
    instant = start
    for expected_day in (change - timedelta(days=1), change, change + timedelta(days=1)):
        instant = next_due(time(9), ALL_DAYS, zone, instant)
        assert local(instant, zone).replace(tzinfo=None) == datetime.combine(expected_day, time(9))


def test_offsets_really_change_around_the_switch() -> None:
    before = next_due(time(9), ALL_DAYS, NY, utc(2024, 3, 9, 0))
    after = next_due(time(9), ALL_DAYS, NY, utc(2024, 3, 11, 0))
    assert before == utc(2024, 3, 9, 14)  # EST, UTC-5
    assert after == utc(2024, 3, 11, 13)  # EDT, UTC-4


@pytest.mark.parametrize(
    ("zone", "at", "after", "expected_utc", "expected_wall"),
    [
        (NY, time(2, 30), utc(2024, 3, 10, 0), utc(2024, 3, 10, 7), time(3, 0)),
        (LONDON, time(1, 30), utc(2024, 3, 30, 12), utc(2024, 3, 31, 1), time(2, 0)),
        (SYDNEY, time(2, 30), utc(2024, 10, 5, 12), utc(2024, 10, 5, 16), time(3, 0)),
    ],
)
def test_a_missing_wall_time_fires_when_the_clocks_jump(
    zone: str, at: time, after: datetime, expected_utc: datetime, expected_wall: time
) -> None:
    due = next_due(at, ALL_DAYS, zone, after)
    assert due == expected_utc
    assert local(due, zone).time() == expected_wall


@pytest.mark.parametrize(
    ("zone", "at", "after", "first", "next_day"),
    [
        (NY, time(1, 30), utc(2024, 11, 3, 0), utc(2024, 11, 3, 5, 30), utc(2024, 11, 4, 6, 30)),
        (LONDON, time(1, 30), utc(2024, 10, 26, 12), utc(2024, 10, 27, 0, 30),
         utc(2024, 10, 28, 1, 30)),
        (SYDNEY, time(2, 30), utc(2024, 4, 6, 12), utc(2024, 4, 6, 15, 30),
         utc(2024, 4, 7, 16, 30)),
    ],
)
def test_a_repeated_wall_time_fires_once_at_its_first_occurrence(
    zone: str, at: time, after: datetime, first: datetime, next_day: datetime
) -> None:
    due = next_due(at, ALL_DAYS, zone, after)
    assert due == first
    assert due.astimezone(ZoneInfo(zone)).fold == 0
    # Asking again from the instant it fired skips the second occurrence an hour later...
    assert next_due(at, ALL_DAYS, zone, due) == next_day
    # ...and so does asking from between the two occurrences.
    assert next_due(at, ALL_DAYS, zone, due + timedelta(minutes=30)) == next_day


@pytest.mark.parametrize("zone", [NY, LONDON, SYDNEY, "UTC", "Asia/Kolkata"])
@pytest.mark.parametrize("at", [time(0, 0), time(1, 30), time(2, 30), time(9, 0), time(23, 59)])
@pytest.mark.parametrize("mask", [ALL_DAYS, MON_FRI, 0b1000001])
def test_walking_a_whole_year_gives_exactly_one_per_enabled_day(
    zone: str, at: time, mask: int
) -> None:
    tz = ZoneInfo(zone)
    first_day, last_day = date(2024, 1, 1), date(2024, 12, 31)
    instant = datetime.combine(first_day, time(0), tz) - timedelta(microseconds=1)
    seen: list[date] = []
    while True:
        instant = next_due(at, mask, zone, instant)
        wall = local(instant, zone)
        if wall.date() > last_day:
            break
        seen.append(wall.date())
        if exists(wall.date(), at, zone):
            assert wall.time() == at
            assert wall.fold == 0
        else:  # the first valid minute after the gap: the moment the clocks jump
            assert wall.time() > at
            assert is_a_jump(instant, zone)
    expected = [
        first_day + timedelta(days=offset)
        for offset in range((last_day - first_day).days + 1)
        if mask >> (first_day + timedelta(days=offset)).weekday() & 1
    ]
    assert seen == expected


def test_weekday_masks_skip_disabled_days() -> None:
    saturday_noon = datetime(2024, 6, 8, 12, tzinfo=ZoneInfo(LONDON))
    due = next_due(time(9), MON_FRI, LONDON, saturday_noon)
    assert local(due, LONDON).date() == date(2024, 6, 10)  # Monday
    due = next_due(time(9), 1 << 6, LONDON, saturday_noon)  # Sunday only
    assert local(due, LONDON).date() == date(2024, 6, 9)
    due = next_due(time(13), 1 << 5, LONDON, saturday_noon)  # Saturday, later today
    assert local(due, LONDON).date() == date(2024, 6, 8)
    due = next_due(time(12), 1 << 5, LONDON, saturday_noon)  # exactly now: next week
    assert local(due, LONDON).date() == date(2024, 6, 15)


def test_after_in_another_zone_is_the_same_instant() -> None:
    after = datetime(2024, 6, 10, 8, tzinfo=ZoneInfo("Asia/Tokyo"))  # 2024-06-09 23:00 UTC
    assert next_due(time(9), ALL_DAYS, "UTC", after) == utc(2024, 6, 10, 9)


def test_bad_arguments_are_rejected() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_due(time(9), ALL_DAYS, NY, datetime(2024, 1, 1))
    for mask in (0, -1, 128):
        with pytest.raises(ValueError, match="mask"):
            next_due(time(9), mask, NY, utc(2024, 1, 1))
    with pytest.raises(ValueError, match="zone"):
        next_due(time(9), ALL_DAYS, "Mars/Olympus_Mons", utc(2024, 1, 1))
    with pytest.raises(ValueError, match="naive"):
        next_due(time(9, tzinfo=UTC), ALL_DAYS, NY, utc(2024, 1, 1))


ZONES = [NY, LONDON, SYDNEY, "UTC", "Asia/Kolkata", "America/Santiago", "Asia/Tehran",
         "Pacific/Chatham", "Europe/Dublin", "Africa/Casablanca", "Pacific/Apia"]


@settings(max_examples=300, deadline=None)
@given(
    at=st.times(),
    mask=st.integers(1, ALL_DAYS),
    zone=st.sampled_from(ZONES),
    after=st.datetimes(datetime(2000, 1, 1), datetime(2040, 1, 1), timezones=st.just(UTC)),
)
def test_next_due_properties(at: time, mask: int, zone: str, after: datetime) -> None:
    due = next_due(at, mask, zone, after)
    assert due > after
    assert due.tzinfo is UTC
    wall = local(due, zone)
    if wall.time() == at and exists(wall.date(), at, zone):
        intended = wall.date()
        assert wall.fold == 0
    else:  # a gap day (the gap may run past midnight): fires as the clocks jump
        assert is_a_jump(due, zone)
        gap_days = [day for day in (wall.date() - timedelta(days=1), wall.date())
                    if not exists(day, at, zone) and mask >> day.weekday() & 1]
        assert gap_days
        intended = gap_days[0]
    assert mask >> intended.weekday() & 1
    # Nothing enabled was skipped: every earlier enabled occurrence was not after `after`.
    day = local(after, zone).date() - timedelta(days=1)
    while day < intended:
        if mask >> day.weekday() & 1 and exists(day, at, zone):
            earlier = datetime.combine(day, at, ZoneInfo(zone))
            assert earlier <= after
        day += timedelta(days=1)


# --- parsing and labels ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "mask"),
    [
        ("mon-fri", MON_FRI), ("Mon – Fri", MON_FRI), ("weekdays", MON_FRI),
        ("mon to fri", MON_FRI), ("sat,sun", 0b1100000), ("weekends", 0b1100000),
        ("Sat, Sun", 0b1100000), ("daily", ALL_DAYS), ("every day", ALL_DAYS),
        ("Everyday", ALL_DAYS), ("mon,wed,fri", 0b0010101), ("mon wed fri", 0b0010101),
        ("Monday, Wednesday and Friday", 0b0010101), ("tue-thu", 0b0001110),
        ("fri-mon", 0b1110001), ("weekdays and sun", 0b1011111), ("wed", 0b100),
    ],
)
def test_parse_weekdays(text: str, mask: int) -> None:
    assert parse_weekdays(text) == mask


@pytest.mark.parametrize("text", ["", "  ", "nonsense", "mon-", "-fri", "mon--fri", "tomorrow",
                                  "mon, funday", "7pm", "every"])
def test_parse_weekdays_rejects_nonsense(text: str) -> None:
    with pytest.raises(ValueError):
        parse_weekdays(text)


@pytest.mark.parametrize(
    ("mask", "label"),
    [
        (ALL_DAYS, "every day"), (MON_FRI, "Mon–Fri"), (0b1100000, "Sat, Sun"),
        (0b0010101, "Mon, Wed, Fri"), (0b0001110, "Tue–Thu"), (0b1, "Mon"),
        (0b1110001, "Mon, Fri–Sun"), (0b0111111, "Mon–Sat"), (0b0010111, "Mon–Wed, Fri"),
    ],
)
def test_weekdays_label(mask: int, label: str) -> None:
    assert weekdays_label(mask) == label


@given(st.integers(1, ALL_DAYS))
def test_labels_read_back_as_the_same_mask(mask: int) -> None:
    label = weekdays_label(mask)
    assert parse_weekdays(label) == mask


def test_weekdays_label_rejects_bad_masks() -> None:
    for mask in (0, 128, -3):
        with pytest.raises(ValueError):
            weekdays_label(mask)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9:30", time(9, 30)), ("09:30", time(9, 30)), ("18:00", time(18)), ("7pm", time(19)),
        ("7 PM", time(19)), ("7:15 am", time(7, 15)), ("21.30", time(21, 30)),
        ("0:05", time(0, 5)), ("12am", time(0)), ("12:30pm", time(12, 30)),
        ("7 p.m.", time(19)), ("18h30", time(18, 30)), ("8h", time(8)), (" 23:59 ", time(23, 59)),
        ("noon", time(12)),
    ],
)
def test_parse_time(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["", "7", "930", "24:00", "9:60", "13pm", "0am", "9:3",
                                  "nine", "9:30:15", "-1:00", "7pm tomorrow", "12:00 xm"])
def test_parse_time_rejects_nonsense(text: str) -> None:
    with pytest.raises(ValueError):
        parse_time(text)


@given(st.text(max_size=20))
def test_parse_time_only_raises_value_error(text: str) -> None:
    try:
        result = parse_time(text)
    except ValueError:
        return
    assert isinstance(result, time)



@pytest.mark.parametrize(("text", "label"), [
    ("lun-vie", "Mon–Fri"), ("lun a vie", "Mon–Fri"), ("sáb y dom", "Sat, Sun"),
    ("fines de semana", "Sat, Sun"), ("todos los días", "every day"),
    ("周一到周五", "Mon–Fri"), ("周六、周日", "Sat, Sun"), ("工作日", "Mon–Fri"),
    ("每天", "every day"),
])
def test_days_typed_in_spanish_and_chinese(text: str, label: str) -> None:
    from bot.materials.typed_words import typed_words

    assert weekdays_label(parse_weekdays(text, typed_words())) == label
    with pytest.raises(ValueError):
        parse_weekdays(text)  # English alone does not know them
