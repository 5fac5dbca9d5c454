"""What the bot carries before anyone asks for a chart, a picture or a report: the drawing
libraries (Pillow, fontTools, matplotlib, fpdf) and the emulator's server are loaded only
when first used, so a bot at rest stays small (bench: memory after the first answer)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def test_building_the_bot_loads_no_drawing_library_nor_the_emulator_server() -> None:
    code = ("import json, sys\n"
            "from bot.application import build_application\n"
            "from bot.cli import main\n"
            "print(json.dumps(sorted(m for m in ('PIL', 'fontTools', 'matplotlib', 'numpy', "
            "'fpdf', 'aiohttp.web', 'bot.emulator.server') if m in sys.modules)))\n")
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], check=True,
                                       capture_output=True, text=True).stdout)
    assert loaded == []


def test_the_bot_migrates_in_a_process_of_its_own_and_keeps_no_alembic(tmp_path: Path) -> None:
    """alembic (11 MB) is used once, at start: `rehab-buddy run` has the child process
    `rehab-buddy db upgrade` do it, and keeps none of it."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    code = ("import asyncio, json, sqlite3, sys\n"
            "from bot.cli import _migrate_aside\n"
            f"asyncio.run(_migrate_aside({url!r}))\n"
            f"tables = sqlite3.connect({str(tmp_path / 'bot.sqlite3')!r}).execute(\n"
            "    \"select name from sqlite_master where type = 'table'\").fetchall()\n"
            "print(json.dumps({'alembic': any(m.startswith('alembic') for m in sys.modules),\n"
            "                  'tables': sorted(t[0] for t in tables)}))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["alembic"] is False
    assert {"alembic_version", "person", "reminder"} <= set(seen["tables"])
