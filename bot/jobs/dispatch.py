"""The dispatcher: each tick, claim what is due from the database and deliver it.

Claims are committed before sending (see ``db.reminders``), so a prompt goes out at most once
across ticks, restarts and processes; a prompt due while the bot was down is still sent if it is
less than the grace window late, and recorded as missed otherwise. Sending is concurrent but
paced by the bot's :class:`~bot.jobs.pacing.PriorityPacer` in its bulk lane, so people tapping
buttons are answered first. A 403 marks the person inactive; timeouts and 5xx are retried with
backoff, each prompt on its own, so one slow chat never holds up the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from time import perf_counter
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application

from bot.jobs.budget import Pace, TickBudget
from bot.jobs.ownership import Ownership
from bot.jobs.pacing import NotSent, PriorityPacer
from bot.materials import catalogue
from bot.materials.texts import Texts
from bot.rules.due import in_quiet_hours, next_due, quiet_end_after
from bot.rules.exercises import Stage
from bot.rules.practice import next_lesson
from bot.seen import SeenRecently
from db import lessons, reminders
from db.engine import Database
from db.models import Reminder
from db.reminders import Claimed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DispatchConfig:
    # Small batches keep each claiming transaction short, so a person's tap never waits long
    # for the database (SQLite has one writer), and the event loop is never held long while
    # a batch's rows are built (100 held it for up to 50 ms, 50 for up to 27: bench/burst.py);
    # 50 is still almost two seconds of sending, and the next batch is claimed meanwhile.
    batch: int = 50
    max_batches: int = 200  # per tick; the next tick carries on
    grace: timedelta = timedelta(hours=2)
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    concurrency: int = 64
    attempts: int = 4
    backoff: float = 0.5  # seconds, doubled per attempt
    paid_broadcast: bool = False  # prompts sent with allow_paid_broadcast (a fee per message)


def reminder_next_due(default_zone: str) -> Callable[[Reminder, str | None, datetime], datetime]:
    def compute(reminder: Reminder, zone: str | None, after: datetime) -> datetime:
        hour, minute = map(int, reminder.local_time.split(":"))
        return next_due(time(hour, minute), reminder.weekdays, zone or default_zone, after)
    return compute


def local_day_in(default_zone: str) -> Callable[[datetime, str | None], date]:
    def compute(instant: datetime, zone: str | None) -> date:
        return instant.astimezone(ZoneInfo(zone or default_zone)).date()
    return compute


def day_end_in(default_zone: str) -> Callable[[date, str | None], datetime]:
    """When a local day ends, as an instant: local midnight after it."""
    def compute(day: date, zone: str | None) -> datetime:
        return datetime.combine(day + timedelta(days=1), time(0),
                                tzinfo=ZoneInfo(zone or default_zone)).astimezone(UTC)
    return compute


class Dispatcher:
    """Claims due prompts and delivers them; one instance per running bot."""

    def __init__(self, *, database: Callable[[], Database], texts: Texts, default_zone: str,
                 config: DispatchConfig | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 ownership: Ownership | None = None, budget: TickBudget | None = None) -> None:
        self._database = database
        self.texts = texts
        self.default_zone = default_zone
        self.config = config or DispatchConfig()
        self.sleep = sleep
        self.stats: dict[str, int] = {}
        self.ownership = ownership or Ownership()
        self.stopping = False  # set at shutdown: nothing more is claimed or sent
        self.metrics: Any = None  # bot.metrics.Metrics, when set
        self._legacy_done = False  # no prompt from before 0011 is left unresolved
        self._sweep_batch = self.SWEEP_BATCH  # smaller for a while after a batch was let go
        self.budget = budget or TickBudget()  # the ticker's: what a tick has left
        self.sweep_backlog = True  # prompts of an ended day may be waiting (the steps look)
        self.sweep_pace = Pace(smallest=self.SWEEP_SMALLEST, largest=self.SWEEP_BATCH,
                               first_guess=self.SWEEP_FIRST_GUESS, fixed=self.SWEEP_FIXED)
        self.seen: SeenRecently | None = None  # told each tick whether this instance is alone

    @property
    def owner(self) -> int:
        return self.ownership.id

    async def _live(self) -> set[int]:
        return await self.ownership.live()

    def _count(self, key: str, n: int = 1) -> None:
        self.stats[key] = self.stats.get(key, 0) + n

    async def next_at(self, now: datetime) -> datetime | None:
        """When the next reminder or snoozed prompt falls due."""
        async with self._database().session() as session:
            return await reminders.next_due_at(session=session)

    @staticmethod
    def _share_bulk_lane(app: Application, instances: int) -> None:
        """Telegram's 30 a second is per bot, not per process: instances running side by side
        split the bulk lane between them."""
        pacer = app.bot.rate_limiter
        if isinstance(pacer, PriorityPacer):
            pacer.bulk_share = max(1, instances)

    async def recover(self) -> int:
        """Prompts whose request was in flight when their instance died are never sent
        twice; the count is logged at start (and each tick looks again, for other instances)."""
        async with self._database().session() as session:
            return await reminders.mark_interrupted(session=session, live=await self._live())

    async def release(self) -> int:
        """At stop, after the last tick: claims not yet attempted go back to the others."""
        async with self._database().session() as session:
            return await reminders.release(session=session, owner=self.owner)

    async def tick(self, app: Application, now: datetime) -> int:
        """Deliver everything due at ``now``; returns how many messages went out."""
        sent = 0
        first = True
        # the batch being sent while the next is claimed: sending never waits for a claim,
        # and at most two batches are claimed and not yet sent
        sending: asyncio.Task[int] | None = None
        for _ in range(self.config.max_batches):
            if self.stopping:
                break
            claimed, to_send = await self._claim_batch(app, now, first)
            first = False
            if not claimed:
                break
            following = asyncio.ensure_future(self._deliver_all(app.bot, to_send, now))
            if sending is not None:
                sent += await sending
            sending = following
        if sending is not None:
            sent += await sending
        return sent

    async def sweep(self, app: Application, now: datetime) -> int:
        """The tick's last work: yesterday's prompts resolved in the time the tick has left
        (``sweep_missed``). Sends nothing."""
        if not self.stopping:
            await self.sweep_missed(now)
        return 0

    async def _claim_batch(self, app: Application, now: datetime, first: bool
                           ) -> tuple[list[Claimed], list[Claimed]]:
        """One batch claimed, and the part of it to send now. On SQLite, another instance
        can claim the same occurrence between this one's read and its write: the unique
        occurrence refuses the second claim, this batch is given up (nothing was sent) and
        the next tick reads again, finding those already claimed."""
        owner = self.owner
        try:
            async with self._database().session() as session:
                claimed = []
                if first:  # claims of an instance that is gone: killed, or stopped
                    live = await self._live()
                    self._share_bulk_lane(app, len(live))
                    if self.seen is not None:
                        self.seen.alone = len(live) <= 1
                    interrupted = await reminders.mark_interrupted(session=session, live=live)
                    if interrupted:
                        log.warning("%d prompt(s) were being sent when their instance stopped;"
                                    " not sent again", interrupted)
                    taken = await reminders.take_over(session=session, live=live, owner=owner,
                                                      limit=self.config.batch)
                    if taken and self.metrics is not None:
                        self.metrics.claims_taken_over.inc(len(taken))
                    claimed += taken
                claimed += await reminders.claim_snoozed(session=session, now=now,
                                                         limit=self.config.batch, owner=owner)
                claimed += await reminders.claim_due(
                    session=session, now=now, limit=self.config.batch,
                    next_due=reminder_next_due(self.default_zone),
                    local_day=local_day_in(self.default_zone), owner=owner,
                    day_end=day_end_in(self.default_zone))
                to_send = await self._triage(session, claimed, now)
        except IntegrityError:
            log.info("another instance claimed the same prompts first; looking again next tick")
            return [], []
        return claimed, to_send

    async def _triage(self, session: object, claimed: list[Claimed], now: datetime
                      ) -> list[Claimed]:
        """Decide each claim's fate before anything is sent; the rest stay claimed (each is
        marked 'sending' only as its own request goes out)."""
        by_status: dict[str, list[int]] = {}
        snooze: list[tuple[int, datetime]] = []
        send: list[Claimed] = []
        for claim in claimed:
            zone = ZoneInfo(claim.timezone or self.default_zone)
            if now - claim.due_at > self.config.grace:
                by_status.setdefault("late", []).append(claim.prompt_id)
            elif not claim.active:
                by_status.setdefault("blocked", []).append(claim.prompt_id)
            elif claim.paused_until is not None and claim.paused_until > now:
                by_status.setdefault("paused", []).append(claim.prompt_id)
            elif claim.kind != "exercise" and in_quiet_hours(
                    now.astimezone(zone).time(), self.config.quiet_start, self.config.quiet_end):
                snooze.append((claim.prompt_id,
                               quiet_end_after(now, zone, self.config.quiet_end)))
            else:
                send.append(claim)
        for status, ids in by_status.items():
            await reminders.set_status(session=session, prompt_ids=ids, status=status)  # type: ignore[arg-type]
            self._count(status, len(ids))
        for prompt_id, until in snooze:
            await reminders.snooze(session=session, prompt_id=prompt_id, until=until)  # type: ignore[arg-type]
            self._count("quiet")
        return send

    async def _deliver_all(self, bot: Bot, claims: list[Claimed], now: datetime) -> int:
        """Send each claim, and record each outcome as soon as it is known: if this process
        dies, only a request in flight at that moment is left in doubt."""
        limit = asyncio.Semaphore(self.config.concurrency)
        sent = 0

        async def one(claim: Claimed) -> None:
            nonlocal sent
            async with limit:
                status, message_id = await self._deliver(bot, claim, now)
            if status == "not ours":  # taken over, or let go at stop: not ours to record
                return
            async with self._database().session() as session:
                await reminders.set_status(
                    session=session, prompt_ids=[claim.prompt_id], status=status,
                    now=now if status == "sent" else None,
                    message_ids={claim.prompt_id: message_id} if message_id else None)
                if status == "blocked":
                    await reminders.deactivate(session=session, telegram_id=claim.telegram_id)
            self._count(status)
            if status == "sent":
                sent += 1

        await asyncio.gather(*(one(c) for c in claims))
        return sent

    async def _render(self, claim: Claimed) -> tuple[str, InlineKeyboardMarkup | None] | None:
        lang = self.texts.language(claim.language_code, claim.language)
        if claim.kind == "lesson":
            async with self._database().session() as session:
                person = await reminders.person_id(session=session, telegram_id=claim.telegram_id)
                had = await lessons.delivered(session=session, person_id=person)
                lesson_id = next_lesson(catalogue.lessons(),
                                        stage=Stage(claim.stage or 1), audience="patient",
                                        delivered=had)
                if lesson_id is None:
                    return None
                await lessons.mark_delivered(session=session, person_id=person,
                                             lesson_id=lesson_id, now=claim.due_at)
            return self.texts.render(f"lessons/{lesson_id}", lang, name=claim.first_name,
                                     side=claim.affected_side), None
        label = self.texts.label
        markup = InlineKeyboardMarkup([
            [InlineKeyboardButton(label("prompt.start", lang), callback_data="sess:new")],
            [InlineKeyboardButton(label("prompt.snooze", lang, minutes=m),
                                  callback_data=f"snz:{claim.prompt_id}:{m}")
             for m in (15, 30, 60)],
            [InlineKeyboardButton(label("prompt.skip", lang),
                                  callback_data=f"skp:{claim.prompt_id}")],
        ])
        text = self.texts.render("prompts/exercise", lang, name=claim.first_name,
                                 n=claim.prompt_id, snoozed=claim.snoozed)
        return text, markup

    async def _deliver(self, bot: Bot, claim: Claimed, now: datetime) -> tuple[str, int | None]:
        if self.stopping:
            return "not ours", None
        rendered = await self._render(claim)
        if rendered is None:
            return "skipped", None
        text, markup = rendered
        delay = self.config.backoff
        owner = self.owner

        async def still_ours() -> bool:
            if self.stopping:
                return False
            async with self._database().session() as session:
                return await reminders.mark_sending(session=session, prompt_id=claim.prompt_id,
                                                    owner=owner)

        for attempt in range(1, self.config.attempts + 1):
            try:
                message = await bot.send_message(
                    claim.telegram_id, text, reply_markup=markup,
                    allow_paid_broadcast=self.config.paid_broadcast or None,
                    rate_limit_args={"bulk": True,
                                     "before_send": still_ours if attempt == 1 else None})
                return "sent", message.message_id
            except NotSent:
                return "not ours", None
            except Forbidden:
                return "blocked", None
            except BadRequest as exc:
                log.warning("prompt %s refused: %s", claim.prompt_id, exc.message)
                return "failed", None
            except (TimedOut, NetworkError, RetryAfter) as exc:
                if attempt == self.config.attempts:
                    log.warning("prompt %s failed after %d attempts: %s", claim.prompt_id,
                                attempt, type(exc).__name__)
                    return "failed", None
                self._count("retries")
                await self.sleep(delay)
                delay *= 2
        return "failed", None  # pragma: no cover

    # prompts resolved in one transaction at most: short, so that a person's write never
    # waits long behind it (SQLite has one writer), and small enough that PostgreSQL does not
    # stall on it (100,000 stored: 1,000 at once took 40 ms, and now and then 120-160 ms;
    # 500, 26 ms). In a tick, batches sized to the time it has left (``bot.jobs.budget``);
    # between ticks, a whole batch a step while any are left.
    SWEEP_BATCH = 500
    SWEEP_SMALLEST = 50
    SWEEP_FIRST_GUESS = 0.00002  # seconds a prompt, until measured (500 in 10 ms)
    SWEEP_FIXED = 0.004  # seconds a batch, whatever its size (its transaction, two statements)
    # PostgreSQL: a batch's statement is given this long. Now and then one took 85-245 ms
    # (an I/O stall; 2 in 1,955 at 1,000,000, against a median of 20): it is let go, rolled
    # back, and the batches get smaller for a while, so the sweep always moves on
    SWEEP_WITHIN_MS = 60

    async def sweep_missed(self, now: datetime) -> int:
        """Prompts of a day that has ended: answered if the patient practised, else missed.
        Only prompts whose day has ended are read (by ``day_ends_at``), in batches that fit
        in what the tick has left of its budget (measured as work, not as the clock's time;
        at least SWEEP_SMALLEST), so a tick stays short after a busy morning and at the day's
        rollover, on a fast database or a slow one. What does not fit is left to the steps
        between ticks (``sweep_step``). A day's resolution is bookkeeping (a counter, the
        digest's figures): a million prompts take about 80 minutes after midnight."""
        while True:
            batch = min(self._sweep_batch, self.sweep_pace.how_many(self.budget.left()))
            done = await self._sweep_batch_of(now, batch)
            if (done is None or done < batch
                    or not self.sweep_pace.smallest_fits(self.budget.left())):
                break
        await self._sweep_legacy(now)
        return 0

    async def sweep_step(self, app: Application, now: datetime) -> int:
        """Between two ticks (``Ticker.step``, every few seconds): one whole batch while
        prompts of an ended day are left, so that after midnight the sweep goes at a batch a
        step rather than a piece a tick, each step as short as one batch. Once a batch came
        back short the steps do nothing, not even a read, until a tick finds a full one."""
        if self.stopping or not self.sweep_backlog:
            return 0
        await self._sweep_batch_of(now, self._sweep_batch)
        return 0

    async def _sweep_batch_of(self, now: datetime, batch: int) -> int | None:
        """One batch resolved: how many, or None when the database was too slow to decide it
        in time (nothing changed; the batches get smaller for a while)."""
        began = perf_counter()
        try:
            async with self._database().session() as session:
                answered, missed_n = await reminders.resolve_ended(
                    session=session, now=now, limit=batch, within_ms=self.SWEEP_WITHIN_MS)
        except reminders.SweepTooSlow:
            self._sweep_batch = max(self.SWEEP_SMALLEST, self._sweep_batch // 2)
            self._count("sweep_let_go", 1)
            self.sweep_backlog = True
            return None
        done = answered + missed_n
        self.sweep_pace.took(done, perf_counter() - began)
        self._sweep_batch = min(self.SWEEP_BATCH, self._sweep_batch * 2)
        self._count("missed", missed_n)
        self.sweep_backlog = done == batch  # a full batch: there may be more
        return done

    async def _sweep_legacy(self, now: datetime) -> None:
        """Prompts claimed before their day's end was kept: resolved the old way, until none
        are left (a day after the upgrade); then never looked for again."""
        if self._legacy_done:
            return
        latest = (now + timedelta(hours=14)).date() - timedelta(days=1)
        async with self._database().session() as session:
            if not await reminders.any_without_day_end(session=session):
                self._legacy_done = True
                return
            rows = await reminders.unresolved_before(session=session, day=latest, limit=5000)
            answered, missed = [], []
            for prompt, person in rows:
                today = now.astimezone(ZoneInfo(person.timezone or self.default_zone)).date()
                if prompt.local_day is None or prompt.local_day >= today:
                    continue
                if await reminders.practised_on(session=session, patient_id=prompt.patient_id,
                                                day=prompt.local_day):
                    answered.append(prompt.id)
                else:
                    missed.append(prompt.id)
            await reminders.set_status(session=session, prompt_ids=answered, status="answered")  # type: ignore[arg-type]
            await reminders.set_status(session=session, prompt_ids=missed, status="missed")  # type: ignore[arg-type]
        self._count("missed", len(missed))


