"""Alerts to family and the care team: who hears what, once per episode, never at night, and
the care team at most once a day per patient. Queued here (Telegram-free); the outbox job
(``bot.jobs.outbox``) delivers what is due, batched per reader."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.rules.due import alert_due_at
from db import family
from db.models import FamilyLink, PatientProfile, Person


@dataclass(frozen=True)
class Quiet:
    """The night: alerts wait until it ends, in each reader's own time zone."""

    window: tuple[time, time]
    default_zone: str

    def due(self, person: Person, now: datetime) -> datetime:
        return alert_due_at(now, ZoneInfo(person.timezone or self.default_zone), self.window)

    def day_start(self, person: Person, now: datetime) -> datetime:
        zone = ZoneInfo(person.timezone or self.default_zone)
        local = now.astimezone(zone)
        return datetime.combine(local.date(), time(0), tzinfo=zone)


def _prefs(link: FamilyLink) -> dict[str, object]:
    return dict(link.alert_prefs or {})


async def _queue(session: AsyncSession, *, patient_id: int, member: Person, kind: str,
                 episode: str, now: datetime, quiet: Quiet, template: str,
                 values: dict[str, object], claimed: set[family.AlertKey] | None = None
                 ) -> bool:
    if not member.active or member.id is None:
        return False
    if claimed is not None and (patient_id, member.id, kind, episode[:32]) in claimed:
        return False  # told already (the insert below would refuse it too, at a cost)
    if kind.startswith("care_") and await family.alerted_since(
            session=session, patient_id=patient_id, member_id=member.id, kind_prefix="care_",
            since=quiet.day_start(member, now)):
        return False  # the care team hears at most once a day about one patient
    return await family.claim_alert(
        session=session, patient_id=patient_id, member_id=member.id, kind=kind,
        episode=episode[:32], now=now, due_at=quiet.due(member, now),
        payload={"template": template, "values": values})


async def queue_pain(*, session: AsyncSession, profile: PatientProfile, patient: Person,
                     regions: list[str], severe: bool, episode: str, now: datetime,
                     quiet: Quiet) -> int:
    """Pain that needs the care team (two of three days in a region, or a lot): family who
    opted in (``/alerts``) and care-team members who chose pain alerts, once per episode."""
    assert profile.id is not None
    if not patient.active:
        return 0  # they blocked the bot: sharing pauses
    queued = 0
    values = {"patient": patient.first_name, "regions": regions, "severe": severe}
    if profile.alert_pain:
        for _, member in await family.members_of(session=session, patient_id=profile.id):
            queued += await _queue(session, patient_id=profile.id, member=member, kind="pain",
                                   episode=episode, now=now, quiet=quiet,
                                   template="family/alert_pain", values=values)
    for link, member in await family.members_of(session=session, patient_id=profile.id,
                                                role="care"):
        if _prefs(link).get("pain"):
            queued += await _queue(session, patient_id=profile.id, member=member,
                                   kind="care_pain", episode=episode, now=now, quiet=quiet,
                                   template="care/alert_pain", values=values)
    return queued


async def queue_stage(*, session: AsyncSession, profile: PatientProfile, patient: Person,
                      stage_key: str, day: date, now: datetime, quiet: Quiet) -> int:
    """The stage moved (by the rules): care-team members who chose stage alerts."""
    assert profile.id is not None
    queued = 0
    for link, member in await family.members_of(session=session, patient_id=profile.id,
                                                role="care"):
        if _prefs(link).get("stage"):
            queued += await _queue(session, patient_id=profile.id, member=member,
                                   kind="care_stage", episode=f"stage-{stage_key}-{day}",
                                   now=now, quiet=quiet, template="care/alert_stage",
                                   values={"patient": patient.first_name, "stage": stage_key})
    return queued


QUIET_KINDS = ("inactive", "care_quiet")  # what ``queue_quiet`` may claim


async def queue_quiet(*, session: AsyncSession, candidate: family.QuietCandidate,
                      followers: Sequence[tuple[FamilyLink, Person]], since: date, today: date,
                      now: datetime, quiet: Quiet,
                      claimed: set[family.AlertKey] | None = None) -> int:
    """No practice for N days: family (the patient's choice of N) and care-team members (each
    their own N), once per quiet spell. ``candidate``: a patient of the round's page (active:
    nothing while the patient has blocked the bot); ``followers``: who follows them now
    (``db.family.followers_of``, read for a whole page of patients at once); ``claimed``: the
    alerts already claimed about them (``db.family.alerts_claimed``, read for the page too),
    or None to let the inserts tell."""
    from bot.rules.family import inactivity_episode

    patient_id, last_practice = candidate.profile_id, candidate.last_practice
    queued = 0
    if candidate.alert_inactive_days:
        episode = inactivity_episode(last_practice=last_practice, since=since, today=today,
                                     days=candidate.alert_inactive_days)
        if episode is not None:
            for link, member in followers:
                if link.role != "family":
                    continue
                queued += await _queue(
                    session, patient_id=patient_id, member=member, kind="inactive",
                    episode=episode, now=now, quiet=quiet, template="family/alert_inactive",
                    values={"patient": candidate.first_name,
                            "days": candidate.alert_inactive_days},
                    claimed=claimed)
    for link, member in followers:
        if link.role != "care":
            continue
        days = _prefs(link).get("quiet_days")
        if not isinstance(days, int) or days < 1:
            continue
        episode = inactivity_episode(last_practice=last_practice, since=since, today=today,
                                     days=days)
        if episode is not None:
            queued += await _queue(session, patient_id=patient_id, member=member,
                                   kind="care_quiet", episode=episode, now=now, quiet=quiet,
                                   template="care/alert_quiet",
                                   values={"patient": candidate.first_name, "days": days},
                                   claimed=claimed)
    return queued


