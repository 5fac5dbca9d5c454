"""Family, end to end: invitations by link, the shared view, cheers, alerts, a family group,
weekly digests at each member's own Sunday evening; and that access ends the moment it should."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.clock import FakeClock
from bot.emulator import Emulator, Persona
from bot.emulator.world import Message
from bot.local import LocalBot
from bot.materials.catalogue import lessons
from bot.materials.texts import texts
from bot.settings import Settings
from db.engine import Database
from db.models import FamilyLink, Invitation
from tests.journey import onboard


async def invite_link(patient: Persona) -> str:
    replies = await patient.send("/invite")
    match = re.search(r"https://t\.me/RehabBuddyBot\?start=([A-Za-z0-9_-]+)", replies[0].text)
    assert match, replies[0].text
    return match.group(1)


async def join(member: Persona, token: str) -> list[Message]:
    await member.send(f"/start {token}")
    return await member.press("Yes, follow")


async def test_invite_accept_and_see_the_shared_progress(bot: LocalBot,
                                                         emulator: Emulator) -> None:
    ann, ben = emulator.person("Ann"), emulator.person("Ben")
    await onboard(ann)
    await ann.send("did 20")
    await ann.press("Save it")
    token = await invite_link(ann)
    assert len(token) >= 22 and len(token) <= 64
    share = ann.last.inline_buttons[0]
    assert share["url"].startswith("https://t.me/share/url?url=")
    replies = await ben.send(f"/start {token}")
    assert "Ann invited you" in replies[0].text and "weekly digest" in replies[0].text
    replies = await ben.press("Yes, follow")
    assert "You now follow Ann's practice" in " ".join(m.text for m in replies)
    assert "Ben now follows your practice" in ann.last.text
    replies = await ben.send("/progress")
    assert "Ann's progress" in replies[0].text
    assert "Moves this week: 20" in replies[0].text
    assert replies[1].photo is not None
    help_text = (await ben.send("/help"))[0].text
    assert "/progress — " in help_text and "/digest — " in help_text and "/today" not in help_text
    replies = await ben.send("/start")  # coming back: straight to the people Ben follows
    assert "Welcome back, Ben!" in replies[0].text and "• Ann" in replies[1].text
    async with bot.services.db.session() as session:
        invitation = (await session.exec(select(Invitation))).one()
    assert invitation.token_hash != token and len(invitation.token_hash) == 64
    assert invitation.used_at is not None


async def test_bad_links_get_nothing(bot: LocalBot, emulator: Emulator) -> None:
    ann, ben, cy, eve = (emulator.person(n) for n in ("Ann", "Ben", "Cy", "Eve"))
    await onboard(ann)
    token = await invite_link(ann)
    await ann.send(f"/start {token}")
    assert "your own invite link" in ann.last.text
    await join(ben, token)
    await cy.send(f"/start {token}")  # reused
    assert "already used" in cy.last.text
    await eve.send("/start " + "x" * 32)  # forged
    assert "does not work" in eve.last.text
    late = await invite_link(ann)
    bot.clock.advance(timedelta(hours=72, minutes=1))
    await cy.send(f"/start {late}")
    assert "expired" in cy.last.text
    # a stranger pressing an accept button for an invitation they never opened
    fresh = await invite_link(ann)
    await cy.send(f"/start {fresh}")
    accept = cy.find_button("Yes, follow")[1]["callback_data"]
    await eve.send("/help")
    await eve.press_data(accept, message=eve.last)
    async with bot.services.db.session() as session:
        links = (await session.exec(select(FamilyLink))).all()
    assert [link.member_id for link in links] == [2]  # only Ben
    assert "does not work" in eve.last.text
    await eve.send("/progress")
    assert "let us set up your practice" in eve.last.text
    await eve.press_data("prog:p:1", message=eve.last)  # forged: Ann's progress by id
    assert "only see the progress of someone who invited you" in eve.last.text
    await eve.press_data("chr:1:0", message=eve.last)  # forged: a cheer without a link
    assert "That button is not for you." in eve.toasts


async def test_removal_and_leaving_take_effect_at_once(bot: LocalBot,
                                                       emulator: Emulator) -> None:
    ann, ben, cy = emulator.person("Ann"), emulator.person("Ben"), emulator.person("Cy")
    await onboard(ann)
    await join(ben, await invite_link(ann))
    await join(cy, await invite_link(ann))
    await ben.send("/family")
    progress_button = ben.find_button("📈 Ann's progress")[1]["callback_data"]
    await ann.send("/family")
    assert "• Ben" in ann.messages[-1].text and "• Cy" in ann.messages[-1].text
    await ann.press("Remove Ben")
    assert "Remove Ben? They will stop seeing your progress" in ann.last.text
    asked = ann.last
    yes = ann.find_button("Yes, remove Ben")[1]["callback_data"]
    await ann.press("Yes, remove Ben")
    assert "Ben no longer sees your practice" in asked.text
    await ann.press_data(yes, message=asked)  # a double tap: the same words, told once
    assert "Ben no longer sees your practice" in asked.text
    assert "That button is not for you." not in ann.toasts
    assert sum("stopped sharing" in (m.text or "") for m in ben.messages) == 1
    assert "stopped sharing" in ben.last.text
    await ben.press_data(progress_button, message=ben.messages[-2])
    assert "only see the progress of someone who invited you" in ben.last.text
    await ben.send("/progress")
    assert "Ann" not in ben.last.text
    # forged: Cy tries to remove a link by id, as if she were Ann
    await cy.press_data("fam:rm:2", message=cy.last)
    await cy.press_data("fam:rmy:2", message=cy.last)
    assert cy.toasts.count("That button is not for you.") == 2
    await cy.send("/family")
    await cy.press("Stop following Ann")
    await cy.press("No, keep it as it is")
    assert "Nothing changed" in cy.last.text
    await cy.press("Stop following Ann")
    await cy.press("Yes, stop following Ann")
    assert "no longer follows your practice" in ann.last.text
    async with bot.services.db.session() as session:
        links = (await session.exec(select(FamilyLink))).all()
    assert all(link.revoked_at is not None for link in links)


async def test_cheers_and_thanks(bot: LocalBot, emulator: Emulator) -> None:
    ann, ben = emulator.person("Ann"), emulator.person("Ben")
    await onboard(ann)
    await join(ben, await invite_link(ann))
    await ben.send("/family")
    await ben.press("📣 Cheer Ann")
    await ben.press("You can do this! 💪")
    assert "Ben sent you a cheer" in ann.last.text and "You can do this!" in ann.last.text
    await ann.press("Thanks!")
    assert "Ann says thank you" in ben.last.text
    await ben.send("/family")
    await ben.press("📣 Cheer Ann")
    await ben.press("My own words")
    await ben.send("x" * 201)
    assert "under 200" in ben.last.text
    await ben.send("<b>Go</b> Ann & co!")
    assert "<b>Go</b> Ann & co!" in ann.last.text  # shown as written, never as markup
    await ben.send("did 12")  # after the cheer, text means what it always means
    assert "did 12" not in ann.last.text
    assert sum("Ben sent you a cheer" in (m.text or "") for m in ann.messages) == 2


async def test_alerts_once_per_episode(bot: LocalBot, emulator: Emulator) -> None:
    ann, ben = emulator.person("Ann"), emulator.person("Ben")
    await onboard(ann)
    await join(ben, await invite_link(ann))
    await ann.send("/alerts")
    await ann.press("No session for a few days")
    await ann.press("When it hurt")
    assert "no session for 2 days: on" in ann.last.text
    assert "when you say it hurt: on" in ann.last.text
    await ann.send("did 5 my hand hurt")
    await ann.press("A little")
    assert not [m for m in ben.messages if "hurt" in (m.text or "")]  # once, a little: no alert
    await ann.send("did 4 sore")
    await ann.press("Hand or fingers")
    await ann.press("A lot")
    await ann.send("did 3 my hand hurts")
    await ann.press("A lot")
    pain = [m for m in ben.messages if "said their hand and fingers hurt" in (m.text or "")]
    assert len(pain) == 1 and "care team" in pain[0].text  # once per episode
    await ann.send("/alerts 3")
    assert "no session for 3 days: on" in ann.last.text
    await bot.advance(timedelta(days=5))
    quiet = [m for m in ben.messages if "has not practised" in (m.text or "")]
    assert len(quiet) == 1 and "3 days" in quiet[0].text
    local = datetime.fromtimestamp(quiet[0].date, UTC).astimezone(ZoneInfo("UTC"))
    assert 8 <= local.hour < 21  # never at night


async def test_inactivity_alerts_go_a_page_a_tick_and_reach_everyone(
        bot: LocalBot, emulator: Emulator) -> None:
    """The hourly check goes through the patients a page a tick (here one patient a page):
    every follower still hears once, and a patient who keeps practising is never named."""
    bot.services.extras["sweeper"].page = 1
    pairs = []
    for name in ("Ann", "Cat", "Dee"):
        patient, member = emulator.person(name), emulator.person(f"{name}'s son")
        await onboard(patient)
        await join(member, await invite_link(patient))
        await patient.send("/alerts 2")
        assert "no session for 2 days: on" in patient.last.text
        pairs.append((patient, member))
    keen, _keen_member = pairs[1]
    for _ in range(4):
        await bot.advance(timedelta(days=1))
        await keen.send("did 10")
        await keen.press("Save it")
    for patient, member in pairs:
        quiet = [m for m in member.messages if "has not practised" in (m.text or "")]
        if patient is keen:
            assert quiet == []
        else:
            assert len(quiet) == 1 and patient.user.first_name in quiet[0].text


async def test_family_group(bot: LocalBot, emulator: Emulator) -> None:
    ann, ben = emulator.person("Ann"), emulator.person("Ben")
    await onboard(ann)
    group = emulator.world.add_group("The Smiths")
    code = re.search(r"/link ([A-Z0-9]{8})", (await ann.send("/group"))[0].text).group(1)
    in_group = ben.in_chat(group)
    await in_group.send("/today")  # no health data in a group by a command
    assert in_group.messages == []
    await in_group.send(f"/link {code}")
    assert "Linked! This group will get Ann's milestones" in in_group.last.text
    assert "The Smiths" in ann.last.text
    await in_group.send(f"/link {code}")
    assert "already used" in in_group.last.text
    await ann.send("did 120")
    await ann.press("Save it")
    assert any("News from Ann: 100 moves" in (m.text or "") for m in in_group.messages)
    await bot.advance(timedelta(days=6, hours=9))  # Sunday 18:00 in London
    weekly = [m for m in in_group.messages if "Ann's week" in (m.text or "")]
    assert len(weekly) == 1 and "Moves: 120" in weekly[0].text
    assert sum("Your week" in (m.text or "") for m in ann.messages) == 1


async def test_a_week_with_three_time_zones(bot: LocalBot, emulator: Emulator) -> None:
    ann, ben, cy = (emulator.person(n) for n in ("Ann", "Ben", "Cy"))
    await onboard(ann)  # London
    await join(ben, await invite_link(ann))
    await ben.press("New York")
    await join(cy, await invite_link(ann))
    await cy.send("/timezone Sydney")
    for _ in range(5):
        await ann.send("did 15 hard")
        await ann.press("Save it")
        await bot.advance(timedelta(days=1))
    await bot.advance(timedelta(days=3))

    def digests(persona: Persona) -> list[Message]:
        return [m for m in persona.messages if (m.text and "'s week" in m.text)
                or (m.text or "").startswith("Your week")]

    expected = {"Ben": "America/New_York", "Cy": "Australia/Sydney", "Ann": "Europe/London"}
    for persona in (ben, cy, ann):
        got = digests(persona)
        assert len(got) == 1, persona.user.first_name
        local = datetime.fromtimestamp(got[0].date, UTC).astimezone(
            ZoneInfo(expected[persona.user.first_name]))
        assert (local.strftime("%A"), local.hour) == ("Sunday", 18)
    assert "Moves: 75" in digests(ben)[0].text
    assert "Your week" in digests(ann)[0].text
    tip = ben.messages[ben.messages.index(digests(ben)[0]) + 2]
    family_lessons = {lesson.id for lesson in lessons() if lesson.audience == "family"}
    titles = {texts().render(f"lessons/{lesson_id}", "en", name="Ben").split("\n")[0]
              for lesson_id in family_lessons}
    assert tip.html.split("\n")[0] in titles  # a lesson written for family, as the suggestion
    assert "Below: a tip for how to help this week." in digests(ben)[0].text


async def test_digest_preview_and_schedule(bot: LocalBot, emulator: Emulator) -> None:
    ann, ben = emulator.person("Ann"), emulator.person("Ben")
    await onboard(ann)
    await join(ben, await invite_link(ann))
    replies = await ben.send("/digest")
    assert "Ann's week" in replies[0].text
    # the preview shows what the digest will show: it promises a tip, and the tip follows
    assert "Below: a tip for how to help this week." in replies[0].text
    assert replies[1].photo is not None
    preview_tip = replies[2].html.split("\n")[0]
    family_lessons = {lesson.id for lesson in lessons() if lesson.audience == "family"}
    titles = {texts().render(f"lessons/{lesson_id}", "en", name="Ben").split("\n")[0]
              for lesson_id in family_lessons}
    assert preview_tip in titles
    assert "Sun at 18:00" in ben.last.text
    await ben.press("Change day and time")
    await ben.press("Fri")
    await ben.press("08:00")
    assert "Fri at 08:00" in ben.last.text


async def test_digest_once_across_a_restart(settings: Settings, database: Database,
                                            clock: FakeClock, emulator: Emulator) -> None:
    ann, ben = emulator.person("Ann"), emulator.person("Ben")
    async with LocalBot(settings=settings, database=database, clock=clock,
                        emulator=emulator) as local_bot:
        await onboard(ann)
        await join(ben, await invite_link(ann))
        await local_bot.advance(timedelta(days=6, hours=9))  # Sunday 18:00 London
    clock.advance(timedelta(minutes=5))
    async with LocalBot(settings=settings, database=database, clock=clock,
                        emulator=emulator) as local_bot:
        await local_bot.run_due()
    assert sum("Ann's week" in (m.text or "") for m in ben.messages) == 1


async def test_a_digest_in_the_hands_of_an_instance_that_died_is_sent_by_another(
        settings: Settings, database: Database, clock: FakeClock, emulator: Emulator) -> None:
    """Another instance claimed Ben's digest and is still running: this one leaves it (and
    keeps the schedule due). That instance dies before sending: this one sends it, once."""
    from bot.rules.family import digest_week
    from db.models import DigestSent, PatientProfile, Person
    from db.presence import Presence

    ann, ben = emulator.person("Ann"), emulator.person("Ben")
    other = Presence(database)
    await other.start()
    async with LocalBot(settings=settings, database=database, clock=clock,
                        emulator=emulator) as local_bot:
        await onboard(ann)
        await join(ben, await invite_link(ann))
        await local_bot.advance(timedelta(days=6, hours=8))  # Sunday 17:00 in London
        due = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
        week_start, _ = digest_week(due, "Europe/London")
        async with database.session() as session:
            reader = (await session.exec(select(Person).where(
                Person.telegram_id == ben.user.id))).one()
            patient = (await session.exec(select(PatientProfile).join(
                Person, Person.id == PatientProfile.person_id).where(
                Person.telegram_id == ann.user.id))).one()
            session.add(DigestSent(person_id=reader.id, patient_id=patient.id, chat_id=0,
                                   week_start=week_start, sent_at=due, status="claimed",
                                   claimed_by=other.instance_id))
        await local_bot.advance(timedelta(hours=1, minutes=5))
        assert not [m for m in ben.messages if "Ann's week" in (m.text or "")]
        await other.close()  # that instance is gone
        clock.advance(timedelta(minutes=1))
        await local_bot.run_due()
        await local_bot.advance(timedelta(hours=2))
    assert sum("Ann's week" in (m.text or "") for m in ben.messages) == 1


async def test_many_digests_due_in_the_same_minute_go_a_few_at_a_time_each_once(
        bot: LocalBot, emulator: Emulator) -> None:
    """Readers are served a few at a time (``Digester.at_once``: a digest run does not wake
    hundreds of tasks at once, bench: a digest run); every one still gets their week, once."""
    ann = emulator.person("Ann")
    family = [emulator.person(name) for name in ("Ben", "Cy", "Dee", "Eve", "Fay")]
    await onboard(ann)
    for member in family:
        await join(member, await invite_link(ann))
    await ann.send("did 30")
    await ann.press("Save it")
    bot.services.extras["digester"].at_once = 2
    await bot.advance(timedelta(days=6, hours=9))  # Sunday 18:00 in London: all due
    for member in family:
        weekly = [m for m in member.messages if "Ann's week" in (m.text or "")]
        assert len(weekly) == 1, member.user.first_name
        assert "Moves: 30" in weekly[0].text
        after = member.messages[member.messages.index(weekly[0]) + 1]
        assert after.photo is not None  # the week's chart
    assert sum("Your week" in (m.text or "") for m in ann.messages) == 1


async def test_digests_read_page_by_page_reach_everyone_once_and_move_every_schedule_on(
        bot: LocalBot, emulator: Emulator, database: Database, clock: FakeClock) -> None:
    """Due schedules are read a page at a time, the next page while the last readers of the
    one before are still served (``Digester.tick``): with pages of 2 and one reader at a
    time, one run reaches each of 6 readers once and moves every schedule to next week."""
    from db.models import DigestSchedule

    ann = emulator.person("Ann")
    family = [emulator.person(name) for name in ("Ben", "Cy", "Dee", "Eve", "Fay")]
    await onboard(ann)
    for member in family:
        await join(member, await invite_link(ann))
    digester = bot.services.extras["digester"]
    digester.batch, digester.at_once = 2, 1
    await bot.advance(timedelta(days=6, hours=8, minutes=59))  # Sunday 17:59 in London
    assert not any("Ann's week" in (m.text or "") for m in family[0].messages)
    clock.advance(timedelta(minutes=1))
    await bot.run_due()  # 18:00: all six due, one run
    for member in family:
        assert sum("Ann's week" in (m.text or "") for m in member.messages) == 1
    assert sum("Your week" in (m.text or "") for m in ann.messages) == 1
    async with database.session() as session:
        dues = (await session.exec(select(DigestSchedule.next_due_at))).all()
    assert len(dues) == 6
    assert all(d.date() == date(2026, 12, 6) for d in dues), dues
