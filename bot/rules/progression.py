"""How the plan follows the patient: more when it is easy, less when it is too hard or hurts.

After each session the patient says, per exercise, how many reps they did, how hard it felt
(1–5: 1–2 too easy, 3–4 about right, 5 too hard) and whether it hurt. These rules turn that
into the next dose, aiming at "somewhat hard", the zone Borg-scale training after stroke aims
for. They are deliberately cautious: pain always wins, a step up needs more than one good day,
and the care team hears about repeated pain. See ``docs/progression.md`` for every number.

A day counts as evidence about a dose only if it speaks to that dose: a successful day counts
towards a step up only if its target was at least the current dose, a bad day towards a step
down only if its target was at most the current dose. So applying the rules twice to the same
check-ins never steps twice, and a caller may safely run them after every session.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from bot.rules.exercises import Exercise, Stage
from bot.rules.plan import MIN_MAIN, DailyPlan, Dose, Variants, starting_dose
from bot.rules.safety import PainReport, care_team_regions, growth_blocked

Decision = Literal["progress", "hold", "regress", "remove"]

EASY = 2  # difficulty 1–2: too easy
STEADY = 3  # difficulty 3 three days running with targets met: ready for a little more
TOO_HARD = 5  # difficulty 5: too hard
UNDER_TARGET = 0.7  # fewer than 70 % of the target reps counts as well under target
STEP = 0.2  # a step up or down is 20 % of the reps, at least 1
MAX_SETS = 3  # at max reps, sets go up to 3 before switching to the harder variant
EVIDENCE_DAYS = 7  # check-ins older than a week say nothing about today's dose
PAIN_REPEAT_DAYS = 3  # pain on two days within three (today and the two before) → remove
STAGE_WINDOW_DAYS = 14  # the stage review looks at the last two weeks…
STAGE_MIN_DAYS = 10  # …and wants practice at this stage on at least 10 of them
NEAR_MAX = 0.8  # "at or near max": at least 80 % of max reps, or on a harder variant
STAGE_MEAN_DIFFICULTY = 3.0  # the stage's average difficulty must be at most 3
STEP_BACK_DAYS = 7  # a stage step back looks at the last week…
STEP_BACK_MIN_DAYS = 3  # …needs at least 3 days practised at this stage…
STEP_BACK_SHARE = 2 / 3  # …with at least two thirds of its check-ins too hard or well short


@dataclass(frozen=True)
class CheckInRecord:
    """One exercise on one day as reported. ``target_reps`` is what was planned for that
    session in all (reps × sets); ``reps_done`` is what was done, over all sets."""

    exercise_id: str
    day: date
    target_reps: int
    reps_done: int
    difficulty: int | None
    pain: bool

    def __post_init__(self) -> None:
        if self.target_reps < 1 or self.reps_done < 0:
            raise ValueError("target_reps must be at least 1 and reps_done at least 0")
        if self.difficulty is not None and not 1 <= self.difficulty <= 5:
            raise ValueError(f"difficulty must be 1–5 or None, got {self.difficulty}")

    @property
    def struggled(self) -> bool:
        """Too hard (5) or well under target (< 70 %)."""
        return self.difficulty == TOO_HARD or self.reps_done < UNDER_TARGET * self.target_reps


@dataclass(frozen=True)
class Adjustment:
    """The decision for one slot: what to do next, at what dose, and why.

    ``reason`` is a key for the message templates: progress ``too_easy``, ``steady_success``,
    ``at_max_add_set``, ``at_max_switch_harder``; hold ``on_target``, ``easy_once``,
    ``hard_once``, ``no_recent_checkins``, ``recent_pain``, ``at_max``, ``at_minimum``,
    ``pain_at_minimum``; regress ``too_hard``, ``missed_target``, ``pain``; remove
    ``pain_repeated``.
    """

    decision: Decision
    exercise_id: str
    reps: int
    sets: int
    reason: str
    advise_care_team: bool = False

    @property
    def dose(self) -> Dose:
        return Dose(self.exercise_id, self.reps, self.sets)


@dataclass(frozen=True)
class _Day:
    """One exercise's (or one family's) check-ins on one day, taken together."""

    day: date
    records: tuple[CheckInRecord, ...]

    @property
    def target(self) -> int:
        return sum(record.target_reps for record in self.records)

    @property
    def done(self) -> int:
        return sum(record.reps_done for record in self.records)

    @property
    def difficulty(self) -> int | None:
        """The hardest rating given that day: when in doubt, believe the harder one."""
        ratings = [r.difficulty for r in self.records if r.difficulty is not None]
        return max(ratings) if ratings else None

    @property
    def pain(self) -> bool:
        return any(record.pain for record in self.records)

    @property
    def met(self) -> bool:
        return self.done >= self.target

    @property
    def struggled(self) -> bool:
        return self.difficulty == TOO_HARD or self.done < UNDER_TARGET * self.target

    @property
    def easy(self) -> bool:
        return self.met and self.difficulty is not None and self.difficulty <= EASY

    @property
    def steady(self) -> bool:
        return self.met and self.difficulty is not None and self.difficulty <= STEADY


def _days(records: Iterable[CheckInRecord]) -> list[_Day]:
    by_day: dict[date, list[CheckInRecord]] = {}
    for record in records:
        by_day.setdefault(record.day, []).append(record)
    return [_Day(day, tuple(by_day[day])) for day in sorted(by_day)]


def _step(reps: int) -> int:
    return max(1, round(reps * STEP))


def _max_sets(exercise: Exercise) -> int:
    """Up to 3 sets; a task of daily life is done as one piece, so at its top it moves on to
    the harder task instead of adding sets."""
    return exercise.sets if exercise.functional else max(MAX_SETS, exercise.sets)


def _normalised(exercise: Exercise, dose: Dose) -> Dose:
    """The dose within the exercise's bounds (content may have changed since it was stored)."""
    reps = min(max(dose.reps, 1), exercise.max_reps)
    sets = min(max(dose.sets, 1), _max_sets(exercise))
    return Dose(exercise.id, reps, sets)


def _harder_dose(
    exercise: Exercise,
    dose: Dose,
    catalogue: Mapping[str, Exercise],
    variants: Variants,
    excluded: AbstractSet[str],
) -> tuple[Dose, str | None] | None:
    """One step up, and its reason if it is not a plain rep increase; None at the top."""
    if dose.reps < exercise.max_reps:
        return Dose(
            exercise.id, min(exercise.max_reps, dose.reps + _step(dose.reps)), dose.sets
        ), None
    if dose.sets < _max_sets(exercise):
        return Dose(exercise.id, dose.reps, dose.sets + 1), "at_max_add_set"
    harder = variants.harder(exercise.id)
    if harder is not None and harder not in excluded:
        return starting_dose(catalogue[harder]), "at_max_switch_harder"
    return None


def _easier_dose(
    exercise: Exercise,
    dose: Dose,
    catalogue: Mapping[str, Exercise],
    variants: Variants,
    excluded: AbstractSet[str],
) -> Dose:
    """One step down, the reverse of a step up; never more reps × sets, never harder.

    Extra sets go first, then reps above the starting dose; at the starting dose the easier
    variant takes over (at no more than the current reps and sets), else reps keep falling
    to 1. At the very bottom the dose is returned unchanged.
    """
    if dose.sets > exercise.sets:
        return Dose(exercise.id, dose.reps, dose.sets - 1)
    if dose.reps > exercise.reps:
        return Dose(exercise.id, max(1, dose.reps - _step(dose.reps)), dose.sets)
    easier = variants.easier(exercise.id)
    if easier is not None and easier not in excluded:
        target = catalogue[easier]
        return Dose(easier, min(target.reps, dose.reps), min(target.sets, dose.sets))
    if dose.reps > 1:
        return Dose(exercise.id, max(1, dose.reps - _step(dose.reps)), dose.sets)
    if dose.sets > 1:
        return Dose(exercise.id, dose.reps, dose.sets - 1)
    return dose


def decide(
    *,
    exercise: Exercise,
    dose: Dose,
    recent: Sequence[CheckInRecord],
    today: date,
    catalogue: Mapping[str, Exercise],
    excluded: AbstractSet[str] = frozenset(),
) -> Adjustment:
    """The next dose for one slot. ``exercise`` is the slot's exercise (the key of the
    patient's dose); ``dose`` may name one of its variants. First rule that applies wins:

    1. pain on two different days within three (any variant of the movement) → remove, and
       advise the care team;
    2. pain at the last check-in → one step down, unless the dose is already below what hurt;
    3. the last two days practised (within a week) both too hard or well short → step down;
    4. the last two days both met the target at difficulty ≤ 2, or the last three at ≤ 3 →
       step up, unless there was pain within the week;
    5. otherwise hold.

    ``excluded`` variants are never switched to.
    """
    variants = Variants(catalogue)
    if dose.exercise_id not in catalogue:
        raise ValueError(f"dose names an unknown exercise '{dose.exercise_id}'")
    family = variants.family(exercise.id)
    if dose.exercise_id not in family:
        raise ValueError(f"'{dose.exercise_id}' is not a variant of '{exercise.id}'")
    current = catalogue[dose.exercise_id]
    dose = _normalised(current, dose)
    past = [record for record in recent if record.day <= today]
    family_days = _days(record for record in past if record.exercise_id in family)
    week_start = today - timedelta(days=EVIDENCE_DAYS - 1)
    own_days = [
        day
        for day in _days(record for record in past if record.exercise_id == current.id)
        if day.day >= week_start
    ]

    def adjust(decision: Decision, new: Dose, reason: str, advise: bool = False) -> Adjustment:
        return Adjustment(decision, new.exercise_id, new.reps, new.sets, reason, advise)

    pain_start = today - timedelta(days=PAIN_REPEAT_DAYS - 1)
    if len({day.day for day in family_days if day.pain and day.day >= pain_start}) >= 2:
        return adjust("remove", dose, "pain_repeated", advise=True)

    if family_days and family_days[-1].pain:
        hurt = [record for record in family_days[-1].records if record.pain]
        if all(_already_below(record, dose, variants) for record in hurt):
            return adjust("hold", dose, "recent_pain")
        lower = _easier_dose(current, dose, catalogue, variants, excluded)
        if lower == dose:
            return adjust("hold", dose, "pain_at_minimum", advise=True)
        return adjust("regress", lower, "pain")

    last_two = own_days[-2:]
    if len(last_two) == 2 and all(d.struggled and d.target <= dose.total for d in last_two):
        lower = _easier_dose(current, dose, catalogue, variants, excluded)
        if lower == dose:
            return adjust("hold", dose, "at_minimum")
        too_hard = all(d.difficulty == TOO_HARD for d in last_two)
        return adjust("regress", lower, "too_hard" if too_hard else "missed_target")

    last_three = own_days[-3:]
    reason = None
    if len(last_two) == 2 and all(d.easy and d.target >= dose.total for d in last_two):
        reason = "too_easy"
    elif len(last_three) == 3 and all(d.steady and d.target >= dose.total for d in last_three):
        reason = "steady_success"
    recent_pain = any(day.pain for day in family_days if day.day >= week_start)
    if reason is not None:
        if recent_pain:
            return adjust("hold", dose, "recent_pain")
        step = _harder_dose(current, dose, catalogue, variants, excluded)
        if step is None:
            return adjust("hold", dose, "at_max")
        higher, why = step
        return adjust("progress", higher, why or reason)

    if recent_pain:
        return adjust("hold", dose, "recent_pain")
    if not own_days:
        return adjust("hold", dose, "no_recent_checkins")
    if own_days[-1].struggled:
        return adjust("hold", dose, "hard_once")
    if own_days[-1].easy:
        return adjust("hold", dose, "easy_once")
    return adjust("hold", dose, "on_target")


def _already_below(record: CheckInRecord, dose: Dose, variants: Variants) -> bool:
    """Whether ``dose`` is already less than what hurt in ``record``: fewer reps of the same
    exercise, or an easier variant of it."""
    if record.exercise_id == dose.exercise_id:
        return dose.total < record.target_reps
    return variants.is_harder(record.exercise_id, than=dose.exercise_id)


def review_stage(
    *,
    stage: Stage,
    doses: Mapping[str, Dose],
    recent: Sequence[CheckInRecord],
    catalogue: Mapping[str, Exercise],
    today: date,
    excluded: AbstractSet[str] = frozenset(),
) -> Stage:
    """The stage for the next plan: one up, one back, or the same.

    Up (never past HAND_FINE) when, over the last 14 days: no pain reported at all; this
    stage practised (at least two of its exercises) on at least 10 days; its difficulty
    averaged at most 3, with no 5 in the last 7 days; and at least two thirds of the stage's
    active slots, and at least three (or all, if fewer exist), are at or near max reps.

    Back one (never below SHOULDER) when, over the last 7 days, this stage was practised on at
    least 3 days and at least two thirds of its check-ins, across at least two exercises, were
    too hard or well under target: the placement questions are self-reported and may start
    someone too far on. Upkeep of the stage before is a single exercise a day, so it never
    counts as practising that stage, and a step back is not undone the next day.
    """
    variants = Variants(catalogue)
    window_start = today - timedelta(days=STAGE_WINDOW_DAYS - 1)
    window = [record for record in recent if window_start <= record.day <= today]
    at_stage = [
        record
        for record in window
        if record.exercise_id in catalogue
        and not catalogue[record.exercise_id].functional
        and catalogue[record.exercise_id].motor_stage == stage
    ]

    if stage > Stage.SHOULDER and _should_step_back(at_stage, variants, today):
        return Stage(stage - 1)
    if stage >= Stage.HAND_FINE:
        return stage
    if any(record.pain for record in window):
        return stage
    if _practice_days(at_stage, variants) < STAGE_MIN_DAYS:
        return stage
    ratings = [record.difficulty for record in at_stage if record.difficulty is not None]
    if not ratings or sum(ratings) / len(ratings) > STAGE_MEAN_DIFFICULTY:
        return stage
    week_start = today - timedelta(days=EVIDENCE_DAYS - 1)
    if any(r.difficulty == TOO_HARD for r in at_stage if r.day >= week_start):
        return stage

    available = [
        slot
        for slot in variants.slots(stage)
        if slot not in excluded and (slot not in doses or doses[slot].exercise_id not in excluded)
    ]
    active = [slot for slot in available if slot in doses and doses[slot].exercise_id in catalogue]
    if not all(_moved_actively(slot, doses[slot], at_stage, catalogue, variants, excluded)
               for slot in active):
        return stage  # a stage is moved on from on active movement, never on help
    near = [slot for slot in active if _near_max(slot, doses[slot], catalogue, variants)]
    if len(near) < min(MIN_MAIN, len(available)) or not near:
        return stage
    if len(near) * 3 < len(active) * 2:
        return stage
    return Stage(stage + 1)


def _practice_days(records: Iterable[CheckInRecord], variants: Variants) -> int:
    """Days on which at least two different slots of the stage were practised."""
    slots_by_day: dict[date, set[str]] = {}
    for record in records:
        if record.reps_done > 0:
            slots_by_day.setdefault(record.day, set()).add(variants.slot(record.exercise_id))
    return sum(1 for slots in slots_by_day.values() if len(slots) >= 2)


def _should_step_back(records: list[CheckInRecord], variants: Variants, today: date) -> bool:
    week_start = today - timedelta(days=STEP_BACK_DAYS - 1)
    week = [record for record in records if record.day >= week_start]
    if _practice_days(week, variants) < STEP_BACK_MIN_DAYS:
        return False
    struggled = [record for record in week if record.struggled]
    if len({record.exercise_id for record in struggled}) < 2:
        return False
    return len(struggled) >= STEP_BACK_SHARE * len(week)


def _moved_actively(slot: str, dose: Dose, records: Sequence[CheckInRecord],
                    catalogue: Mapping[str, Exercise], variants: Variants,
                    excluded: AbstractSet[str]) -> bool:
    """A stage-up is earned on active movement: the slot's variant is done without help (the
    other hand or a helper), and it was done at target, at most "OK" (3), without pain. A slot
    with no unassisted variant it may do (none at all, or all left out) is judged on its
    doses alone."""
    if all(catalogue[e].assist != "none" or e in excluded
           for e in variants.family(slot) if e in catalogue):
        return True
    exercise = catalogue[dose.exercise_id]
    if exercise.assist != "none":
        return False
    return any(r.exercise_id == dose.exercise_id and r.reps_done >= r.target_reps
               and r.difficulty is not None and r.difficulty <= STEADY and not r.pain
               for r in records)


def _near_max(slot: str, dose: Dose, catalogue: Mapping[str, Exercise], variants: Variants) -> bool:
    if variants.is_harder(dose.exercise_id, than=slot):
        return True
    return dose.reps >= NEAR_MAX * catalogue[dose.exercise_id].max_reps


@dataclass(frozen=True)
class AfterSession:
    """Everything that changes after a session: the caller stores these and is done."""

    stage: Stage
    doses: Mapping[str, Dose]
    excluded: frozenset[str]
    adjustments: Mapping[str, Adjustment]  # by slot, for the messages
    care_team_regions: frozenset[str] = frozenset()  # pain there: talk to the care team

    @property
    def advise_care_team(self) -> bool:
        return bool(self.care_team_regions) or any(
            adjustment.advise_care_team for adjustment in self.adjustments.values())


def region_practice_days(recent: Iterable[CheckInRecord],
                         catalogue: Mapping[str, Exercise]) -> dict[str, set[date]]:
    """The days each body region was practised without pain."""
    days: dict[str, set[date]] = {}
    for record in recent:
        exercise = catalogue.get(record.exercise_id)
        if exercise is None or record.pain or record.reps_done <= 0:
            continue
        for region in exercise.regions:
            days.setdefault(region, set()).add(record.day)
    return days


def _grows(old: Dose, new: Adjustment) -> bool:
    return new.decision == "progress" or (
        new.exercise_id == old.exercise_id and new.reps * new.sets > old.total)


def plan_after_checkins(
    *,
    plan: DailyPlan,
    doses: Mapping[str, Dose],
    excluded: AbstractSet[str],
    recent: Sequence[CheckInRecord],
    catalogue: Mapping[str, Exercise],
    today: date,
    pains: Sequence[PainReport] = (),
    may_grow: bool = True,
) -> AfterSession:
    """Apply :func:`decide` to every exercise of ``plan`` (from the dose it was planned at),
    add removed exercises to ``excluded``, then review the stage. Safe to call after each
    session of a day: the same check-ins never step a dose twice.

    ``pains`` are every pain report, from any path, by body region: no dose loading a region
    grows until it has had three pain-free practice days, and repeated or severe pain in a
    region asks for the care team (``docs/safety.md``). With ``may_grow`` False (nobody has
    cleared home exercise yet) no dose grows at all, and the stage does not move on."""
    variants = Variants(catalogue)
    new_doses = dict(doses)
    new_excluded = set(excluded)
    adjustments: dict[str, Adjustment] = {}
    blocked = growth_blocked(pains=pains, practice_days=region_practice_days(recent, catalogue),
                             today=today)
    for item in plan.items:
        if item.slot not in catalogue or item.exercise_id not in variants.family(item.slot):
            continue  # the content changed under the plan; the next plan starts afresh
        adjustment = decide(
            exercise=catalogue[item.slot],
            dose=Dose(item.exercise_id, item.reps, item.sets),
            recent=recent,
            today=today,
            catalogue=catalogue,
            excluded=new_excluded,
        )
        planned = Dose(item.exercise_id, item.reps, item.sets)
        if _grows(planned, adjustment) and (
                not may_grow or set(catalogue[item.exercise_id].regions) & blocked
                or set(catalogue[adjustment.exercise_id].regions) & blocked):
            adjustment = Adjustment("hold", planned.exercise_id, planned.reps, planned.sets,
                                    "region_pain" if may_grow else "not_cleared")
        adjustments[item.slot] = adjustment
        new_doses[item.slot] = adjustment.dose
        if adjustment.decision == "remove":
            new_excluded.add(adjustment.exercise_id)
    stage = review_stage(
        stage=plan.stage,
        doses=new_doses,
        recent=recent,
        catalogue=catalogue,
        today=today,
        excluded=new_excluded,
    )
    window = today - timedelta(days=STAGE_WINDOW_DAYS - 1)
    if stage > plan.stage and (not may_grow or any(p.day >= window for p in pains)):
        stage = plan.stage  # any pain in the window, from any path, holds the stage
    return AfterSession(stage, new_doses, frozenset(new_excluded), adjustments,
                        care_team_regions(pains, today))
