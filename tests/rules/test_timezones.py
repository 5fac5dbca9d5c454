"""Choosing a time zone: the city table, pick lists, typed names, locations and labels."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot.rules.timezones import (
    TIMEZONES_FILE,
    City,
    load_cities,
    nearest,
    pick_list,
    resolve,
    zone_label,
)

ENTRIES = load_cities()


# --- the data file -----------------------------------------------------------------------------


def test_every_zone_in_the_file_is_a_valid_zoneinfo_key() -> None:
    keys = available_timezones()
    for entry in ENTRIES:
        assert entry.zone in keys, entry.name
        ZoneInfo(entry.zone)


def test_the_file_has_about_a_hundred_and_fifty_cities_worldwide() -> None:
    assert 100 <= len(ENTRIES) <= 200
    areas = {entry.zone.split("/")[0] for entry in ENTRIES}
    assert {"Europe", "America", "Asia", "Africa", "Australia", "Pacific"} <= areas


def test_names_and_aliases_are_unique_and_round_trip() -> None:
    """A typed name means one zone, and every name and alias resolves to its own city's zone."""
    for entry in ENTRIES:
        for text in (entry.name, *entry.aliases):
            assert resolve(text) == entry.zone, text
        assert resolve(entry.zone) == entry.zone


def test_a_broken_file_names_the_city(tmp_path: Path) -> None:
    raw = yaml.safe_load(TIMEZONES_FILE.read_text(encoding="utf-8"))
    raw["cities"][2]["zone"] = "Europe/Atlantis"
    broken = tmp_path / "timezones.yaml"
    broken.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=r"city #3 \(Chicago\).*Atlantis"):
        load_cities(broken)


def test_country_no_is_not_read_as_false(tmp_path: Path) -> None:
    broken = tmp_path / "timezones.yaml"
    broken.write_text("cities:\n  - {name: Oslo, zone: Europe/Oslo, lat: 59.9, lon: 10.7,"
                      " country: NO}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="Oslo"):
        load_cities(broken)


# --- pick lists --------------------------------------------------------------------------------


def names(cities: list[City]) -> list[str]:
    return [city.name for city in cities]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["London", "New York", "Chicago", "Denver", "Los Angeles", "Toronto"]),
        ("es", ["Madrid", "Ciudad de México", "Bogotá", "Buenos Aires", "Lima", "Santiago"]),
        ("fr", ["Paris", "Brussels", "Geneva", "Montreal", "Kinshasa", "Dakar"]),
        ("de", ["Berlin", "Vienna", "Zurich", "Luxembourg"]),
        ("it", ["Rome", "Zurich"]),
        ("pt", ["São Paulo", "Lisbon", "Manaus", "Recife", "Luanda", "Maputo"]),
        ("ru", ["Moscow", "Kaliningrad", "Samara", "Yekaterinburg", "Novosibirsk",
                "Vladivostok"]),
        ("uk", ["Kyiv"]),
        ("ja", ["Tokyo"]),
        ("ar", ["Cairo", "Riyadh", "Dubai", "Baghdad", "Casablanca", "Algiers"]),
    ],
)
def test_pick_list_per_language(language: str, expected: list[str]) -> None:
    assert names(pick_list(language)) == expected


@pytest.mark.parametrize("language", ["zh", "hi", "tr", "pl", "nl", "ko", "fa", "sw", "id"])
def test_other_languages_have_their_own_list(language: str) -> None:
    cities = pick_list(language)
    assert cities
    assert cities != pick_list("en")


@pytest.mark.parametrize("language", [None, "", "xx", "tlh", "EN", "en-GB", "xx-YY"])
def test_unknown_or_missing_languages_fall_back_to_english(language: str | None) -> None:
    assert names(pick_list(language)) == names(pick_list("en"))


def test_a_region_puts_its_own_cities_first() -> None:
    assert names(pick_list("pt-BR"))[:3] == ["São Paulo", "Manaus", "Recife"]
    assert names(pick_list("pt-PT"))[0] == "Lisbon"
    assert names(pick_list("en-AU"))[0] == "Sydney"
    assert names(pick_list("es-AR"))[0] == "Buenos Aires"
    assert names(pick_list("en_US"))[:4] == ["New York", "Chicago", "Denver", "Los Angeles"]


@pytest.mark.parametrize("language", ["en", "es", "zh", "hi", "ru", "pt-BR", None])
@pytest.mark.parametrize("limit", [0, 1, 3, 6, 50])
def test_pick_lists_are_zone_unique_and_limited(language: str | None, limit: int) -> None:
    cities = pick_list(language, limit=limit)
    assert len(cities) <= limit
    assert len({city.zone for city in cities}) == len(cities)
    for city in cities:
        assert resolve(city.zone) == city.zone  # safe to send through callback data


def test_negative_limit_is_rejected() -> None:
    with pytest.raises(ValueError):
        pick_list("en", limit=-1)


# --- resolving typed text ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Europe/Paris", "Europe/Paris"),
        ("europe/paris", "Europe/Paris"),
        (" EUROPE/LONDON ", "Europe/London"),
        ("america/new york", "America/New_York"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
        ("Etc/GMT+5", "Etc/GMT+5"),
        ("etc/gmt-5", "Etc/GMT-5"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
        ("GMT+0", "UTC"),
        ("London", "Europe/London"),
        ("london", "Europe/London"),
        ("LONDON.", "Europe/London"),
        ("bogota", "America/Bogota"),
        ("Bogotá", "America/Bogota"),
        ("BOGOTÁ", "America/Bogota"),
        ("sao paulo", "America/Sao_Paulo"),
        ("Zürich", "Europe/Zurich"),
        ("zurich", "Europe/Zurich"),
        ("Montréal", "America/Toronto"),
        ("NYC", "America/New_York"),
        ("new york city", "America/New_York"),
        ("Bombay", "Asia/Kolkata"),
        ("Kiev", "Europe/Kyiv"),
        ("St Johns", "America/St_Johns"),
        ("Saint-Petersburg", "Europe/Moscow"),
        ("Москва", "Europe/Moscow"),
        ("北京", "Asia/Shanghai"),
    ],
)
def test_resolve_recognises_zones_cities_and_aliases(text: str, zone: str) -> None:
    assert resolve(text) == zone


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("Londn", "London"),
        ("Lodnon", "London"),
        ("Sidney", "Sydney"),
        ("Tokio", "Tokyo"),
        ("Toronot", "Toronto"),
        ("Los Angelos", "Los Angeles"),
        ("san fran", "San Francisco"),
        ("Paris, France", "Paris"),
        ("Mumbai city", "Mumbai"),
        ("europe/londn", "Europe/London"),
        ("America/Nwe_York", "America/New_York"),
    ],
)
def test_typos_get_the_intended_city_first(text: str, first: str) -> None:
    suggestions = resolve(text)
    assert isinstance(suggestions, list)
    assert suggestions[0] == first


@pytest.mark.parametrize("text", ["", "   ", "asdfgh", "qqqqqq", "12345", "x" * 500, "/start"])
def test_nonsense_gets_no_or_few_suggestions(text: str) -> None:
    suggestions = resolve(text)
    assert isinstance(suggestions, list)
    assert len(suggestions) <= 5


@given(st.text(max_size=60))
def test_resolve_never_raises_and_suggestions_resolve(text: str) -> None:
    result = resolve(text)
    if isinstance(result, str):
        ZoneInfo(result)
        assert resolve(result) == result
    else:
        assert len(result) <= 5
        zones = [resolve(suggestion) for suggestion in result]
        assert all(isinstance(zone, str) for zone in zones)
        assert len(set(zones)) == len(zones)  # one suggestion per zone


# --- nearest city ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon", "zone"),
    [
        (48.8566, 2.3522, "Europe/Paris"),  # Paris
        (48.80, 2.13, "Europe/Paris"),  # Versailles
        (-33.8688, 151.2093, "Australia/Sydney"),  # Sydney
        (40.7128, -74.0060, "America/New_York"),  # New York
        (40.73, -73.94, "America/New_York"),  # Queens
        (51.75, -1.26, "Europe/London"),  # Oxford
        (35.0, 135.77, "Asia/Tokyo"),  # Kyoto
        (-22.95, -43.21, "America/Sao_Paulo"),  # Rio
        (21.3, -157.8, "Pacific/Honolulu"),
        (64.1, -21.9, "Atlantic/Reykjavik"),
        (-41.3, 174.8, "Pacific/Auckland"),  # Wellington
    ],
)
def test_nearest_city(lat: float, lon: float, zone: str) -> None:
    assert nearest(lat, lon).zone == zone


def test_nearest_works_across_the_date_line_and_at_the_poles() -> None:
    assert nearest(-17.8, 179.9).zone == nearest(-17.8, -179.9).zone  # Fiji, either side
    assert isinstance(nearest(90, 0), City)
    assert isinstance(nearest(-90, 180), City)


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(91, 0), (-90.5, 0), (0, 180.1), (0, -181), (float("nan"), 0), (0, float("inf"))],
)
def test_invalid_coordinates_are_rejected(lat: float, lon: float) -> None:
    with pytest.raises(ValueError):
        nearest(lat, lon)


# --- labels ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "now", "label"),
    [
        ("Europe/London", datetime(2026, 1, 15, tzinfo=UTC), "Europe/London (UTC+00:00)"),
        ("Europe/London", datetime(2026, 7, 15, tzinfo=UTC), "Europe/London (UTC+01:00)"),
        ("America/New_York", datetime(2026, 1, 15, tzinfo=UTC), "America/New_York (UTC-05:00)"),
        ("Asia/Kolkata", datetime(2026, 1, 15, tzinfo=UTC), "Asia/Kolkata (UTC+05:30)"),
        ("America/St_Johns", datetime(2026, 1, 15, tzinfo=UTC), "America/St_Johns (UTC-03:30)"),
        ("Asia/Kathmandu", datetime(2026, 1, 15, tzinfo=UTC), "Asia/Kathmandu (UTC+05:45)"),
        ("Australia/Sydney", datetime(2026, 1, 15, tzinfo=UTC), "Australia/Sydney (UTC+11:00)"),
        ("UTC", datetime(2026, 1, 15, tzinfo=UTC), "UTC (UTC+00:00)"),
    ],
)
def test_zone_label(zone: str, now: datetime, label: str) -> None:
    assert zone_label(zone, now) == label


def test_zone_label_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        zone_label("Europe/London", datetime(2026, 1, 15))
    with pytest.raises(ValueError):
        zone_label("Mars/Olympus_Mons", datetime(2026, 1, 15, tzinfo=UTC))


@pytest.mark.parametrize("text", ["GMT", "gmt", "BST", "UK time"])
def test_gmt_is_asked_about_not_read_as_utc(text: str) -> None:
    """A Londoner who types "GMT" means UK time, an hour ahead of UTC all summer."""
    assert resolve(text) == ["London", "UTC"]
    assert [resolve(choice) for choice in resolve(text)] == ["Europe/London", "UTC"]
