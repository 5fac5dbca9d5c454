"""Family queries: invitations, links, digests, cheers, alerts, groups.

Every read of a patient's data on someone else's behalf goes through :func:`active_link`:
access exists only while an unrevoked link does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import exists, func, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import (
    AlertSent,
    CheckIn,
    Cheer,
    DigestSchedule,
    DigestSent,
    FamilyLink,
    GroupLink,
    Invitation,
    PatientProfile,
    Person,
)
from db.once import insert_once


# ---- invitations -----------------------------------------------------------------------------
async def add_invitation(*, session: AsyncSession, patient_id: int, token_hash: str,
                         kind: str, now: datetime, expires_at: datetime) -> Invitation:
    invitation = Invitation(patient_id=patient_id, kind=kind, token_hash=token_hash,
                            created_at=now, expires_at=expires_at)
    session.add(invitation)
    await session.flush()
    return invitation


async def invitation_by_hash(*, session: AsyncSession, token_hash: str) -> Invitation | None:
    return (await session.exec(select(Invitation).where(Invitation.token_hash == token_hash))
            ).first()


async def get_invitation(*, session: AsyncSession, invitation_id: int) -> Invitation | None:
    return await session.get(Invitation, invitation_id, with_for_update=True)


# ---- links -----------------------------------------------------------------------------------
async def active_link(*, session: AsyncSession, patient_id: int, member_id: int,
                      role: str = "family") -> FamilyLink | None:
    """The unrevoked link of this role (family, or care for the care team) between a patient
    and someone they invited, if there is one: the only grant of access."""
    return (await session.exec(select(FamilyLink).where(
        FamilyLink.patient_id == patient_id, FamilyLink.member_id == member_id,
        FamilyLink.role == role, col(FamilyLink.revoked_at).is_(None)))).first()


async def add_link(*, session: AsyncSession, patient_id: int, member_id: int,
                   now: datetime, role: str = "family") -> FamilyLink:
    link = FamilyLink(patient_id=patient_id, member_id=member_id, created_at=now, role=role,
                      alert_prefs={"pain": True, "quiet_days": 3, "stage": True}
                      if role == "care" else None)
    session.add(link)
    await session.flush()
    return link


def _following(*conditions: Any) -> Any:
    """Current links with the person who follows, oldest link first."""
    return (select(FamilyLink, Person).join(Person, col(Person.id) == col(FamilyLink.member_id))
            .where(col(FamilyLink.revoked_at).is_(None), *conditions)
            .order_by(col(FamilyLink.id)))


async def members_of(*, session: AsyncSession, patient_id: int, role: str = "family"
                     ) -> list[tuple[FamilyLink, Person]]:
    """The people of one role (family, or the care team) who follow a patient now."""
    return list((await session.exec(_following(
        FamilyLink.patient_id == patient_id, FamilyLink.role == role))).all())


async def patients_of(*, session: AsyncSession, member_id: int, role: str = "family"
                      ) -> list[tuple[FamilyLink, PatientProfile, Person]]:
    """The patients someone follows now in one role, with their profiles and names."""
    return list((await session.exec(
        select(FamilyLink, PatientProfile, Person)
        .join(PatientProfile, col(PatientProfile.id) == col(FamilyLink.patient_id))
        .join(Person, col(Person.id) == col(PatientProfile.person_id))
        .where(FamilyLink.member_id == member_id, FamilyLink.role == role,
               col(FamilyLink.revoked_at).is_(None))
        .order_by(col(FamilyLink.id)))).all())


async def get_link(*, session: AsyncSession, link_id: int) -> FamilyLink | None:
    return await session.get(FamilyLink, link_id)


# ---- digests ---------------------------------------------------------------------------------
async def schedule_for(*, session: AsyncSession, person_id: int) -> DigestSchedule | None:
    return (await session.exec(select(DigestSchedule).where(
        DigestSchedule.person_id == person_id))).first()


async def due_schedules(*, session: AsyncSession, now: datetime, limit: int,
                        after: tuple[datetime, int] | None = None
                        ) -> list[tuple[DigestSchedule, Person]]:
    """Schedules due by ``now`` in (due, id) order, from just after ``after`` (a page's last
    due and id) when given."""
    query = (select(DigestSchedule, Person)
             .join(Person, col(Person.id) == col(DigestSchedule.person_id))
             .where(col(DigestSchedule.next_due_at) <= now)
             .order_by(col(DigestSchedule.next_due_at), col(DigestSchedule.id)).limit(limit))
    if after is not None:
        at, last_id = after
        query = query.where(col(DigestSchedule.next_due_at) >= at, or_(
            col(DigestSchedule.next_due_at) > at, col(DigestSchedule.id) > last_id))
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=DigestSchedule)  # type: ignore[arg-type]
    return list((await session.exec(query)).all())


async def next_digest_at(*, session: AsyncSession) -> datetime | None:
    from db.types import UTCDateTime

    value = (await session.exec(select(func.min(DigestSchedule.next_due_at)))).one()
    if isinstance(value, datetime):
        return UTCDateTime().process_result_value(value, session.bind.dialect)  # type: ignore[union-attr]
    return value


async def claim_digest(*, session: AsyncSession, person_id: int, patient_id: int,
                       week_start: date, now: datetime, chat_id: int = 0,
                       owner: int | None = None, live: set[int] | None = None
                       ) -> Literal["mine", "elsewhere", "done"]:
    """Claim this week's digest about ``patient_id`` to ``person_id`` for instance ``owner``:
    "mine" (claimed now, or taken over from an instance that is gone, or handed back at a
    stop), "elsewhere" (a running instance has it in hand) or "done" (sent, or in doubt
    because its instance died while sending: never twice)."""
    if await insert_once(session=session, row=DigestSent(
            person_id=person_id, patient_id=patient_id, chat_id=chat_id,
            week_start=week_start, sent_at=now, status="claimed", claimed_by=owner)):
        return "mine"
    existing = (await session.exec(select(DigestSent).where(
        DigestSent.person_id == person_id, DigestSent.patient_id == patient_id,
        DigestSent.chat_id == chat_id, DigestSent.week_start == week_start))).one()
    if existing.status != "claimed":
        return "done"
    holder = existing.claimed_by
    if holder == owner and owner is not None:
        return "mine"  # this instance's own earlier try, which failed before sending
    if holder is not None and holder in (live or set()):
        return "elsewhere"
    held = (col(DigestSent.claimed_by).is_(None) if holder is None
            else col(DigestSent.claimed_by) == holder)
    taken = await session.exec(update(DigestSent).where(  # type: ignore[call-overload]
        col(DigestSent.id) == existing.id, DigestSent.status == "claimed", held)
        .values(claimed_by=owner))
    return "mine" if taken.rowcount else "elsewhere"


async def digest_progress(*, session: AsyncSession, person_id: int, patient_id: int,
                          week_start: date, chat_id: int, owner: int | None,
                          status: Literal["sending", "sent"]) -> bool:
    """Move a claimed digest on ("sending" just before its first message, "sent" once that
    arrived); False if it is no longer this instance's."""
    before = "claimed" if status == "sending" else "sending"
    owned = (col(DigestSent.claimed_by).is_(None) if owner is None
             else col(DigestSent.claimed_by) == owner)
    result = await session.exec(update(DigestSent).where(  # type: ignore[call-overload]
        DigestSent.person_id == person_id, DigestSent.patient_id == patient_id,
        DigestSent.chat_id == chat_id, DigestSent.week_start == week_start,
        DigestSent.status == before, owned).values(status=status))
    return bool(result.rowcount)


# ---- cheers ----------------------------------------------------------------------------------
async def add_cheer(*, session: AsyncSession, patient_id: int, from_person_id: int, text: str,
                    now: datetime) -> Cheer:
    cheer = Cheer(patient_id=patient_id, from_person_id=from_person_id, text=text,
                  created_at=now)
    session.add(cheer)
    await session.flush()
    return cheer


async def cheers_between(*, session: AsyncSession, patient_id: int, start: datetime,
                         end: datetime) -> int:
    return int((await session.exec(select(func.count()).select_from(Cheer).where(
        Cheer.patient_id == patient_id, col(Cheer.created_at) >= start,
        col(Cheer.created_at) < end))).one())


async def get_cheer(*, session: AsyncSession, cheer_id: int) -> Cheer | None:
    return await session.get(Cheer, cheer_id)


# ---- alerts ----------------------------------------------------------------------------------
async def claim_alert(*, session: AsyncSession, patient_id: int, member_id: int, kind: str,
                      episode: str, now: datetime, due_at: datetime | None = None,
                      payload: dict[str, object] | None = None,
                      delivered: bool = False) -> bool:
    """True the first time this member is told about this episode: the alert is queued, due
    at ``due_at`` (now if not given), and delivered once by the outbox (or, ``delivered``,
    sent by the caller itself, such as a weekly report)."""
    return await insert_once(session=session, row=AlertSent(
        patient_id=patient_id, member_id=member_id, kind=kind, episode=episode, sent_at=now,
        due_at=due_at or now, payload=payload, delivered_at=now if delivered else None))


@dataclass(frozen=True)
class CareReportSlot:
    """A care-team link's choice of report day, with what decides whether it is due now."""

    link_id: int
    report_day: object
    timezone: str | None
    active: bool


async def care_report_page(*, session: AsyncSession, after: int, limit: int
                           ) -> list[CareReportSlot]:
    """The next ``limit`` active care-team links (by id, after ``after``): columns only."""
    rows = (await session.exec(
        select(FamilyLink.id, FamilyLink.alert_prefs, Person.timezone, Person.active)
        .join(Person, col(Person.id) == col(FamilyLink.member_id))
        .where(FamilyLink.role == "care", col(FamilyLink.revoked_at).is_(None),
               col(FamilyLink.id) > after)
        .order_by(col(FamilyLink.id)).limit(limit))).all()
    return [CareReportSlot(link_id=r[0], report_day=(r[1] or {}).get("report_day"),
                           timezone=r[2], active=r[3]) for r in rows]


async def care_links(*, session: AsyncSession, link_ids: Sequence[int]
                     ) -> list[tuple[FamilyLink, Person, PatientProfile, Person]]:
    """These care-team links, with the member, the patient's profile and person."""
    if not link_ids:
        return []
    member, patient = aliased(Person), aliased(Person)
    return list((await session.exec(
        select(FamilyLink, member, PatientProfile, patient)
        .join(member, col(member.id) == col(FamilyLink.member_id))
        .join(PatientProfile, col(PatientProfile.id) == col(FamilyLink.patient_id))
        .join(patient, col(patient.id) == col(PatientProfile.person_id))
        .where(col(FamilyLink.id).in_(list(link_ids)))
        .order_by(col(FamilyLink.id)))).all())


AlertKey = tuple[int, int, str, str]  # patient, member, kind, episode: told once


async def alerts_claimed(*, session: AsyncSession, patient_ids: Sequence[int],
                         kinds: Sequence[str]) -> set[AlertKey]:
    """The alerts of these kinds already claimed about these patients, in one query (by the
    unique episode index): a round's page skips them instead of trying each insert again,
    which costs a savepoint and a refused row apiece (and, on PostgreSQL, a logged error)."""
    if not patient_ids:
        return set()
    return {(r[0], r[1], r[2], r[3]) for r in (await session.exec(
        select(AlertSent.patient_id, AlertSent.member_id, AlertSent.kind, AlertSent.episode)
        .where(col(AlertSent.patient_id).in_(list(patient_ids)),
               col(AlertSent.kind).in_(list(kinds))))).all()}


async def alerted_since(*, session: AsyncSession, patient_id: int, member_id: int,
                        kind_prefix: str, since: datetime) -> bool:
    """Whether this member was already alerted about this patient (kinds starting with
    ``kind_prefix``) since ``since``: the care team hears at most once a day per patient."""
    return (await session.exec(select(AlertSent.id).where(
        AlertSent.patient_id == patient_id, AlertSent.member_id == member_id,
        col(AlertSent.kind).startswith(kind_prefix), AlertSent.sent_at >= since))).first() \
        is not None


async def take_due_alerts(*, session: AsyncSession, now: datetime, limit: int = 200
                          ) -> list[tuple[AlertSent, Person]]:
    """Queued alerts due now, oldest first, marked delivered (each is sent at most once)."""
    rows = list((await session.exec(
        select(AlertSent, Person).join(Person, col(Person.id) == col(AlertSent.member_id))
        .where(col(AlertSent.delivered_at).is_(None), col(AlertSent.due_at).is_not(None),
               col(AlertSent.due_at) <= now)
        .order_by(col(AlertSent.due_at), col(AlertSent.id)).limit(limit))).all())
    for alert, _ in rows:
        alert.delivered_at = now
        session.add(alert)
    return rows


async def next_alert_at(*, session: AsyncSession) -> datetime | None:
    return (await session.exec(select(func.min(AlertSent.due_at)).where(
        col(AlertSent.delivered_at).is_(None)))).one()


@dataclass(frozen=True)
class QuietCandidate:
    """One patient someone may need to hear about, with what decides whether they should."""

    profile_id: int
    created_at: datetime
    timezone: str | None
    last_practice: date | None
    first_name: str  # for the alert's words
    alert_inactive_days: int | None  # the family's N, if the patient opted in


async def inactivity_page(*, session: AsyncSession, after: int, limit: int
                          ) -> tuple[list[QuietCandidate], int | None]:
    """Patients someone may need to hear about when practice stops (family alerts opted in
    by the patient, or anyone in a care team; active, set up), among the next ``limit``
    followed patients by id after ``after``; and where the next page starts (None: done).
    Pages go by the links' (patient, member) index, columns only, and each one's last
    practice is found by walking the (patient, day) index backwards, so a page costs the
    same with a million patients."""
    followed = list((await session.exec(
        select(FamilyLink.patient_id).distinct()
        .where(col(FamilyLink.patient_id) > after, col(FamilyLink.revoked_at).is_(None))
        .order_by(col(FamilyLink.patient_id)).limit(limit))).all())
    if not followed:
        return [], None

    def linked(role: str) -> Any:  # by the (patient, member) index, one patient at a time
        return exists().where(FamilyLink.patient_id == PatientProfile.id,
                              col(FamilyLink.revoked_at).is_(None), FamilyLink.role == role)

    family_opted = col(PatientProfile.alert_inactive_days).is_not(None) & linked("family")
    care = linked("care")
    last = (select(CheckIn.local_day)
            .where(CheckIn.patient_id == PatientProfile.id, col(CheckIn.undone_at).is_(None))
            .order_by(col(CheckIn.local_day).desc()).limit(1)
            .correlate(PatientProfile).scalar_subquery())
    rows = (await session.exec(
        select(PatientProfile.id, PatientProfile.created_at, Person.timezone, last,
               Person.first_name, PatientProfile.alert_inactive_days)
        .join(Person, col(Person.id) == col(PatientProfile.person_id))
        .where(col(PatientProfile.id).in_(followed), PatientProfile.onboarding_step == "done",
               col(Person.active).is_(True), family_opted | care)
        .order_by(col(PatientProfile.id)))).all()
    return ([QuietCandidate(profile_id=r[0], created_at=r[1], timezone=r[2],
                            last_practice=r[3], first_name=r[4], alert_inactive_days=r[5])
             for r in rows],
            followed[-1] if len(followed) == limit else None)


async def followers_of(*, session: AsyncSession, patient_ids: Sequence[int]
                       ) -> dict[int, list[tuple[FamilyLink, Person]]]:
    """Everyone who follows each of these patients now (family and care team), in one query:
    a page of the inactivity round asks for a hundred patients at once."""
    found: dict[int, list[tuple[FamilyLink, Person]]] = {p: [] for p in patient_ids}
    if not patient_ids:
        return found
    for link, person in (await session.exec(_following(
            col(FamilyLink.patient_id).in_(list(patient_ids))))).all():
        found[link.patient_id].append((link, person))
    return found


# ---- groups ----------------------------------------------------------------------------------
async def groups_of(*, session: AsyncSession, patient_id: int) -> list[GroupLink]:
    return list((await session.exec(select(GroupLink).where(
        GroupLink.patient_id == patient_id, col(GroupLink.revoked_at).is_(None)))).all())


async def group_by_chat(*, session: AsyncSession, chat_id: int) -> GroupLink | None:
    return (await session.exec(select(GroupLink).where(
        GroupLink.chat_id == chat_id, col(GroupLink.revoked_at).is_(None)))).first()


async def patient_person(*, session: AsyncSession, patient_id: int
                         ) -> tuple[PatientProfile, Person] | None:
    """A patient's profile and the person behind it."""
    profile = await session.get(PatientProfile, patient_id)
    if profile is None:
        return None
    person = await session.get(Person, profile.person_id)
    return (profile, person) if person is not None else None


async def end_group(*, session: AsyncSession, chat_id: int, now: datetime) -> bool:
    """A group removed the bot (or refuses it): its link ends. True if one was live."""
    link = await group_by_chat(session=session, chat_id=chat_id)
    if link is None or link.revoked_at is not None:
        return False
    link.revoked_at = now
    session.add(link)
    return True


async def live_invitations(*, session: AsyncSession, patient_id: int, now: datetime) -> int:
    """Invite links (family or care team) not used and not expired yet."""
    return int((await session.exec(select(func.count()).select_from(Invitation).where(
        Invitation.patient_id == patient_id, col(Invitation.kind).in_(("family", "care")),
        col(Invitation.used_at).is_(None), col(Invitation.expires_at) > now))).one())


async def link_count(*, session: AsyncSession, patient_id: int) -> int:
    """People who follow a patient now, family and care team together."""
    return int((await session.exec(select(func.count()).select_from(FamilyLink).where(
        FamilyLink.patient_id == patient_id, col(FamilyLink.revoked_at).is_(None)))).one())


async def move_group(*, session: AsyncSession, old_chat_id: int, new_chat_id: int) -> bool:
    """A group became a supergroup with a new id: its link follows it."""
    link = await group_by_chat(session=session, chat_id=old_chat_id)
    if link is None:
        return False
    link.chat_id = new_chat_id
    session.add(link)
    return True
