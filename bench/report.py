"""Benchmark: the /report PDF for a patient with a year of data. Target: under a second.

Builds a SQLite file with one patient who practised most days for a year (ten exercises a
day, a session a day, some pain, care-team changes), then times reading the numbers and
drawing the PDF, for the usual four weeks and for the whole year.

    .venv/bin/python bench/report.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.flows.report import report_data
from bot.materials.catalogue import catalogue
from bot.materials.report import Words, build_report
from bot.materials.texts import texts
from db import care, patients
from db.engine import Database
from db.migrate import upgrade
from db.models import CheckIn, PracticeSession
from db.people import touch_person

END = date(2026, 11, 25)


async def populate(db: Database) -> tuple[object, object]:
    random.seed(7)
    ids = [e.id for e in catalogue().values() if not e.functional][:30]
    async with db.session() as session:
        person = await touch_person(session=session, telegram_id=1, first_name="Ann",
                                    language_code="en", now=datetime(2025, 11, 1, tzinfo=UTC))
        profile = await patients.ensure_profile(session=session, person=person,
                                                now=datetime(2025, 11, 1, tzinfo=UTC))
        profile.onboarding_step, profile.stage = "done", 2
        profile.safety_answers = {"cleared": "yes", "swallow": "yes", "shoulder_pain": "no",
                                  "sitting": "yes", "feeling": "yes"}
        await session.flush()
        for n in range(365):
            day = END - timedelta(days=n)
            if random.random() < 0.2:
                continue
            at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
            chosen = random.sample(ids, 10)
            session.add(PracticeSession(patient_id=profile.id, local_day=day, started_at=at,
                                        status="finished", finished_at=at, items=[
                                            {"exercise_id": e, "slot": e, "reps": 10, "sets": 2,
                                             "role": "main"} for e in chosen]))
            for i, exercise_id in enumerate(chosen):
                pain = random.random() < 0.01
                session.add(CheckIn(
                    patient_id=profile.id, exercise_id=exercise_id, reps=random.randint(6, 12),
                    sets=2, difficulty=None if pain else random.randint(1, 5), pain=pain,
                    region="elbow" if pain else None, pain_level="little" if pain else None,
                    source="session", target_reps=20, idempotency_key=f"b{n}:{i}",
                    local_day=day, recorded_at=at))
            if n % 30 == 0:
                await care.log_change(session=session, patient_id=profile.id, by_person_id=None,
                                      kind="note", detail="Keep the elbow straight",
                                      reason=None, now=at)
        return profile, person


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database.from_url(f"sqlite+aiosqlite:///{tmp}/bench.sqlite3")
        await upgrade(db.engine)
        profile, person = await populate(db)
        results = {}
        for label, days in (("four_weeks", 28), ("whole_year", 365)):
            timings = []
            size = 0
            for _ in range(args.rounds):
                started = time.perf_counter()
                async with db.session() as session:
                    data = await report_data(session=session, profile=profile,  # type: ignore[arg-type]
                                             patient=person, end=END, days=days)  # type: ignore[arg-type]
                pdf = await asyncio.to_thread(build_report, data, Words(texts(), "en"))
                timings.append(time.perf_counter() - started)
                size = len(pdf)
            results[label] = {"median_s": round(statistics.median(timings), 3),
                              "max_s": round(max(timings), 3), "pdf_bytes": size,
                              "rounds": args.rounds}
        async with db.session() as session:
            stored = len(await patients.checkins_since(session=session,
                                                       patient_id=profile.id,  # type: ignore[attr-defined]
                                                       since=END - timedelta(days=400)))
        await db.dispose()
    results["check_ins_stored"] = stored
    print(json.dumps(results, indent=2))
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "report.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
