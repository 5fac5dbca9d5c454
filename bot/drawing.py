"""One thread draws every chart, picture and report, one at a time.

Drawing is Python and Pillow work that holds the interpreter's lock for most of its 15 ms.
Spread over the default pool's several threads during a digest run (a chart for each of
hundreds of digests), those threads took the lock from the event loop in turn, and the loop
woke late (bench: a digest run). With one drawing thread, the loop and that thread take
turns, and the loop's wait stays a few ms. One thread draws about 60 charts a second, more
than Telegram lets the bot send.

The drawing libraries are loaded on that thread too, the first time (Pillow's import is
20 ms that would otherwise hold the loop)."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, ParamSpec, TypeVar

if TYPE_CHECKING:
    from bot.materials.texts import Texts
    from bot.rules.family import Digest
    from bot.rules.poses import Pose
    from bot.rules.stats import Progress

P = ParamSpec("P")
T = TypeVar("T")

_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drawing")


async def drawn(draw: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``draw(*args, **kwargs)`` on the drawing thread, awaited."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_pool, functools.partial(draw, *args, **kwargs))


def _week_chart(texts: Texts, lang: str, digest: Digest, target: int | None) -> bytes:
    from bot.materials.charts import week_chart

    return week_chart(texts, lang, digest, target=target)


def _progress_chart(texts: Texts, lang: str, progress: Progress, target: int | None) -> bytes:
    from bot.materials.charts import progress_chart

    return progress_chart(texts, lang, progress, target=target)


def _pose(pose: Pose, side: str) -> bytes:
    from bot.materials.pictures import draw_pose

    return draw_pose(pose, side=side)


async def week_chart(texts: Texts, lang: str, digest: Digest, *, target: int | None) -> bytes:
    """The digest's chart (``bot.materials.charts.week_chart``), PNG bytes."""
    return await drawn(_week_chart, texts, lang, digest, target)


async def progress_chart(texts: Texts, lang: str, progress: Progress, *,
                         target: int | None) -> bytes:
    """/progress's chart (``bot.materials.charts.progress_chart``), PNG bytes."""
    return await drawn(_progress_chart, texts, lang, progress, target)


async def pose(pose: Pose, side: str) -> bytes:
    """An exercise card's picture (``bot.materials.pictures.draw_pose``), PNG bytes."""
    return await drawn(_pose, pose, side)
