"""Benchmark: one chat floods 1,000 messages while another patient asks for /help, in one
process with the emulator (strict Telegram limits) and a SQLite file. Target: the other
patient's p99 under a second. Run with the rate limit on (the default, 20 per 10 s) and off
(the per-chat queue alone).

    .venv/bin/python bench/flood.py [--flood 1000] [--asks 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
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


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--flood", type=int, default=1000)
    parser.add_argument("--asks", type=int, default=60)
    args = parser.parse_args()
    results = [await run(args.flood, args.asks, limit) for limit in (20, 0)]
    print(json.dumps(results, indent=2))
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "flood.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
