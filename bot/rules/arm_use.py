"""The monthly self-rated check of arm use: six everyday activities, each rated for how much
and how well the affected arm was used in the last week, 0 (not at all) to 5 (as before).

The items are our own words, in the style of amount and quality-of-movement scales; they are
not a copy of the Motor Activity Log or ABILHAND, and the score is not either instrument's
score (``docs/care-team.md``). "Not sure" is an answer: it leaves that item out of the mean.
Quality is not asked for an activity the arm was not used for at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

ITEMS: tuple[str, ...] = ("cup", "door", "spoon", "sleeve", "jar", "wipe")
SCALE = range(0, 6)
EVERY = timedelta(days=28)  # offered once a month…
FIRST_AFTER = timedelta(days=7)  # …the first time after a week of use


def due(*, last_taken: date | None, started: date, today: date) -> bool:
    """Whether to offer the check today."""
    if last_taken is None:
        return today - started >= FIRST_AFTER
    return today - last_taken >= EVERY


NOT_SURE = -1  # stored for "not sure"; None means not asked yet


def next_question(answered: dict[str, tuple[int | None, int | None]]) -> tuple[str, str] | None:
    """The next (item, "amount" | "quality") to ask; ``answered`` maps an item to its
    (amount, quality), None where not asked yet. Quality is skipped when the amount was 0."""
    for item in ITEMS:
        amount, quality = answered.get(item, (None, None))
        if amount is None:
            return item, "amount"
        if quality is None and amount != 0:
            return item, "quality"
    return None


def mean(values: Iterable[int | None]) -> float | None:
    """The mean of the values answered on the scale ("not sure" and unasked left out)."""
    known = [v for v in values if v is not None and v >= 0]
    return round(sum(known) / len(known), 1) if known else None
