"""Choosing a time zone: a short list of buttons, a typed city or zone name, or a location.

Reminders are only as good as the zone they are computed in, and "Europe/London" is not how
people think of where they live. So the patient taps a city, types one (accents, case and
small typos forgiven), or shares a location and we take the nearest city. The cities live in
``content/timezones.yaml``; this module only knows how to search them.

``resolve`` is idempotent on its answers: a zone it returns resolves to itself, so a zone can
travel through a button's callback data and be checked again on the way back.
"""

from __future__ import annotations

import difflib
import math
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

TIMEZONES_FILE = Path(__file__).resolve().parents[2] / "content" / "timezones.yaml"
FALLBACK_LANGUAGE = "en"
MAX_SUGGESTIONS = 5
SIMILAR_ENOUGH = 0.6  # difflib ratio below which a name is not offered as a suggestion
EARTH_RADIUS_KM = 6371.0

# Regions whose zones are worth suggesting; others ("Etc/GMT+5" with its inverted sign,
# "US/Eastern" and other old aliases) are still accepted when typed exactly.
_SUGGESTED_AREAS = ("Africa/", "America/", "Antarctica/", "Asia/", "Atlantic/", "Australia/",
                    "Europe/", "Indian/", "Pacific/")
_UTC_WORDS = {"utc", "utc+0", "gmt+0", "utc+00:00", "gmt+00:00"}
# Said by people in the UK for "UK time", which moves to BST in summer; read as UTC, a
# Londoner's reminders would come an hour late half the year. Asked instead (the safe branch).
_UK_OR_UTC = {"gmt", "bst", "uk time", "british time", "uk"}


@dataclass(frozen=True)
class City:
    """A city the patient can pick, and the zone its clocks follow."""

    name: str
    zone: str
    lat: float
    lon: float
    country: str


class _CityEntry(BaseModel):
    """One entry of the YAML file, validated so a content error names its city."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=40)
    zone: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    country: str = Field(pattern=r"^[A-Z]{2}$")
    languages: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    names: dict[str, str] = {}  # the name in a language's own words, on its buttons

    @field_validator("zone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {zone!r}") from error
        return zone

    @field_validator("languages")
    @classmethod
    def _language_codes(cls, languages: tuple[str, ...]) -> tuple[str, ...]:
        for code in languages:
            if not (code.isascii() and code.isalpha() and code.islower() and 2 <= len(code) <= 3):
                raise ValueError(f"language codes are 2-3 lower-case letters, not {code!r}")
        return languages

    def city(self, language: str = "") -> City:
        return City(self.names.get(language, self.name), self.zone, self.lat, self.lon,
                    self.country)


def _fold(text: str) -> str:
    """Case- and accent-free text with single spaces, for comparing names as people type them.

    Punctuation becomes a space and apostrophes vanish, so "St. John's", "st johns" and
    "Saint-John's" compare the way a reader would expect.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    plain = plain.replace("'", "").replace("’", "")
    return " ".join("".join(char if char.isalnum() else " " for char in plain).split())


def _zone_key(text: str) -> str:
    """A typed zone name as a lookup key: case-free, spaces for underscores, no accents.

    "+" and "-" are kept: "Etc/GMT+5" and "Etc/GMT-5" are ten hours apart.
    """
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    parts = (" ".join(part.replace("_", " ").split()) for part in plain.split("/"))
    return "/".join(parts)


@dataclass(frozen=True)
class _Table:
    entries: tuple[_CityEntry, ...]
    by_name: dict[str, _CityEntry]  # folded name or alias → entry
    zones: dict[str, str]  # zone key → IANA name
    candidates: tuple[tuple[str, str, str], ...]  # (folded key, shown text, zone) to suggest


def load_cities(path: Path | None = None) -> tuple[_CityEntry, ...]:
    """The cities from the YAML file, validated; a broken file fails naming file and entry."""
    path = path or TIMEZONES_FILE
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = []
    for index, item in enumerate(raw.get("cities") or ()):
        try:
            entries.append(_CityEntry.model_validate(item))
        except ValidationError as error:
            name = item.get("name") if isinstance(item, dict) else None
            problems = "; ".join(
                f"{'.'.join(str(part) for part in problem['loc']) or 'entry'}: {problem['msg']}"
                for problem in error.errors()
            )
            raise ValueError(f"{path.name}: city #{index + 1} ({name}): {problems}") from error
    if not entries:
        raise ValueError(f"{path.name}: no cities")
    return tuple(entries)


def load() -> None:
    """Read the city table now (at start, in a thread) rather than when the first person
    names a city: building it took 150 ms, which on the event loop holds everyone."""
    _table()


@cache
def _table() -> _Table:
    entries = load_cities()
    by_name: dict[str, _CityEntry] = {}
    candidates: list[tuple[str, str, str]] = []
    for entry in entries:
        for text in (entry.name, *entry.aliases, *entry.names.values()):
            key = _fold(text)
            other = by_name.setdefault(key, entry)
            if other is not entry:
                raise ValueError(f"{TIMEZONES_FILE.name}: {text!r} names both "
                                 f"{other.name} and {entry.name}")
            candidates.append((key, entry.name, entry.zone))
    zones: dict[str, str] = {}
    for zone in sorted(available_timezones() - {"Factory", "localtime"}):
        zones.setdefault(_zone_key(zone), zone)
        if zone.startswith(_SUGGESTED_AREAS):
            candidates.append((_zone_key(zone), zone, zone))
            place = _fold(zone.rsplit("/", 1)[1])
            if place not in by_name:  # the table's own city is the better suggestion
                candidates.append((place, zone, zone))
    return _Table(entries, by_name, zones, tuple(candidates))


def pick_list(language_code: str | None, *, limit: int = 6) -> list[City]:
    """The cities to offer as buttons for a Telegram language code, one per zone.

    "pt-BR" takes the Portuguese list with Brazilian cities first; a language without a list
    falls back to English, so everybody gets buttons.
    """
    if limit < 0:
        raise ValueError("limit must not be negative")
    entries = _table().entries
    language, _, region = (language_code or "").replace("_", "-").casefold().partition("-")
    chosen = [entry for entry in entries if language in entry.languages]
    if not chosen:
        chosen = [entry for entry in entries if FALLBACK_LANGUAGE in entry.languages]
    if len(region) == 2:
        chosen.sort(key=lambda entry: entry.country != region.upper())  # stable
    cities: list[City] = []
    seen: set[str] = set()
    for entry in chosen:
        if len(cities) >= limit:
            break
        if entry.zone not in seen:
            seen.add(entry.zone)
            cities.append(entry.city(language))
    return cities


def resolve(text: str) -> str | list[str]:
    """A typed city, alias or zone name → its IANA zone; otherwise up to five suggestions.

    Accepted: a city or alias from the table ("bogota", "NYC"), an exact IANA name in any case
    ("europe/paris"), and "UTC". "GMT" (and "BST", "UK time") is asked about: London, with its
    summer time, or UTC all year. Suggestions (closest first, at most one per zone) are
    city names or IANA names that :func:`resolve` itself accepts; the list may be empty.
    """
    text = text.strip()[:100]
    table = _table()
    folded = _fold(text)
    if folded in _UK_OR_UTC or text.casefold() in _UK_OR_UTC:
        return ["London", "UTC"]
    if folded in _UTC_WORDS or text.casefold() in _UTC_WORDS:
        return "UTC"
    entry = table.by_name.get(folded)
    if entry is not None:
        return entry.zone
    zone = table.zones.get(_zone_key(text))
    if zone is not None:
        return zone
    return _suggestions(text, table)


def _suggestions(text: str, table: _Table) -> list[str]:
    """Names like ``text``, best first, at most one per zone.

    Besides the whole text, each comma part ("Paris, France") and each word that is exactly a
    known name ("Mumbai city") is tried, and a name that starts with what was typed ("san
    fran") counts as close. Full IANA names are only compared when a "/" was typed.
    """
    whole = _fold(text)
    queries = {whole} | {_fold(part) for part in text.split(",")}
    queries.discard("")
    words = {word for word in whole.split() if len(word) >= 3 and word in table.by_name}
    slash = "/" in text
    if slash:
        queries.add(_zone_key(text))
    best: dict[str, tuple[float, int, str]] = {}  # zone → (score, order, shown text)

    def consider(score: float, order: int, shown: str, zone: str) -> None:
        current = best.get(zone)
        if current is None or (score, -order) > (current[0], -current[1]):
            best[zone] = (score, order, shown)

    for order, (key, shown, zone) in enumerate(table.candidates):
        if key in words:
            consider(0.9, order, shown, zone)
    for query in queries:
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(query)
        for order, (key, shown, zone) in enumerate(table.candidates):
            if "/" in key and not slash:
                continue
            if len(query) >= 3 and key.startswith(query):
                consider(0.8 + 0.2 * len(query) / len(key), order, shown, zone)
                continue
            matcher.set_seq1(key)
            # The quick upper bounds first, as difflib.get_close_matches does.
            if (matcher.real_quick_ratio() >= SIMILAR_ENOUGH
                    and matcher.quick_ratio() >= SIMILAR_ENOUGH
                    and (score := matcher.ratio()) >= SIMILAR_ENOUGH):
                consider(score, order, shown, zone)
    ranked = sorted(best.values(), key=lambda found: (-found[0], found[1]))
    return [shown for _, _, shown in ranked[:MAX_SUGGESTIONS]]


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def nearest(lat: float, lon: float) -> City:
    """The table's city nearest to a shared location, to offer its zone for confirmation."""
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise ValueError("latitude and longitude must be finite numbers")
    if not -90 <= lat <= 90 or not -180 <= lon <= 180:
        raise ValueError(f"not a place on Earth: {lat}, {lon}")
    entry = min(_table().entries, key=lambda e: _distance_km(lat, lon, e.lat, e.lon))
    return entry.city()


def zone_label(zone: str, now: datetime, name: str | None = None) -> str:
    """The zone and its offset at ``now``, e.g. "Europe/London (UTC+01:00)" in summer;
    ``name`` says the zone in the reader's words instead of its IANA name.

    The offset is that of ``now`` because it moves with DST; the label is for confirming a
    choice, not for computing anything.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone: {zone!r}") from error
    offset = now.astimezone(tz).utcoffset()
    assert offset is not None
    minutes = round(offset.total_seconds() / 60)
    sign = "+" if minutes >= 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{name or zone} (UTC{sign}{hours:02d}:{minutes:02d})"


@cache
def _zone_countries() -> dict[str, str]:
    """IANA zone → ISO country code, from the zone.tab that the tzdata package ships."""
    from importlib.resources import files

    table: dict[str, str] = {}
    text = (files("tzdata.zoneinfo") / "zone.tab").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) >= 3:
            table[parts[2]] = parts[0]
    return table


def country_of(zone: str | None) -> str | None:
    """The country a time zone belongs to, where tzdata knows it ("UTC" belongs to none)."""
    return _zone_countries().get(zone or "")
