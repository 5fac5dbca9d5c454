"""``rehab-buddy bench [--quick] [--postgres URL]``: every benchmark in one run, each figure
beside its reference (a bare python-telegram-bot bot on the same emulator, or Telegram's own
limit) and its target, printed as a table and written to ``bench/results/bench.json``.

The parts: the tick at 10k / 100k (/ 1M without ``--quick``) reminders, with nothing sent and
with all of them sent today (``bench/tick.py``); many people writing at once, Telegram's
limits off (``bench/taps.py``); the morning burst through a strict emulator while people tap
(``bench/burst.py``); every weekly digest due in the same minute (``bench/digest_run.py``);
memory at rest; and the event loop's lag in each.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from argparse import Namespace
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def memory() -> dict[str, float]:
    """Resident memory once each bot has answered its first message: `rehab-buddy run`
    (SQLite) and the bare bot, each a process of its own."""
    from bench.taps import FIRST, Emulated

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("ours", "bare"):
            async with Emulated(1) as emulated:
                if name == "ours":
                    command = [str(Path(sys.executable).parent / "rehab-buddy"), "run"]
                else:
                    command = [sys.executable, str(ROOT / "bench" / "bare.py"),
                               "123456789:EMULATOR-token-for-local-use-only_000",
                               emulated.base_url]
                env = {**os.environ, "TELEGRAM_BOT_TOKEN": "123456789:EMULATOR-token-for-"
                       "local-use-only_000", "TELEGRAM_API_BASE_URL": emulated.base_url,
                       "LOG_LEVEL": "WARNING", "CARD_PICTURES": "false",
                       "DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/memory.sqlite3"}
                process = subprocess.Popen(command, cwd=tmp, env=env,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                try:
                    await emulated.http.post(f"{emulated.control}/write",
                                             json={"first_id": FIRST, "count": 1,
                                                   "text": "/help"})
                    await emulated.wait_for(1, timeout=60)
                    await asyncio.sleep(1.0)
                    out[name] = round(_rss_mb(process.pid), 1)
                finally:
                    process.terminate()
                    process.wait()
    return out


async def burst(patients: int, presses: bool) -> dict[str, Any]:
    from bench.burst import burst as run_burst

    with tempfile.TemporaryDirectory() as tmp:
        return await run_burst(Namespace(patients=patients, press_every=0.25, presses=presses,
                                         database_url=None), Path(tmp))


def _row(rows: list[list[str]], measure: str, ours: float, reference: float | None,
         target: str, met: bool | None, unit: str = "") -> None:
    ratio = f"{ours / reference:.2f}×" if reference else ""
    rows.append([measure, f"{ours:g}{unit}", f"{reference:g}{unit}" if reference else "",
                 ratio, target, "" if met is None else ("yes" if met else "NO")])


def table(result: dict[str, Any]) -> list[list[str]]:
    rows: list[list[str]] = []
    for db in result["tick"]:
        for size in db["sizes"]:
            for state in ("nothing_sent", "all_sent_today"):
                tick = size[state]
                _row(rows, f"tick, {size['stored']:,} stored, {state.replace('_', ' ')}, "
                     f"{db['database']}: median", tick["steady_tick_median_ms"], None,
                     "≤ 50 ms", tick["steady_tick_median_ms"] <= 50, " ms")
                _row(rows, "  worst of the steady ticks", tick["steady_tick_max_ms"], None,
                     "≤ 100 ms", tick["steady_tick_max_ms"] <= 100, " ms")
                _row(rows, "  loop lag in those ticks, worst", tick["loop_lag_max_ms"], None,
                     "≤ 50 ms", tick["loop_lag_max_ms"] <= 50, " ms")
            roll = size.get("rollover")
            if roll is None:  # results written before the rollover was measured here
                continue
            _row(rows, f"rollover, {roll['prompts']:,} prompts of the day before, "
                 f"{db['database']}: worst tick", roll["tick_max_ms"], None, "≤ 100 ms",
                 roll["tick_max_ms"] <= 100, " ms")
            if "step_max_ms" in roll:
                _row(rows, f"  the sweep's steps between ticks ({roll['steps']:,}): worst",
                     roll["step_max_ms"], None, "≤ 100 ms", roll["step_max_ms"] <= 100, " ms")
            _row(rows, f"  ticks until all resolved ({roll['ticks']:,}): left unresolved",
                 roll["left_unresolved"], None, "0", roll["left_unresolved"] == 0)
            _row(rows, "  loop lag in those ticks, worst", roll["loop_lag_max_ms"], None,
                 "≤ 50 ms", roll["loop_lag_max_ms"] <= 50, " ms")
    taps = result["taps"]
    ours = taps["ours"]
    _row(rows, f"{taps['people']:,} people write at once: answers a second",
         ours["answers_per_second"], taps["bare_sequential"]["answers_per_second"],
         "≥ 0.5× bare", ours["answers_per_second"]
         >= 0.5 * taps["bare_sequential"]["answers_per_second"])
    _row(rows, "  CPU per update", ours["cpu_ms_per_update"],
         taps["bare_sequential"]["cpu_ms_per_update"], "≤ 6 ms",
         ours["cpu_ms_per_update"] <= 6, " ms")
    _row(rows, f"  the same, bare bot with {taps['concurrency']} updates at once",
         taps["bare_concurrent"]["answers_per_second"], None, "", None)
    if "bare_aiohttp_concurrent" in taps:  # results written before it was measured lack it
        _row(rows, f"  the same, bare bot with {taps['concurrency']} at once on our HTTP "
             "(aiohttp)", taps["bare_aiohttp_concurrent"]["answers_per_second"], None, "",
             None)
    alone = result["burst_alone"]
    _row(rows, f"burst of {alone['patients']:,} prompts, nobody tapping: prompts a second",
         alone["prompts_per_second"], 30, "≥ 28", alone["prompts_per_second"] >= 28)
    _row(rows, "  most in any one second; 429s", alone["max_in_any_1s_window"], 30,
         "≤ 30, no 429", alone["responses_429"] == 0 and alone["max_in_any_1s_window"] <= 30)
    _row(rows, "  loop lag, worst", alone["loop_lag_max_ms"], None, "≤ 50 ms",
         alone["loop_lag_max_ms"] <= 50, " ms")
    b = result["burst"]
    _row(rows, f"burst of {b['patients']:,} prompts, people tapping 4 a second: all "
         "messages a second", b["achieved_per_second"], 30, "≥ 28, ≤ 30",
         b["achieved_per_second"] >= 28 and b["max_in_any_1s_window"] <= 30
         and b["responses_429"] == 0)
    _row(rows, "  prompts a second (the rest were answers to people)",
         b["prompts_per_second"], None, "", None)
    _row(rows, "  a tap answered during it, p99", b["press_answer_p99_ms"], None, "< 100 ms",
         b["press_answer_p99_ms"] < 100, " ms")
    _row(rows, "  loop lag, worst", b["loop_lag_max_ms"], None, "≤ 50 ms",
         b["loop_lag_max_ms"] <= 50, " ms")
    for run in result.get("digests", []):  # results written before it was measured lack it
        _row(rows, f"digest run: {run['digests_due']:,} weekly digests due at once "
             f"({run['messages']:,} messages), {run['database']}: messages a second",
             run["messages_per_second"], 30, "≥ 28", run["messages_per_second"] >= 28)
        _row(rows, "  digests sent, each once (schedules left due)", run["digests_sent"],
             run["digests_due"], f"{run['digests_due']:,}, 0 left",
             run["digests_sent"] == run["digests_due"] and run["schedules_left_due"] == 0)
        _row(rows, "  most in any one second; 429s", run["max_in_any_1s_window"], 30,
             "≤ 30, no 429", run["responses_429"] == 0 and run["max_in_any_1s_window"] <= 30)
        _row(rows, "  loop lag, worst", run["loop_lag_max_ms"], None, "≤ 50 ms",
             run["loop_lag_max_ms"] <= 50, " ms")
    m = result["memory"]
    _row(rows, "memory after the first answer", m["ours"], m["bare"], "< 100 MB",
         m["ours"] < 100, " MB")
    return rows


def render(rows: list[list[str]]) -> str:
    head = ["measure", "ours", "reference", "ratio", "target", "met"]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(head, widths, strict=True)),
             "-|-".join("-" * w for w in widths)]
    lines += [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


async def run_suite(quick: bool, postgres: str | None) -> dict[str, Any]:
    from bench import taps, tick
    from bench.digest_run import digest_run

    began = time.monotonic()
    sizes = [10_000, 100_000] if quick else [10_000, 100_000, 1_000_000]
    result: dict[str, Any] = {"measured": date.today().isoformat(), "quick": quick,
                              "machine_cpus": os.cpu_count()}
    say = lambda what: print(f"… {what}", file=sys.stderr, flush=True)  # noqa: E731
    say("the tick on SQLite")
    result["tick"] = [await tick.measure(sizes, None, rounds=5)]
    if postgres:
        say("the tick on PostgreSQL")
        result["tick"].append(await tick.measure(sizes, postgres, rounds=5))
    say("many people writing at once, ours and the bare bot")
    people = 300 if quick else 1000
    result["taps"] = await taps.alternating(people, rounds=3)
    say("the morning burst, nobody tapping")
    result["burst_alone"] = await burst(600 if quick else 3000, presses=False)
    say("the morning burst, people tapping")
    result["burst"] = await burst(600 if quick else 3000, presses=True)
    say("a digest run")
    digest_patients = 100 if quick else 400
    result["digests"] = [await digest_run(digest_patients)]
    if postgres:
        result["digests"].append(await digest_run(digest_patients, postgres))
    say("memory")
    result["memory"] = await memory()
    result["seconds"] = round(time.monotonic() - began, 1)
    return result


def main(quick: bool = False, postgres: str | None = None) -> int:
    result = asyncio.run(run_suite(quick, postgres))
    rows = table(result)
    result["table"] = rows
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "bench.json").write_text(json.dumps(result, indent=2, default=str))
    print(render(rows))
    print(f"\n{result['seconds']} s; written to {out / 'bench.json'}")
    return 0


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--postgres", metavar="URL", default=None)
    args = parser.parse_args()
    sys.exit(main(args.quick, args.postgres))
