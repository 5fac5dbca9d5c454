"""The pacer on its own clock: strict windows, people before bulk, retry_after honoured."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import pytest
from telegram.error import NetworkError, RetryAfter, TimedOut

from bot.clock import FakeClock
from bot.emulator import Emulator
from bot.jobs.pacing import PriorityPacer
from bot.local import LocalBot
from bot.settings import Settings
from db.engine import Database
from tests.journey import onboard


class Mono:
    """A clock that jumps to the next sleeper's wake-up whenever everything else is idle."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        self.sleepers.append((self.now + seconds, future))
        try:
            await future
        finally:
            self.sleepers = [(t, f) for t, f in self.sleepers if f is not future]

    async def drive(self) -> None:
        while True:
            for _ in range(20):
                await asyncio.sleep(0)
            live = [(t, f) for t, f in self.sleepers if not f.done()]
            if live:
                self.now = max(self.now, min(t for t, _ in live))
                for t, f in live:
                    if t <= self.now:
                        f.set_result(None)


@pytest.fixture
async def paced() -> AsyncIterator[tuple[PriorityPacer, Mono]]:
    mono = Mono()
    driver = asyncio.create_task(mono.drive())
    pacer = PriorityPacer(monotonic=mono, sleep=mono.sleep, margin=0.0)
    await pacer.initialize()
    yield pacer, mono
    await pacer.shutdown()
    driver.cancel()


def sender(mono: Mono, log: list[tuple[float, str]], name: str) -> Callable[[], Awaitable[bool]]:
    async def send() -> bool:
        log.append((mono.now, name))
        return True
    return send


async def test_never_more_than_30_in_any_window(paced: tuple[PriorityPacer, Mono]) -> None:
    pacer, mono = paced
    log: list[tuple[float, str]] = []
    await asyncio.gather(*(
        pacer.process_request(sender(mono, log, f"b{i}"), (), {}, "sendMessage",
                              {"chat_id": i + 1}, {"bulk": True}) for i in range(100)))
    times = sorted(t for t, _ in log)
    assert len(times) == 100
    for i, t in enumerate(times):
        assert sum(1 for u in times[i:] if u < t + 1.0) <= 30
    # the bulk lane keeps a slot a second for people
    assert max(sum(1 for u in times if t <= u < t + 1.0) for t in times) <= 29
    # spread across the window, never bunched at its start
    assert min(b - a for a, b in itertools.pairwise(times)) > 0.02


async def test_a_run_of_bulk_is_spread_evenly_over_its_first_window(
        paced: tuple[PriorityPacer, Mono]) -> None:
    """A run of bulk starts at an even spacing (window / 29), not bunched: in the bench a
    clump at the start came round again each window, and the burst lost up to half a message
    a second. After a pause longer than the window, the next run starts evenly again."""
    pacer, mono = paced
    log: list[tuple[float, str]] = []

    async def run(first: int) -> list[float]:
        await asyncio.gather(*(
            pacer.process_request(sender(mono, log, "b"), (), {}, "sendMessage",
                                  {"chat_id": first + i}, {"bulk": True}) for i in range(40)))
        return sorted(t for t, _ in log)[-40:]

    for first in (1, 1001):
        times = await run(first)
        gaps = [b - a for a, b in itertools.pairwise(times[:29])]
        assert min(gaps) == pytest.approx(1.0 / 29), gaps
        assert times[28] - times[0] == pytest.approx(28 / 29)
        await mono.sleep(2.0)  # the lane idle for longer than a window


async def test_people_go_before_queued_bulk(paced: tuple[PriorityPacer, Mono]) -> None:
    pacer, mono = paced
    log: list[tuple[float, str]] = []
    bulk = [asyncio.create_task(pacer.process_request(
        sender(mono, log, "bulk"), (), {}, "sendMessage", {"chat_id": i + 1}, {"bulk": True}))
        for i in range(90)]
    await asyncio.sleep(0)
    reply = asyncio.create_task(pacer.process_request(
        sender(mono, log, "person"), (), {}, "sendMessage", {"chat_id": 999}, None))
    await asyncio.gather(reply, *bulk)
    position = [name for _, name in log].index("person")
    assert position <= 30  # within the first window, not after three seconds of bulk
    person_time = next(t for t, name in log if name == "person")
    assert person_time < 1.0


async def test_answers_and_edits_are_not_counted(paced: tuple[PriorityPacer, Mono]) -> None:
    pacer, mono = paced
    log: list[tuple[float, str]] = []
    await asyncio.gather(*(pacer.process_request(
        sender(mono, log, "answer"), (), {}, "answerCallbackQuery", {}, None)
        for _ in range(100)))
    assert {t for t, _ in log} == {0.0}


async def test_groups_get_twenty_a_minute(paced: tuple[PriorityPacer, Mono]) -> None:
    pacer, mono = paced
    log: list[tuple[float, str]] = []
    await asyncio.gather(*(pacer.process_request(
        sender(mono, log, "group"), (), {}, "sendMessage", {"chat_id": -100}, None)
        for _ in range(25)))
    times = sorted(t for t, _ in log)
    assert times[19] < 60 <= times[20]


async def test_retry_after_pauses_and_retries(paced: tuple[PriorityPacer, Mono]) -> None:
    pacer, mono = paced
    calls: list[float] = []

    async def flaky() -> bool:
        calls.append(mono.now)
        if len(calls) == 1:
            raise RetryAfter(timedelta(seconds=5))
        return True

    assert await pacer.process_request(flaky, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert calls[1] - calls[0] >= 5
    assert pacer.retries_after == 1


async def test_a_429_about_one_chat_holds_only_that_chat(
        paced: tuple[PriorityPacer, Mono]) -> None:
    """Before, one chat's 429 paused every send of the bot."""
    pacer, mono = paced
    calls: list[tuple[float, int]] = []

    def send(chat: int):  # type: ignore[no-untyped-def]
        async def go() -> bool:
            calls.append((mono.now, chat))
            if chat == 1 and len([c for c in calls if c[1] == 1]) == 1:
                raise RetryAfter(timedelta(seconds=5))
            return True
        return go

    await asyncio.gather(
        pacer.process_request(send(1), (), {}, "sendMessage", {"chat_id": 1}, None),
        pacer.process_request(send(2), (), {}, "sendMessage", {"chat_id": 2}, None))
    first_two = [t for t, c in calls if c == 2]
    assert first_two == [0.0]  # chat 2 went at once
    ones = [t for t, c in calls if c == 1]
    assert ones[1] - ones[0] >= 5  # chat 1 waited its 5 seconds
    assert pacer._paused_until == 0.0  # nobody else was paused


async def test_a_5xx_from_telegram_is_tried_again(paced: tuple[PriorityPacer, Mono]) -> None:
    pacer, _ = paced
    calls = 0

    async def flaky() -> bool:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise NetworkError("Bad Gateway")
        return True

    assert await pacer.process_request(flaky, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert calls == 3 and pacer.server_retries == 2


async def test_a_timeout_is_not_retried_blindly(paced: tuple[PriorityPacer, Mono]) -> None:
    """A timed-out send may have reached the person: sending it again could say it twice."""
    pacer, _ = paced

    async def slow() -> bool:
        raise TimedOut("Timed out")

    with pytest.raises(TimedOut):
        await pacer.process_request(slow, (), {}, "sendMessage", {"chat_id": 1}, None)


async def test_one_private_chat_gets_a_burst_then_about_one_a_second(
        paced: tuple[PriorityPacer, Mono]) -> None:
    """Telegram's advice: about one message a second per chat, short bursts allowed. A reply
    of a few messages goes at once; a long run to one person is spaced; others never wait."""
    pacer, mono = paced
    log: list[tuple[float, str]] = []
    await asyncio.gather(
        *(pacer.process_request(sender(mono, log, "pat"), (), {}, "sendMessage",
                                {"chat_id": 7}, None) for _ in range(9)),
        *(pacer.process_request(sender(mono, log, "sam"), (), {}, "sendMessage",
                                {"chat_id": 8}, None) for _ in range(3)))
    pat = sorted(t for t, name in log if name == "pat")
    assert pat[:5] == [0.0] * 5  # the burst
    assert [round(t, 3) for t in pat[5:]] == [1.0, 2.0, 3.0, 4.0]  # then one a second
    assert [t for t, name in log if name == "sam"] == [0.0, 0.0, 0.0]  # nobody else waits
    # after a quiet while the burst is there again
    mono.now += 10
    log.clear()
    await asyncio.gather(*(pacer.process_request(sender(mono, log, "pat"), (), {},
                                                 "sendMessage", {"chat_id": 7}, None)
                           for _ in range(5)))
    assert len({t for t, _ in log}) == 1


async def test_edits_and_answers_are_not_spaced(paced: tuple[PriorityPacer, Mono]) -> None:
    pacer, mono = paced
    log: list[tuple[float, str]] = []
    await asyncio.gather(*(pacer.process_request(sender(mono, log, "edit"), (), {},
                                                 "editMessageText", {"chat_id": 7}, None)
                           for _ in range(12)))
    assert {t for t, _ in log} == {0.0}


async def test_the_real_bot_spaces_a_long_run_to_one_person(
        settings: Settings, database: Database, clock: FakeClock, emulator: Emulator) -> None:
    """Through the emulator: a person going through setting up gets many messages in a row;
    with a burst of 2 and 10 a second per private chat, no 0.1 s ever holds more than 3 of
    them (a slower machine only spreads them more, so this cannot flake on a busy one)."""
    arrivals: list[float] = []
    emulator.world.listeners.append(
        lambda kind, message: arrivals.append(time.perf_counter())
        if kind == "new" and message.from_bot and message.chat.id > 0 else None)
    pacer = PriorityPacer(private_burst=2, private_rate=10.0)
    async with LocalBot(settings=settings, database=database, clock=clock, emulator=emulator,
                        pacer=pacer):
        ann = emulator.person("Ann")
        await onboard(ann)
        await ann.press("Start now")
    assert len(arrivals) >= 10
    for i, t in enumerate(arrivals):
        assert sum(1 for u in arrivals[i:] if u < t + 0.099) <= 3, arrivals
    assert "1 of" in ann.last.text  # and everything still arrived


async def test_paid_broadcast_has_its_own_faster_window(
        paced: tuple[PriorityPacer, Mono]) -> None:
    """With paid broadcast on (here 100 a second), prompts marked allow_paid_broadcast go in a
    window of their own: 300 in about 3 s instead of 11, never over 100 in a second, and they
    take none of the 30 a second a person's answer needs."""
    pacer, mono = paced
    pacer.paid_per_second = 100
    log: list[tuple[float, str]] = []
    bulk = [asyncio.create_task(pacer.process_request(
        sender(mono, log, "paid"), (), {}, "sendMessage",
        {"chat_id": i + 1, "allow_paid_broadcast": True}, {"bulk": True})) for i in range(300)]
    await asyncio.sleep(0)
    reply = asyncio.create_task(pacer.process_request(
        sender(mono, log, "person"), (), {}, "sendMessage", {"chat_id": 999}, None))
    await asyncio.gather(reply, *bulk)
    paid = sorted(t for t, name in log if name == "paid")
    assert len(paid) == 300
    for i, t in enumerate(paid):
        assert sum(1 for u in paid[i:] if u < t + 1.0) <= 100
    assert paid[-1] < 3.0
    assert next(t for t, name in log if name == "person") == 0.0


async def test_without_paid_broadcast_the_flag_changes_nothing(
        paced: tuple[PriorityPacer, Mono]) -> None:
    pacer, mono = paced  # paid_per_second 0: off, whatever a request says
    log: list[tuple[float, str]] = []
    await asyncio.gather(*(pacer.process_request(
        sender(mono, log, "b"), (), {}, "sendMessage",
        {"chat_id": i + 1, "allow_paid_broadcast": True}, {"bulk": True}) for i in range(60)))
    times = sorted(t for t, _ in log)
    assert max(sum(1 for u in times if t <= u < t + 1.0) for t in times) <= 29


@pytest.mark.parametrize("per_second", [0, 200])
async def test_the_morning_burst_with_and_without_paid_broadcast(
        per_second: int, settings: Settings, database: Database, clock: FakeClock,
        emulator: Emulator) -> None:
    """Through the emulator, 170 prompts due at once: with PAID_BROADCAST_PER_SECOND=200
    every one is sent as a paid broadcast (Telegram's fee: 0.1 Stars each), none refused;
    off (the default), none is, and the 30-a-second window holds."""
    from tests.test_failover import FIRST_ID, PATIENTS, SNOOZED, seed

    await seed(database, clock.now())
    for i in range(FIRST_ID, FIRST_ID + PATIENTS):
        emulator.world.add_user(f"P{i}", user_id=i).started = True
    paid_settings = settings.model_copy(update={"paid_broadcast_per_second": per_second})
    async with LocalBot(settings=paid_settings, database=database, clock=clock,
                        emulator=emulator) as local:
        sent = await local.run_due()
    assert sent == PATIENTS + SNOOZED
    assert emulator.world.paid_messages == (sent if per_second else 0)
    assert emulator.world.rate_limited == 0


async def test_at_stop_waiting_bulk_sends_are_let_go_and_people_still_answered(
        paced: tuple[PriorityPacer, Mono]) -> None:
    from bot.jobs.pacing import NotSent

    pacer, mono = paced
    log: list[tuple[float, str]] = []
    bulk = [asyncio.create_task(pacer.process_request(
        sender(mono, log, "bulk"), (), {}, "sendMessage", {"chat_id": i + 1}, {"bulk": True}))
        for i in range(60)]
    for _ in range(5):
        await asyncio.sleep(0)
    let_go = pacer.let_go_bulk()
    reply = await pacer.process_request(sender(mono, log, "person"), (), {}, "sendMessage",
                                        {"chat_id": 999}, None)
    results = await asyncio.gather(*bulk, return_exceptions=True)
    assert reply is True
    assert let_go > 0
    assert sum(isinstance(r, NotSent) for r in results) == let_go
    assert sum(1 for _, name in log if name == "bulk") == 60 - let_go
