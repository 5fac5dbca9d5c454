"""The entry check: a few safety questions before the first plan, kept on the profile and
changeable with /safety. Telegram-free; the rules of what each answer changes are in
``bot.rules.safety``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.rules.safety import ENTRY_QUESTIONS, answered
from db import patients
from db.models import PatientProfile

ANSWERS = ("yes", "no", "unsure")


@dataclass
class CheckStep:
    """Where the entry check stands after a tap: the next question to ask (None when all are
    answered), the answers so far, and whether this tap completed it for the first time."""

    status: Literal["ok", "stale", "not_patient"]
    question: str | None = None
    number: int = 0
    answers: dict[str, str] = field(default_factory=dict)
    first_time: bool = False


def next_question(answers: dict[str, str]) -> str | None:
    return next((q for q in ENTRY_QUESTIONS if q not in answers), None)


async def _profile(session: AsyncSession, telegram_id: int) -> PatientProfile | None:
    found = await patients.get_patient(session=session, telegram_id=telegram_id)
    return found[1] if found is not None else None


async def current(*, session: AsyncSession, telegram_id: int) -> CheckStep:
    """The question to ask now (or none: all answered)."""
    profile = await _profile(session, telegram_id)
    if profile is None:
        return CheckStep("not_patient")
    answers = dict(profile.safety_answers or {})
    question = next_question(answers)
    return CheckStep("ok", question, len(answers) + 1, answers)


async def restart(*, session: AsyncSession, telegram_id: int) -> CheckStep:
    """/safety → "Change my answers": ask every question again. Until they are answered the
    plan takes the safe branch of each."""
    profile = await _profile(session, telegram_id)
    if profile is None:
        return CheckStep("not_patient")
    profile.safety_answers = {}
    session.add(profile)
    return CheckStep("ok", ENTRY_QUESTIONS[0], 1, {})


async def record_answer(*, session: AsyncSession, telegram_id: int, question: str, answer: str,
                        now: datetime) -> CheckStep:
    """Store one answer if it answers the question being asked; a double tap or an old
    button changes nothing."""
    profile = await _profile(session, telegram_id)
    if profile is None:
        return CheckStep("not_patient")
    answers = dict(profile.safety_answers or {})
    if answer not in ANSWERS or next_question(answers) != question:
        return CheckStep("stale", next_question(answers), len(answers) + 1, answers)
    answers[question] = answer
    profile.safety_answers = answers
    first_time = False
    if answered(answers):
        first_time = profile.safety_checked_at is None
        profile.safety_checked_at = now
    session.add(profile)
    question_next = next_question(answers)
    return CheckStep("ok", question_next, len(answers) + 1, answers, first_time)
