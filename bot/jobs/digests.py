"""Weekly digests: for each family member at their chosen local day and hour, one digest per
patient they follow; for each patient, their own weekly summary (and their family groups').
Each (reader, patient, week) is claimed in the database before sending, so a digest goes out
once across restarts and processes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from telegram import Bot
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application

from bot import drawing
from bot.flows.practice import daily_target, day_logs
from bot.jobs.ownership import Ownership
from bot.jobs.pacing import NotSent
from bot.materials import catalogue
from bot.materials.texts import Texts
from bot.rules import family as rules
from bot.rules.exercises import Stage
from bot.rules.practice import next_lesson
from db import family, lessons, patients
from db.engine import Database
from db.models import DigestSchedule, Milestone, PatientProfile, Person, SentPrompt

log = logging.getLogger(__name__)

Job = tuple[int, Person, datetime]  # a due schedule: its id, its reader, when it fell due
Page = tuple[list[Job], list[asyncio.Task[tuple[int, bool]]]]  # due schedules, their readers


async def digest_values(*, session: Any, profile: PatientProfile, week_start: Any,
                        week_end: Any, texts: Texts, lang: str,
                        today: Any = None) -> dict[str, Any]:
    """Everything a digest about ``profile`` for the given week shows."""
    from sqlmodel import col, func, select

    since = week_start - timedelta(days=7)
    checkins = await patients.checkins_since(session=session, patient_id=profile.id,
                                             since=since)
    sessions = await patients.finished_sessions(session=session, patient_id=profile.id,
                                                since=since)
    logs = [log for log in day_logs(checkins, sessions) if log.day <= week_end]
    planned = int((await session.exec(
        select(func.count()).select_from(SentPrompt).where(
            SentPrompt.patient_id == profile.id, SentPrompt.kind == "exercise",
            col(SentPrompt.local_day) >= week_start, col(SentPrompt.local_day) <= week_end,
            col(SentPrompt.status).in_(("sent", "answered", "missed", "snoozed", "skipped")))
    )).one())
    start_instant = datetime.combine(week_start, datetime.min.time()).replace(
        tzinfo=ZoneInfo("UTC")) - timedelta(hours=14)
    end_instant = datetime.combine(week_end + timedelta(days=1), datetime.min.time()).replace(
        tzinfo=ZoneInfo("UTC")) + timedelta(hours=14)
    milestones = (await session.exec(select(Milestone.key).where(
        Milestone.patient_id == profile.id, col(Milestone.achieved_at) >= start_instant,
        col(Milestone.achieved_at) < end_instant))).all()
    cheers = await family.cheers_between(session=session, patient_id=profile.id,
                                         start=start_instant, end=end_instant)
    numbers = rules.digest_numbers(logs=logs, week_start=week_start, week_end=week_end,
                                   planned=planned, milestones=milestones, cheers=cheers,
                                   today=today)
    target = await daily_target(session=session, profile=profile, day=week_end)
    return {"d": numbers, "target": target, "stage_name": texts.label(
        f"stage.{Stage(profile.stage or 1).key}", lang), "goal": profile.goal}


async def _until_left(tasks: list[asyncio.Task[Any]], left: int) -> None:
    """Wait until at most ``left`` of ``tasks`` are unfinished."""
    pending = {task for task in tasks if not task.done()}
    while len(pending) > left:
        _, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)


class Digester:
    PAGES = 50  # pages of due schedules read in one tick at most; the rest wait for the next

    def __init__(self, *, database: Callable[[], Database], texts: Texts,
                 default_zone: str, batch: int = 200, at_once: int = 16,
                 ownership: Ownership | None = None) -> None:
        self._database = database
        self.texts = texts
        self.default_zone = default_zone
        self.batch = batch
        # readers served at once: enough to keep the bulk lane's 29 a second busy; more only
        # wakes hundreds of tasks in one turn of the event loop (bench: a digest run's lag)
        self.at_once = at_once
        self.ownership = ownership or Ownership()
        self.stopping = False  # set at shutdown: no new digest is claimed
        self._live_now: set[int] = set()  # the instances alive at this round's start

    @property
    def owner(self) -> int:
        return self.ownership.id

    async def _live(self) -> set[int]:
        return await self.ownership.live()

    async def next_at(self, now: datetime) -> datetime | None:
        async with self._database().session() as session:
            return await family.next_digest_at(session=session)

    async def tick(self, app: Application, now: datetime) -> int:
        """Deliver what is due, then move each schedule on. Delivering first means a crash in
        between sends that week's digest after the restart instead of losing it; each digest is
        claimed once (``digest_sent``) by one instance, so nothing goes out twice either. A
        schedule with a digest another running instance has in hand stays due until that one
        is sent or its instance is gone (then this one sends it).

        Due schedules are read a page at a time, in (due, id) order after the last one read.
        The next page is read and started while the current one's last readers are still
        being served: waiting for a whole page before reading the next left the bulk lane
        idle for half a second at each page's end (bench: a digest run)."""
        self._live_now = await self._live()
        gate = asyncio.Semaphore(self.at_once)
        pages: list[Page] = []
        sent = 0
        after: tuple[datetime, int] | None = None
        for _ in range(self.PAGES):
            if self.stopping:
                break
            async with self._database().session() as session:
                due = await family.due_schedules(session=session, now=now, limit=self.batch,
                                                 after=after)
                jobs: list[Job] = [(schedule.id, person, schedule.next_due_at)  # type: ignore[misc]
                                   for schedule, person in due]
            if not jobs:
                break
            after = (jobs[-1][2], jobs[-1][0])
            tasks = [asyncio.create_task(self._deliver_in_turn(gate, app.bot, person, at, now))
                     for _, person, at in jobs]
            pages.append((jobs, tasks))
            if len(jobs) < self.batch:
                break  # the last page
            await _until_left(tasks, self.at_once)  # the next page while this one ends
            sent += await self._settle(pages)
        if pages:
            await asyncio.wait([task for _, tasks in pages for task in tasks])
        return sent + await self._settle(pages)

    async def _settle(self, pages: list[Page]) -> int:
        """Pages whose readers are all served, oldest first, taken off ``pages``: their
        schedules move on; how many digests they sent."""
        sent = 0
        while pages and all(task.done() for task in pages[0][1]):
            jobs, tasks = pages.pop(0)
            results = await asyncio.gather(*tasks)
            sent += sum(count for count, _ in results)
            await self._move_on(jobs, [settled for _, settled in results])
        return sent

    async def _move_on(self, jobs: list[Job], settled: list[bool]) -> None:
        """Each schedule whose digests are all settled goes to its next week."""
        async with self._database().session() as session:
            for (schedule_id, person, at), done in zip(jobs, settled, strict=True):
                if not done or self.stopping:
                    continue  # another instance has one in hand, or we stopped midway
                schedule = await session.get(DigestSchedule, schedule_id)
                if schedule is None or schedule.next_due_at != at:
                    continue  # moved on meanwhile (another instance, or a change)
                zone = person.timezone or self.default_zone
                schedule.next_due_at = rules.next_weekly(
                    schedule.weekday, schedule.local_time, zone, at)
                session.add(schedule)

    async def _deliver_in_turn(self, gate: asyncio.Semaphore, bot: Bot, person: Person,
                               due_at: datetime, now: datetime) -> tuple[int, bool]:
        async with gate:
            return await self.deliver(bot, person, due_at, now)

    async def deliver(self, bot: Bot, person: Person, due_at: datetime, now: datetime
                      ) -> tuple[int, bool]:
        """All of one reader's digests for the week ending at ``due_at``: how many went, and
        whether the week is settled for them (False: another instance has one in hand)."""
        if not person.active:
            return 0, True
        zone = person.timezone or self.default_zone
        week_start, week_end = rules.digest_week(due_at, zone)
        if now - due_at > timedelta(days=1):
            return 0, True  # a week-old digest would mislead; the next one comes on time
        sent = 0
        settled = True
        async with self._database().session() as session:
            own = await patients.get_patient(session=session, telegram_id=person.telegram_id)
            following = await family.patients_of(session=session, member_id=person.id)  # type: ignore[arg-type]
        subjects: list[tuple[PatientProfile, Person, bool]] = []
        if own is not None and own[1].onboarding_step == "done":
            subjects.append((own[1], own[0], True))
        # a patient who blocked the bot shares nothing until they come back
        subjects += [(profile, patient, False) for _, profile, patient in following
                     if patient.active]
        for profile, patient, is_own in subjects:
            targets = [person.telegram_id]
            if is_own:
                async with self._database().session() as session:
                    targets += [g.chat_id for g in await family.groups_of(
                        session=session, patient_id=profile.id)]  # type: ignore[arg-type]
            for chat_id in targets:
                outcome = await self._one(bot, person, profile, patient, is_own, chat_id,
                                          week_start, week_end, now)
                sent += outcome == "sent"
                settled = settled and outcome != "elsewhere"
        return sent, settled

    async def _one(self, bot: Bot, reader: Person, profile: PatientProfile, patient: Person,
                   own: bool, chat_id: int, week_start: Any, week_end: Any,
                   now: datetime) -> str:
        """One digest: "sent", "done" (not sent now), or "elsewhere" (another instance's)."""
        if self.stopping:
            return "elsewhere"
        owner = self.owner
        key = {"person_id": reader.id, "patient_id": profile.id, "week_start": week_start,
               "chat_id": 0 if chat_id == reader.telegram_id else chat_id}
        async with self._database().session() as session:
            claimed = await family.claim_digest(
                session=session, now=now, owner=owner,
                live=self._live_now or await self._live(), **key)  # type: ignore[arg-type]
            if claimed != "mine":
                return claimed
            lang = self.texts.language(reader.language_code, reader.language)
            values = await digest_values(session=session, profile=profile,
                                         week_start=week_start, week_end=week_end,
                                         texts=self.texts, lang=lang)
            tip = None
            if not own:
                had = await lessons.delivered(session=session, person_id=reader.id)  # type: ignore[arg-type]
                tip = next_lesson(catalogue.lessons(),
                                        stage=Stage(profile.stage or 1), audience="family",
                                  delivered=had)
                if tip is not None:
                    await lessons.mark_delivered(session=session, person_id=reader.id,  # type: ignore[arg-type]
                                                 lesson_id=tip, now=now)
        group = chat_id != reader.telegram_id
        text = self.texts.render("digest/weekly", lang, name=reader.first_name,
                                 patient=patient.first_name, own=own or group, group=group,
                                 tip=tip is not None, **values)
        numbers = values["d"]

        async def progress(status: Literal["sending", "sent"]) -> bool:
            async with self._database().session() as session:
                return await family.digest_progress(session=session, owner=owner,
                                                    status=status, **key)  # type: ignore[arg-type]

        try:
            await bot.send_message(chat_id, text, rate_limit_args={
                "bulk": True, "before_send": lambda: progress("sending")})
            await progress("sent")
            png = await drawing.week_chart(self.texts, lang, numbers, target=values["target"])
            await bot.send_photo(chat_id, png, rate_limit_args={"bulk": True})
            if tip is not None:
                await bot.send_message(chat_id, self.texts.render(
                    f"lessons/{tip}", lang, name=reader.first_name),
                    rate_limit_args={"bulk": True})
        except NotSent:
            return "elsewhere"
        except Forbidden:
            await progress("sent")  # nobody to send to: settled
            return "done"
        except TelegramError as exc:
            log.warning("digest for reader %s failed: %s", reader.id, type(exc).__name__)
            await progress("sent")
            return "done"
        return "sent"

