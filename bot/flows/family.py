"""Family use cases: opening and answering an invitation, and the digest schedule everyone who
reads digests has. Telegram-free; every grant of access is checked here, never trusted from a
button."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.rules import family as rules
from db import family
from db.models import DigestSchedule, GroupLink, Invitation, Person
from db.people import get_person


@dataclass(frozen=True)
class Opened:
    """An invite link opened: ``problem`` ("invalid", "used", "expired", "own", "already") or
    the invitation to accept and who sent it."""

    problem: str | None
    invitation_id: int | None = None
    inviter: Person | None = None
    kind: str = "family"  # family | care: what the link will be


@dataclass(frozen=True)
class Answered:
    """An invitation answered: ``problem`` as for :class:`Opened`, else "accepted" or
    "declined", with both people for the messages that follow."""

    problem: str | None
    outcome: str | None = None
    member: Person | None = None
    patient: Person | None = None
    kind: str = "family"


LINK_KINDS = ("family", "care")  # invitations that make a link to a person


def _problem(invitation: Invitation | None, now: datetime, kind: str) -> str | None:
    if invitation is None:
        return "invalid"
    if kind == "link" and invitation.kind in LINK_KINDS:
        kind = invitation.kind
    return rules.invitation_problem(kind=invitation.kind, expected=kind,
                                    used=invitation.used_at is not None,
                                    expires_at=invitation.expires_at, now=now)


async def open_invitation(*, session: AsyncSession, telegram_id: int, token: str,
                          now: datetime) -> Opened:
    """Someone opened an invite link: check it and mark them as the one who may answer it."""
    me = await get_person(session=session, telegram_id=telegram_id)
    invitation = await family.invitation_by_hash(session=session,
                                                 token_hash=rules.secret_hash(token))
    problem = _problem(invitation, now, "link")
    if problem is not None:
        return Opened(problem)
    assert invitation is not None
    found = await family.patient_person(session=session, patient_id=invitation.patient_id)
    if found is None or me is None:
        return Opened("invalid")
    inviter = found[1]
    if inviter.id == me.id:
        return Opened("own")
    if await family.active_link(session=session, patient_id=invitation.patient_id,
                                member_id=me.id, role=invitation.kind):  # type: ignore[arg-type]
        return Opened("already")
    invitation.opened_by = me.id
    session.add(invitation)
    return Opened(None, invitation.id, inviter, invitation.kind)


async def answer_invitation(*, session: AsyncSession, telegram_id: int, invitation_id: int,
                            accept: bool, now: datetime, default_zone: str) -> Answered:
    """Accept or decline. Only the person who opened the link can, and only once; accepting
    links them (once) and gives them a digest schedule."""
    me = await get_person(session=session, telegram_id=telegram_id)
    invitation = await family.get_invitation(session=session, invitation_id=invitation_id)
    problem = _problem(invitation, now, "link")
    if problem is None and (me is None or invitation.opened_by != me.id):  # type: ignore[union-attr]
        problem = "invalid"
    if problem is not None:
        return Answered(problem)
    assert invitation is not None and me is not None and me.id is not None
    kind = invitation.kind
    if not accept:
        return Answered(None, "declined", me, kind=kind)
    existing = await family.active_link(session=session, patient_id=invitation.patient_id,
                                        member_id=me.id, role=kind)
    if existing is None and await family.link_count(
            session=session, patient_id=invitation.patient_id) >= rules.MAX_FOLLOWERS:
        return Answered("full")
    invitation.used_at = now
    session.add(invitation)
    if existing is None:
        await family.add_link(session=session, patient_id=invitation.patient_id,
                              member_id=me.id, now=now, role=kind)
    if kind == "family":
        me.is_family = True
        session.add(me)
        await ensure_digest_schedule(session=session, person=me,
                                     zone=me.timezone or default_zone, now=now)
    found = await family.patient_person(session=session, patient_id=invitation.patient_id)
    assert found is not None
    return Answered(None, "accepted", me, found[1], kind)


async def ensure_digest_schedule(*, session: AsyncSession, person: Person, zone: str,
                                 now: datetime) -> None:
    """Everyone who gets digests has a schedule: Sunday 18:00 in their zone unless changed."""
    assert person.id is not None
    existing = await family.schedule_for(session=session, person_id=person.id)
    if existing is None:
        existing = DigestSchedule(person_id=person.id, weekday=rules.DEFAULT_DIGEST_DAY,
                                  local_time=rules.DEFAULT_DIGEST_TIME)
    existing.next_due_at = rules.next_weekly(existing.weekday, existing.local_time, zone, now)
    session.add(existing)


async def link_group(*, session: AsyncSession, code: str, chat_id: int,
                     now: datetime) -> tuple[str | None, int | None]:
    """A family group sent ``/link CODE``: use the one-time code and link the group to the
    patient who made it. Returns (problem, patient id)."""
    invitation = await family.invitation_by_hash(session=session,
                                                 token_hash=rules.secret_hash(code))
    problem = _problem(invitation, now, "group")
    if problem is not None:
        return problem, None
    assert invitation is not None
    if await family.group_by_chat(session=session, chat_id=chat_id) is not None:
        return "group_taken", None  # one patient per group; the code stays unused
    invitation.used_at = now
    session.add(invitation)
    session.add(GroupLink(patient_id=invitation.patient_id, chat_id=chat_id, created_at=now))
    return None, invitation.patient_id
