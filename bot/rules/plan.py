"""Today's exercises for one patient: which ones, how much of each, and why each is there.

A day's plan has three roles, after the GRASP home programme and the proximal-to-distal order
of recovery: 3–5 **main** exercises of the patient's current stage, one **upkeep** exercise of
the stage before (so what was regained is kept), and one **functional** task of daily life.

Variants and slots. Exercises linked by ``easier``/``harder`` are versions of one movement.
Within one stage (functional tasks: within one level) such a family fills one *slot*, named by
its easiest member. A new patient starts each slot at that easiest member's starting dose;
progression may later move the slot to a harder (or back to an easier) variant. A patient's
``doses`` map is keyed by slot id, and each :class:`Dose` names the exercise actually done, so
"which slot" and "which variant, how much" stay separate and a slot never appears twice.

Everything here is a plain function of its arguments: no clock, no database, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from typing import Literal

from bot.rules.exercises import Exercise, Stage

Role = Literal["main", "upkeep", "ahead", "functional"]

FUNCTIONAL_TASKS = 2  # daily-life tasks in every plan
SLOW_TURN = 2  # the other parts of the limb change every two days…
TASK_TURN = 4  # …and the second daily-life task every four (two steps of progression)
LIMB_STAGES = (Stage.SHOULDER, Stage.ELBOW, Stage.WRIST, Stage.HAND_GROSS)  # one region each
MIN_MAIN = 3  # main exercises: never fewer (unless the catalogue has fewer)…
MAX_MAIN = 5  # …and never more
SECONDS_PER_REP = 4  # one slow, controlled repetition of the affected arm
REST_BETWEEN_SETS = 30  # seconds
SETUP_PER_EXERCISE = 60  # seconds to read the card, get into position and fetch the items
SESSION_MINUTES = (15, 30)  # a session's target length; main exercises are trimmed above it
DAILY_MINUTES_MAX = 60  # GRASP's home dose: up to an hour a day, which may be two sessions


@dataclass(frozen=True)
class Dose:
    """How much of which exercise a slot holds: the slot's own exercise or one of its variants."""

    exercise_id: str
    reps: int
    sets: int

    def __post_init__(self) -> None:
        if self.reps < 1 or self.sets < 1:
            raise ValueError(f"a dose needs at least 1 rep and 1 set, got {self.reps}x{self.sets}")

    @property
    def total(self) -> int:
        """Repetitions over all sets."""
        return self.reps * self.sets


GOAL_START_MINUTES = 15  # the daily goal starts at a short session…
GOAL_STEP_MINUTES = 5  # …grows by this much for every week of practice…


def daily_goal_minutes(weeks_practising: int) -> int:
    """Today's goal in minutes: 15 in the first week, 5 more each week, up to GRASP's hour."""
    return min(DAILY_MINUTES_MAX, GOAL_START_MINUTES + GOAL_STEP_MINUTES * max(0, weeks_practising))


def minutes_done(done: Iterable[tuple[int, int | None]]) -> int:
    """About how many minutes the repetitions took: ``done`` holds (repetitions, hold seconds)
    per exercise, each with the time to get ready, as the plan estimates them."""
    seconds = sum(SETUP_PER_EXERCISE + reps * (SECONDS_PER_REP + (hold or 0))
                  for reps, hold in done)
    return math.ceil(seconds / 60)


def starting_dose(exercise: Exercise) -> Dose:
    """The catalogue's dose for someone new to ``exercise``."""
    return Dose(exercise.id, exercise.reps, exercise.sets)


class Variants:
    """The easier/harder links of a catalogue, in both directions.

    Content may write a link on one side only (``b.easier = a`` without ``a.harder = b``), so
    each link is read from both ends. Where several exercises qualify, the explicit link wins,
    then the smallest id, so every answer is deterministic.
    """

    def __init__(self, catalogue: Mapping[str, Exercise]) -> None:
        self.catalogue = catalogue
        easier: dict[str, list[str]] = {key: [] for key in catalogue}
        harder: dict[str, list[str]] = {key: [] for key in catalogue}
        for exercise in catalogue.values():
            if exercise.easier in catalogue:
                easier[exercise.id].append(exercise.easier)
                harder[exercise.easier].append(exercise.id)
            if exercise.harder in catalogue:
                harder[exercise.id].append(exercise.harder)
                easier[exercise.harder].append(exercise.id)
        self._easier = {key: self._ordered(key, "easier", ids) for key, ids in easier.items()}
        self._harder = {key: self._ordered(key, "harder", ids) for key, ids in harder.items()}

    def _ordered(self, key: str, link: str, ids: list[str]) -> tuple[str, ...]:
        explicit = getattr(self.catalogue[key], link)
        rest = sorted(set(ids) - {explicit, key})
        return (explicit, *rest) if explicit in ids and explicit != key else tuple(rest)

    def easier(self, exercise_id: str) -> str | None:
        """The next easier variant, if any."""
        options = self._easier.get(exercise_id, ())
        return options[0] if options else None

    def harder(self, exercise_id: str) -> str | None:
        """The next harder variant, if any."""
        options = self._harder.get(exercise_id, ())
        return options[0] if options else None

    def family(self, exercise_id: str) -> frozenset[str]:
        """Every exercise linked to this one, however indirectly, itself included."""
        seen = {exercise_id}
        todo = [exercise_id]
        while todo:
            current = todo.pop()
            for other in (*self._easier.get(current, ()), *self._harder.get(current, ())):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return frozenset(seen)

    def is_harder(self, exercise_id: str, *, than: str) -> bool:
        """Whether ``exercise_id`` is reached from ``than`` by stepping up to harder variants."""
        seen = {than}
        todo = [than]
        while todo:
            for other in self._harder.get(todo.pop(), ()):
                if other == exercise_id:
                    return True
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return False

    def slot(self, exercise_id: str) -> str:
        """The slot this exercise fills: its easiest variant in the same stage (or level)."""
        group = _group(self.catalogue[exercise_id])
        current = exercise_id
        seen = {current}
        while True:
            options = [
                other
                for other in self._easier[current]
                if other not in seen and _group(self.catalogue[other]) == group
            ]
            if not options:
                return current
            current = options[0]
            seen.add(current)

    def slots(self, stage: Stage, *, functional: bool = False) -> tuple[str, ...]:
        """The slots of one stage (functional tasks: of one level), sorted by id."""
        return tuple(
            sorted(
                {
                    self.slot(exercise.id)
                    for exercise in self.catalogue.values()
                    if _group(exercise) == (functional, stage)
                }
            )
        )


def _group(exercise: Exercise) -> tuple[bool, Stage]:
    return exercise.functional, exercise.motor_stage


@dataclass(frozen=True)
class PlannedExercise:
    """One line of today's plan. ``slot`` is the key of the patient's dose for it."""

    exercise_id: str
    reps: int
    sets: int
    hold_seconds: int | None
    role: Role
    slot: str

    @property
    def seconds(self) -> int:
        """Estimated time: setup, every rep with its hold, and rests between sets."""
        per_rep = SECONDS_PER_REP + (self.hold_seconds or 0)
        return (
            SETUP_PER_EXERCISE
            + self.reps * self.sets * per_rep
            + REST_BETWEEN_SETS * (self.sets - 1)
        )


@dataclass(frozen=True)
class DailyPlan:
    """The exercises for one patient on one day, main ones first."""

    stage: Stage
    items: tuple[PlannedExercise, ...]

    @property
    def total_reps(self) -> int:
        """Repetitions planned for the day: what the dose research counts."""
        return sum(item.reps * item.sets for item in self.items)

    @property
    def seconds(self) -> int:
        return sum(item.seconds for item in self.items)

    @property
    def minutes(self) -> int:
        """Estimated length in whole minutes, rounded up (see :class:`PlannedExercise`)."""
        return math.ceil(self.seconds / 60)

    def role(self, role: Role) -> tuple[PlannedExercise, ...]:
        """The items of one role, in plan order."""
        return tuple(item for item in self.items if item.role == role)


def rotate(candidates: Sequence[str], day: date, count: int) -> list[str]:
    """All ``candidates`` in ``day``'s order; the first ``count`` are the day's picks.

    The order is the sorted list turned round by ``count`` places a day: the same all day
    long, and with more candidates than places every one of them comes round within days.
    """
    if not candidates:
        return []
    start = (day.toordinal() * count) % len(candidates)
    return [*candidates[start:], *candidates[:start]]


def build_plan(
    *,
    stage: Stage,
    catalogue: Mapping[str, Exercise],
    doses: Mapping[str, Dose],
    excluded: AbstractSet[str],
    day: date,
    size: int = 4,
    active_start: bool = False,
) -> DailyPlan:
    """Today's plan for the whole arm and hand, after GRASP's levels: ``size`` (clamped to
    3–5) **main** slots of ``stage`` (the focus: the most proximal part still to regain), one
    slot of every other part of the limb (``LIMB_STAGES``: **upkeep** for the parts before the
    focus, at the patient's own dose; **ahead** for the parts after it, starting at their
    easiest, helped variant) and two **functional** tasks of level ≤ ``stage``, the nearest
    first.

    Each slot uses the patient's dose from ``doses`` (keyed by slot) or a starting dose: the
    slot's easiest variant, or with ``active_start`` (placement answered "partly": some active
    movement) the first variant of the focus stage done without help. A slot whose exercise is
    in ``excluded`` (taken out for pain, or by the entry check) is skipped whole. The session
    should last 15–30 minutes: below 15, further main slots are added (up to 5, if the stage has
    them); above 30, main slots are dropped down to 3. With three left the plan may grow longer
    through the doses, towards GRASP's hour a day.
    """
    size = min(max(size, MIN_MAIN), MAX_MAIN)
    variants = Variants(catalogue)
    used: set[str] = set()

    def ordered(slots: Iterable[str], role: Role, count: int, *, active: bool = False,
                every: int = 1) -> list[PlannedExercise]:
        """The slots' items in the day's order; with ``every`` > 1 the order turns only every
        that many days, so a slot met once in a while still gets the two days in a row that
        progression needs."""
        items = {}
        for slot in slots:
            item = _resolve(slot, role, catalogue, variants, doses, active=active)
            if slot not in excluded and item.exercise_id not in excluded:
                items[slot] = item
        turn = date.fromordinal(max(1, day.toordinal() // every))
        return [items[slot] for slot in rotate(list(items), turn, count)]

    def take(items: list[PlannedExercise], count: int) -> list[PlannedExercise]:
        chosen: list[PlannedExercise] = []
        while items and len(chosen) < count:
            item = items.pop(0)
            if item.exercise_id not in used:
                chosen.append(item)
                used.add(item.exercise_id)
        return chosen

    spare = ordered(variants.slots(stage), "main", size, active=active_start)
    main = take(spare, size)
    limb: list[PlannedExercise] = []
    for part in LIMB_STAGES:
        if part != stage:
            role: Role = "upkeep" if part < stage else "ahead"
            limb.extend(take(ordered(variants.slots(part), role, 1, every=SLOW_TURN), 1))
    functional: list[PlannedExercise] = []
    for level in range(stage, Stage.SHOULDER - 1, -1):  # level == stage first, then nearest
        functional = take(ordered(variants.slots(Stage(level), functional=True),
                                  "functional", 1), 1)
        if functional:
            break
    # the second task: first every task within reach not yet tried, then those of the three
    # nearest levels, so a chain of tasks meets often enough to move on
    within_reach = [slot for level in range(Stage.SHOULDER, stage + 1)
                    for slot in variants.slots(Stage(level), functional=True)]
    untried = [slot for slot in within_reach if slot not in doses]
    near = [slot for level in range(max(Stage.SHOULDER, stage - 2), stage + 1)
            for slot in variants.slots(Stage(level), functional=True)]
    second = [item for item in ordered(sorted(untried), "functional", 1, every=TASK_TURN)
              if item.exercise_id not in used]
    if not second:
        second = ordered(sorted(near), "functional", 1, every=TASK_TURN)
    functional.extend(take(second, FUNCTIONAL_TASKS - len(functional)))

    def plan() -> DailyPlan:
        return DailyPlan(stage, (*main, *limb, *functional))

    while plan().minutes < SESSION_MINUTES[0] and len(main) < MAX_MAIN and spare:
        main.extend(take(spare, 1))
    while plan().minutes > SESSION_MINUTES[1] and len(main) > MIN_MAIN:
        main.pop()
    return plan()


def active_variant(slot: str, catalogue: Mapping[str, Exercise], variants: Variants) -> str:
    """The first variant of a slot, going harder within its stage, done without help; the
    slot itself if none is."""
    current, group = slot, _group(catalogue[slot])
    while catalogue[current].assist != "none":
        harder = variants.harder(current)
        if harder is None or _group(catalogue[harder]) != group:
            return slot
        current = harder
    return current


def _resolve(
    slot: str,
    role: Role,
    catalogue: Mapping[str, Exercise],
    variants: Variants,
    doses: Mapping[str, Dose],
    *,
    active: bool = False,
) -> PlannedExercise:
    """The slot's current exercise and dose; a dose that no longer fits the catalogue (its
    exercise gone or no longer a variant of the slot) falls back to the starting dose."""
    dose = doses.get(slot)
    if dose is None or dose.exercise_id not in variants.family(slot):
        dose = starting_dose(catalogue[active_variant(slot, catalogue, variants)
                                       if active else slot])
    exercise = catalogue[dose.exercise_id]
    return PlannedExercise(
        exercise_id=exercise.id,
        reps=min(dose.reps, exercise.max_reps),
        sets=dose.sets,
        hold_seconds=exercise.hold_seconds,
        role=role,
        slot=slot,
    )
