"""Benchmark: a digest run. Every weekly digest falls due in the same minute (Sunday 18:00):
each of ``patients`` patients gets their own week, and each of their family members gets
theirs about that patient with a chart and a tip. Charts are drawn in worker threads and
everything goes through the pacer's bulk lane to the emulator, its flood limits on, while
the event loop's lag is recorded. What it shows: how late the loop woke at worst (a stall
there is a wait for every person tapping meanwhile), the send rate, 429s, and that every
digest went out once.

    .venv/bin/python bench/digest_run.py [--patients 300] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.burst import FIRST_ID, TOKEN, free_port, most_in_one_second, seed, start_emulator
from bench.schema import own_schema
from bot.application import build_application, settle_heap
from bot.clock import FakeClock
from bot.loop_lag import LoopLag
from bot.settings import Settings
from db.engine import Database
from db.migrate import upgrade
from db.models import CheckIn, DigestSchedule, FamilyLink, Person

DUE = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)  # a Sunday evening: the default digest time
MONDAY = DUE.date() - timedelta(days=6)
FAMILY_ID = 900_000_001
CHUNK = 5000


async def seed_digests(db: Database, patients: int) -> None:
    """Patients (reminders at 09:00, not due in the run) with a week of practice, one pain day
    and a rest day; a family member for each; every digest schedule due at ``DUE``."""
    await seed(db, patients, DUE + timedelta(hours=15))
    created = DUE - timedelta(days=20)
    async with db.engine.begin() as conn:
        rows = (await conn.exec_driver_sql(
            "SELECT patient_profile.id, person.id FROM patient_profile JOIN person ON "
            "person.id = patient_profile.person_id ORDER BY person.telegram_id")).all()
        checkins = [{"patient_id": profile, "reps": 20 + (profile * 7 + day * 13) % 60,
                     "sets": 1, "local_day": MONDAY + timedelta(days=day),
                     "recorded_at": DUE - timedelta(days=6 - day, hours=8),
                     "pain": day == 2, "source": "typed",
                     "idempotency_key": f"bench-digest-{profile}-{day}"}
                    for profile, _ in rows for day in range(7) if day != 4]
        for start in range(0, len(checkins), CHUNK):
            await conn.execute(insert(CheckIn), checkins[start:start + CHUNK])
        members = [{"telegram_id": FAMILY_ID + i, "first_name": f"F{i}", "timezone": "UTC",
                    "is_family": True, "language_code": "en", "created_at": created}
                   for i in range(len(rows))]
        for start in range(0, len(members), CHUNK):
            await conn.execute(insert(Person), members[start:start + CHUNK])
        member_ids = [r[0] for r in (await conn.exec_driver_sql(
            f"SELECT id FROM person WHERE telegram_id >= {FAMILY_ID} "
            "ORDER BY telegram_id")).all()]
        links = [{"patient_id": profile, "member_id": member, "role": "family",
                  "created_at": created}
                 for (profile, _), member in zip(rows, member_ids, strict=True)]
        for start in range(0, len(links), CHUNK):
            await conn.execute(insert(FamilyLink), links[start:start + CHUNK])
        readers = [person for _, person in rows] + member_ids
        schedules = [{"person_id": person, "weekday": 6, "local_time": "18:00",
                      "next_due_at": DUE} for person in readers]
        for start in range(0, len(schedules), CHUNK):
            await conn.execute(insert(DigestSchedule), schedules[start:start + CHUNK])


async def digest_run(patients: int, postgres: str | None = None) -> dict[str, Any]:
    """On a fresh SQLite file, or in a schema of its own on PostgreSQL at ``postgres``."""
    if postgres:
        async with own_schema(postgres) as (url, schema):
            return await _run(patients, Database.from_url(url, schema=schema), url)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/digests.sqlite3"
        return await _run(patients, Database.from_url(url), url)


async def _run(patients: int, db: Database, url: str) -> dict[str, Any]:
    port = free_port()
    emulator = start_emulator(port)
    control = f"http://127.0.0.1:{port}/_control"
    try:
        await upgrade(db.engine)
        await seed_digests(db, patients)
        async with httpx.AsyncClient(timeout=30) as http:
            for first in (FIRST_ID, FAMILY_ID):
                await http.post(f"{control}/users", json={"count": patients,
                                                          "first_id": first})
            settings = Settings(_env_file=None, database_url=url,
                                telegram_api_base_url=f"http://127.0.0.1:{port}/bot")
            clock = FakeClock(DUE + timedelta(seconds=20))
            app = build_application(settings, token=TOKEN, clock=clock, database=db,
                                    heartbeat=False)
            await app.initialize()
            await app.post_init(app)  # type: ignore[misc]
            await app.start()
            await app.updater.start_polling(poll_interval=0.0, timeout=5)  # type: ignore[union-attr]
            ticker = app.bot_data["services"].extras["ticker"]
            settle_heap()  # as `rehab-buddy run` does once it is up
            lag = LoopLag(interval=0.01)
            lag.recording = True
            lag.start()
            started = time.time()
            began = time.perf_counter()
            done = await ticker.run_due(app)
            seconds = time.perf_counter() - began
            await asyncio.sleep(0.05)
            await lag.stop()
            stats = (await http.post(f"{control}/stats")).json()
            await app.updater.stop()  # type: ignore[union-attr]
            await app.stop()
            await app.shutdown()
            await app.post_shutdown(app)  # type: ignore[misc]  # as `rehab-buddy run` does
        async with db.engine.connect() as conn:
            claimed = int((await conn.exec_driver_sql(
                "SELECT count(*) FROM digest_sent WHERE status = 'sent'")).scalar_one())
            still_due = int((await conn.execute(
                select(func.count()).select_from(DigestSchedule).where(
                    DigestSchedule.next_due_at <= DUE))).scalar_one())  # type: ignore[arg-type]
    finally:
        emulator.terminate()
        emulator.wait()
        await db.dispose()
    sent = sorted(t for t in stats["sent_times"] if t >= started)
    window_max = most_in_one_second(sent)
    span = sent[-1] - sent[0] if len(sent) > 1 else float("nan")
    return {"database": db.engine.dialect.name, "patients": patients,
            "digests_due": 2 * patients, "work_done": done,
            "digests_sent": claimed, "schedules_left_due": still_due,
            "messages": len(sent), "seconds": round(seconds, 1),
            "messages_per_second": round((len(sent) - 1) / span, 2) if span else None,
            "max_in_any_1s_window": window_max, "responses_429": stats["rate_limited"],
            "loop_lag_max_ms": round(max(lag.samples, default=0.0) * 1000, 1),
            "loop_lag_p99_ms": round(sorted(lag.samples)[int(0.99 * (len(lag.samples) - 1))]
                                     * 1000, 1) if lag.samples else None,
            "loop_stalls_over_50ms": lag.stalls}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=300)
    parser.add_argument("--postgres", metavar="URL", default=None,
                        help="run on this PostgreSQL (a schema of its own, dropped after)")
    args = parser.parse_args()
    result = await digest_run(args.patients, args.postgres)
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "digest_run.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
