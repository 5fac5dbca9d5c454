"""The Bot API emulator answers as Telegram does, seen through python-telegram-bot's own Bot."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter

from bot.emulator import Emulator


class Ticks:
    """A monotonic clock for the flood limits that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
async def emu(ticks: Ticks) -> AsyncIterator[Emulator]:
    async with Emulator(monotonic=ticks) as emulator:
        yield emulator


@pytest.fixture
async def tg(emu: Emulator) -> AsyncIterator[Bot]:
    async with Bot(emu.token, base_url=emu.base_url) as bot:
        yield bot


def seconds(exc: RetryAfter) -> float:
    """retry_after in seconds, whichever type this python-telegram-bot gives."""
    value = exc._retry_after  # the timedelta behind the deprecated int property
    return value.total_seconds()


def png(width: int, height: int) -> bytes:
    header = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR"
    return header + width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x06\x00\x00\x00"


async def test_get_me_and_a_wrong_token(emu: Emulator, tg: Bot) -> None:
    assert tg.username == "RehabBuddyBot"
    with pytest.raises(InvalidToken):
        async with Bot("42:wrong-token-wrong-token-wrong", base_url=emu.base_url) as other:
            await other.get_me()


async def test_unknown_method_is_404(emu: Emulator) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{emu.base_url}{emu.token}/sendTelepathy")
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_the_bot_cannot_write_first_nor_to_someone_who_blocked_it(emu: Emulator,
                                                                        tg: Bot) -> None:
    ann = emu.person("Ann")
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await tg.send_message(ann.chat.id, "hi")
    emu.world.user_message(ann.user, ann.chat, text="/start")
    await tg.send_message(ann.chat.id, "hi")
    ann.block()
    with pytest.raises(Forbidden, match="blocked by the user"):
        await tg.send_message(ann.chat.id, "hi again")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await tg.send_message(987654, "hi")


async def test_html_is_checked_as_telegram_does(emu: Emulator, tg: Bot) -> None:
    ann = emu.person("Ann")
    emu.world.user_message(ann.user, ann.chat, text="hello")
    sent = await tg.send_message(ann.chat.id, "<b>Bold</b> &amp; <i>fine</i> &lt;3",
                                 parse_mode=ParseMode.HTML)
    assert sent.text == "Bold & fine <3"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 4), ("italic", 7, 4)]
    for bad in ("a < b", "<script>x</script>", "<b>open", "Tom & Jerry", "<b>x</i>"):
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await tg.send_message(ann.chat.id, bad, parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await tg.send_message(ann.chat.id, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await tg.send_message(ann.chat.id, "pick", reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("too long", callback_data="x" * 65)]]))


async def test_edits_and_not_modified(emu: Emulator, tg: Bot) -> None:
    ann = emu.person("Ann")
    emu.world.user_message(ann.user, ann.chat, text="hello")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Done", callback_data="d")]])
    sent = await tg.send_message(ann.chat.id, "one", reply_markup=markup)
    edited = await tg.edit_message_text("two", ann.chat.id, sent.message_id, reply_markup=markup)
    assert edited.text == "two"
    assert ann.last.text == "two"
    assert ann.buttons() == ["Done"]
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await tg.edit_message_text("two", ann.chat.id, sent.message_id, reply_markup=markup)
    await tg.edit_message_reply_markup(ann.chat.id, sent.message_id, reply_markup=None)
    assert ann.buttons() == []
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await tg.edit_message_text("x", ann.chat.id, 999)


async def test_uploads_are_multipart_and_reusable(emu: Emulator, tg: Bot) -> None:
    ann = emu.person("Ann")
    emu.world.user_message(ann.user, ann.chat, text="hello")
    photo = await tg.send_photo(ann.chat.id, io.BytesIO(png(800, 400)), caption="<b>Week</b>",
                                parse_mode=ParseMode.HTML, filename="week.png")
    assert (photo.photo[-1].width, photo.photo[-1].height) == (800, 400)
    assert photo.caption == "Week"
    stored = emu.world.files[photo.photo[-1].file_id]
    assert stored.content == png(800, 400)
    again = await tg.send_photo(ann.chat.id, photo.photo[-1].file_id)
    assert again.photo[-1].file_id == photo.photo[-1].file_id
    document = await tg.send_document(ann.chat.id, io.BytesIO(b"a,b\n1,2\n"),
                                      filename="reps.csv")
    assert document.document.file_name == "reps.csv"
    assert document.document.file_size == 8


async def test_flood_limit_is_a_strict_one_second_window(emu: Emulator, tg: Bot,
                                                         ticks: Ticks) -> None:
    ann = emu.person("Ann")
    emu.world.user_message(ann.user, ann.chat, text="hello")
    for i in range(30):
        ticks.now += 0.01
        await tg.send_message(ann.chat.id, f"m{i}")
    with pytest.raises(RetryAfter) as caught:
        await tg.send_message(ann.chat.id, "one too many")
    assert seconds(caught.value) >= 1
    ticks.now += 0.7  # the first message of the window is now 0.99 s old... not yet out
    with pytest.raises(RetryAfter):
        await tg.send_message(ann.chat.id, "still too many")
    ticks.now += 0.02  # now it has left the window
    await tg.send_message(ann.chat.id, "fine again")
    assert emu.world.rate_limited == 2


async def test_groups_get_twenty_a_minute(emu: Emulator, tg: Bot, ticks: Ticks) -> None:
    group = emu.world.add_group("Family")
    for i in range(20):
        ticks.now += 1.0
        await tg.send_message(group.id, f"m{i}")
    with pytest.raises(RetryAfter) as caught:
        await tg.send_message(group.id, "one too many")
    assert 30 <= seconds(caught.value) <= 41
    ticks.now += 41
    await tg.send_message(group.id, "fine again")


async def test_updates_long_poll_and_offsets(emu: Emulator, tg: Bot) -> None:
    ann = emu.person("Ann")
    first = emu.world.user_message(ann.user, ann.chat, text="one")
    emu.world.user_message(ann.user, ann.chat, text="two")
    updates = await tg.get_updates(timeout=0)
    assert [u.message.text for u in updates] == ["one", "two"]
    assert updates[0].update_id == first
    # confirming with an offset drops what came before it
    assert await tg.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()
    # a long poll returns as soon as something arrives
    poll = asyncio.create_task(tg.get_updates(offset=updates[-1].update_id + 1, timeout=10))
    await asyncio.wait_for(emu.world.poll_waiting.wait(), 5)  # the poll is at the server
    emu.world.user_message(ann.user, ann.chat, text="three")
    got = await asyncio.wait_for(poll, 5)
    assert [u.message.text for u in got] == ["three"]


async def test_callback_queries_are_answered_once(emu: Emulator, tg: Bot) -> None:
    ann = emu.person("Ann")
    emu.world.user_message(ann.user, ann.chat, text="hello")
    await tg.send_message(ann.chat.id, "pick", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("Yes", callback_data="y")]]))
    _, query = emu.world.press_button(ann.user, ann.last, "y")
    assert await tg.answer_callback_query(query.id, text="Saved")
    assert query.answer_text == "Saved"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await tg.answer_callback_query(query.id)


async def test_commands_are_validated_and_stored(emu: Emulator, tg: Bot) -> None:
    await tg.set_my_commands([("start", "Begin"), ("help", "Help")])
    assert [c.command for c in await tg.get_my_commands()] == ["start", "help"]
    with pytest.raises(BadRequest):
        await tg.set_my_commands([("Bad-Name", "x")])
