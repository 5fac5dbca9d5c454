"""The use cases on their own: a real database, no Telegram, no emulator. The same behaviour
is driven end to end through the bot in the journey tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.flows import checkin as checkin_flow
from bot.flows import family as family_flow
from bot.flows import session as session_flow
from bot.materials.catalogue import catalogue
from bot.rules import family as family_rules
from bot.rules.checkin_parse import QuickCheckIn
from db import family, patients
from db.engine import Database
from db.models import CheckIn, PatientProfile, Person
from db.people import touch_person

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ZONE = "Europe/London"
PAT, SAM = 1001, 2002
SAFE = {"cleared": "yes", "swallow": "yes", "shoulder_pain": "no", "sitting": "yes",
        "feeling": "yes"}


async def _patient(db: Database, telegram_id: int = PAT, stage: int = 1) -> int:
    async with db.session() as session:
        person = await touch_person(session=session, telegram_id=telegram_id, first_name="Pat",
                                    language_code="en", now=NOW)
        person.timezone = ZONE
        profile = await patients.ensure_profile(session=session, person=person, now=NOW)
        profile.onboarding_step = "done"
        profile.stage = stage
        profile.safety_answers = dict(SAFE)
        session.add(profile)
        await session.flush()
        assert profile.id is not None
        return profile.id


async def _open(db: Database, now: datetime = NOW) -> session_flow.TapResult:
    async with db.session() as session:
        opened = await session_flow.open_today(session=session, telegram_id=PAT, chat_id=PAT,
                                               now=now, default_zone="UTC")
    sess = opened.sess
    assert opened.status == "ok" and sess is not None and sess.id is not None
    return session_flow.TapResult("ok", sess=sess)


async def _tap(db: Database, sid: int, pos: int, action: str, value: int | None = None,
               telegram_id: int = PAT, now: datetime = NOW) -> session_flow.TapResult:
    async with db.session() as session:
        return await session_flow.apply_tap(
            session=session, telegram_id=telegram_id, now=now,
            tap=session_flow.Tap(sid, pos, action, value))


async def test_open_today_waits_for_set_up_and_the_entry_check_then_resumes_one_session(
        database: Database) -> None:
    async with database.session() as session:
        opened = await session_flow.open_today(session=session, telegram_id=PAT, chat_id=PAT,
                                               now=NOW, default_zone="UTC")
    assert opened.status == "not_ready"
    patient_id = await _patient(database)
    async with database.session() as session:
        profile = await session.get(PatientProfile, patient_id)
        assert profile is not None
        profile.safety_answers = {"cleared": "yes"}
        session.add(profile)
    async with database.session() as session:
        opened = await session_flow.open_today(session=session, telegram_id=PAT, chat_id=PAT,
                                               now=NOW, default_zone="UTC")
    assert opened.status == "check"
    async with database.session() as session:
        profile = await session.get(PatientProfile, patient_id)
        assert profile is not None
        profile.safety_answers = dict(SAFE)
        session.add(profile)
    first = (await _open(database)).sess
    again = (await _open(database)).sess
    assert first is not None and again is not None
    assert first.id == again.id and len(first.items) >= 4
    assert str(first.local_day) == "2026-11-23"


async def test_a_tap_records_once_and_a_double_tap_is_stale(database: Database) -> None:
    await _patient(database)
    sess = (await _open(database)).sess
    assert sess is not None and sess.id is not None
    target = int(sess.items[0]["reps"])  # type: ignore[call-overload]
    done = await _tap(database, sess.id, 0, "r", target)
    assert done.status == "ok" and done.view == "card" and done.sess.pending_reps == target  # type: ignore[union-attr]
    assert (await _tap(database, sess.id, 0, "r", target)).status == "stale"  # double tap
    felt = await _tap(database, sess.id, 0, "f", 3)
    assert felt.recorded is True and felt.view == "card" and felt.sess.position == 1  # type: ignore[union-attr]
    assert (await _tap(database, sess.id, 0, "f", 3)).status == "stale"  # the old card again
    async with database.session() as session:
        rows = await patients.checkins_since(session=session, patient_id=sess.patient_id,
                                             since=sess.local_day)
    assert [(c.exercise_id, c.reps, c.difficulty) for c in rows] == [
        (sess.items[0]["exercise_id"], target, 3)]


async def test_fewer_offers_smaller_counts_and_back_returns_to_the_card(
        database: Database) -> None:
    await _patient(database)
    sess = (await _open(database)).sess
    assert sess is not None and sess.id is not None
    target = int(sess.items[0]["reps"])  # type: ignore[call-overload]
    fewer = await _tap(database, sess.id, 0, "less")
    assert fewer.view == "choices" and fewer.choices and max(fewer.choices) < target
    more = await _tap(database, sess.id, 0, "more")
    assert more.view == "choices" and min(more.choices) > target
    assert (await _tap(database, sess.id, 0, "back")).view == "buttons"
    assert (await _tap(database, sess.id, 0, "r", 999)).status == "stale"  # out of range


async def test_someone_else_cannot_tap_a_patients_session(database: Database) -> None:
    await _patient(database)
    await _patient(database, telegram_id=SAM)
    sess = (await _open(database)).sess
    assert sess is not None and sess.id is not None
    assert (await _tap(database, sess.id, 0, "skip", telegram_id=SAM)).status == "not_yours"
    assert (await _tap(database, 999_999, 0, "skip")).status == "not_yours"


async def _very_easy_day(db: Database, now: datetime) -> session_flow.TapResult:
    sess = (await _open(db, now)).sess
    assert sess is not None and sess.id is not None
    result = None
    for pos, item in enumerate(sess.items):
        await _tap(db, sess.id, pos, "r", int(item["reps"]), now=now)  # type: ignore[call-overload]
        result = await _tap(db, sess.id, pos, "f", 1, now=now)  # very easy
    assert result is not None
    return result


async def test_finishing_counts_the_days_reps_and_two_easy_days_grow_the_dose(
        database: Database) -> None:
    patient_id = await _patient(database)
    result = await _very_easy_day(database, NOW)
    sess, finished = result.sess, result.finished
    assert sess is not None and result.view == "closed" and finished is not None
    assert finished.done == finished.count == len(sess.items)
    assert finished.today_reps == sum(int(i["reps"]) * int(i["sets"]) for i in sess.items)  # type: ignore[call-overload]
    assert "first_session" in finished.new_milestones and not finished.advise_care_team
    first_slot, first_reps = str(sess.items[0]["slot"]), int(sess.items[0]["reps"])  # type: ignore[call-overload]
    await _very_easy_day(database, NOW + timedelta(days=1))
    async with database.session() as session:
        grown = {d.slot_id: d.reps for d in
                 await patients.doses(session=session, patient_id=patient_id)}
    assert grown[first_slot] > first_reps


async def test_stop_closes_the_session_and_a_later_tap_is_stale(database: Database) -> None:
    await _patient(database)
    sess = (await _open(database)).sess
    assert sess is not None and sess.id is not None
    stopped = await _tap(database, sess.id, 0, "stop")
    assert stopped.view == "closed" and stopped.finished is not None
    assert stopped.finished.done == 0 and stopped.sess.status == "abandoned"  # type: ignore[union-attr]
    assert (await _tap(database, sess.id, 1, "skip")).status == "stale"


async def test_a_quick_check_in_is_stored_once_under_its_key(database: Database) -> None:
    patient_id = await _patient(database)
    quick = QuickCheckIn(reps=12, difficulty=3)
    async with database.session() as session:
        first = await checkin_flow.record_quick(session=session, telegram_id=PAT,
                                                checkin=quick, key="q1:5", now=NOW,
                                                default_zone="UTC")
    async with database.session() as session:
        again = await checkin_flow.record_quick(session=session, telegram_id=PAT,
                                                checkin=quick, key="q1:5", now=NOW,
                                                default_zone="UTC")
        total = await patients.total_reps(session=session, patient_id=patient_id)
    assert first.created and not again.created and total == 12
    assert str(first.day) == "2026-11-23"
    async with database.session() as session:
        stranger = await checkin_flow.record_quick(session=session, telegram_id=SAM,
                                                   checkin=quick, key="q2:5", now=NOW,
                                                   default_zone="UTC")
    assert not stranger.created


async def _invite(db: Database, patient_id: int, *, now: datetime = NOW) -> str:
    token = family_rules.new_token()
    async with db.session() as session:
        await family.add_invitation(session=session, patient_id=patient_id,
                                    token_hash=family_rules.secret_hash(token), kind="family",
                                    now=now, expires_at=now + family_rules.INVITE_TTL)
    return token


async def _member(db: Database, telegram_id: int = SAM) -> Person:
    async with db.session() as session:
        return await touch_person(session=session, telegram_id=telegram_id, first_name="Sam",
                                  language_code="en", now=NOW)


async def test_accepting_an_invitation_links_once_and_cannot_be_reused(
        database: Database) -> None:
    patient_id = await _patient(database)
    await _member(database)
    token = await _invite(database, patient_id)
    async with database.session() as session:
        opened = await family_flow.open_invitation(session=session, telegram_id=SAM,
                                                   token=token, now=NOW)
    assert opened.problem is None and opened.inviter is not None
    assert opened.inviter.first_name == "Pat" and opened.invitation_id is not None
    async with database.session() as session:
        answered = await family_flow.answer_invitation(
            session=session, telegram_id=SAM, invitation_id=opened.invitation_id, accept=True,
            now=NOW, default_zone="UTC")
    assert answered.outcome == "accepted" and answered.patient is not None
    async with database.session() as session:
        again = await family_flow.answer_invitation(
            session=session, telegram_id=SAM, invitation_id=opened.invitation_id, accept=True,
            now=NOW, default_zone="UTC")
        member = answered.member
        assert member is not None and member.id is not None
        links = await family.patients_of(session=session, member_id=member.id)
        schedule = await family.schedule_for(session=session, person_id=member.id)
    assert again.problem == "used" and len(links) == 1
    assert schedule is not None and schedule.next_due_at is not None
    async with database.session() as session:
        reopened = await family_flow.open_invitation(session=session, telegram_id=SAM,
                                                     token=token, now=NOW)
    assert reopened.problem == "used"


async def test_an_invitation_answers_only_who_opened_it_and_expires(
        database: Database) -> None:
    patient_id = await _patient(database)
    await _member(database)
    await _member(database, telegram_id=3003)
    token = await _invite(database, patient_id)
    async with database.session() as session:
        own = await family_flow.open_invitation(session=session, telegram_id=PAT, token=token,
                                                now=NOW)
        opened = await family_flow.open_invitation(session=session, telegram_id=SAM,
                                                   token=token, now=NOW)
    assert own.problem == "own" and opened.invitation_id is not None
    async with database.session() as session:
        other = await family_flow.answer_invitation(
            session=session, telegram_id=3003, invitation_id=opened.invitation_id, accept=True,
            now=NOW, default_zone="UTC")
        late = await family_flow.answer_invitation(
            session=session, telegram_id=SAM, invitation_id=opened.invitation_id, accept=True,
            now=NOW + family_rules.INVITE_TTL + timedelta(minutes=1), default_zone="UTC")
        forged = await family_flow.open_invitation(session=session, telegram_id=SAM,
                                                   token="x" * 32, now=NOW)
        profile = await session.get(PatientProfile, patient_id)
    assert other.problem == "invalid" and late.problem == "expired"
    assert forged.problem == "invalid" and profile is not None


async def test_a_group_code_links_one_group_once(database: Database) -> None:
    patient_id = await _patient(database)
    code = family_rules.new_group_code()
    async with database.session() as session:
        await family.add_invitation(session=session, patient_id=patient_id,
                                    token_hash=family_rules.secret_hash(code), kind="group",
                                    now=NOW, expires_at=NOW + family_rules.GROUP_CODE_TTL)
    async with database.session() as session:
        first = await family_flow.link_group(session=session, code=code, chat_id=-100,
                                             now=NOW)
    async with database.session() as session:
        second = await family_flow.link_group(session=session, code=code, chat_id=-100,
                                              now=NOW)
        groups = await family.groups_of(session=session, patient_id=patient_id)
    assert first == (None, patient_id) and second == ("used", None)
    assert [g.chat_id for g in groups] == [-100]


async def test_pain_on_the_same_exercise_twice_takes_it_out_and_says_so(
        database: Database) -> None:
    patient_id = await _patient(database)
    sess = (await _open(database)).sess
    assert sess is not None and sess.id is not None
    first = str(sess.items[0]["exercise_id"])
    async with database.session() as session:  # it hurt yesterday too
        await patients.record_checkin(session=session, checkin=CheckIn(
            patient_id=patient_id, exercise_id=first, reps=5, sets=1, pain=True,
            region="unsure", pain_level="little", source="session", idempotency_key="old",
            local_day=NOW.date() - timedelta(days=1), recorded_at=NOW - timedelta(days=1)))
    await _tap(database, sess.id, 0, "r", 5)
    hurt = await _tap(database, sess.id, 0, "pl", 9 * 10 + 1)  # not sure where, a little
    assert hurt.pain is not None and hurt.pain.care_team  # two days: the care team
    assert hurt.pain.episode is not None
    result = hurt if hurt.finished else await _tap(database, sess.id, hurt.sess.position, "stop")  # type: ignore[union-attr]
    assert result.finished is not None
    assert catalogue()[first].title in result.finished.removed
    assert result.finished.advise_care_team
    async with database.session() as session:
        rows = await patients.doses(session=session, patient_id=patient_id)
    assert any(r.excluded and r.exercise_id == first for r in rows)


async def test_a_group_linked_to_one_patient_refuses_another_and_keeps_the_code(
        database: Database) -> None:
    ann = await _patient(database)
    cy = await _patient(database, telegram_id=SAM)
    codes = {}
    for patient_id in (ann, cy):
        codes[patient_id] = family_rules.new_group_code()
        async with database.session() as session:
            await family.add_invitation(
                session=session, patient_id=patient_id,
                token_hash=family_rules.secret_hash(codes[patient_id]), kind="group", now=NOW,
                expires_at=NOW + family_rules.GROUP_CODE_TTL)
    async with database.session() as session:
        assert await family_flow.link_group(session=session, code=codes[ann], chat_id=-5,
                                            now=NOW) == (None, ann)
    async with database.session() as session:
        assert await family_flow.link_group(session=session, code=codes[cy], chat_id=-5,
                                            now=NOW) == ("group_taken", None)
    async with database.session() as session:  # Cy's code was not used up
        assert await family_flow.link_group(session=session, code=codes[cy], chat_id=-6,
                                            now=NOW) == (None, cy)


async def test_a_snoozed_prompt_is_claimed_once_by_two_instances(database: Database) -> None:
    """Two instances' ticks at the same moment: one claims the snoozed prompt, the other
    finds nothing (on PostgreSQL the row is locked as it is read, and skipped by the other;
    on SQLite the single writer orders them)."""
    import asyncio

    from db import reminders
    from db.models import SentPrompt

    patient_id = await _patient(database)
    async with database.session() as session:
        session.add(SentPrompt(patient_id=patient_id, kind="exercise", due_at=NOW,
                               sent_at=NOW, status="snoozed",
                               snooze_until=NOW + timedelta(minutes=15),
                               local_day=NOW.date()))
    later = NOW + timedelta(minutes=16)
    first_claimed = asyncio.Event()
    finish_first = asyncio.Event()

    async def first() -> int:
        async with database.session() as session:
            got = await reminders.claim_snoozed(session=session, now=later, limit=10)
            first_claimed.set()
            await finish_first.wait()  # holds its transaction open, as a slow tick would
            return len(got)

    async def second() -> int:
        await first_claimed.wait()
        if database.engine.dialect.name != "postgresql":
            finish_first.set()  # SQLite has one writer: the second waits its turn anyway
        async with database.session() as session:
            got = await reminders.claim_snoozed(session=session, now=later, limit=10)
        finish_first.set()
        return len(got)

    # without the lock, the second would wait on the first's row (or claim it twice)
    counts = await asyncio.wait_for(asyncio.gather(first(), second()), 20)
    assert sorted(counts) == [0, 1]
