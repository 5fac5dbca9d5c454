"""Benchmark: how fast `rehab-buddy run`, a real process polling a Bot API server, answers
/start and /help. Target: within a second.

    .venv/bin/python bench/answer.py [--rounds 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.emulator import Emulator

SCRIPT = Path(sys.executable).parent / "rehab-buddy"


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        async with Emulator() as emulator:
            env = {**os.environ, "TELEGRAM_BOT_TOKEN": emulator.token,
                   "TELEGRAM_API_BASE_URL": emulator.base_url, "LOG_LEVEL": "WARNING"}
            started = time.perf_counter()
            process = await asyncio.create_subprocess_exec(
                str(SCRIPT), "run", cwd=tmp, env=env,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
            person = emulator.person("Ann")
            timings: dict[str, list[float]] = {"/start": [], "/help": []}
            first_answer = None
            try:
                for _ in range(args.rounds):
                    # a person types about one command a second at most; faster than 30
                    # messages a second the pacer (rightly) holds replies back
                    await asyncio.sleep(0.1)
                    for command in timings:
                        marker = person.mark()
                        sent = time.perf_counter()
                        emulator.world.user_message(person.user, person.chat, text=command)
                        await person.wait_for_messages(marker, timeout=60)
                        timings[command].append(time.perf_counter() - sent)
                        if first_answer is None:
                            first_answer = time.perf_counter() - started
            finally:
                process.terminate()
                await process.wait()
    slow = {c: [i for i, v in enumerate(vs) if v > 0.1] for c, vs in timings.items()}
    print("slow rounds:", slow, file=sys.stderr)
    result = {"rounds": args.rounds,
              "first_answer_after_process_start_s": round(first_answer or 0, 2)}
    for command, values in timings.items():
        ordered = sorted(values[1:])  # the first one includes start-up
        result[command] = {
            "p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p99_ms": round(ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
                            * 1000, 1),
            "max_ms": round(max(ordered) * 1000, 1)}
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "answer.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
