"""A fault in a handler: logged for the operator, a plain apology for the person."""

from __future__ import annotations

import logging

import pytest
from telegram import Update
from telegram.ext import CommandHandler

from bot.context import RehabContext
from bot.emulator import Emulator
from bot.local import LocalBot


async def test_a_failing_handler_apologises_without_internals(
    bot: LocalBot, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(update: Update, context: RehabContext) -> None:
        raise ZeroDivisionError("internal detail 42")

    bot.app.handlers[0].insert(0, CommandHandler("broken", broken))  # ahead of the fallback
    ann = emulator.person("Ann")
    with caplog.at_level(logging.INFO):
        replies = await ann.send("/broken my secret symptoms")
    assert len(replies) == 1
    assert "something went wrong" in replies[0].text
    assert "ZeroDivisionError" not in replies[0].text
    assert "internal detail" not in replies[0].text
    assert "ZeroDivisionError" in caplog.text  # the operator can see what failed
    assert "my secret symptoms" not in caplog.text  # but not what the person wrote


async def test_one_apology_per_update_even_when_two_groups_fail(
    bot: LocalBot, emulator: Emulator
) -> None:
    async def broken(update: Update, context: RehabContext) -> None:
        raise RuntimeError("boom")

    bot.app.add_handler(CommandHandler("broken", broken), group=-2)
    bot.app.handlers[0].insert(0, CommandHandler("broken", broken))
    ann = emulator.person("Ann")
    replies = await ann.send("/broken")
    assert [m.text.split("\n")[0] for m in replies] == [
        "Sorry, something went wrong on my side. 🙏"]


def test_an_unparseable_update_is_logged_without_its_data() -> None:
    import logging

    from bot.logs import DropUpdateData

    record = logging.LogRecord("telegram.ext.ExtBot", logging.CRITICAL, __file__, 1,
                               "Error while parsing updates! Received data was %s",
                               ([{"message": {"text": "my shoulder hurts", "first_name": "Ann"}}],),
                               None)
    assert DropUpdateData().filter(record)
    assert "shoulder" not in record.getMessage() and "Ann" not in record.getMessage()


async def test_a_bad_gateway_from_telegram_is_tried_again(bot: LocalBot,
                                                         emulator: Emulator) -> None:
    from bot.emulator.world import ApiError

    ann = emulator.person("Ann")
    await ann.send("/start")
    emulator.world.fail_next.append(ApiError(502, "Bad Gateway"))
    replies = await ann.send("/help")
    assert replies and "/start" in replies[0].text and "Sorry" not in replies[0].text
