"""Benchmark: the cards' pictures. Targets: every exercise drawn for both sides in under a
minute on this 2-core machine; a card with a cached picture answered as fast as a text card.

1. Drawing: all exercises × both sides, one after another, and on two processes.
2. Answering: the bot and the emulator in this process, on a SQLite file, as the tests run
   it; an onboarded patient sends /today again and again (each time a new card with the same
   picture: after the first upload, sent by file_id). Once with CARD_PICTURES=false, once
   with pictures.

    .venv/bin/python bench/pictures.py [--rounds 40]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.emulator import Emulator
from bot.materials.catalogue import load_exercises
from bot.materials.pictures import draw_pose
from bot.rules.poses import Pose
from tests.journey import onboard


def _draw(job: tuple[Pose, str]) -> int:
    return len(draw_pose(job[0], side=job[1]))


def drawing() -> dict[str, float]:
    jobs = [(e.pose, side) for e in load_exercises().values() if e.pose is not None
            for side in ("left", "right")]
    started = time.perf_counter()
    sizes = [_draw(job) for job in jobs]
    one = time.perf_counter() - started
    started = time.perf_counter()
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_draw, jobs, chunksize=8))
    two = time.perf_counter() - started
    return {"pictures": len(jobs), "one_process_s": round(one, 2),
            "two_processes_s": round(two, 2), "median_png_kb": round(
                statistics.median(sizes) / 1024, 1)}


async def answering(rounds: int, pictures: bool) -> dict[str, float]:
    """The bot in this process (as the tests run it), on a SQLite file: how long from /today
    to the card, text or picture."""
    from bot.clock import FakeClock
    from bot.local import LocalBot
    from bot.settings import Settings
    from db.engine import Database
    from db.migrate import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
        database = Database.from_url(url)
        await upgrade(database.engine)
        clock = FakeClock()
        settings = Settings(_env_file=None, database_url=url, rate_limit=0,
                            card_pictures=pictures, pictures_dir=Path(tmp) / "pictures")
        async with Emulator(wall=lambda: clock.now().timestamp()) as emulator, LocalBot(
                settings=settings, database=database, clock=clock, emulator=emulator):
            ann = emulator.person("Ann")
            await onboard(ann)
            timings = []
            for _ in range(rounds):
                sent = time.perf_counter()
                replies = await ann.send("/today")
                timings.append(time.perf_counter() - sent)
            card = replies[-1]
            uploads = emulator.world.uploads.get("photo", 0)
        await database.dispose()
    ordered = sorted(timings[1:])  # the first one draws and uploads the picture
    return {"first_ms": round(timings[0] * 1000, 1),
            "p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p99_ms": round(ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
                            * 1000, 1),
            "picture": card.photo is not None, "uploads": uploads}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    result = {"drawing": drawing(),
              "text_card": await answering(args.rounds, pictures=False),
              "picture_card": await answering(args.rounds, pictures=True)}
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "pictures.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
