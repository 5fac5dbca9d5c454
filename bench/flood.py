"""Benchmark: one chat floods 1,000 messages while another patient asks for /help, against
the emulator (strict Telegram limits) and a SQLite file. Target: the other patient's p99
under a second. Run with the rate limit on (the default, 20 per 10 s) and off (the per-chat
queue alone), with the bot in this process; and with ``--process``, the real
`rehab-buddy run` in a process of its own, polling the emulator over HTTP, as deployed.

    .venv/bin/python bench/flood.py [--flood 1000] [--asks 60] [--process]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.clock import FakeClock
from bot.emulator import Emulator
from bot.local import LocalBot
from bot.settings import Settings
from db.engine import Database
from db.migrate import upgrade


async def run(flood: int, asks: int, rate_limit: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database.from_url(f"sqlite+aiosqlite:///{tmp}/bench.sqlite3")
        await upgrade(db.engine)
        clock = FakeClock(datetime(2026, 11, 23, 9, tzinfo=UTC))
        settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp}/x.db",
                            rate_limit=rate_limit)
        async with Emulator() as emulator, LocalBot(settings=settings, database=db,
                                                    clock=clock, emulator=emulator) as bot:
            noisy, quiet = emulator.person("Noisy"), emulator.person("Quiet")
            await noisy.send("/start")
            await quiet.send("/start")
            started = time.perf_counter()
            ids = [emulator.world.user_message(noisy.user, noisy.chat, text=f"hi {n}")
                   for n in range(flood)]
            latencies = []
            for _ in range(asks):
                t0 = time.perf_counter()
                await quiet.send("/help")
                latencies.append(time.perf_counter() - t0)
                await asyncio.sleep(0.02)
            for update_id in ids:
                await emulator.settle(update_id)  # type: ignore[misc]
            flood_seconds = time.perf_counter() - started
            replies = len(noisy.messages)
            dropped = bot.processor.dropped
        await db.dispose()
    latencies.sort()
    return {"rate_limit": rate_limit, "flood": flood, "asks": asks,
            "help_p50_ms": round(statistics.median(latencies) * 1000, 1),
            "help_p99_ms": round(latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000, 1),
            "help_max_ms": round(latencies[-1] * 1000, 1),
            "flood_replies": replies, "dropped_by_chat_queue": dropped,
            "flood_handled_s": round(flood_seconds, 1)}


async def run_process(flood: int, asks: int) -> dict[str, object]:
    """The same flood against `rehab-buddy run` (its own process, default settings)."""
    script = Path(sys.executable).parent / "rehab-buddy"
    with tempfile.TemporaryDirectory() as tmp:
        async with Emulator() as emulator:
            env = {**os.environ, "TELEGRAM_BOT_TOKEN": emulator.token,
                   "TELEGRAM_API_BASE_URL": emulator.base_url, "LOG_LEVEL": "WARNING",
                   "DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"}
            process = await asyncio.create_subprocess_exec(
                str(script), "run", cwd=tmp, env=env,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
            noisy, quiet = emulator.person("Noisy"), emulator.person("Quiet")
            try:
                for person in (noisy, quiet):
                    marker = person.mark()
                    emulator.world.user_message(person.user, person.chat, text="/start")
                    await person.wait_for_messages(marker, timeout=60)
                for n in range(flood):
                    emulator.world.user_message(noisy.user, noisy.chat, text=f"hi {n}")
                latencies = []
                for _ in range(asks):
                    marker = quiet.mark()
                    t0 = time.perf_counter()
                    emulator.world.user_message(quiet.user, quiet.chat, text="/help")
                    await quiet.wait_for_messages(marker, timeout=60)
                    latencies.append(time.perf_counter() - t0)
                    # a person's pace: faster than about one a second to one chat, the
                    # pacer (rightly, as Telegram asks) spaces the replies out
                    await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - t0)))
                replies = len(noisy.messages)
            finally:
                process.terminate()
                await process.wait()
    latencies.sort()
    return {"mode": "rehab-buddy run (own process)", "rate_limit": 20, "flood": flood,
            "asks": asks,
            "help_p50_ms": round(statistics.median(latencies) * 1000, 1),
            "help_p99_ms": round(latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000, 1),
            "help_max_ms": round(latencies[-1] * 1000, 1),
            "flood_replies_seen": replies}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--flood", type=int, default=1000)
    parser.add_argument("--asks", type=int, default=60)
    parser.add_argument("--process", action="store_true",
                        help="also run the flood against the real `rehab-buddy run`")
    args = parser.parse_args()
    results: list[dict[str, object]] = [await run(args.flood, args.asks, limit)
                                        for limit in (20, 0)]
    if args.process:
        results.append(await run_process(args.flood, min(args.asks, 30)))
    print(json.dumps(results, indent=2))
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "flood.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
