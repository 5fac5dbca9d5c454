"""Forged buttons with ids too large for the database: no traceback, no apology, nothing
changed (before, 2**63 raised OverflowError and the person got "Sorry, something went
wrong")."""

from __future__ import annotations

import logging

import pytest

from bot.emulator import Emulator
from bot.local import LocalBot
from tests.journey import onboard

HUGE = str(2**63)
FORGED = [f"s:{HUGE}:0:r:10", f"s:1:{HUGE}:r:10", f"s:1:0:r:{HUGE}", f"prog:p:{HUGE}",
          f"rmd:del:{HUGE}", f"snz:{HUGE}:15", f"skp:{HUGE}", f"fam:acc:{HUGE}",
          f"fam:rm:{HUGE}", f"chr:{HUGE}", f"thx:{HUGE}", f"ct:o:{HUGE}", f"pb:yes:{HUGE}",
          f"s:{'9' * 40}:0:skip"]


@pytest.mark.parametrize("data", FORGED)
async def test_a_forged_huge_id_gets_no_apology(bot: LocalBot, emulator: Emulator,
                                                data: str,
                                                caplog: pytest.LogCaptureFixture) -> None:
    ann = emulator.person("Ann")
    await onboard(ann)
    before = len(ann.messages)
    with caplog.at_level(logging.ERROR):
        await ann.press_data(data)
    assert not [m for m in ann.messages[before:] if "Sorry" in (m.text or "")]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
