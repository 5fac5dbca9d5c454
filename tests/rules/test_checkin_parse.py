"""Quick check-ins typed as text: a narrow set of shapes, and "unclear" for everything else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.materials.typed_words import typed_words
from bot.rules.checkin_parse import (
    MAX_REPS,
    MAX_SETS,
    UNCLEAR,
    ParseProblem,
    QuickCheckIn,
    asks_for_help,
    parse_checkin,
)

Q = QuickCheckIn

ACCEPTED = [
    ("did 12", Q(12)),
    ("12", Q(12)),
    ("12 reps", Q(12)),
    ("done 12", Q(12)),
    ("I did 12 reps", Q(12)),
    ("  I   DID 12   Reps!! ", Q(12)),
    ("Did 12.", Q(12)),
    ("12 reps hard", Q(12, difficulty=4)),
    ("12 hard", Q(12, difficulty=4)),
    ("10 / 3", Q(10, difficulty=3)),
    ("10/3", Q(10, difficulty=3)),
    ("10 reps / 5", Q(10, difficulty=5)),
    ("3x10", Q(10, sets=3)),
    ("3 x 10", Q(10, sets=3)),
    ("3X10 reps", Q(10, sets=3)),
    ("3×10", Q(10, sets=3)),
    ("3 sets of 10", Q(10, sets=3)),
    ("3 sets of 10 reps", Q(10, sets=3)),
    ("2 sets 8 reps", Q(8, sets=2)),
    ("8 reps 2 sets", Q(8, sets=2)),
    ("2x10 easy", Q(10, sets=2, difficulty=2)),
    ("12 reps, it hurt", Q(12, pain=True)),
    ("12 pain", Q(12, pain=True)),
    ("12 sore", Q(12, pain=True)),
    ("12 reps, my wrist is sore", Q(12, pain=True, region="wrist")),
    ("10, my shoulder hurts", Q(10, pain=True, region="shoulder")),
    ("8, fingers ache", Q(8, pain=True, region="hand")),
    ("8, my hand and elbow hurt", Q(8, pain=True)),  # two regions: the bot asks
    ("12, no pain", Q(12)),
    ("12 reps, didn't hurt", Q(12)),
    ("12 very easy", Q(12, difficulty=1)),
    ("12 easy", Q(12, difficulty=2)),
    ("12 ok", Q(12, difficulty=3)),
    ("12 okay", Q(12, difficulty=3)),
    ("12 fine", Q(12, difficulty=3)),
    ("12 medium", Q(12, difficulty=3)),
    ("12 moderate", Q(12, difficulty=3)),
    ("12 tough", Q(12, difficulty=4)),
    ("12 very hard", Q(12, difficulty=5)),
    ("12 too hard", Q(12, difficulty=5)),
    ("12 exhausting", Q(12, difficulty=5)),
    ("12 reps - hard, and it hurt", Q(12, difficulty=4, pain=True)),
    ("10/4 hard", Q(10, difficulty=4)),
    ("12 hard hard", Q(12, difficulty=4)),
    ("12 💪", Q(12)),
    ("１２", Q(12)),
    ("did 0", Q(0)),
    ("did 500", Q(500)),
    ("10x50", Q(50, sets=10)),
]

REJECTED = [
    ("", "unclear"),
    ("   ", "unclear"),
    ("hello", "unclear"),
    ("hard", "unclear"),
    ("twelve", "unclear"),
    ("12 or 13", "unclear"),
    ("12 13", "unclear"),
    ("12-15", "unclear"),
    ("did 12 yesterday", "unclear"),
    ("12 left arm", "unclear"),
    ("-5", "unclear"),
    ("did -5", "unclear"),
    ("+12", "unclear"),
    ("9:30", "unclear"),
    ("9.30", "unclear"),
    ("12.5", "unclear"),
    ("1,000", "unclear"),
    ("12/25/2024", "unclear"),
    ("/start", "unclear"),
    ("/progress 12", "unclear"),
    ("12 hard easy", "unclear"),
    ("12 pain no pain", "unclear"),
    ("12 not hard", "unclear"),
    ("10/3 easy", "unclear"),
    ("3 sets", "unclear"),
    ("x10", "unclear"),
    ("10x", "unclear"),
    ("12 <pain>", "unclear"),
    ("12 reps x 3", "unclear"),
    ("12" * 200, "unclear"),
    ("501", "out_of_range"),
    ("did 600 reps", "out_of_range"),
    ("did 99999999999999999999999999", "out_of_range"),
    ("11x10", "out_of_range"),
    ("0x10", "out_of_range"),
    ("0 sets of 10", "out_of_range"),
    ("2x501", "out_of_range"),
    ("10/0", "out_of_range"),
    ("10/6", "out_of_range"),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_accepted(text: str, expected: QuickCheckIn) -> None:
    assert parse_checkin(text) == expected


@pytest.mark.parametrize(("text", "code"), REJECTED)
def test_rejected(text: str, code: str) -> None:
    assert parse_checkin(text) == ParseProblem(code)


def test_limits() -> None:
    assert (MAX_REPS, MAX_SETS) == (500, 10)


@given(st.text(max_size=300))
def test_never_raises_and_stays_in_bounds(text: str) -> None:
    result = parse_checkin(text)
    if isinstance(result, ParseProblem):
        assert result.code in {"unclear", "out_of_range"}
    else:
        assert 0 <= result.reps <= MAX_REPS
        assert 1 <= result.sets <= MAX_SETS
        assert result.difficulty is None or 1 <= result.difficulty <= 5


# Text built from the parser's own vocabulary finds the corners that random text rarely hits.
pieces = st.sampled_from(["did", "12", "3", "x", "/", "sets", "of", "reps", "hard", "very",
                          "easy", "no", "pain", "sore", "it", ",", "-", ":", ".", "0", "600"])


@given(st.lists(pieces, max_size=8).map(" ".join))
def test_vocabulary_soup_stays_in_bounds(text: str) -> None:
    result = parse_checkin(text)
    if isinstance(result, QuickCheckIn):
        assert 0 <= result.reps <= MAX_REPS and 1 <= result.sets <= MAX_SETS
        assert result.difficulty is None or 1 <= result.difficulty <= 5


@given(st.integers(0, MAX_REPS))
def test_did_n_round_trips(n: int) -> None:
    assert parse_checkin(f"did {n}") == QuickCheckIn(reps=n)
    assert parse_checkin(f"{n} reps") == QuickCheckIn(reps=n)


@given(st.integers(MAX_REPS + 1, 10**30))
def test_too_many_reps_is_out_of_range(n: int) -> None:
    assert parse_checkin(f"did {n}") == ParseProblem("out_of_range")


@given(st.integers(1, MAX_SETS), st.integers(0, MAX_REPS), st.sampled_from(["x", " x ", "×"]))
def test_sets_by_reps_round_trips(sets: int, reps: int, cross: str) -> None:
    assert parse_checkin(f"{sets}{cross}{reps}") == QuickCheckIn(reps=reps, sets=sets)


@pytest.mark.parametrize(("text", "reps", "sets", "difficulty", "pain", "region"), [
    ("做了12个", 12, 1, None, False, None),
    ("12次 很难", 12, 1, 5, False, None),
    ("12次，很难。", 12, 1, 5, False, None),
    ("3组10个", 10, 3, None, False, None),
    ("10个 手腕疼", 10, 1, None, True, "wrist"),
    ("12 不疼", 12, 1, None, False, None),
    ("hice 12", 12, 1, None, False, None),
    ("12 reps difícil", 12, 1, 4, False, None),
    ("3 series de 10 repeticiones", 10, 3, None, False, None),
    ("hice 12, me duele el hombro", 12, 1, None, True, "shoulder"),
    ("hice 12 sin dolor", 12, 1, None, False, None),
    ("12 veces muy fácil", 12, 1, 1, False, None),
])
def test_spanish_and_chinese_check_ins(text: str, reps: int, sets: int,
                                       difficulty: int | None, pain: bool,
                                       region: str | None) -> None:
    words = typed_words()  # content/locales/*/typed.yaml
    assert parse_checkin(text, words) == QuickCheckIn(reps=reps, sets=sets,
                                                      difficulty=difficulty, pain=pain,
                                                      region=region)
    assert parse_checkin(text) == UNCLEAR or text.startswith("12 reps")  # English alone


@pytest.mark.parametrize("text", ["做了12个或13个", "hice 12 o 13", "12 de la tarde", "12点",
                                  "很难", "duele mucho 12 13"])
def test_spanish_and_chinese_that_is_not_a_check_in_records_nothing(text: str) -> None:
    assert parse_checkin(text, typed_words()) == UNCLEAR


@pytest.mark.parametrize("text", ["ayuda", "Ayúdame", "帮助", "菜单", "help"])
def test_help_in_each_language(text: str) -> None:
    assert asks_for_help(text, typed_words())
