"""One noisy person cannot slow the others: they get one "one moment" and then silence while
over the limit; a chat's flood waits in its own queue; another patient is answered."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.emulator import Emulator
from bot.local import LocalBot
from bot.rules.flood import RateLimit
from bot.settings import Settings
from bot.updates import ChatOrderedProcessor
from db.engine import Database


def test_the_window_warns_once_then_drops_until_there_is_room() -> None:
    limit = RateLimit(limit=3, window=10.0)
    assert [limit.check(1, t) for t in (0, 1, 2)] == ["ok", "ok", "ok"]
    assert [limit.check(1, t) for t in (3, 4)] == ["warn", "drop"]
    assert limit.check(2, 4) == "ok"  # somebody else is not affected
    assert limit.check(1, 10.5) == "ok"  # the first one left the window
    assert limit.check(1, 10.6) == "warn"  # over again: one more "one moment"


@pytest.fixture
async def limited_bot(tmp_path: Path, database: Database, clock: FakeClock,
                      emulator: Emulator) -> AsyncIterator[LocalBot]:
    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
                        rate_limit=20)
    async with LocalBot(settings=settings, database=database, clock=clock,
                        emulator=emulator) as local:
        yield local


async def test_a_flood_gets_one_moment_and_others_are_answered(
        limited_bot: LocalBot, emulator: Emulator) -> None:
    # a window longer than any test run, so a slow machine cannot let the window slide
    limited_bot.services.extras["rate_limit"] = RateLimit(limit=20, window=3600.0)
    noisy, quiet = emulator.person("Noisy"), emulator.person("Quiet")
    await noisy.send("/start")
    ids = [emulator.world.user_message(noisy.user, noisy.chat, text=f"hello {n}")
           for n in range(200)]
    replies = await quiet.send("/help")
    assert replies and "/start" in replies[0].text  # answered in the middle of the flood
    for update_id in ids:  # every one handled, or let go
        await emulator.settle(update_id)  # type: ignore[misc]
    moments = [m for m in noisy.messages if "One moment, please" in (m.text or "")]
    assert len(moments) == 1
    assert len(noisy.messages) <= 20 + 1 + 1  # the limit, the "one moment", the /start
    assert not [m for m in noisy.messages if "Sorry" in (m.text or "")]


async def test_a_chat_with_too_many_waiting_drops_the_newest() -> None:
    processor = ChatOrderedProcessor(max_concurrent_updates=4, max_pending_per_chat=3)
    await processor.initialize()
    import asyncio

    gate = asyncio.Event()
    ran: list[int] = []

    async def work(n: int) -> None:
        await gate.wait()
        ran.append(n)

    class Fake:
        update_id = 0
        effective_chat = None
        effective_user = None

    tasks = [asyncio.create_task(processor.process_update(Fake(), work(n))) for n in range(6)]
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    gate.set()
    await asyncio.gather(*tasks)
    assert processor.dropped == 0  # "other" updates each have their own key
    same = "chat"

    class InChat(Fake):
        pass

    processor2 = ChatOrderedProcessor(max_concurrent_updates=4, max_pending_per_chat=3)
    await processor2.initialize()
    processor2._key = staticmethod(lambda update: same)  # type: ignore[method-assign]
    gate2 = asyncio.Event()
    done: list[int] = []

    async def slow(n: int) -> None:
        await gate2.wait()
        done.append(n)

    tasks = [asyncio.create_task(processor2.process_update(InChat(), slow(n))) for n in range(8)]
    for _ in range(5):
        await asyncio.sleep(0)
    gate2.set()
    await asyncio.gather(*tasks)
    assert processor2.dropped == 4  # one running, three waiting, the rest let go
    assert done == [0, 1, 2, 3]  # in order
