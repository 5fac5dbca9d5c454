"""A guided practice session: open today's, apply one tap, finish it. Every tap is checked
against the session's current step, so a double press, an old button or a repeated update
records once. Telegram-free: the handler parses the button and renders what comes back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.flows.practice import patient_progress, plan_for, progress_after, today_of
from bot.rules.encourage import celebrations
from bot.rules.practice import MAX_REPS, rep_choices, window_start
from bot.rules.stats import Progress
from db import patients
from db.models import CheckIn, PatientProfile, Person, PracticeSession

FEELINGS = (1, 2, 3, 4, 5)
Action = Literal["less", "more", "back", "r", "f", "hurt", "skip", "stop"]
ACTIONS: tuple[str, ...] = ("less", "more", "back", "r", "f", "hurt", "skip", "stop")


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
    today_reps: int
    progress: Progress
    advise_care_team: bool
    stage: int
    stage_up: bool
    new_milestones: list[str]
    milestones_before: int


@dataclass
class TapResult:
    """What one tap led to. ``status`` "not_yours" and "stale" change nothing; with "ok",
    ``view`` says what the card becomes: the full card at the session's current step, only its
    buttons back, the fewer/more ``choices``, or "closed" with ``finished`` set."""

    status: Literal["ok", "not_yours", "stale"]
    sess: PracticeSession | None = None
    person: Person | None = None
    profile: PatientProfile | None = None
    view: Literal["card", "buttons", "choices", "closed"] | None = None
    choices: list[int] = field(default_factory=list)
    recorded: bool | None = None  # a check-in was asked for: True stored now, False a repeat
    pain: bool = False
    finished: Finished | None = None


async def open_today(*, session: AsyncSession, telegram_id: int, chat_id: int, now: datetime,
                     default_zone: str) -> PracticeSession | None:
    """Today's active session (resumed, or made from today's plan); None if the person has
    not finished setting up as a patient."""
    found = await patients.get_patient(session=session, telegram_id=telegram_id)
    if found is None or found[1].onboarding_step != "done":
        return None
    person, profile = found
    assert profile.id is not None
    day = today_of(person, default_zone, now)
    sess = await patients.open_session(session=session, patient_id=profile.id, local_day=day)
    if sess is None:
        rows = await patients.doses(session=session, patient_id=profile.id)
        plan = plan_for(profile, rows, day)
        sess = PracticeSession(
            patient_id=profile.id, local_day=day, started_at=now, chat_id=chat_id,
            items=[{"exercise_id": i.exercise_id, "slot": i.slot, "reps": i.reps,
                    "sets": i.sets, "hold_seconds": i.hold_seconds, "role": i.role}
                   for i in plan.items])
        session.add(sess)
        await session.flush()
    return sess


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
    outcome: dict[str, object] | None = None
    if tap.action in ("f", "hurt"):
        if sess.pending_reps is None or (tap.action == "f" and tap.value not in FEELINGS):
            result.status = "stale"
            return result
        checkin = CheckIn(
            patient_id=profile.id, exercise_id=str(item["exercise_id"]),  # type: ignore[arg-type]
            reps=sess.pending_reps, sets=int(item["sets"]),  # type: ignore[call-overload]
            difficulty=tap.value if tap.action == "f" else None, pain=tap.action == "hurt",
            source="session", session_id=sess.id,
            target_reps=int(item["reps"]) * int(item["sets"]),  # type: ignore[call-overload]
            idempotency_key=f"s{sess.id}:{sess.position}", local_day=sess.local_day,
            recorded_at=now)
        _, result.recorded = await patients.record_checkin(session=session, checkin=checkin)
        result.pain = tap.action == "hurt"
        outcome = {"reps": sess.pending_reps, "difficulty": checkin.difficulty,
                   "pain": checkin.pain}
    elif tap.action == "skip":
        outcome = {"skipped": True}
    items = [dict(i) for i in sess.items]  # new objects, so the JSON column is written
    if outcome is not None:
        items[sess.position]["result"] = outcome
    sess.items = items
    flag_modified(sess, "items")
    sess.pending_reps = None
    sess.position += 1
    if tap.action == "stop" or sess.position >= len(sess.items):
        result.finished = await finish(session=session, profile=profile, sess=sess, now=now)
        result.view = "closed"
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
    if done:
        recent = await patients.checkins_since(session=session, patient_id=profile.id,
                                               since=window_start(today))
        rows = await patients.doses(session=session, patient_id=profile.id)
        after = progress_after(profile=profile, items=sess.items, rows=rows, recent=recent,
                               today=today)
        for slot, dose in after.doses.items():
            await patients.put_dose(session=session, patient_id=profile.id, slot_id=slot,
                                    exercise_id=dose.exercise_id, reps=dose.reps,
                                    sets=dose.sets,
                                    excluded=dose.exercise_id in after.excluded, now=now)
        if int(after.stage) != stage_before:
            profile.stage = int(after.stage)
            profile.stage_changed_at = now
            session.add(profile)
        advise = after.advise_care_team
    session.add(sess)
    await session.flush()
    progress = await patient_progress(session=session, profile=profile, today=today)
    achieved = await patients.milestones(session=session, patient_id=profile.id)
    stage_after = profile.stage or 1
    keys = celebrations(progress, achieved=achieved, stage_before=stage_before,
                        stage_after=stage_after)
    new = await patients.add_milestones(session=session, patient_id=profile.id, keys=keys,
                                        now=now)
    today_reps = sum(int(i["result"]["reps"]) * int(i["sets"]) for i in done)  # type: ignore[index,call-overload]
    return Finished(done=len(done), count=len(sess.items), today_reps=today_reps,
                    progress=progress, advise_care_team=advise, stage=stage_after,
                    stage_up=stage_after > stage_before, new_milestones=list(new),
                    milestones_before=len(achieved))
