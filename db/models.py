"""The tables, as SQLModel classes. Alembic migrations are the only way they are created."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Column, Index, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlmodel import Field, SQLModel

from db.types import UTCDateTime

ALL_WEEKDAYS = 0b1111111  # Monday is bit 0


def _instant(*, nullable: bool = False, index: bool = False) -> object:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class Person(SQLModel, table=True):
    """Anyone who has talked to the bot; a patient, a family member, or both."""

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_column=Column(BigInteger, unique=True, nullable=False))
    first_name: str = Field(default="", max_length=128)
    language_code: str | None = Field(default=None, max_length=16)  # what Telegram reports
    language: str | None = Field(default=None, max_length=16)  # what the person chose; wins
    timezone: str | None = Field(default=None, max_length=64)
    is_patient: bool = Field(default=False)
    is_family: bool = Field(default=False)
    active: bool = Field(default=True)  # False once the person blocked the bot
    # what the person's next typed message means, e.g. "cheer:12" (their own words for a
    # cheer); kept in the database so that it survives restarts and several processes
    pending_action: str | None = Field(default=None, max_length=64)
    pending_until: datetime | None = _instant(nullable=True)  # type: ignore[assignment]
    created_at: datetime = _instant()  # type: ignore[assignment]
    last_seen_at: datetime | None = _instant(nullable=True)  # type: ignore[assignment]


class PatientProfile(SQLModel, table=True):
    """What the bot knows about a patient's practice; one per person at most."""

    __tablename__ = "patient_profile"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True, ondelete="CASCADE")
    affected_side: str | None = Field(default=None, max_length=8)
    stage: int | None = Field(default=None)
    onboarding_step: str = Field(default="disclaimer", max_length=32)
    disclaimer_accepted_at: datetime | None = _instant(nullable=True)  # type: ignore[assignment]
    placement_answers: dict[str, bool | str] = Field(default_factory=dict, sa_column=Column(JSON))
    goal: str | None = Field(default=None, max_length=200)
    goal_reached_at: datetime | None = _instant(nullable=True)  # type: ignore[assignment]
    stage_changed_at: datetime | None = _instant(nullable=True)  # type: ignore[assignment]
    paused_until: datetime | None = _instant(nullable=True)  # type: ignore[assignment]
    alert_inactive_days: int | None = Field(default=None)  # None: the patient has not opted in
    alert_pain: bool = Field(default=False)
    # the entry check: question id → "yes" | "no" | "unsure" (docs/safety.md)
    safety_answers: dict[str, str] | None = Field(default=None, sa_column=Column(JSON))
    safety_checked_at: datetime | None = _instant(nullable=True)  # type: ignore[assignment]
    # set by the care team: a note shown at the top of the next session, a daily goal
    care_note: str | None = Field(default=None, max_length=200)
    care_note_at: datetime | None = _instant(nullable=True)  # type: ignore[assignment]
    care_note_shown_at: datetime | None = _instant(nullable=True)  # type: ignore[assignment]
    goal_minutes: int | None = Field(default=None)
    report_name_ok: bool = Field(default=False,  # the patient agreed to their name on reports
                                 sa_column_kwargs={"server_default": sa_false()})
    created_at: datetime = _instant()  # type: ignore[assignment]


class FamilyLink(SQLModel, table=True):
    """A family member invited by a patient; it grants access only while not revoked."""

    __tablename__ = "family_link"
    __table_args__ = (Index("ix_family_link_patient_member", "patient_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient_profile.id", ondelete="CASCADE")
    member_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    role: str = Field(default="family", max_length=8,  # family | care (the care team)
                      sa_column_kwargs={"server_default": "family"})
    # what a care-team member chose to hear about: {"pain": bool, "quiet_days": int | None,
    # "stage": bool}; None for family (their alerts are the patient's choice, /alerts)
    alert_prefs: dict[str, object] | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = _instant()  # type: ignore[assignment]
    revoked_at: datetime | None = _instant(nullable=True)  # type: ignore[assignment]


class Reminder(SQLModel, table=True):
    """A local wall-clock time on some weekdays; its next instant is kept in UTC."""

    __table_args__ = (Index("ix_reminder_due", "enabled", "next_due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient_profile.id", index=True, ondelete="CASCADE")
    kind: str = Field(default="exercise", max_length=16)
    local_time: str = Field(max_length=5)  # "HH:MM" in the patient's timezone
    weekdays: int = Field(default=ALL_WEEKDAYS)
    enabled: bool = Field(default=True)
    next_due_at: datetime | None = _instant(nullable=True)  # type: ignore[assignment]
    created_at: datetime = _instant()  # type: ignore[assignment]


class SentPrompt(SQLModel, table=True):
    """One occurrence of a reminder: claimed, sent, answered or missed; never twice."""

    __tablename__ = "sent_prompt"
    __table_args__ = (
        UniqueConstraint("reminder_id", "due_at", name="uq_sent_prompt_occurrence"),
        Index("ix_sent_prompt_snooze", "status", "snooze_until"),
        Index("ix_sent_prompt_status_day", "status", "local_day"),
        Index("ix_sent_prompt_day_end", "status", "day_ends_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient_profile.id", index=True, ondelete="CASCADE")
    reminder_id: int | None = Field(default=None, foreign_key="reminder.id", ondelete="SET NULL")
    kind: str = Field(default="exercise", max_length=16)
    due_at: datetime = _instant()  # type: ignore[assignment]
    sent_at: datetime | None = _instant(nullable=True)  # type: ignore[assignment]
    # claimed → sending → sent → answered | missed; or late, paused, blocked, failed, unknown
    status: str = Field(default="claimed", max_length=16)
    local_day: date | None = Field(default=None)
    # when that local day ends (UTC): the sweep marks it answered or missed from then on
    day_ends_at: datetime | None = _instant(nullable=True)  # type: ignore[assignment]
    snooze_until: datetime | None = _instant(nullable=True)  # type: ignore[assignment]
    attempts: int = Field(default=0)
    telegram_message_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    # the instance that claimed it (db.presence); another takes it over once that one is gone
    claimed_by: int | None = Field(default=None, sa_column=Column(BigInteger))


class CheckIn(SQLModel, table=True):
    """Reps done of one exercise, how hard it felt, and whether it hurt. Recorded once."""

    __tablename__ = "check_in"
    __table_args__ = (Index("ix_check_in_patient_day", "patient_id", "local_day"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient_profile.id", ondelete="CASCADE")
    exercise_id: str | None = Field(default=None, max_length=64)
    reps: int = Field(ge=0, le=500)
    sets: int = Field(default=1, ge=1, le=10)
    difficulty: int | None = Field(default=None, ge=1, le=5)
    pain: bool = Field(default=False)
    region: str | None = Field(default=None, max_length=16)  # where it hurt; "unsure" allowed
    pain_level: str | None = Field(default=None, max_length=8)  # little | lot | unsure
    source: str = Field(default="session", max_length=16)
    session_id: int | None = Field(default=None, foreign_key="practice_session.id",
                                   ondelete="SET NULL")
    target_reps: int | None = Field(default=None)
    idempotency_key: str = Field(max_length=64, unique=True)
    local_day: date
    recorded_at: datetime = _instant()  # type: ignore[assignment]
    undone_at: datetime | None = _instant(nullable=True)  # type: ignore[assignment]


class LessonDelivery(SQLModel, table=True):
    """A lesson sent to a person; each lesson reaches each person once."""

    __tablename__ = "lesson_delivery"
    __table_args__ = (UniqueConstraint("person_id", "lesson_id", name="uq_lesson_delivery"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    lesson_id: str = Field(max_length=64)
    delivered_at: datetime = _instant()  # type: ignore[assignment]


class ExerciseDose(SQLModel, table=True):
    """A patient's own dose for one plan slot: the variant they do now, reps and sets, or
    taken out of the plan (pain)."""

    __tablename__ = "exercise_dose"
    __table_args__ = (UniqueConstraint("patient_id", "slot_id", name="uq_exercise_dose_slot"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient_profile.id", index=True, ondelete="CASCADE")
    slot_id: str = Field(max_length=64)  # the catalogue exercise the plan slot started as
    exercise_id: str = Field(max_length=64)  # the variant done now (easier or harder)
    reps: int
    sets: int
    excluded: bool = Field(default=False)
    held_by_care: bool = Field(default=False,  # taken out by the care team, not for pain
                               sa_column_kwargs={"server_default": sa_false()})
    updated_at: datetime = _instant()  # type: ignore[assignment]


class PracticeSession(SQLModel, table=True):
    """A guided session: the day's plan walked one exercise at a time."""

    __tablename__ = "practice_session"
    __table_args__ = (Index("ix_practice_session_patient_day", "patient_id", "local_day"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient_profile.id", ondelete="CASCADE")
    local_day: date
    items: list[dict[str, object]] = Field(default_factory=list, sa_column=Column(JSON))
    position: int = Field(default=0)
    pending_reps: int | None = Field(default=None)
    status: str = Field(default="active", max_length=16)  # active | finished | abandoned
    chat_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    started_at: datetime = _instant()  # type: ignore[assignment]
    finished_at: datetime | None = _instant(nullable=True)  # type: ignore[assignment]


class Milestone(SQLModel, table=True):
    """Something worth celebrating, celebrated once."""

    __table_args__ = (UniqueConstraint("patient_id", "key", name="uq_milestone"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient_profile.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=32)
    achieved_at: datetime = _instant()  # type: ignore[assignment]


class GoalReached(SQLModel, table=True):
    """A goal the patient reached: kept, so the next goal does not erase the last one."""

    __tablename__ = "goal_reached"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient_profile.id", index=True, ondelete="CASCADE")
    goal: str = Field(max_length=200)
    reached_at: datetime = _instant()  # type: ignore[assignment]


class Invitation(SQLModel, table=True):
    """A single-use secret: a family invite link, or a code that links a family group.
    Only a hash of the secret is stored."""

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient_profile.id", index=True, ondelete="CASCADE")
    kind: str = Field(default="family", max_length=8)  # family | care | group
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = _instant()  # type: ignore[assignment]
    expires_at: datetime = _instant()  # type: ignore[assignment]
    opened_by: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    used_at: datetime | None = _instant(nullable=True)  # type: ignore[assignment]


class GroupLink(SQLModel, table=True):
    """A Telegram group that receives a patient's milestones and digests."""

    __tablename__ = "group_link"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient_profile.id", index=True, ondelete="CASCADE")
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    created_at: datetime = _instant()  # type: ignore[assignment]
    revoked_at: datetime | None = _instant(nullable=True)  # type: ignore[assignment]


class DigestSchedule(SQLModel, table=True):
    """When a person gets their weekly digest: a weekday and local time, next instant in UTC."""

    __tablename__ = "digest_schedule"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True, ondelete="CASCADE")
    weekday: int = Field(default=6)  # 0 Monday … 6 Sunday
    local_time: str = Field(default="18:00", max_length=5)
    next_due_at: datetime | None = _instant(nullable=True, index=True)  # type: ignore[assignment]


class DigestSent(SQLModel, table=True):
    """One digest about one patient to one reader for one week; never twice."""

    __tablename__ = "digest_sent"
    __table_args__ = (UniqueConstraint("person_id", "patient_id", "week_start", "chat_id",
                                       name="uq_digest_week"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    chat_id: int = Field(default=0, sa_column=Column(BigInteger, nullable=False,
                                                     server_default="0"))  # 0: the person
    patient_id: int = Field(foreign_key="patient_profile.id", ondelete="CASCADE")
    week_start: date
    # claimed → sending → sent (rows from before owners were kept say "sending": done)
    status: str = Field(default="sending", max_length=16)
    sent_at: datetime = _instant()  # type: ignore[assignment]
    claimed_by: int | None = Field(default=None, sa_column=Column(BigInteger))


class Cheer(SQLModel, table=True):
    """Encouragement from a family member to a patient."""

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient_profile.id", index=True, ondelete="CASCADE")
    from_person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    text: str = Field(max_length=200)
    created_at: datetime = _instant()  # type: ignore[assignment]
    thanked_at: datetime | None = _instant(nullable=True)  # type: ignore[assignment]


class AlertSent(SQLModel, table=True):
    """An alert to one family member about one episode; told once."""

    __tablename__ = "alert_sent"
    __table_args__ = (UniqueConstraint("patient_id", "member_id", "kind", "episode",
                                       name="uq_alert_episode"),
                      Index("ix_alert_sent_due", "delivered_at", "due_at"))

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient_profile.id", ondelete="CASCADE")
    member_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    kind: str = Field(max_length=16)  # inactive | pain | care_pain | care_quiet | care_stage
    episode: str = Field(max_length=32)
    sent_at: datetime = _instant()  # type: ignore[assignment]  # when it was claimed
    # an alert waits for the reader's waking hours: due then, delivered once
    due_at: datetime | None = _instant(nullable=True)  # type: ignore[assignment]
    delivered_at: datetime | None = _instant(nullable=True)  # type: ignore[assignment]
    payload: dict[str, object] | None = Field(default=None, sa_column=Column(JSON))


class CareChange(SQLModel, table=True):
    """A change the care team made to a patient's plan: who, when, what and why."""

    __tablename__ = "care_change"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient_profile.id", index=True, ondelete="CASCADE")
    by_person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    kind: str = Field(max_length=16)  # stage | hold | restore | goal | note
    detail: str = Field(default="", max_length=200)
    reason: str | None = Field(default=None, max_length=64)
    created_at: datetime = _instant()  # type: ignore[assignment]


class ArmUse(SQLModel, table=True):
    """One answer of the monthly self-rated check of arm use: how much and how well the
    affected arm was used for one everyday activity (our own items, 0–5)."""

    __tablename__ = "arm_use"
    __table_args__ = (UniqueConstraint("patient_id", "taken_on", "item", name="uq_arm_use"),)

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient_profile.id", index=True, ondelete="CASCADE")
    taken_on: date
    item: str = Field(max_length=24)
    amount: int | None = Field(default=None)  # 0 not at all … 5 as much as before; None: not sure
    quality: int | None = Field(default=None)  # 0 not at all … 5 as well as before
    answered_at: datetime = _instant()  # type: ignore[assignment]


class PictureFile(SQLModel, table=True):
    """An exercise picture's Telegram file_id once uploaded: sent again by id, not uploaded."""

    __tablename__ = "picture_file"

    key: str = Field(primary_key=True, max_length=120)  # exercise, side and a hash of its pose
    file_id: str = Field(max_length=256)
