"""Benchmark: the tick's sweep of ended days, with many prompts sent today.

Seeds PATIENTS patients with one prompt each sent today (half of them practised), then times
the dispatcher's sweep (the part of every tick that marks ended days answered or missed):

- during the day (nothing has ended): the new way, and the old way (prompts without their
  day's end, as before migration 0011) for comparison;
- at the rollover: every tick until all are resolved, a batch a tick.

    .venv/bin/python bench/rollover.py [--patients 100000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.burst import DUE, FIRST_ID, seed
from bench.schema import own_schema
from bot.jobs.dispatch import Dispatcher
from bot.materials.texts import texts
from db.engine import Database
from db.migrate import upgrade
from db.models import CheckIn, SentPrompt

DAY = DUE.date()
DAY_END = datetime(DAY.year, DAY.month, DAY.day, tzinfo=UTC) + timedelta(days=1)


async def seed_prompts(db: Database, legacy: bool) -> int:
    async with db.engine.begin() as conn:
        profiles = [r[0] for r in (await conn.exec_driver_sql(
            "SELECT id FROM patient_profile")).all()]
        for start in range(0, len(profiles), 5000):
            chunk = profiles[start:start + 5000]
            await conn.execute(insert(SentPrompt), [
                {"patient_id": p, "kind": "exercise", "due_at": DUE, "sent_at": DUE,
                 "status": "sent", "local_day": DAY, "attempts": 1,
                 "day_ends_at": None if legacy else DAY_END} for p in chunk])
            await conn.execute(insert(CheckIn), [
                {"patient_id": p, "reps": 10, "sets": 1, "local_day": DAY, "recorded_at": DUE,
                 "pain": False, "source": "typed", "idempotency_key": f"bench-{p}"}
                for p in chunk[::2]])
    return len(profiles)


async def sweep_ms(dispatcher: Dispatcher, now: datetime) -> float:
    began = time.perf_counter()
    await dispatcher.sweep_missed(now)
    return (time.perf_counter() - began) * 1000


async def run(url: str, patients: int, legacy: bool, schema: str | None = None
              ) -> dict[str, object]:
    db = Database.from_url(url, schema=schema) if schema else Database.from_url(url)
    await upgrade(db.engine)
    await seed(db, patients, DUE, first_id=FIRST_ID)
    await seed_prompts(db, legacy)
    if db.engine.dialect.name == "postgresql":  # fresh statistics, as autovacuum would give
        async with db.engine.begin() as conn:
            await conn.exec_driver_sql("ANALYZE")
    dispatcher = Dispatcher(database=lambda: db, texts=texts(), default_zone="UTC")
    during = [await sweep_ms(dispatcher, DUE + timedelta(hours=6)) for _ in range(10)]
    result: dict[str, object] = {"tick_during_the_day_ms": round(statistics.median(during), 2)}
    if not legacy:
        ticks = []
        now = DAY_END + timedelta(seconds=20)
        for _ in range(patients // Dispatcher.SWEEP_BATCH + 2):
            ticks.append(await sweep_ms(dispatcher, now))
            now += timedelta(seconds=20)
        async with db.engine.connect() as conn:
            left = (await conn.exec_driver_sql(
                "SELECT count(*) FROM sent_prompt WHERE status = 'sent'")).scalar()
            answered = (await conn.exec_driver_sql(
                "SELECT count(*) FROM sent_prompt WHERE status = 'answered'")).scalar()
        result |= {"rollover_ticks": len(ticks), "rollover_tick_max_ms": round(max(ticks), 1),
                   "rollover_tick_median_ms": round(statistics.median(ticks), 1),
                   "left_unresolved": left, "answered": answered}
    await db.dispose()
    return result


async def on_postgres(url: str, patients: int, legacy: bool) -> dict[str, object]:
    async with own_schema(url) as (url, schema):
        return await run(url, patients, legacy, schema=schema)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--postgres", metavar="URL", default=None,
                        help="run on this PostgreSQL (a schema of its own, dropped after)")
    args = parser.parse_args()
    results = {}
    for legacy in (True, False):
        name = "old_way" if legacy else "new_way"
        if args.postgres:
            results[name] = await on_postgres(args.postgres, args.patients, legacy)
            continue
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite+aiosqlite:///{tmp}/rollover.sqlite3"
            results[name] = await run(url, args.patients, legacy)
    out = {"patients_with_a_prompt_sent_today": args.patients,
           "database": "postgresql" if args.postgres else "sqlite", **results,
           "measured": date.today().isoformat()}
    Path(__file__).resolve().parent.joinpath("results").mkdir(exist_ok=True)
    (Path(__file__).resolve().parent / "results" / f"rollover-{out['database']}.json").write_text(
        json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
