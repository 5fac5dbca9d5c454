"""Benchmark: N patients due in the same minute, delivered through the emulator with its flood
limits on, while some of them tap buttons; then the dispatcher's tick with 100,000 reminders.

    .venv/bin/python bench/burst.py [--patients 10000] [--stored 100000] [--database-url URL]

The emulator runs in its own process (python -m bot.emulator) so its work does not share the
bot's event loop. Results are printed and written to bench/results/burst.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.application import build_application, settle_heap
from bot.clock import FakeClock
from bot.settings import Settings
from db import reminders as reminder_queries
from db.engine import Database
from db.migrate import upgrade
from db.models import PatientProfile, Person, Reminder

TOKEN = "123456789:EMULATOR-token-for-local-use-only_000"
DUE = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
FIRST_ID = 100001


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_emulator(port: int) -> subprocess.Popen[str]:
    """The emulator in a process of its own (its work does not share the bot's event loop),
    listening once this returns."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.emulator", "--port", str(port), "--token", TOKEN],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent)
    assert process.stdout is not None
    process.stdout.readline()  # it prints a line when it listens
    return process


async def seed(db: Database, patients: int, due: datetime, *, first_id: int = FIRST_ID,
               spread: timedelta = timedelta(0)) -> None:
    """Patients who finished onboarding, each with one daily reminder."""
    now = due - timedelta(days=1)
    async with db.engine.begin() as conn:
        for start in range(0, patients, 5000):
            ids = range(first_id + start, first_id + min(patients, start + 5000))
            await conn.execute(insert(Person), [
                {"telegram_id": i, "first_name": f"P{i}", "language_code": "en",
                 "timezone": "UTC", "is_patient": True, "is_family": False, "active": True,
                 "created_at": now} for i in ids])
    async with db.engine.begin() as conn:
        rows = (await conn.exec_driver_sql(
            f"SELECT id, telegram_id FROM person WHERE telegram_id >= {first_id}")).all()
        person_ids = [r[0] for r in rows]
        for start in range(0, len(person_ids), 5000):
            chunk = person_ids[start:start + 5000]
            await conn.execute(insert(PatientProfile), [
                {"person_id": p, "onboarding_step": "done", "stage": 1, "created_at": now,
                 "placement_answers": {}} for p in chunk])
        profiles = (await conn.exec_driver_sql(
            "SELECT patient_profile.id FROM patient_profile JOIN person "
            f"ON person.id = patient_profile.person_id WHERE person.telegram_id >= {first_id}"
        )).all()
        step = spread / max(1, len(profiles))
        for start in range(0, len(profiles), 5000):
            chunk = profiles[start:start + 5000]
            await conn.execute(insert(Reminder), [
                {"patient_id": r[0], "kind": "exercise",
                 "local_time": (due + step * (start + i)).strftime("%H:%M"),
                 "weekdays": 0b1111111, "enabled": True,
                 "next_due_at": due + step * (start + i), "created_at": now}
                for i, r in enumerate(chunk)])


def most_in_one_second(times: list[float]) -> int:
    """The most of ``times`` (sorted, in seconds) in any one-second window: Telegram's limit."""
    most, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - 1.0:
            j += 1
        most = max(most, i - j + 1)
    return most


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def burst(args: argparse.Namespace, workdir: Path) -> dict[str, object]:
    port = free_port()
    emulator = start_emulator(port)
    control = f"http://127.0.0.1:{port}/_control"
    url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'burst.sqlite3'}"
    db = Database.from_url(url)
    try:
        await upgrade(db.engine)
        await seed(db, args.patients, DUE)
        async with httpx.AsyncClient(timeout=30) as http:
            await http.post(f"{control}/users", json={"count": args.patients,
                                                      "first_id": FIRST_ID})
            settings = Settings(_env_file=None, database_url=url,
                                telegram_api_base_url=f"http://127.0.0.1:{port}/bot")
            clock = FakeClock(DUE)
            app = build_application(settings, token=TOKEN, clock=clock, database=db,
                                    heartbeat=False)
            await app.initialize()
            await app.post_init(app)  # type: ignore[misc]
            await app.start()
            await app.updater.start_polling(poll_interval=0.0, timeout=5)  # type: ignore[union-attr]
            ticker = app.bot_data["services"].extras["ticker"]
            settle_heap()  # as `rehab-buddy run` does once it is up
            from bot.loop_lag import LoopLag
            lag = LoopLag(interval=0.01)
            lag.recording = True
            lag.start()
            started = time.time()
            dispatch = asyncio.create_task(ticker.run_due(app))
            presses = 0
            while not dispatch.done():
                await asyncio.sleep(args.press_every)
                if not getattr(args, "presses", True):
                    continue
                # press "Start" on a prompt that has arrived (lower ids are claimed first)
                sent_so_far = int((time.time() - started) * 20)
                if sent_so_far < 5:
                    continue
                user = FIRST_ID + (presses * 7919) % sent_so_far
                answer = await http.post(f"{control}/press",
                                         json={"user_id": user, "label": "▶️ Start"})
                presses += bool(answer.json().get("ok"))
            delivered = await dispatch
            await asyncio.sleep(1.0)  # let the last taps be answered
            await lag.stop()
            stats = (await http.post(f"{control}/stats")).json()
            await app.updater.stop()  # type: ignore[union-attr]
            await app.stop()
            await app.shutdown()
            await app.post_shutdown(app)  # type: ignore[misc]  # as `rehab-buddy run` does
    finally:
        emulator.terminate()
        emulator.wait()
        await db.dispose()
    times = sorted(stats["sent_times"])
    prompts = [t for t in times if t >= started]
    window_max = most_in_one_second(prompts)
    latencies = list(stats["latencies"].values()) or [float("nan")]
    span = prompts[-1] - prompts[0] if len(prompts) > 1 else float("nan")
    return {
        "patients": args.patients,
        "prompts_delivered": delivered,
        "messages_seen_by_emulator": len(prompts),
        "achieved_per_second": round((len(prompts) - 1) / span, 2) if span else None,
        "max_in_any_1s_window": window_max,
        "responses_429": stats["rate_limited"],
        "first_message_s": round(prompts[0] - started, 3),
        "last_message_s": round(prompts[-1] - started, 3),
        "button_presses": len(stats["latencies"]),
        "press_answer_p50_ms": round(statistics.median(latencies) * 1000, 1),
        "press_answer_p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "press_answer_max_ms": round(max(latencies) * 1000, 1),
        "prompts_per_second": round(delivered / (prompts[-1] - started), 2),
        "loop_lag_max_ms": round(max(lag.samples, default=0.0) * 1000, 1),
        "loop_stalls_over_50ms": lag.stalls,
    }


async def tick_cost(args: argparse.Namespace, workdir: Path) -> dict[str, object]:
    """The dispatcher's claim work with ``stored`` reminders spread over a day."""
    url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'tick.sqlite3'}"
    db = Database.from_url(url)
    await upgrade(db.engine)
    due = DUE + timedelta(days=3)
    await seed(db, args.stored, due, first_id=FIRST_ID + 10_000_000,
               spread=timedelta(hours=24))
    from bot.jobs.dispatch import local_day_in, reminder_next_due

    async def claim(now: datetime) -> tuple[float, int]:
        began = time.perf_counter()
        async with db.session() as session:
            got = await reminder_queries.claim_due(
                session=session, now=now, limit=500, next_due=reminder_next_due("UTC"),
                local_day=local_day_in("UTC"))
        return time.perf_counter() - began, len(got)

    idle = [(await claim(due - timedelta(minutes=1)))[0] for _ in range(20)]
    # a tick 20 s into the day: the reminders due in those 20 s (about 23 of 100,000)
    busy_time, busy_count = await claim(due + timedelta(seconds=20))
    batch_time, batch_count = await claim(due + timedelta(hours=3))
    await db.dispose()
    return {"stored_reminders": args.stored,
            "tick_nothing_due_ms": round(statistics.median(idle) * 1000, 2),
            "tick_20s_of_due_ms": round(busy_time * 1000, 2), "tick_20s_of_due_claimed":
            busy_count, "claim_batch_of_500_ms": round(batch_time * 1000, 2),
            "claim_batch_claimed": batch_count}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--stored", type=int, default=100_000)
    parser.add_argument("--press-every", type=float, default=0.25)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        result = {"date": date.today().isoformat(), "burst": await burst(args, workdir),
                  "tick": await tick_cost(args, workdir)}
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "burst.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
