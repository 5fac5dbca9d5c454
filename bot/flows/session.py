"""A guided practice session: open today's, apply one tap, finish it. Every tap is checked
against the session's current step, so a double press, an old button or a repeated update
records once. Telegram-free: the handler parses the button and renders what comes back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.flows.arm_use import is_due as arm_use_due
from bot.flows.practice import (
    exercise,
    minutes_of,
    pain_reports,
    patient_progress,
    plan_for,
    progress_after,
    today_of,
)
from bot.rules.encourage import celebrations, dose_changes, tone
from bot.rules.exercises import REGIONS
from bot.rules.plan import daily_goal_minutes
from bot.rules.practice import MAX_REPS, rep_choices, window_start
from bot.rules.safety import (
    answered,
    care_team_regions,
    pain_episode,
    resting_today,
    skip_for_pain,
)
from bot.rules.stats import Progress
from db import patients
from db.models import CheckIn, PatientProfile, Person, PracticeSession

FEELINGS = (1, 2, 3, 4, 5)
ACTIONS: tuple[str, ...] = ("less", "more", "back", "r", "f", "hurt", "pr", "pl", "skip", "stop",
                            "unwell")
PAIN_LOOKBACK_DAYS = 14  # enough days to find where a spell of pain began
UNSURE = 9  # the "not sure" button's index, for a region or for how much
LEVELS = {1: "little", 2: "lot", UNSURE: "unsure"}


@dataclass(frozen=True)
class Tap:
    """One button press on a session card: which session, at which step, doing what."""

    session_id: int
    position: int
    action: str
    value: int | None = None


@dataclass(frozen=True)
class Finished:
    """A session that just ended: what was done, what changed, what to celebrate."""

    done: int
    count: int
    today_reps: int  # the whole day's moves, every session and check-in
    progress: Progress
    advise_care_team: bool
    stage: int
    stage_up: bool
    stage_changed: bool
    new_milestones: list[str]
    milestones_before: int
    removed: list[str] = field(default_factory=list)  # titles taken out for pain
    kept_easy: list[str] = field(default_factory=list)  # titles kept at their easiest
    minutes: int = 0  # about how long today's practice took, all sessions together
    goal_minutes: int = 0  # today's goal, growing week by week toward an hour
    arm_use_due: bool = False  # time for the monthly arm-use check (optional)
    session_reps: int = 0  # this session's part of today's moves
    tone: str = "cheer"  # "cheer" | "hard" | "pain": the words follow what was reported
    changes: list[dict[str, object]] = field(default_factory=list)  # doses changed, and why


@dataclass
class TapResult:
    """What one tap led to. ``status`` "not_yours" and "stale" change nothing; with "ok",
    ``view`` says what the card becomes: the full card at the session's current step, only its
    buttons back, the fewer/more ``choices``, or "closed" with ``finished`` set."""

    status: Literal["ok", "not_yours", "stale"]
    sess: PracticeSession | None = None
    person: Person | None = None
    profile: PatientProfile | None = None
    view: Literal["card", "buttons", "choices", "pain_region", "pain_level", "closed",
                  "unwell"] | None = None
    choices: list[int] = field(default_factory=list)  # counts; or region indexes, own first
    region: int | None = None  # the region chosen, while asking how much it hurt
    recorded: bool | None = None  # a check-in was asked for: True stored now, False a repeat
    pain: Pain | None = None
    rested: int = 0  # exercises left out for the rest of today because a region hurts
    finished: Finished | None = None


@dataclass(frozen=True)
class Pain:
    """Pain just reported: where, whether the care team should hear, and the episode key
    under which family who opted in are told once."""

    regions: frozenset[str]
    care_team: frozenset[str]
    episode: str | None
    severe: bool = False


@dataclass(frozen=True)
class Opened:
    """``status``: "ok" with the session; "not_ready" (not set up); "check" (the entry check
    is not answered yet); "rest" (every exercise today loads a region that hurts today)."""

    status: Literal["ok", "not_ready", "check", "rest"]
    sess: PracticeSession | None = None
    rested: int = 0
    side: str | None = None  # the affected side, for "your left arm"
    note: str | None = None  # the care team's note, shown once at the top of a session


async def open_today(*, session: AsyncSession, telegram_id: int, chat_id: int, now: datetime,
                     default_zone: str) -> Opened:
    """Today's active session, resumed or made from today's plan, leaving out exercises that
    load a region which hurt today."""
    found = await patients.get_patient(session=session, telegram_id=telegram_id)
    if found is None or found[1].onboarding_step != "done":
        return Opened("not_ready")
    person, profile = found
    assert profile.id is not None
    if not answered(profile.safety_answers or {}):
        return Opened("check")
    day = today_of(person, default_zone, now)
    sess = await patients.open_session(session=session, patient_id=profile.id, local_day=day)
    if sess is not None:
        return Opened("ok", sess, side=profile.affected_side, note=_note_once(profile, now))
    rows = await patients.doses(session=session, patient_id=profile.id)
    plan = plan_for(profile, rows, day)
    today = await patients.checkins_since(session=session, patient_id=profile.id, since=day)
    resting = resting_today(pain_reports(today), day)
    items = [i for i in plan.items
             if not ((ex := exercise(i.exercise_id)) and skip_for_pain(ex, resting))]
    if not items:
        return Opened("rest", rested=len(plan.items))
    sess = PracticeSession(
        patient_id=profile.id, local_day=day, started_at=now, chat_id=chat_id,
        items=[{"exercise_id": i.exercise_id, "slot": i.slot, "reps": i.reps,
                "sets": i.sets, "hold_seconds": i.hold_seconds, "role": i.role}
               for i in items])
    session.add(sess)
    await session.flush()
    return Opened("ok", sess, rested=len(plan.items) - len(items), side=profile.affected_side,
                  note=_note_once(profile, now))


def _note_once(profile: PatientProfile, now: datetime) -> str | None:
    """The care team's note if the patient has not seen it yet; from now on they have."""
    if not profile.care_note or profile.care_note_shown_at is not None:
        return None
    profile.care_note_shown_at = now
    return profile.care_note


async def remember_card(*, session: AsyncSession, session_id: int, message_id: int) -> None:
    """The message that shows the session's card, so later steps edit it."""
    stored = await session.get(PracticeSession, session_id)
    if stored is not None:
        stored.message_id = message_id
        session.add(stored)


async def apply_tap(*, session: AsyncSession, telegram_id: int, tap: Tap,
                    now: datetime) -> TapResult:
    """Change the session for one tap, if it is this person's and at this step."""
    found = await patients.get_patient(session=session, telegram_id=telegram_id)
    sess = await patients.get_session(session=session, session_id=tap.session_id)
    if found is None or sess is None or sess.patient_id != found[1].id:
        return TapResult("not_yours")
    person, profile = found
    result = TapResult("ok", sess=sess, person=person, profile=profile)
    if sess.status != "active" or sess.position != tap.position or tap.action not in ACTIONS:
        result.status = "stale"
        return result
    item = sess.items[sess.position]
    if tap.action in ("less", "more", "back"):
        if sess.pending_reps is not None:
            result.status = "stale"
        elif tap.action == "back":
            result.view = "buttons"
        else:
            result.view = "choices"
            result.choices = rep_choices(int(item["reps"]), fewer=tap.action == "less")  # type: ignore[call-overload]
        return result
    if tap.action == "r":
        if sess.pending_reps is not None or tap.value is None or not 0 <= tap.value <= MAX_REPS:
            result.status = "stale"
            return result
        sess.pending_reps = tap.value
        session.add(sess)
        result.view = "card"
        return result
    if tap.action in ("hurt", "pr"):
        if sess.pending_reps is None or (tap.action == "pr" and not _region_ok(tap.value)):
            result.status = "stale"
            return result
        if tap.action == "hurt":
            own = exercise(str(item["exercise_id"]))
            first = [REGIONS.index(r) for r in (own.regions if own else ())]
            result.choices = first + [i for i in range(len(REGIONS)) if i not in first]
            result.view = "pain_region"
        else:
            result.region, result.view = tap.value, "pain_level"
        return result
    outcome: dict[str, object] | None = None
    if tap.action in ("f", "pl"):
        region_index, level = divmod(tap.value or 0, 10)
        if sess.pending_reps is None or (tap.action == "f" and tap.value not in FEELINGS) or (
                tap.action == "pl" and (not _region_ok(region_index) or level not in LEVELS)):
            result.status = "stale"
            return result
        pain = tap.action == "pl"
        checkin = CheckIn(
            patient_id=profile.id, exercise_id=str(item["exercise_id"]),  # type: ignore[arg-type]
            reps=sess.pending_reps, sets=int(item["sets"]),  # type: ignore[call-overload]
            difficulty=tap.value if tap.action == "f" else None, pain=pain,
            region=_region_name(region_index) if pain else None,
            pain_level=LEVELS[level] if pain else None,
            source="session", session_id=sess.id,
            target_reps=int(item["reps"]) * int(item["sets"]),  # type: ignore[call-overload]
            idempotency_key=f"s{sess.id}:{sess.position}", local_day=sess.local_day,
            recorded_at=now)
        _, result.recorded = await patients.record_checkin(session=session, checkin=checkin)
        outcome = {"reps": sess.pending_reps, "difficulty": checkin.difficulty, "pain": pain}
        if pain:
            result.pain = await pain_now(session=session, patient_id=profile.id,
                                         day=sess.local_day)
    elif tap.action == "skip":
        outcome = {"skipped": True}
    items = [dict(i) for i in sess.items]  # new objects, so the JSON column is written
    if outcome is not None:
        items[sess.position]["result"] = outcome
    sess.items = items
    flag_modified(sess, "items")
    sess.pending_reps = None
    sess.position += 1
    if result.pain is not None:  # the rest of today's exercises for that region rest
        while sess.position < len(sess.items):
            ex = exercise(str(sess.items[sess.position]["exercise_id"]))
            if ex is None or not skip_for_pain(ex, result.pain.regions):
                break
            items[sess.position]["result"] = {"skipped": True, "rested": True}
            sess.position += 1
            result.rested += 1
    if tap.action in ("stop", "unwell") or sess.position >= len(sess.items):
        result.finished = await finish(session=session, profile=profile, sess=sess, now=now)
        result.view = "unwell" if tap.action == "unwell" else "closed"
    else:
        result.view = "card"
    session.add(sess)
    return result


async def finish(*, session: AsyncSession, profile: PatientProfile, sess: PracticeSession,
                 now: datetime) -> Finished:
    """Close the session: progression on what was done (doses, removals, the stage), then the
    patient's numbers and the milestones reached, each recorded once."""
    assert profile.id is not None
    done = [i for i in sess.items if i.get("result") and not i["result"].get("skipped")]  # type: ignore[union-attr]
    sess.status = "finished" if done else "abandoned"
    sess.finished_at = now
    sess.position = min(sess.position, len(sess.items))
    today = sess.local_day
    stage_before = profile.stage or 1
    advise = False
    removed_titles: list[str] = []
    kept_easy: list[str] = []
    changes: list[dict[str, object]] = []
    if done:
        recent = await patients.checkins_since(session=session, patient_id=profile.id,
                                               since=window_start(today))
        rows = await patients.doses(session=session, patient_id=profile.id)
        after = progress_after(profile=profile, items=sess.items, rows=rows, recent=recent,
                               today=today)
        removed = {r.exercise_id for r in rows if r.excluded} | {
            a.exercise_id for a in after.adjustments.values() if a.decision == "remove"}
        before = {r.slot_id: (r.exercise_id, r.reps, r.sets) for r in rows if not r.excluded}
        before.update({str(i["slot"]): (str(i["exercise_id"]), int(i["reps"]), int(i["sets"]))  # type: ignore[call-overload]
                       for i in sess.items if str(i["slot"]) not in before})
        changes = [c | {"title": _title(str(c["exercise_id"])), "was_title": _title(str(c["was"]))}
                   for c in dose_changes(before, {
                       slot: (a.exercise_id, a.reps, a.sets, a.reason)
                       for slot, a in after.adjustments.items()
                       if a.decision in ("progress", "regress") and a.exercise_id not in removed})]
        for slot, dose in after.doses.items():
            await patients.put_dose(session=session, patient_id=profile.id, slot_id=slot,
                                    exercise_id=dose.exercise_id, reps=dose.reps,
                                    sets=dose.sets, excluded=dose.exercise_id in removed,
                                    now=now)
        if int(after.stage) != stage_before:
            profile.stage = int(after.stage)
            profile.stage_changed_at = now
            session.add(profile)
        advise = after.advise_care_team
        for adjustment in after.adjustments.values():
            ex = exercise(adjustment.exercise_id)
            if ex is not None and adjustment.decision == "remove":
                removed_titles.append(ex.title)
            elif ex is not None and adjustment.reason == "pain_at_minimum":
                kept_easy.append(ex.title)
    session.add(sess)
    await session.flush()
    progress = await patient_progress(session=session, profile=profile, today=today)
    achieved = await patients.milestones(session=session, patient_id=profile.id)
    stage_after = profile.stage or 1
    keys = celebrations(progress, achieved=achieved, stage_before=stage_before,
                        stage_after=stage_after)
    new = await patients.add_milestones(session=session, patient_id=profile.id, keys=keys,
                                        now=now)
    session_reps = sum(int(i["result"]["reps"]) * int(i["sets"]) for i in done)  # type: ignore[index,call-overload]
    todays = [c for c in await patients.checkins_since(session=session, patient_id=profile.id,
                                                       since=today) if c.local_day == today]
    minutes = minutes_of(todays)
    ratings = [int(i["result"]["difficulty"]) for i in done  # type: ignore[index,call-overload]
               if i["result"].get("difficulty")]  # type: ignore[union-attr]
    feeling = tone(ratings, pain=any(i["result"].get("pain") for i in done))  # type: ignore[union-attr]
    weeks = max(0, (today - profile.created_at.date()).days // 7) if profile.created_at else 0
    return Finished(done=len(done), count=len(sess.items),
                    today_reps=sum(c.reps * c.sets for c in todays), session_reps=session_reps,
                    tone=feeling, changes=changes,
                    progress=progress, advise_care_team=advise, stage=stage_after,
                    stage_up=stage_after > stage_before,
                    stage_changed=stage_after != stage_before, new_milestones=list(new),
                    milestones_before=len(achieved), removed=removed_titles,
                    kept_easy=kept_easy, minutes=minutes,
                    goal_minutes=profile.goal_minutes or daily_goal_minutes(weeks),
                    arm_use_due=bool(done) and await arm_use_due(session=session,
                                                                 profile=profile, today=today))


def _title(exercise_id: str) -> str:
    ex = exercise(exercise_id)
    return ex.title if ex else exercise_id


def _region_ok(index: int | None) -> bool:
    return index is not None and (0 <= index < len(REGIONS) or index == UNSURE)


def _region_name(index: int) -> str:
    return REGIONS[index] if 0 <= index < len(REGIONS) else "unsure"


async def pain_now(*, session: AsyncSession, patient_id: int, day: date) -> Pain:
    """What the pain reported today means, counting every pain report of the last days."""
    recent = await patients.checkins_since(session=session, patient_id=patient_id,
                                           since=day - timedelta(days=PAIN_LOOKBACK_DAYS))
    pains = pain_reports(recent)
    regions = resting_today(pains, day)
    care = care_team_regions(pains, day)
    episode = pain_episode(pains, min(care), day) if care else None
    severe = any(p.severe and p.day == day for p in pains)
    return Pain(regions=regions, care_team=care, episode=episode, severe=severe)


async def resting_regions(*, session: AsyncSession, telegram_id: int, now: datetime,
                          default_zone: str) -> frozenset[str]:
    """The regions that hurt today, from any path."""
    found = await patients.get_patient(session=session, telegram_id=telegram_id)
    if found is None or found[1].id is None:
        return frozenset()
    day = today_of(found[0], default_zone, now)
    today = await patients.checkins_since(session=session, patient_id=found[1].id, since=day)
    return resting_today(pain_reports(today), day)
