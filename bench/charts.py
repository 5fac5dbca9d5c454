"""Benchmark: drawing the charts people get, the week's (digest) and four weeks' (/progress).
Target: under 50 ms each, median, on this 2-core machine.

Each round draws both charts with fresh data (a week with pain and rest days and the days to
come; four weeks of varied practice), PNG bytes out, as the bot does in a worker thread.

    .venv/bin/python bench/charts.py [--rounds 50]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.materials.charts import chart_words, reps_chart
from bot.materials.texts import texts

TODAY = date(2026, 12, 3)  # a Thursday


def measure(rounds: int) -> dict[str, dict[str, float]]:
    words = texts()
    week_words = chart_words(words, "en", weekly=True, total=235, last_week=200)
    month_words = chart_words(words, "en", weekly=False, total=235, last_week=300)
    monday = TODAY - timedelta(days=TODAY.weekday())
    rng = random.Random(7)
    reps_chart([(TODAY, 1)], words=week_words)  # fonts and caches warm, as in a running bot
    timings: dict[str, list[float]] = {"week": [], "four_weeks": []}
    for _ in range(rounds):
        week = [(monday + timedelta(days=i), rng.choice([0, 40, 80, 95]))
                for i in range((TODAY - monday).days + 1)]
        start = time.perf_counter()
        png = reps_chart(week, words=week_words, target=90, pain_days={week[1][0]},
                         through=monday + timedelta(days=6))
        timings["week"].append((time.perf_counter() - start) * 1000)
        assert png[:4] == b"\x89PNG"
        month = [(TODAY - timedelta(days=27 - i), rng.choice([0, 30, 60, 90, 120]))
                 for i in range(28)]
        start = time.perf_counter()
        reps_chart(month, words=month_words, target=90, pain_days={month[20][0]})
        timings["four_weeks"].append((time.perf_counter() - start) * 1000)
    return {name: {"median_ms": round(statistics.median(values), 1),
                   "p95_ms": round(sorted(values)[int(len(values) * 0.95) - 1], 1),
                   "max_ms": round(max(values), 1)}
            for name, values in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    results = measure(args.rounds)
    print(json.dumps(results, indent=2))
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "charts.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
