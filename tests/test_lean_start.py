"""What the bot carries before anyone asks for a chart, a picture or a report: the drawing
libraries (Pillow, fontTools, matplotlib, fpdf) and the emulator's server are loaded only
when first used, so a bot at rest stays small (bench: memory after the first answer)."""

from __future__ import annotations

import json
import subprocess
import sys


def test_building_the_bot_loads_no_drawing_library_nor_the_emulator_server() -> None:
    code = ("import json, sys\n"
            "from bot.application import build_application\n"
            "from bot.cli import main\n"
            "print(json.dumps(sorted(m for m in ('PIL', 'fontTools', 'matplotlib', 'numpy', "
            "'fpdf', 'aiohttp', 'bot.emulator.server') if m in sys.modules)))\n")
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], check=True,
                                       capture_output=True, text=True).stdout)
    assert loaded == []
