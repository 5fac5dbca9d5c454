"""Benchmark: many people write at once, Telegram's limits off (the emulator's, and our
pacer's), so what is measured is the bot's own work per update: how many answers a second,
and how much CPU each update costs this process. Beside it, the bare python-telegram-bot
bot (``bench/bare.py``) on the same emulator in the same run: sequential (the library's
default) and with the same concurrency, on the library's HTTP (httpx) and, in
``rehab-buddy bench``, on ours (aiohttp, bot/transport.py).

    .venv/bin/python bench/taps.py [--people 1000] [--concurrency 4 16 64 256]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram.ext import Application

from bench.bare import build_bare
from bench.burst import TOKEN, free_port, start_emulator

FIRST = 100001
PROFILE = ""  # a file to write the measured round's profile to (--profile)


class Emulated:
    """The emulator in a process of its own, limits off, with ``people`` people."""

    def __init__(self, people: int) -> None:
        self.people = people
        self.port = free_port()
        self.process: subprocess.Popen[str] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def control(self) -> str:
        return f"http://127.0.0.1:{self.port}/_control"

    async def __aenter__(self) -> Emulated:
        self.process = start_emulator(self.port)
        self.http = httpx.AsyncClient(timeout=60)
        await self.http.post(f"{self.control}/users", json={"count": self.people,
                                                             "first_id": FIRST})
        await self.http.post(f"{self.control}/limits", json={"on": False})
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()
        assert self.process is not None
        self.process.terminate()
        self.process.wait()

    async def sent(self) -> list[float]:
        return list((await self.http.post(f"{self.control}/stats")).json()["sent_times"])

    async def everyone_writes(self, text: str) -> float:
        answer = await self.http.post(f"{self.control}/write",
                                      json={"first_id": FIRST, "count": self.people,
                                            "text": text})
        return float(answer.json()["at"])

    async def wait_for(self, total: int, timeout: float = 300) -> list[float]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            times = await self.sent()
            if len(times) >= total:
                return times
            await asyncio.sleep(0.05)
        raise TimeoutError(f"only {len(await self.sent())} of {total} answers came")


async def flood(emulated: Emulated, app: Application, before_start: Callable[[], Any] | None
                = None) -> dict[str, float]:
    """A warm-up round (everyone's first message), then the measured one."""
    await app.initialize()
    if before_start is not None:
        await before_start()
    await app.start()
    await app.updater.start_polling(poll_interval=0.0, timeout=5)  # type: ignore[union-attr]
    from bot.application import settle_heap

    settle_heap()  # as `rehab-buddy run` does once it is up
    try:
        base = len(await emulated.sent())
        await emulated.everyone_writes("/help")
        await emulated.wait_for(base + emulated.people)
        base += emulated.people
        profiler = None
        if PROFILE:
            import cProfile
            profiler = cProfile.Profile()
            profiler.enable()
        cpu = time.process_time()
        loop_cpu = time.thread_time()
        at = await emulated.everyone_writes("/help")
        times = await emulated.wait_for(base + emulated.people)
        cpu = time.process_time() - cpu
        loop_cpu = time.thread_time() - loop_cpu
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(PROFILE)
    finally:
        await app.updater.stop()  # type: ignore[union-attr]
        await app.stop()
        await app.shutdown()
        if app.post_shutdown is not None:  # ours (the bare bot has none)
            await app.post_shutdown(app)  # type: ignore[misc]
    calls = (await emulated.http.post(f"{emulated.control}/stats")).json()["calls"]
    new = sorted(times[base:])
    span = new[-1] - at
    return {"answers_per_second": round(emulated.people / span, 1),
            "cpu_ms_per_update": round(cpu * 1000 / emulated.people, 2),
            "loop_cpu_ms_per_update": round(loop_cpu * 1000 / emulated.people, 2),
            "last_answer_s": round(span, 2), "api_calls": calls}


async def ours(people: int, concurrency: int, workdir: Path) -> dict[str, float]:
    from bot.application import build_application
    from bot.jobs.pacing import PriorityPacer
    from bot.settings import Settings
    from bot.updates import ChatOrderedProcessor
    from db.engine import Database
    from db.migrate import upgrade

    workdir.mkdir(parents=True, exist_ok=True)
    url = f"sqlite+aiosqlite:///{workdir / f'taps-{concurrency}.sqlite3'}"
    db = Database.from_url(url)
    await upgrade(db.engine)
    async with Emulated(people) as emulated:
        settings = Settings(_env_file=None, database_url=url, rate_limit=0,
                            telegram_api_base_url=emulated.base_url)
        app = build_application(
            settings, token=TOKEN, database=db, heartbeat=False,
            pacer=PriorityPacer(per_window=10**6, bulk_per_window=10**6, private_rate=0),
            update_processor=ChatOrderedProcessor(max_concurrent_updates=concurrency))
        got = await flood(emulated, app, lambda: app.post_init(app))  # type: ignore[misc]
    await db.dispose()
    return got


async def bare(people: int, concurrency: int | bool, *, aiohttp: bool = False
               ) -> dict[str, float]:
    async with Emulated(people) as emulated:
        return await flood(emulated, build_bare(TOKEN, emulated.base_url, concurrency,
                                                aiohttp=aiohttp))


def _median_round(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The round with the median answers a second, with every round's figure beside it (the
    machine's other work moves a single round by a quarter either way)."""
    ordered = sorted(rounds, key=lambda r: r["answers_per_second"])
    return {**ordered[len(ordered) // 2],
            "rounds_answers_per_second": [r["answers_per_second"] for r in rounds],
            "rounds_cpu_ms_per_update": [r["cpu_ms_per_update"] for r in rounds]}


async def alternating(people: int, rounds: int = 3) -> dict[str, Any]:
    """Ours and the bare bot (sequential, and with our concurrency) in turn, ``rounds``
    times each; the median round of each."""
    from bot.updates import CONCURRENT_UPDATES

    runs: dict[str, list[dict[str, Any]]] = {"bare_sequential": [], "ours": [],
                                             "bare_concurrent": [],
                                             "bare_aiohttp_concurrent": []}
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(rounds):
            runs["bare_sequential"].append(await bare(people, False))
            runs["ours"].append(await ours(people, CONCURRENT_UPDATES, Path(tmp) / str(n)))
            runs["bare_concurrent"].append(await bare(people, CONCURRENT_UPDATES))
            runs["bare_aiohttp_concurrent"].append(
                await bare(people, CONCURRENT_UPDATES, aiohttp=True))
    return {"people": people, "concurrency": CONCURRENT_UPDATES, "rounds": rounds,
            **{name: _median_round(got) for name, got in runs.items()}}


async def measure(people: int, concurrencies: list[int]) -> dict[str, object]:
    out: dict[str, object] = {"people": people, "measured": date.today().isoformat()}
    out["bare_sequential"] = await bare(people, False)
    with tempfile.TemporaryDirectory() as tmp:
        out["ours"] = {str(n): await ours(people, n, Path(tmp)) for n in concurrencies}
    out["bare_concurrent"] = {str(n): await bare(people, n) for n in concurrencies}
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[4, 16, 64, 256])
    args = parser.parse_args()
    out = await measure(args.people, args.concurrency)
    results = Path(__file__).resolve().parent / "results"
    results.mkdir(exist_ok=True)
    (results / "taps.json").write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
