"""The care team in the loop, end to end through the emulator: a patient invites a therapist;
the therapist sets the level, puts back an exercise and leaves a note; the patient's next
session shows all three; pain on two of three days reaches the therapist once; /report is a PDF
holding the database's figures; nobody else can do any of it."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from pypdf import PdfReader
from sqlmodel import func, select

from bot.emulator import Emulator, Persona
from bot.flows.practice import plan_for
from bot.local import LocalBot
from bot.materials.catalogue import catalogue
from db import patients
from db.models import CareChange, CheckIn, PatientProfile, PracticeSession
from tests.journey import onboard, press_done
from tests.test_family import join
from tests.test_safety import hurt

TITLE = {ex.id: ex.title for ex in catalogue().values()}


async def care_link(patient: Persona) -> str:
    replies = await patient.send("/careteam")
    assert "They will see: your plan and level" in replies[0].text
    match = re.search(r"start=([A-Za-z0-9_-]+)", replies[0].text)
    assert match, replies[0].text
    return match.group(1)


async def therapist_of(patient: Persona, therapist: Persona) -> None:
    await therapist.send(f"/start {await care_link(patient)}")
    assert "invited you to their care team" in therapist.last.text
    replies = await therapist.press("Yes, follow")
    assert any("You are now in Ann's care team" in (m.text or "") for m in
               (*replies, *therapist.messages[-3:]))
    assert "Alerts wait for your morning" in therapist.last.text
    await therapist.press("London")


async def profile_of(bot: LocalBot) -> PatientProfile:
    async with bot.services.db.session() as session:
        return (await session.exec(select(PatientProfile))).one()


async def test_the_whole_care_loop(bot: LocalBot, emulator: Emulator) -> None:
    ann, lee = emulator.person("Ann"), emulator.person("Lee")
    await onboard(ann, answers=(False,))  # placed at the shoulder
    await therapist_of(ann, lee)
    assert any("is now in your care team" in (m.text or "") for m in ann.messages)
    profile = await profile_of(bot)
    async with bot.services.db.session() as session:  # an exercise taken out after pain
        await patients.put_dose(session=session, patient_id=profile.id,
                                slot_id="wrist_lift_assisted", exercise_id="wrist_lift",
                                reps=8, sets=2, excluded=True, now=bot.clock.now())

    await lee.send("/patients")
    await lee.press("Ann")
    panel = lee.last.text
    assert "Level: shoulder" in panel and "Taken out after pain: Wrist lift" in panel
    assert "safe to eat and drink: yes" in panel  # the entry check answers

    await lee.press("Set level")
    await lee.press("elbow")
    await lee.press("After my assessment")
    assert "Ann's level is now elbow" in lee.last.text
    assert "Your care team set your level to elbow." in ann.last.text

    await lee.press("Hold or put back", message=next(
        m for m in reversed(lee.messages) if "Level:" in (m.text or "")))
    await lee.press("Put back: Wrist lift")
    assert "Wrist lift is back in Ann's plan" in lee.last.text
    assert "Your care team put Wrist lift back in your plan." in ann.last.text

    await lee.press("Leave a note", message=next(
        m for m in reversed(lee.messages) if "Level:" in (m.text or "")))
    await lee.send("Keep the elbow straight in the table press <ok>")
    assert "Your note is saved" in lee.last.text
    assert "Your care team left you a note" in ann.last.text

    # the patient's next session: the note first, the elbow as focus, Wrist lift back
    await ann.send("/today")
    note = ann.messages[-2]
    assert "A note from your care team" in note.text
    assert "Keep the elbow straight in the table press <ok>" in note.text  # escaped, intact
    async with bot.services.db.session() as session:
        sess = (await session.exec(select(PracticeSession))).one()
        profile = (await session.exec(select(PatientProfile))).one()
        rows = await patients.doses(session=session, patient_id=profile.id)
        changes = (await session.exec(select(CareChange))).all()
    main = [i for i in sess.items if i["role"] == "main"]
    assert main and all(catalogue()[str(i["exercise_id"])].stage == "elbow" for i in main)
    week = [plan_for(profile, rows, sess.local_day + timedelta(days=n)) for n in range(8)]
    assert any(i.slot == "wrist_lift_assisted" for p in week for i in p.items)
    assert [(c.kind, c.reason) for c in changes] == [("stage", "assessment"),
                                                     ("restore", None), ("note", None)]
    assert all(c.by_person_id is not None for c in changes)
    await ann.send("/today")
    assert "A note from your care team" not in ann.messages[-2].text  # shown once

    # pain in one region on two of three days reaches the therapist once
    await ann.press("Stop for today")
    await bot.advance(timedelta(days=1))
    await ann.send("/today")
    await hurt(ann, "Elbow", "A little")
    await bot.advance(timedelta(days=1))
    await ann.send("/today")
    await hurt(ann, "Elbow", "A little")
    await ann.send("did 3, my elbow hurts")
    await ann.press("A little")
    alerts = [m for m in lee.messages if "pain in the elbow" in (m.text or "")]
    assert len(alerts) == 1

    # the report holds what the database holds
    await lee.send("/report")
    document = lee.last
    assert document.document is not None and document.document["mime_type"] == "application/pdf"
    content = emulator.world.files[document.document["file_id"]].content
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    async with bot.services.db.session() as session:
        total = (await session.exec(select(func.sum(CheckIn.reps * CheckIn.sets)))).one()
        days = (await session.exec(select(func.count(func.distinct(CheckIn.local_day))))).one()
    assert f"Moves in all {total}" in text.replace("\n", " ")
    assert f"Days practised {days} of 28" in text.replace("\n", " ")
    assert "Ann" not in text  # no name without the patient's agreement
    whole = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Level: elbow (After my assessment)" in whole and "Keep the elbow straight" in whole


async def test_nobody_else_can_do_a_care_action(bot: LocalBot, emulator: Emulator) -> None:
    ann, lee, ben, eve = (emulator.person(n) for n in ("Ann", "Lee", "Ben", "Eve"))
    await onboard(ann)
    await therapist_of(ann, lee)
    token = re.search(r"start=([A-Za-z0-9_-]+)", (await ann.send("/invite"))[0].text).group(1)
    await join(ben, token)  # family
    await eve.send("/start")  # a stranger
    profile = await profile_of(bot)
    pid = profile.id
    forged = [f"ct:o:{pid}", f"ct:lv:{pid}:5:ready", f"ct:h:{pid}:elbow_bend_assisted",
              f"ct:g:{pid}:60", f"ct:nt:{pid}", f"ct:rp:{pid}", f"ct:a:{pid}:pain",
              "ct:lv:99999999999999999999:1:ready"]
    for person in (ben, eve):
        for data in forged:
            await person.press_data(data)
        await person.send("/report")
    assert ben.toasts.count("That button is not for you.") == len(forged) - 1
    assert not [m for p in (ben, eve) for m in p.messages if m.document is not None]
    # the patient revokes the therapist: from then on, nothing
    await ann.send("/family")
    await ann.press("Remove Lee")
    await ann.press("Yes, remove Lee")
    before = len(lee.toasts)
    await lee.press_data(f"ct:lv:{pid}:5:ready")
    assert lee.toasts[before:] == ["That button is not for you."]
    await lee.send("/patients")
    assert "Nobody has invited you" in lee.last.text
    async with bot.services.db.session() as session:
        assert (await session.exec(select(CareChange))).all() == []
        assert (await session.exec(select(PatientProfile))).one().stage == profile.stage


async def test_care_alerts_wait_for_morning_come_once_a_day_and_are_batched(
        bot: LocalBot, emulator: Emulator) -> None:
    """A therapist following two patients who both stop practising hears once, in the
    morning, in one message; the same quiet spell is never told twice."""
    ann, cy, lee = emulator.person("Ann"), emulator.person("Cy"), emulator.person("Lee")
    await onboard(ann)
    await onboard(cy)
    await therapist_of(ann, lee)
    await cy.send("/careteam")
    token = re.search(r"start=([A-Za-z0-9_-]+)", cy.last.text).group(1)
    await lee.send(f"/start {token}")
    await lee.press("Yes, follow")
    before = len(lee.messages)
    await bot.advance(timedelta(days=4, hours=14))  # Monday 09:00 → Friday 23:00 in London
    quiet = [m for m in lee.messages[before:] if "has not practised" in (m.text or "")]
    assert len(quiet) == 1  # one message for both patients
    assert "Ann" in quiet[0].text and "Cy" in quiet[0].text
    sent = datetime.fromtimestamp(quiet[0].date, UTC).astimezone(ZoneInfo("Europe/London"))
    assert 8 <= sent.hour < 21  # never at night
    await bot.advance(timedelta(days=2))
    assert len([m for m in lee.messages[before:] if "has not practised" in (m.text or "")]) == 1


async def test_the_patient_chooses_whether_their_name_is_on_reports(
        bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    await ann.send("/report")
    first = emulator.world.files[ann.last.document["file_id"]].content
    assert "Ann" not in PdfReader(io.BytesIO(first)).pages[0].extract_text()
    assert ann.buttons() == ["⬜ My name on reports"]
    await ann.press("My name on reports")
    assert ann.buttons() == ["☑️ My name on reports"]
    await ann.send("/report")
    second = emulator.world.files[ann.last.document["file_id"]].content
    assert "Home practice: Ann" in PdfReader(io.BytesIO(second)).pages[0].extract_text()


async def test_the_monthly_arm_use_check_is_offered_answered_and_reported(
        bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    await ann.send("/armuse")
    assert "How do you use your affected arm?" in ann.messages[-2].text
    question, button = ann.find_button("3")
    taps = 0
    while "Thank you." not in (ann.last.text or "") and taps < 20:
        text = ann.last.text
        answer = "0 · not at all" if "spoon" in text and "How much" in text else (
            "Not sure" if "sleeve" in text else "3")
        await ann.press(answer)
        taps += 1
    assert taps == 11  # 6 activities x 2, less "how well" after a 0
    done = ann.last.text
    assert "How much you use your affected arm: 2.4 of 5" in done  # (3+3+0+3+3) / 5
    assert "How well it moves: 3.0 of 5" in done
    await ann.press_data(button["callback_data"], message=question)  # an old tap
    assert "That step is already done ✓" in ann.toasts
    await ann.send("/report")
    pdf = emulator.world.files[ann.last.document["file_id"]].content
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "how much 2.4, how well 3.0" in text.replace("\n", " ")


async def test_the_check_is_offered_after_a_session_once_a_month(
        bot: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    await bot.advance(timedelta(days=8))
    await ann.send("/today")
    await press_done(ann)
    await ann.press("3 😐 OK")
    replies = await ann.press("Stop for today")
    summary = next(m for m in replies if "moves" in (m.text or ""))
    assert "📋 6 questions about your arm" in [b["text"] for b in summary.inline_buttons]


async def test_a_weekly_report_on_the_day_the_therapist_chose(
        bot: LocalBot, emulator: Emulator) -> None:
    ann, lee = emulator.person("Ann"), emulator.person("Lee")
    await onboard(ann)
    await therapist_of(ann, lee)
    await lee.send("/patients")
    await lee.press("Ann")
    await lee.press("Alerts")
    await lee.press("A weekly report")
    assert "☑️ A report every Monday" in lee.buttons()
    before = len([m for m in lee.messages if m.document is not None])
    await bot.advance(timedelta(days=7, hours=1))  # today is a Monday, and the next one
    reports = [m for m in lee.messages if m.document is not None][before:]
    assert len(reports) == 2  # one a week, on Mondays, from 08:00
    for report in reports:
        sent = datetime.fromtimestamp(report.date, UTC).astimezone(ZoneInfo("Europe/London"))
        assert sent.weekday() == 0 and sent.hour >= 8
    await bot.advance(timedelta(days=2))
    assert len([m for m in lee.messages if m.document is not None][before:]) == 2


async def test_a_hold_from_the_care_team_is_theirs_to_lift(
        bot: LocalBot, emulator: Emulator) -> None:
    ann, lee = emulator.person("Ann"), emulator.person("Lee")
    await onboard(ann)
    await therapist_of(ann, lee)
    await lee.send("/patients")
    await lee.press("Ann")
    await lee.press("Hold or put back")
    first = next(b for b in lee.buttons() if b.startswith("⏸ Hold: "))
    title = first.removeprefix("⏸ Hold: ")
    await lee.press(first)
    assert f"{title} is on hold for Ann" in lee.last.text
    assert f"Your care team put {title} on hold for now." in ann.last.text
    await ann.send("/plan")
    assert f"On hold from your care team: {title}" in ann.last.text
    assert f"↩️ Put back: {title}" not in ann.buttons()  # the patient cannot lift it
    assert f"<b>{title}</b>" not in (ann.last.html or "").split("On hold")[0]
