"""Dates, weekdays and language names written the way each language writes them (Babel's
CLDR data), so templates say *what* to show ("MMMEd": a short day with its weekday) and not
*how* ("Tue 3 Feb" in English, "mar, 3 feb" in Spanish, "2月3日周二" in Chinese)."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.dates import (
    format_date,
    format_datetime,
    format_skeleton,
    get_day_names,
    get_timezone_location,
)

# our folder names to Babel's locales; English is written the British way ("3 Feb", 24 h)
_LOCALES = {"en": "en_GB", "zh-Hans": "zh_Hans_CN", "zh-Hant": "zh_Hant_TW"}


@cache
def babel_locale(lang: str) -> Locale:
    return Locale.parse(_LOCALES.get(lang, lang.replace("-", "_")))


def when(value: date | datetime, skeleton: str, lang: str) -> str:
    """``value`` as ``skeleton`` asks (CLDR skeletons: "MMMd", "MMMEd", "yMMMd", "Hm"...),
    in the order and words of ``lang``."""
    locale = babel_locale(lang)
    if isinstance(value, datetime):
        return format_skeleton(skeleton, value, locale=locale)
    return format_skeleton(skeleton, datetime(value.year, value.month, value.day),
                           locale=locale)


def weekday_name(index: int, lang: str, width: str = "wide") -> str:
    """Monday is 0, as in Python."""
    return str(get_day_names(width, context="format", locale=babel_locale(lang))[index])


def weekday_names(lang: str, width: str = "abbreviated") -> list[str]:
    """The seven, Monday first ("Mon", "lun", "周一")."""
    return [weekday_name(day, lang, width) for day in range(7)]


def full_day(value: date | datetime, lang: str) -> str:
    """The weekday in full ("Tuesday", "martes", "星期二")."""
    return format_date(value, "EEEE", locale=babel_locale(lang))


def day_and_time(value: datetime, lang: str, *, with_date: bool) -> str:
    """A moment within the week ("Tuesday 14:05") or further off ("Tuesday 3 February,
    14:05"), for saying until when something lasts."""
    locale = babel_locale(lang)
    clock = format_datetime(value, "HH:mm", locale=locale)
    if not with_date:
        return f"{full_day(value, lang)} {clock}"
    day = format_skeleton("MMMMEd", value, locale=locale)
    return str(locale.datetime_formats["medium"]).replace("{1}", day).replace("{0}", clock)


def language_name(code: str, in_lang: str | None = None) -> str:
    """A language's name, in its own words by default ("Español", "中文 (简体)"); the code
    itself for a language the world's data does not know."""
    try:
        language = Locale.parse(code.replace("-", "_"))  # no region: "中文 (简体)", not "…, 中国"
    except (ValueError, UnknownLocaleError):
        return code
    name = language.get_display_name(babel_locale(in_lang) if in_lang else language) or code
    return name[:1].upper() + name[1:]


def zone_name(zone: str, lang: str) -> str | None:
    """A time zone as the reader's language says it ("中国（上海）时间", "hora de España
    (Madrid)"); None in English, where the IANA name ("Europe/Madrid") reads well."""
    if lang == "en":
        return None
    try:
        return str(get_timezone_location(zone, locale=babel_locale(lang)))
    except (LookupError, ValueError):
        return None
