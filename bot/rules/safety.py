"""The safety rules, as plain functions: pain by body region, the entry check, and the warning
signs. Each rule is written in ``docs/safety.md`` with the source it rests on; when a rule and
a feature disagree, the safer one wins, and "not sure" always takes the safe branch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from bot.rules.exercises import REGIONS, Exercise, Need
from bot.rules.typed import NONE, TypedWords

PAIN_FREE_DAYS = 3  # a region's doses grow again only after three pain-free practice days
PAIN_REPEAT_WINDOW = 3  # pain in one region on two of any three days → care team
PainLevel = Literal["little", "lot", "unsure"]
Answer = Literal["yes", "no", "unsure"]

# The entry check: each question's id, and what a "no" or "not sure" takes away.
ENTRY_QUESTIONS: tuple[str, ...] = ("cleared", "swallow", "shoulder_pain", "sitting", "feeling")
# question → the exercise need it grants when answered safely ("shoulder_pain" is safe on "no")
_GRANTS: Mapping[str, Need] = {"swallow": "safe_swallow", "shoulder_pain": "pain_free_shoulder",
                               "sitting": "steady_sitting", "feeling": "feeling"}
_SAFE_ANSWER: Mapping[str, Answer] = {"cleared": "yes", "swallow": "yes", "shoulder_pain": "no",
                                      "sitting": "yes", "feeling": "yes"}


@dataclass(frozen=True)
class PainReport:
    """Pain reported on one day: in which regions ("not sure" becomes every region the
    exercise loads, or every region when no exercise was named), and whether it was a lot."""

    day: date
    regions: frozenset[str]
    severe: bool


def pain_regions(region: str | None, exercise: Exercise | None) -> frozenset[str]:
    """The regions one report of pain counts for. A named region is that region; "not sure"
    (or no answer) is the safe branch: every region the exercise loads, or all of them."""
    if region in REGIONS:
        return frozenset({region})
    if exercise is not None:
        return frozenset(exercise.regions)
    return frozenset(REGIONS)


def is_severe(level: str | None) -> bool:
    """"A lot" is severe, and so is "not sure" (the safe branch)."""
    return level != "little"


def resting_today(pains: Iterable[PainReport], today: date) -> frozenset[str]:
    """Regions that hurt today: the rest of today's exercises loading them are skipped."""
    return frozenset().union(*(p.regions for p in pains if p.day == today))


def skip_for_pain(exercise: Exercise, resting: AbstractSet[str]) -> bool:
    """Whether ``exercise`` loads a region resting today."""
    return bool(set(exercise.regions) & resting)


def growth_blocked(*, pains: Sequence[PainReport], practice_days: Mapping[str, Iterable[date]],
                   today: date) -> frozenset[str]:
    """Regions in which no dose may grow: pain there, and fewer than three pain-free practice
    days there since the last pain. ``practice_days`` are the days each region was practised."""
    blocked = set()
    for region in REGIONS:
        hurt = [p.day for p in pains if region in p.regions and p.day <= today]
        if not hurt:
            continue
        last = max(hurt)
        after = {d for d in practice_days.get(region, ()) if last < d <= today}
        if len(after) < PAIN_FREE_DAYS:
            blocked.add(region)
    return frozenset(blocked)


def care_team_regions(pains: Sequence[PainReport], today: date) -> frozenset[str]:
    """Regions to tell the care team about today: pain there on two of the last three days
    (today included), or "a lot" (or "not sure how much") today."""
    start = today - timedelta(days=PAIN_REPEAT_WINDOW - 1)
    regions = set()
    for region in REGIONS:
        mine = [p for p in pains if region in p.regions and start <= p.day <= today]
        today_hurt = [p for p in mine if p.day == today]
        if today_hurt and (any(p.severe for p in today_hurt) or len({p.day for p in mine}) >= 2):
            regions.add(region)
    return frozenset(regions)


def pain_episode(pains: Sequence[PainReport], region: str, today: date) -> str:
    """A key for one spell of pain in a region: the first day of the run of pain days there
    with no gap longer than the repeat window. Family and care team hear once per episode."""
    days = sorted({p.day for p in pains if region in p.regions and p.day <= today}, reverse=True)
    start = today
    for day in days:
        if (start - day).days > PAIN_REPEAT_WINDOW - 1:
            break
        start = min(start, day)
    return f"pain-{region}-{start.isoformat()}"


# ---- the entry check -------------------------------------------------------------------------
def unmet_needs(answers: Mapping[str, str]) -> frozenset[Need]:
    """The needs the entry check did not grant: every question not answered the safe way
    (unanswered and "not sure" included) withholds what it would grant."""
    return frozenset(need for question, need in _GRANTS.items()
                     if answers.get(question) != _SAFE_ANSWER[question])


def excluded_by_entry_check(answers: Mapping[str, str],
                            catalogue: Mapping[str, Exercise]) -> frozenset[str]:
    """Exercises the plan must leave out because of the entry-check answers."""
    missing = unmet_needs(answers)
    return frozenset(ex.id for ex in catalogue.values() if set(ex.needs) & missing)


def cleared(answers: Mapping[str, str]) -> bool:
    """A therapist or doctor said home arm exercise is fine. Until then no dose grows."""
    return answers.get("cleared") == "yes"


def entry_advice(answers: Mapping[str, str]) -> list[str]:
    """Which advice lines to show after the entry check, in order (template keys)."""
    lines = []
    if answers.get("cleared") != "yes":
        lines.append("ask_clearance")
    if answers.get("shoulder_pain") != "no":
        lines.append("shoulder_pain")
    if answers.get("swallow") != "yes":
        lines.append("swallowing")
    if answers.get("sitting") != "yes":
        lines.append("sitting")
    if answers.get("feeling") != "yes":
        lines.append("feeling")
    return lines


def answered(answers: Mapping[str, str]) -> bool:
    return all(answers.get(q) in ("yes", "no", "unsure") for q in ENTRY_QUESTIONS)


# ---- warning signs ---------------------------------------------------------------------------
_WARNING = re.compile(
    r"\b(unwell|dizzy|dizziness|faint(?:ed|ing)?|chest pain|can'?t breathe|breathless"
    r"|short of breath|numb(?:ness)?|slurred|face (?:droops?|drooping)|fell|fall(?:en)?|"
    r"emergency)\b", re.IGNORECASE)


def mentions_warning_sign(text: str, words: TypedWords = NONE) -> bool:
    """Typed words that may be a warning sign, in English or in the languages of ``words``:
    answered with the emergency advice, never read as a check-in."""
    if _WARNING.search(text):
        return True
    folded = " ".join(text.casefold().split())
    return any(phrase in folded if _han(phrase)  # Chinese has no word breaks to lean on
               else re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", folded)
               for phrase in words.warning)


def _han(text: str) -> bool:
    return bool(re.search(r"[\u3400-\u9fff]", text))


def emergency_number(country: str | None, numbers: Mapping[str, str],
                     default: str = "112") -> str:
    """The local emergency number for a country (ISO 3166 code) where it is known."""
    return numbers.get((country or "").upper(), default)
