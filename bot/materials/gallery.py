"""``rehab-buddy content gallery``: every exercise's picture on a few contact sheets, so a
reviewer can judge them side by side (committed under ``docs/pictures/``). The pictures have
no words; the sheets name each one, in English, for the reviewer."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bot.materials.catalogue import load_exercises
from bot.materials.fonts import font_file
from bot.materials.pictures import HEIGHT, WIDTH, draw_pose

COLUMNS, ROWS = 4, 4
SCALE = 0.5  # each picture at half size: about what a phone's preview shows
LABEL = 34


def gallery(out: Path) -> list[Path]:
    """Write the sheets; the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    exercises = [e for e in load_exercises().values() if e.pose is not None]
    w, h = int(WIDTH * SCALE), int(HEIGHT * SCALE)
    font = ImageFont.truetype(str(font_file("en")), 15)
    paths = []
    per_sheet = COLUMNS * ROWS
    for sheet_no, first in enumerate(range(0, len(exercises), per_sheet), start=1):
        chunk = exercises[first:first + per_sheet]
        rows = (len(chunk) + COLUMNS - 1) // COLUMNS
        sheet = Image.new("RGB", (COLUMNS * w, rows * (h + LABEL)), "white")
        pen = ImageDraw.Draw(sheet)
        for i, exercise in enumerate(chunk):
            assert exercise.pose is not None
            picture = Image.open(io.BytesIO(draw_pose(exercise.pose))).resize((w, h))
            x, y = (i % COLUMNS) * w, (i // COLUMNS) * (h + LABEL)
            sheet.paste(picture, (x, y))
            pen.rectangle([x, y, x + w - 1, y + h - 1], outline=(225, 225, 225))
            pen.text((x + 8, y + h + 6), f"{exercise.id} · {exercise.title}"[:44],
                     fill=(60, 60, 60), font=font)
        path = out / f"exercises-{sheet_no}.png"
        sheet.save(path, optimize=True)
        paths.append(path)
    return paths


def make_gallery(out: str) -> int:
    for path in gallery(Path(out)):
        print(path)
    return 0
