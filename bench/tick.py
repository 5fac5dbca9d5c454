"""Benchmark: the whole heartbeat (every piece of scheduled work) with many people stored.

Seeds STORED patients, each with a daily reminder (spread over the next day, so none is due),
1 in 100 with a family member who gets alerts and a weekly digest, 1 in 1,000 with a
care-team member who chose a weekly report; then times ``Ticker.run_due`` the way the
heartbeat runs it: the first tick (the hourly checks run in it), then steady ticks. Then it
gives every patient a prompt sent today (half of them practised) and times the same again.
Then the day rolls over: every tick from midnight until each of those prompts is resolved
(practised or missed), a batch a tick. The event loop's lag is recorded throughout.

    .venv/bin/python bench/tick.py [--stored 10000 100000 1000000] [--postgres URL]
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
from typing import Any

from sqlalchemy import insert, update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.burst import TOKEN, seed
from bench.schema import own_schema
from bot.application import build_application, settle_heap
from bot.clock import FakeClock
from bot.loop_lag import LoopLag
from bot.settings import Settings
from db.checkpoints import Checkpointer
from db.engine import Database
from db.migrate import upgrade
from db.models import CheckIn, DigestSchedule, FamilyLink, Person, Reminder, SentPrompt

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # a Tuesday afternoon: the day is on
TOMORROW_9 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
DAY_END = datetime(2026, 11, 25, tzinfo=UTC)
CHUNK = 5000
TICK_SECONDS = 20  # the default heartbeat


async def seed_people(db: Database, stored: int) -> None:
    """Patients with reminders, and the family and care-team members around some of them."""
    await seed(db, stored, TOMORROW_9, spread=timedelta(hours=23))
    async with db.engine.begin() as conn:
        profiles = [r[0] for r in (await conn.exec_driver_sql(
            "SELECT id FROM patient_profile ORDER BY id")).all()]
        followed = profiles[::100]
        cared = profiles[::1000]
        created = NOW - timedelta(days=1)
        members = [{"telegram_id": 900_000_000 + i, "first_name": f"F{i}", "timezone": "UTC",
                    "is_family": True, "language_code": "en", "created_at": created}
                   for i in range(len(followed) + len(cared))]
        for start in range(0, len(members), CHUNK):
            await conn.execute(insert(Person), members[start:start + CHUNK])
        member_ids = [r[0] for r in (await conn.exec_driver_sql(
            "SELECT id FROM person WHERE telegram_id >= 900000000 ORDER BY telegram_id")).all()]
        links = [{"patient_id": p, "member_id": m, "role": "family", "created_at": created}
                 for p, m in zip(followed, member_ids, strict=False)]
        links += [{"patient_id": p, "member_id": m, "role": "care", "created_at": created,
                   "alert_prefs": {"quiet_days": 3, "pain": True,
                                   "report_day": (NOW.weekday() + 3) % 7}}
                  for p, m in zip(cared, member_ids[len(followed):], strict=False)]
        for start in range(0, len(links), CHUNK):
            await conn.execute(insert(FamilyLink), links[start:start + CHUNK])
        for start in range(0, len(followed), CHUNK):
            ids = ",".join(str(p) for p in followed[start:start + CHUNK])
            await conn.exec_driver_sql(
                f"UPDATE patient_profile SET alert_inactive_days = 3 WHERE id IN ({ids})")
        schedules = [{"person_id": m, "weekday": 6, "local_time": "18:00",
                      "next_due_at": datetime(2026, 11, 29, 18, tzinfo=UTC)}
                     for m in member_ids[:len(followed)]]
        for start in range(0, len(schedules), CHUNK):
            await conn.execute(insert(DigestSchedule), schedules[start:start + CHUNK])


async def seed_sent_today(db: Database) -> None:
    """Every patient's prompt of this morning went out; half of them practised."""
    morning = NOW.replace(hour=9)
    async with db.engine.begin() as conn:
        profiles = [r[0] for r in (await conn.exec_driver_sql(
            "SELECT id FROM patient_profile ORDER BY id")).all()]
        for start in range(0, len(profiles), CHUNK):
            chunk = profiles[start:start + CHUNK]
            await conn.execute(insert(SentPrompt), [
                {"patient_id": p, "kind": "exercise", "due_at": morning, "sent_at": morning,
                 "status": "sent", "local_day": NOW.date(), "attempts": 1,
                 "day_ends_at": DAY_END} for p in chunk])
            await conn.execute(insert(CheckIn), [
                {"patient_id": p, "reps": 10, "sets": 1, "local_day": NOW.date(),
                 "recorded_at": morning, "pain": False, "source": "typed",
                 "idempotency_key": f"bench-{p}"} for p in chunk[::2]])


async def analyse(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.exec_driver_sql("ANALYZE")


async def between_ticks(app: Any) -> None:
    """What the running bot does in the 20 s between two ticks, which this bench skips: on
    SQLite, its checkpoint of the write-ahead log (``db.checkpoints``, every 10 s). Not timed
    as a tick, as it is not one; the loop's lag is recorded through it."""
    checkpointer = app.bot_data["services"].extras.get("checkpointer")
    if checkpointer is not None and checkpointer.needed:
        await checkpointer.once()


async def ticks(app: Any, clock: FakeClock, rounds: int) -> dict[str, object]:
    """The first tick (hourly checks included), then ``rounds`` steady ones, 20 s apart;
    each piece of work timed on its own too."""
    ticker = app.bot_data["services"].extras["ticker"]
    for _, work in ticker.work:  # the hourly checks are due in the first tick
        owner = getattr(work, "__self__", None)
        if owner is not None and hasattr(owner, "last_run"):
            owner.last_run = None
    lag = LoopLag(interval=0.01)
    lag.recording = True
    lag.start()
    per_work: dict[str, list[float]] = {name: [] for name, _ in ticker.work}
    totals = []
    for _ in range(rounds + 1):
        began = time.perf_counter()
        await ticker.run_due(app)
        totals.append((time.perf_counter() - began) * 1000)
        for name, seconds in ticker.last_by_work.items():
            per_work[name].append(seconds * 1000)
        await between_ticks(app)
        clock.advance(timedelta(seconds=20))
    await asyncio.sleep(0.02)
    await lag.stop()
    steady = totals[1:]
    return {"first_tick_ms": round(totals[0], 1),
            "steady_tick_median_ms": round(statistics.median(steady), 1),
            "steady_tick_max_ms": round(max(steady), 1),
            "first_tick_by_work_ms": {k: round(v[0], 1) for k, v in per_work.items()},
            "steady_by_work_median_ms": {k: round(statistics.median(v[1:]), 2)
                                         for k, v in per_work.items()},
            "loop_lag_max_ms": round(max(lag.samples, default=0.0) * 1000, 1),
            "loop_stalls_over_50ms": lag.stalls}


async def rollover(app: Any, db: Database, clock: FakeClock) -> dict[str, object]:
    """From just past midnight, whole ticks 20 s apart, and the sweep's steps 2 s apart
    between them, until every prompt of the day before is resolved; how many were left after.
    Ticks and steps are timed apart: each is a stretch of work the bot does at once."""
    from bot.jobs.dispatch import Dispatcher

    async def unresolved() -> int:
        async with db.engine.connect() as conn:
            return int((await conn.exec_driver_sql(
                "SELECT count(*) FROM sent_prompt WHERE status = 'sent'")).scalar_one())

    ticker = app.bot_data["services"].extras["ticker"]
    sent = await unresolved()
    # the next morning's reminders are another measure (the burst): here they are off, so
    # that hours of rollover ticks never reach them (their sends would fail and retry: this
    # bench has no Telegram)
    async with db.engine.begin() as conn:
        await conn.execute(update(Reminder).values(enabled=False))
    clock.set(DAY_END + timedelta(seconds=20))
    lag = LoopLag(interval=0.01)
    lag.recording = True
    lag.start()
    totals: list[float] = []
    steps: list[float] = []
    worst: dict[str, float] = {}
    dispatcher = app.bot_data["services"].extras["dispatcher"]
    between = int(TICK_SECONDS / ticker.STEP_SECONDS) - 1  # steps between two ticks
    for n in range(sent // Dispatcher.SWEEP_SMALLEST + 2):  # at least that many a tick
        if n % 50 == 49 and not await unresolved():  # (between ticks, not timed)
            break
        began = time.perf_counter()
        await ticker.run_due(app)
        totals.append((time.perf_counter() - began) * 1000)
        if totals[-1] == max(totals):
            worst = {k: round(v * 1000, 1) for k, v in ticker.last_by_work.items()}
        for k in range(between):  # the steps between this tick and the next, 2 s apart
            clock.advance(timedelta(seconds=ticker.STEP_SECONDS))
            if not dispatcher.sweep_backlog:
                continue
            began = time.perf_counter()
            await ticker.step(app)
            steps.append((time.perf_counter() - began) * 1000)
            if k % 5 == 4:  # the checkpoint every 10 s, as the bot's (not timed)
                await between_ticks(app)
        await between_ticks(app)
        clock.advance(timedelta(seconds=ticker.STEP_SECONDS))
    await asyncio.sleep(0.02)
    await lag.stop()
    left = await unresolved()
    return {"prompts": sent, "ticks": len(totals), "left_unresolved": left,
            "tick_median_ms": round(statistics.median(totals), 1),
            "tick_max_ms": round(max(totals), 1), "worst_tick_by_work_ms": worst,
            "steps": len(steps), "step_median_ms": round(statistics.median(steps or [0.0]), 1),
            "step_max_ms": round(max(steps, default=0.0), 1),
            "worst_tick_index": totals.index(max(totals)),
            "loop_lag_max_ms": round(max(lag.samples, default=0.0) * 1000, 1),
            "loop_stalls_over_50ms": lag.stalls}


async def plans(app: Any, db: Database, clock: FakeClock) -> list[dict[str, object]]:
    """Every distinct statement one tick runs (the hourly checks included), with the plan the
    database chose for it at this size: recorded, then explained (EXPLAIN QUERY PLAN on
    SQLite, EXPLAIN on PostgreSQL, neither of which runs the statement)."""
    from sqlalchemy import event

    seen: dict[str, tuple[str, Any]] = {}

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
               executemany: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "UPDATE", "INSERT", "DELETE",
                                                  "WITH")):
            seen.setdefault(" ".join(statement.split()), (statement, parameters))

    sync_engine = db.engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", record)
    try:
        await ticks(app, clock, 1)
    finally:
        event.remove(sync_engine, "before_cursor_execute", record)
    sqlite = db.engine.dialect.name == "sqlite"
    out = []
    async with db.engine.connect() as conn:
        for flat, (statement, parameters) in seen.items():
            prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
            rows = (await conn.exec_driver_sql(prefix + statement, parameters)).all()
            plan = [str(r[-1]) for r in rows]
            out.append({"statement": flat, "plan": plan})
        await conn.rollback()
    return out


async def one_size(url: str, stored: int, rounds: int, schema: str | None = None,
                   explain: bool = False) -> dict[str, object]:
    db = Database.from_url(url, schema=schema) if schema else Database.from_url(url)
    await upgrade(db.engine)
    began = time.perf_counter()
    await seed_people(db, stored)
    postgres = db.engine.dialect.name == "postgresql"
    if postgres:
        await analyse(db)
    seeded = time.perf_counter() - began
    clock = FakeClock(NOW)
    settings = Settings(_env_file=None, database_url=url,
                        telegram_api_base_url="http://127.0.0.1:9/bot")
    app = build_application(settings, token=TOKEN, clock=clock, database=db, heartbeat=False)
    app.bot_data["services"].extras["checkpointer"] = Checkpointer(db)  # as post_init does
    settle_heap()  # as `rehab-buddy run` does once it is up
    result: dict[str, object] = {"stored": stored, "seed_s": round(seeded, 1)}
    result["nothing_sent"] = await ticks(app, clock, rounds)
    await seed_sent_today(db)
    if postgres:
        await analyse(db)
    result["all_sent_today"] = await ticks(app, clock, rounds)
    if explain:
        result["plans"] = await plans(app, db, clock)
    result["rollover"] = await rollover(app, db, clock)
    await db.dispose()
    return result


async def on_postgres(url: str, stored: int, rounds: int, explain: bool = False
                      ) -> dict[str, object]:
    async with own_schema(url) as (url, schema):
        return await one_size(url, stored, rounds, schema=schema, explain=explain)


async def measure(sizes: list[int], postgres: str | None, rounds: int = 10,
                  explain: bool = False) -> dict[str, object]:
    out: dict[str, object] = {"database": "postgresql" if postgres else "sqlite",
                              "measured": date.today().isoformat(), "sizes": []}
    for stored in sizes:
        if postgres:
            got = await on_postgres(postgres, stored, rounds, explain and stored == sizes[-1])
        else:
            with tempfile.TemporaryDirectory() as tmp:
                got = await one_size(f"sqlite+aiosqlite:///{tmp}/tick.sqlite3", stored, rounds,
                                     explain=explain and stored == sizes[-1])
        print(json.dumps({k: v for k, v in got.items() if k != "plans"}), file=sys.stderr)
        out["sizes"].append(got)  # type: ignore[union-attr]
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stored", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--postgres", metavar="URL", default=None)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--plans", action="store_true",
                        help="explain every statement a tick runs, at the largest size")
    args = parser.parse_args()
    out = await measure(args.stored, args.postgres, args.rounds, args.plans)
    results = Path(__file__).resolve().parent / "results"
    results.mkdir(exist_ok=True)
    (results / f"tick-{out['database']}.json").write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
