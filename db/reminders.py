"""The dispatcher's queries: claim due reminders once, record what happened to each prompt.

A claim inserts the occurrence (unique per reminder and due instant) and moves the reminder to
its next due instant in the same transaction, so a prompt is claimed once however many ticks,
restarts or processes look at it. The due query walks an index on (enabled, next_due_at): its
work grows with what is due, not with how many people use the bot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, case, or_, text, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import CheckIn, PatientProfile, Person, Reminder, SentPrompt


@dataclass(frozen=True)
class Claimed:
    """One prompt to deliver, with what the sender needs to address and word it."""

    prompt_id: int
    reminder_id: int | None
    patient_id: int
    kind: str
    due_at: datetime
    telegram_id: int
    first_name: str
    language_code: str | None
    timezone: str | None
    active: bool
    language: str | None
    paused_until: datetime | None
    stage: int | None
    snoozed: bool = False
    affected_side: str | None = None


async def claim_due(
    *,
    session: AsyncSession,
    now: datetime,
    limit: int,
    next_due: Callable[[Reminder, str | None, datetime], datetime],
    local_day: Callable[[datetime, str | None], date],
    owner: int | None = None,
    day_end: Callable[[date, str | None], datetime] | None = None,
) -> list[Claimed]:
    """Claim up to ``limit`` reminders due at ``now``, oldest first, for instance ``owner``."""
    query = (
        select(Reminder, PatientProfile, Person)
        .join(PatientProfile, col(PatientProfile.id) == col(Reminder.patient_id))
        .join(Person, col(Person.id) == col(PatientProfile.person_id))
        .where(col(Reminder.enabled).is_(True), col(Reminder.next_due_at) <= now)
        .order_by(col(Reminder.next_due_at), col(Reminder.id))
        .limit(limit)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Reminder)  # type: ignore[arg-type]
    rows = (await session.exec(query)).all()
    claimed: list[Claimed] = []
    prompts: list[tuple[SentPrompt, Reminder, PatientProfile, Person]] = []
    for reminder, profile, person in rows:
        due_at = reminder.next_due_at
        assert due_at is not None
        day = local_day(due_at, person.timezone)
        prompt = SentPrompt(patient_id=profile.id, reminder_id=reminder.id,  # type: ignore[arg-type]
                            kind=reminder.kind, due_at=due_at, status="claimed",
                            local_day=day, claimed_by=owner,
                            day_ends_at=day_end(day, person.timezone) if day_end else None)
        session.add(prompt)
        reminder.next_due_at = next_due(reminder, person.timezone, due_at)
        session.add(reminder)
        prompts.append((prompt, reminder, profile, person))
    await session.flush()
    for prompt, _reminder, profile, person in prompts:
        claimed.append(_claimed(prompt, profile, person))
    return claimed


def _claimed(prompt: SentPrompt, profile: PatientProfile, person: Person,
             snoozed: bool = False) -> Claimed:
    return Claimed(
        prompt_id=prompt.id, reminder_id=prompt.reminder_id, patient_id=profile.id,  # type: ignore[arg-type]
        kind=prompt.kind, due_at=prompt.snooze_until or prompt.due_at,
        telegram_id=person.telegram_id, first_name=person.first_name,
        language_code=person.language_code, timezone=person.timezone, active=person.active,
        language=person.language,
        paused_until=profile.paused_until, stage=profile.stage, snoozed=snoozed,
        affected_side=profile.affected_side)


async def claim_snoozed(*, session: AsyncSession, now: datetime, limit: int,
                        owner: int | None = None) -> list[Claimed]:
    """Snoozed prompts whose time has come, claimed for sending again. On PostgreSQL the rows
    are locked as they are read (others skip them), as due reminders are, so two instances
    never both send one again."""
    query = (
        select(SentPrompt, PatientProfile, Person)
        .join(PatientProfile, col(PatientProfile.id) == col(SentPrompt.patient_id))
        .join(Person, col(Person.id) == col(PatientProfile.person_id))
        .where(SentPrompt.status == "snoozed", col(SentPrompt.snooze_until) <= now)
        .order_by(col(SentPrompt.snooze_until)).limit(limit)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=SentPrompt)  # type: ignore[arg-type]
    rows = (await session.exec(query)).all()
    claimed = []
    for prompt, profile, person in rows:
        prompt.status = "claimed"
        prompt.claimed_by = owner
        session.add(prompt)
        claimed.append(_claimed(prompt, profile, person, snoozed=True))
    await session.flush()
    return claimed


def _orphan(live: set[int]) -> ColumnElement[bool]:
    """Claimed by no instance, or by one that is gone."""
    return or_(col(SentPrompt.claimed_by).is_(None),
               col(SentPrompt.claimed_by).not_in(sorted(live)))


async def take_over(*, session: AsyncSession, live: set[int], owner: int, limit: int
                    ) -> list[Claimed]:
    """Prompts claimed by an instance that is gone (killed, or stopped and let them go) and
    never attempted: this instance claims them. The update is conditional, so of two
    instances looking at once only one gets each."""
    candidates = (await session.exec(
        select(SentPrompt.id).where(SentPrompt.status == "claimed", _orphan(live))
        .order_by(col(SentPrompt.due_at)).limit(limit))).all()
    if not candidates:
        return []
    taken = (await session.exec(  # type: ignore[call-overload]
        update(SentPrompt)
        .where(col(SentPrompt.id).in_(candidates), SentPrompt.status == "claimed",
               _orphan(live))
        .values(claimed_by=owner).returning(SentPrompt.id))).scalars().all()
    if not taken:
        return []
    rows = (await session.exec(
        select(SentPrompt, PatientProfile, Person)
        .join(PatientProfile, col(PatientProfile.id) == col(SentPrompt.patient_id))
        .join(Person, col(Person.id) == col(PatientProfile.person_id))
        .where(col(SentPrompt.id).in_(taken)).order_by(col(SentPrompt.due_at))
        .execution_options(populate_existing=True))).all()
    return [_claimed(prompt, profile, person) for prompt, profile, person in rows]


async def mark_interrupted(*, session: AsyncSession, live: set[int]) -> int:
    """Prompts whose sending was under way when their instance died: Telegram may have them,
    so they are never sent again (at most once beats twice). Only the one request in flight
    at the moment of death can be in this state: a prompt is marked as sending just before
    its request goes out."""
    result = await session.exec(  # type: ignore[call-overload]
        update(SentPrompt).where(col(SentPrompt.status) == "sending", _orphan(live))
        .values(status="unknown"))
    return int(result.rowcount or 0)


async def mark_sending(*, session: AsyncSession, prompt_id: int, owner: int | None) -> bool:
    """Just before the request goes out: still ours to send? (False: another instance took it
    over, believing this one gone, or it was let go at stop.)"""
    owned = (col(SentPrompt.claimed_by).is_(None) if owner is None
             else col(SentPrompt.claimed_by) == owner)
    result = await session.exec(  # type: ignore[call-overload]
        update(SentPrompt).where(col(SentPrompt.id) == prompt_id,
                                 SentPrompt.status == "claimed", owned)
        .values(status="sending"))
    return bool(result.rowcount)


async def release(*, session: AsyncSession, owner: int) -> int:
    """At stop: claims never attempted go back, for a running instance to send at once."""
    result = await session.exec(  # type: ignore[call-overload]
        update(SentPrompt).where(SentPrompt.status == "claimed",
                                 col(SentPrompt.claimed_by) == owner)
        .values(claimed_by=None))
    return int(result.rowcount or 0)


async def set_status(*, session: AsyncSession, prompt_ids: Sequence[int], status: str,
                     now: datetime | None = None, message_ids: dict[int, int] | None = None
                     ) -> None:
    if not prompt_ids:
        return
    values: dict[str, object] = {"status": status}
    if now is not None:
        values["sent_at"] = now
    if message_ids:
        for prompt_id in prompt_ids:
            await session.exec(update(SentPrompt).where(col(SentPrompt.id) == prompt_id)  # type: ignore[call-overload]
                               .values(**values, telegram_message_id=message_ids.get(prompt_id),
                                       attempts=SentPrompt.attempts + 1))
        return
    await session.exec(update(SentPrompt).where(col(SentPrompt.id).in_(prompt_ids))  # type: ignore[call-overload]
                       .values(**values))


async def prompt_for(*, session: AsyncSession, prompt_id: int) -> SentPrompt | None:
    return await session.get(SentPrompt, prompt_id)


async def unresolved_before(*, session: AsyncSession, day: date, limit: int
                            ) -> list[tuple[SentPrompt, Person]]:
    """Sent exercise prompts of days up to ``day`` not yet marked answered or missed, from
    before their day's end was kept (``day_ends_at``; those are ``resolve_ended``'s)."""
    return list((await session.exec(
        select(SentPrompt, Person)
        .join(PatientProfile, col(PatientProfile.id) == col(SentPrompt.patient_id))
        .join(Person, col(Person.id) == col(PatientProfile.person_id))
        .where(SentPrompt.status == "sent", SentPrompt.kind == "exercise",
               col(SentPrompt.day_ends_at).is_(None), col(SentPrompt.local_day) <= day)
        .order_by(col(SentPrompt.id)).limit(limit)
    )).all())


class SweepTooSlow(Exception):
    """The database did not decide a batch within the time given: nothing was changed."""


async def resolve_ended(*, session: AsyncSession, now: datetime, limit: int,
                        within_ms: int | None = None) -> tuple[int, int]:
    """Exercise prompts whose local day has ended by ``now``: answered if the patient
    practised that day, else missed; at most ``limit``, oldest first. Two statements, however
    many: the index on (status, day_ends_at) finds only the ended ones, and one ``UPDATE``
    decides each row's fate in place. (answered, missed)

    ``within_ms`` (PostgreSQL): each statement is given that long, else ``SweepTooSlow`` and
    the transaction is to be rolled back; the rows wait for the next sweep."""
    postgres = session.bind.dialect.name == "postgresql"  # type: ignore[union-attr]
    if postgres:
        # the commit need not wait for the disk: were the database to crash in the next
        # moment and lose this transaction, the next sweep decides the same rows the same
        # way. Waiting for the flush of 500 rows' changes took 80-100 ms now and then
        # (bench: the rollover's worst tick), a sweep itself 35.
        await session.exec(text("SET LOCAL synchronous_commit = off"))  # type: ignore[call-overload]
        if within_ms is not None:
            await session.exec(text(f"SET LOCAL statement_timeout = {int(within_ms)}"))  # type: ignore[call-overload]
    try:
        return await _resolve_ended(session=session, now=now, limit=limit)
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == "57014":  # cancelled: statement_timeout
            raise SweepTooSlow from None
        raise


async def _resolve_ended(*, session: AsyncSession, now: datetime, limit: int
                         ) -> tuple[int, int]:
    ended = (select(SentPrompt.id)
             .where(SentPrompt.status == "sent", SentPrompt.kind == "exercise",
                    col(SentPrompt.day_ends_at) <= now)
             .order_by(col(SentPrompt.day_ends_at)).limit(limit))
    practised = (select(CheckIn.id)
                 .where(col(CheckIn.patient_id) == col(SentPrompt.patient_id),
                        col(CheckIn.local_day) == col(SentPrompt.local_day),
                        col(CheckIn.undone_at).is_(None))
                 .exists())
    # one statement, the ids never leaving the database; the rows by primary key alone (a
    # condition on status would lead the planner to the status index and every prompt sent
    # today); a row another instance resolved meanwhile keeps its status. Core, not the
    # ORM's bulk update: no session objects to bring up to date
    connection = await session.connection()
    fates = list((await connection.execute(
        update(SentPrompt.__table__)  # type: ignore[arg-type]
        .where(SentPrompt.__table__.c.id.in_(ended.scalar_subquery()))  # type: ignore[attr-defined]
        .values(status=case((SentPrompt.status != "sent", SentPrompt.status),
                            (practised, "answered"), else_="missed"))
        .returning(SentPrompt.__table__.c.status))).scalars())  # type: ignore[attr-defined]
    answered = sum(1 for fate in fates if fate == "answered")
    return answered, sum(1 for fate in fates if fate == "missed")


async def any_without_day_end(*, session: AsyncSession) -> bool:
    """Is any sent prompt still waiting without its day's end (claimed before 0011)?"""
    found = (await session.exec(
        select(SentPrompt.id).where(SentPrompt.status == "sent",
                                    col(SentPrompt.day_ends_at).is_(None)).limit(1))).first()
    return found is not None


async def practised_on(*, session: AsyncSession, patient_id: int, day: date) -> bool:
    row = (await session.exec(
        select(CheckIn.id).where(CheckIn.patient_id == patient_id, CheckIn.local_day == day,
                                 col(CheckIn.undone_at).is_(None)).limit(1))).first()
    return row is not None


async def snooze(*, session: AsyncSession, prompt_id: int, until: datetime) -> None:
    await session.exec(update(SentPrompt).where(col(SentPrompt.id) == prompt_id)  # type: ignore[call-overload]
                       .values(status="snoozed", snooze_until=until))


async def deactivate(*, session: AsyncSession, telegram_id: int) -> None:
    await session.exec(update(Person).where(col(Person.telegram_id) == telegram_id)  # type: ignore[call-overload]
                       .values(active=False))


async def person_id(*, session: AsyncSession, telegram_id: int) -> int:
    return (await session.exec(select(Person.id).where(Person.telegram_id == telegram_id))).one()  # type: ignore[return-value]


async def next_due_at(*, session: AsyncSession) -> datetime | None:
    """The earliest pending instant: a reminder's next occurrence or a snooze ending."""
    from sqlalchemy import func

    reminder = (await session.exec(select(func.min(Reminder.next_due_at))
                                   .where(col(Reminder.enabled).is_(True)))).one()
    snoozed = (await session.exec(select(func.min(SentPrompt.snooze_until))
                                  .where(SentPrompt.status == "snoozed"))).one()
    from db.types import UTCDateTime

    found = [UTCDateTime().process_result_value(v, session.bind.dialect)  # type: ignore[union-attr]
             if isinstance(v, datetime) else v for v in (reminder, snoozed)]
    values = [v for v in found if v is not None]
    return min(values) if values else None


async def due_backlog(*, session: AsyncSession, now: datetime) -> int:
    """Reminders due by ``now`` and not yet claimed: work the scheduler still owes."""
    return int((await session.exec(
        select(func.count()).select_from(Reminder)
        .where(col(Reminder.enabled).is_(True), col(Reminder.next_due_at) <= now))).one())
