"""The fonts pictures and PDFs are drawn with, shipped by the dependencies (no system font):
DejaVu Sans (inside matplotlib) for Latin scripts, Noto Sans CJK SC (inside mplfonts) for
Chinese, which has Latin letters and digits too."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin is not None, f"{name} is a dependency"
    return Path(spec.origin).parent


def needs_cjk(lang: str) -> bool:
    return lang.lower().startswith("zh")


def font_file(lang: str = "en", *, bold: bool = False) -> Path:
    """The font for ``lang``. Noto Sans CJK SC ships in one weight: bold Chinese is drawn
    with it too (charts stroke it a little)."""
    if needs_cjk(lang):
        return _package_dir("mplfonts") / "fonts" / "NotoSansCJKsc-Regular.otf"
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return _package_dir("matplotlib") / "mpl-data" / "fonts" / "ttf" / name


@cache
def _characters(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont  # only when a font is looked at

    with TTFont(str(path), lazy=True) as font:
        return frozenset(font.getBestCmap())


def missing_glyphs(text: str, lang: str = "en", *, bold: bool = False) -> set[str]:
    """The characters of ``text`` the font for ``lang`` cannot draw (they would show as
    empty boxes); line breaks and spaces are not drawn."""
    have = _characters(font_file(lang, bold=bold))
    return {c for c in text if not c.isspace() and ord(c) not in have}


@cache
def matplotlib_family(lang: str) -> str:
    """Register the font for ``lang`` with matplotlib's font manager; its family name."""
    from matplotlib import font_manager

    path = font_file(lang)
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()
