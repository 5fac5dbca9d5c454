"""Reminders: on time in the patient's zone, across DST and restarts, exactly once; pause,
snooze, skip; 403, 429 and 5xx from Telegram; missed days; the reminder commands."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.clock import FakeClock
from bot.emulator import Emulator, Persona
from bot.emulator.world import ApiError, Message
from bot.jobs.pacing import PriorityPacer
from bot.local import LocalBot
from bot.settings import Settings
from db.engine import Database
from db.models import Person, Reminder, SentPrompt
from tests.journey import onboard


def prompts_in(persona: Persona) -> list[Message]:
    """Every prompt the person got, including ones since snoozed or skipped (edited)."""
    return [m for m in persona.messages
            if any("💤" in b for b in persona.buttons(m))
            or (m.text and m.text.startswith(("💤 OK", "🛌 OK")))]


def local(message: Message, zone: str) -> datetime:
    return datetime.fromtimestamp(message.date, UTC).astimezone(ZoneInfo(zone))


async def statuses(database: Database, kind: str = "exercise") -> list[tuple[date, str]]:
    async with database.session() as session:
        rows = (await session.exec(select(SentPrompt).where(SentPrompt.kind == kind)
                                   .order_by(SentPrompt.due_at))).all()
    return [(r.local_day, r.status) for r in rows]


async def test_a_prompt_arrives_on_time_once(bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)  # Monday 09:00 in London; the reminder is for 09:00
    await bot.advance(timedelta(days=1))
    prompts = prompts_in(ann)
    assert len(prompts) == 1
    assert local(prompts[0], "Europe/London") == datetime(2026, 11, 24, 9, 0,
                                                          tzinfo=ZoneInfo("Europe/London"))
    assert ann.buttons(prompts[0]) == ["▶️ Start", "💤 15 min", "💤 30 min", "💤 60 min",
                                       "🛌 Skip today"]
    await bot.advance(timedelta(hours=3))
    assert len(prompts_in(ann)) == 1
    # the prompt opens today's session
    await ann.press("Start", message=prompts[0])
    assert "1 of" in ann.last.text


async def test_snooze_and_skip(bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    await bot.advance(timedelta(days=1))
    await ann.press("💤 15 min")
    assert "again at 09:15" in ann.last.text
    await bot.advance(timedelta(minutes=14))
    assert len(prompts_in(ann)) == 1
    await bot.advance(timedelta(minutes=1))
    again = prompts_in(ann)
    assert len(again) == 2 and "Here I am again" in again[-1].text
    snooze_data = ann.find_button("💤 30 min", again[-1])[1]["callback_data"]
    await ann.press("🛌 Skip today", message=again[-1])
    assert "rest day" in ann.last.text
    await ann.press_data(snooze_data, message=again[-1])  # a stale tap: the prompt moved on
    assert ann.toasts[-1] == "That step is already done ✓"
    assert await statuses(bot.services.db) == [(date(2026, 11, 24), "skipped")]


@pytest.mark.parametrize(
    ("city", "zone", "start"),
    [
        ("New York", "America/New_York", datetime(2027, 3, 12, 18, tzinfo=UTC)),  # spring
        ("New York", "America/New_York", datetime(2027, 11, 5, 18, tzinfo=UTC)),  # autumn
        ("London", "Europe/London", datetime(2027, 3, 26, 18, tzinfo=UTC)),
        ("London", "Europe/London", datetime(2027, 10, 29, 18, tzinfo=UTC)),
        ("Sydney", "Australia/Sydney", datetime(2027, 4, 1, 12, tzinfo=UTC)),
        ("Sydney", "Australia/Sydney", datetime(2027, 9, 30, 12, tzinfo=UTC)),
    ],
)
async def test_nine_oclock_local_on_both_sides_of_a_dst_change(
    bot: LocalBot, emulator: Emulator, clock: FakeClock, city: str, zone: str, start: datetime
) -> None:
    clock.set(start)
    ann = emulator.person("Ann")
    await onboard(ann, city=f"type:{city}")
    await bot.advance(timedelta(days=5))
    times = [local(m, zone) for m in prompts_in(ann)]
    assert [(t.hour, t.minute) for t in times] == [(9, 0)] * 5
    days = [t.date() for t in times]
    assert days == [days[0] + timedelta(days=i) for i in range(5)]  # never twice, never skipped
    offsets = {t.utcoffset() for t in times}
    assert len(offsets) == 2  # the change really happened in the window


async def test_pause_and_resume(bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    await ann.send("/pause")
    await ann.press("3 days")
    assert "quiet until" in ann.last.text
    await bot.advance(timedelta(days=2, hours=1))
    assert prompts_in(ann) == []
    await ann.send("/resume")
    assert "on again" in ann.last.text
    await bot.advance(timedelta(days=1))
    assert len(prompts_in(ann)) == 1
    assert [s for _, s in await statuses(bot.services.db)] == ["paused", "paused", "sent"]


async def test_blocked_then_back(bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    ann.block()
    await bot.advance(timedelta(days=1))
    async with bot.services.db.session() as session:
        person = (await session.exec(select(Person))).one()
    assert person.active is False
    calls = emulator.world.calls["sendMessage"]
    await bot.advance(timedelta(days=1))
    assert emulator.world.calls["sendMessage"] == calls  # skipped, not even tried
    await ann.send("/start")  # she comes back
    await bot.advance(timedelta(days=1))
    assert len(prompts_in(ann)) == 1
    assert [s for _, s in await statuses(bot.services.db)] == ["blocked", "blocked", "sent"]


async def test_5xx_and_timeouts_are_retried_with_backoff(bot: LocalBot,
                                                         emulator: Emulator) -> None:
    delays: list[float] = []

    async def no_wait(seconds: float) -> None:
        delays.append(seconds)

    bot.services.extras["dispatcher"].sleep = no_wait
    ann = emulator.person("Ann")
    await onboard(ann)
    emulator.world.fail_next = [ApiError(502, "Bad Gateway"),
                                ApiError(500, "Internal Server Error")]
    await bot.advance(timedelta(days=1))
    assert len(prompts_in(ann)) == 1
    assert delays == [0.5, 1.0]


class Mono:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
async def paced_bot(settings: Settings, database: Database, clock: FakeClock,
                    emulator: Emulator) -> AsyncIterator[tuple[LocalBot, Mono]]:
    mono = Mono()
    pacer = PriorityPacer(monotonic=mono, sleep=mono.sleep)
    async with LocalBot(settings=settings, database=database, clock=clock, emulator=emulator,
                        pacer=pacer) as local_bot:
        yield local_bot, mono


async def test_429_is_honoured(paced_bot: tuple[LocalBot, Mono], emulator: Emulator) -> None:
    bot, mono = paced_bot
    ann = emulator.person("Ann")
    await onboard(ann)
    emulator.world.fail_next = [ApiError(429, "Too Many Requests: retry after 3",
                                         retry_after=3)]
    before = mono.now
    await bot.advance(timedelta(days=1))
    assert len(prompts_in(ann)) == 1
    assert mono.now - before >= 3  # it waited as told, on the pacer's clock
    assert bot.app.bot.rate_limiter.retries_after == 1  # type: ignore[union-attr]


async def test_restart_within_grace_sends_once_and_after_grace_records_it(
    settings: Settings, database: Database, clock: FakeClock, emulator: Emulator
) -> None:
    ann = emulator.person("Ann")
    async with LocalBot(settings=settings, database=database, clock=clock, emulator=emulator):
        await onboard(ann)
    clock.set(datetime(2026, 11, 24, 10, 30, tzinfo=UTC))  # down through Tuesday 09:00
    for _ in range(2):  # two restarts: sent on the first, not again on the second
        async with LocalBot(settings=settings, database=database, clock=clock,
                            emulator=emulator) as local_bot:
            await local_bot.run_due()
    assert len(prompts_in(ann)) == 1
    clock.set(datetime(2026, 11, 25, 11, 1, tzinfo=UTC))  # Wednesday: 2 h 1 min late
    async with LocalBot(settings=settings, database=database, clock=clock,
                        emulator=emulator) as local_bot:
        await local_bot.run_due()
    assert len(prompts_in(ann)) == 1
    # Tuesday's was sent (and, with no practice that day, is missed); Wednesday's was late
    assert [s for _, s in await statuses(database)] == ["missed", "late"]


async def test_restart_in_the_middle_of_a_burst(
    settings: Settings, database: Database, clock: FakeClock, emulator: Emulator
) -> None:
    """A crash after claiming: never-attempted prompts go out; ones in flight are not
    repeated."""
    from bot.jobs.dispatch import local_day_in, reminder_next_due
    from db import reminders

    people = [emulator.person(f"P{i}") for i in range(4)]
    async with LocalBot(settings=settings, database=database, clock=clock, emulator=emulator):
        for person in people:
            await onboard(person)
    clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    async with database.session() as session:  # what the crashed process had done
        claimed = await reminders.claim_due(session=session, now=clock.now(), limit=100,
                                            next_due=reminder_next_due("UTC"),
                                            local_day=local_day_in("UTC"))
        exercise = [c for c in claimed if c.kind == "exercise"]
        assert len(exercise) == 4
        await reminders.set_status(session=session,
                                   prompt_ids=[c.prompt_id for c in exercise[:2]],
                                   status="sending")
    async with LocalBot(settings=settings, database=database, clock=clock,
                        emulator=emulator) as local_bot:
        await local_bot.run_due()
    got = sorted(len(prompts_in(p)) for p in people)
    assert got == [0, 0, 1, 1]
    assert sorted(s for _, s in await statuses(database)) == ["sent", "sent", "unknown",
                                                              "unknown"]


async def test_a_day_without_practice_is_recorded_as_missed(bot: LocalBot,
                                                            emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    await bot.advance(timedelta(days=1))  # Tuesday's prompt; no practice
    await bot.advance(timedelta(days=1))  # Wednesday's prompt; she practises
    await ann.send("did 10")
    await ann.press("Save it")
    await bot.advance(timedelta(days=1, hours=1))
    assert await statuses(bot.services.db) == [
        (date(2026, 11, 24), "missed"), (date(2026, 11, 25), "answered"),
        (date(2026, 11, 26), "sent")]


async def test_remind_commands(bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    await ann.send("/remind 18:00 mon-fri")
    assert "1. 09:00, every day" in ann.last.text and "2. 18:00, Mon–Fri" in ann.last.text
    await ann.send("/remind 25:99")
    assert "did not understand" in ann.last.text
    await ann.send("/remind off 7")
    assert "from 1 to 2" in ann.last.text
    await ann.press("Change 1")
    await ann.press("07:00")
    assert "1. 07:00, every day" in ann.last.text
    await ann.press("Remove 2")
    assert "2." not in ann.last.text
    await ann.press("Add a reminder")
    await ann.press("21:00")
    assert "2. 21:00, every day" in ann.last.text
    await ann.send("/remind off 2")
    async with bot.services.db.session() as session:
        rows = (await session.exec(select(Reminder).where(Reminder.kind == "exercise"))).all()
    assert [r.local_time for r in rows] == ["07:00"]
    await bot.advance(timedelta(days=1))  # Tuesday 07:00 local
    assert local(prompts_in(ann)[0], "Europe/London").hour == 7


async def test_timezone_change_keeps_local_times(bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    await ann.send("/timezone")
    assert "Europe/London" in ann.last.text
    await ann.send("/timezone new york")
    assert "America/New_York" in ann.last.text
    await bot.advance(timedelta(days=1, hours=6))
    prompt = prompts_in(ann)[0]
    assert local(prompt, "America/New_York").hour == 9


async def test_quiet_hours_hold_back_lessons(settings: Settings, database: Database,
                                             clock: FakeClock, emulator: Emulator) -> None:
    quiet = settings.model_copy(update={"quiet_hours": "09:00-12:00"})
    async with LocalBot(settings=quiet, database=database, clock=clock,
                        emulator=emulator) as local_bot:
        ann = emulator.person("Ann")
        await onboard(ann)  # the lesson reminder: 09:30 on Mon, Wed, Fri
        await local_bot.advance(timedelta(days=2, hours=1))  # Wednesday 10:00
        lessons = [m for m in ann.messages if m.text and "\n" in m.text
                   and not prompts_in(ann).count(m) and local(m, "Europe/London").day == 25]
        assert lessons == []
        await local_bot.advance(timedelta(hours=2))  # past noon
        lessons = [m for m in ann.messages if local(m, "Europe/London").day == 25
                   and m not in prompts_in(ann)]
        assert len(lessons) == 1
        assert local(lessons[0], "Europe/London").hour == 12


async def test_the_heartbeat_on_the_job_queue_delivers_due_prompts(
    settings: Settings, database: Database, clock: FakeClock, emulator: Emulator
) -> None:
    """In production nobody calls run_due: APScheduler's repeating job does."""
    fast = settings.model_copy(update={"tick_seconds": 0.05})
    ann = emulator.person("Ann")
    async with LocalBot(settings=settings, database=database, clock=clock, emulator=emulator):
        await onboard(ann)
    clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    async with LocalBot(settings=fast, database=database, clock=clock, emulator=emulator,
                        heartbeat=True):
        marker = ann.mark()
        await ann.wait_for_messages(marker, timeout=10)  # the job fires within a tick
    assert len(prompts_in(ann)) == 1


async def test_a_day_is_resolved_when_it_ends_where_the_patient_lives(
        bot: LocalBot, emulator: Emulator) -> None:
    """Each prompt keeps the instant its local day ends; the sweep reads only those that have
    ended: Tokyo's day is resolved hours before London's, and a day not over is left alone."""
    from sqlmodel import col, select

    from db.models import SentPrompt

    ann, kenji = emulator.person("Ann"), emulator.person("Kenji")
    await onboard(ann)  # London
    await onboard(kenji, city="type:Tokyo")
    await bot.advance(timedelta(days=1))  # each gets the next morning's prompt
    async with bot.services.db.session() as session:
        rows = (await session.exec(select(SentPrompt).where(
            SentPrompt.status == "sent", SentPrompt.kind == "exercise").order_by(
                col(SentPrompt.day_ends_at)))).all()
    assert len(rows) == 2 and all(r.day_ends_at is not None for r in rows)
    tokyo, london = rows
    assert (london.day_ends_at - tokyo.day_ends_at) == timedelta(hours=9)  # type: ignore[operator]
    bot.clock.set(tokyo.day_ends_at - timedelta(minutes=1))  # type: ignore[operator]
    await bot.run_due()
    assert [s for _, s in await statuses(bot.services.db)] == ["sent", "sent"]
    bot.clock.set(tokyo.day_ends_at)  # type: ignore[arg-type]
    await bot.run_due()
    async with bot.services.db.session() as session:
        after = {r.id: r.status for r in (await session.exec(select(SentPrompt))).all()}
    assert after[tokyo.id] == "missed" and after[london.id] == "sent"
    bot.clock.set(london.day_ends_at)  # type: ignore[arg-type]
    await bot.run_due()
    async with bot.services.db.session() as session:
        assert (await session.get(SentPrompt, london.id)).status == "missed"  # type: ignore[union-attr]


async def test_a_prompt_from_before_the_upgrade_is_still_resolved(
        settings: Settings, database: Database, clock: FakeClock, emulator: Emulator) -> None:
    """Prompts claimed before their day's end was kept (no day_ends_at) are resolved the old
    way after the upgrade's restart, so none is left behind."""
    from sqlmodel import update

    from db.models import SentPrompt

    ann = emulator.person("Ann")
    async with LocalBot(settings=settings, database=database, clock=clock,
                        emulator=emulator) as before:
        await onboard(ann)
        await before.advance(timedelta(days=1))
    async with database.session() as session:  # as a prompt sent by the older version
        await session.exec(update(SentPrompt).values(day_ends_at=None))  # type: ignore[call-overload]
    async with LocalBot(settings=settings, database=database, clock=clock,
                        emulator=emulator) as after:
        await after.advance(timedelta(days=1, hours=1))
    assert (date(2026, 11, 24), "missed") in await statuses(database)
