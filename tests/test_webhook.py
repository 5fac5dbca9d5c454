"""Webhook mode: the emulator posts updates to the bot's own server as Telegram does; a post
without the secret is refused before anything is read; a refused or failed delivery is tried
again; and the real process serves health and metrics on the webhook's port."""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.emulator import Emulator
from bot.local import LocalBot
from bot.settings import Settings
from db.engine import Database
from db.models import Person
from tests.test_cli import COMMAND, clean_env
from tests.test_operations import free_port, metric


@pytest.fixture
async def hooked(settings: Settings, database: Database, clock: FakeClock,
                 emulator: Emulator) -> AsyncIterator[LocalBot]:
    async with LocalBot(settings=settings, database=database, clock=clock, emulator=emulator,
                        webhook=True) as local:
        yield local


def webhook_url(emulator: Emulator) -> str:
    assert emulator.world.webhook is not None
    return emulator.world.webhook.url


async def all_delivered(emulator: Emulator) -> dict:
    """The webhook info once the last 200 has reached the emulator (it follows the handling)."""
    for _ in range(200):
        info = emulator.world.get_webhook_info({})
        if info["pending_update_count"] == 0:
            return info
        await emulator.world.wait_for_updates(0.05)
    raise AssertionError("updates still pending")


async def people(database: Database) -> int:
    async with database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Person)) or 0)


async def test_a_patient_is_answered_by_webhook_and_nothing_polls(
        hooked: LocalBot, emulator: Emulator) -> None:
    ann = emulator.person("Ann")
    replies = await ann.send("/start")
    assert "Rehab Buddy" in replies[-1].text
    await ann.press(ann.buttons()[0])
    assert emulator.webhook_posts >= 2
    assert emulator.world.calls.get("getUpdates", 0) == 0
    info = await all_delivered(emulator)
    assert "last_error_message" not in info


async def test_a_post_without_the_secret_is_refused_and_changes_nothing(
        hooked: LocalBot, emulator: Emulator, database: Database) -> None:
    """Forged updates (no secret, a wrong one) get 403 and are never handled; the real one
    with the right secret is."""
    forged = {"update_id": 999_001, "message": {
        "message_id": 1, "date": 0, "chat": {"id": 4242, "type": "private", "first_name": "X"},
        "from": {"id": 4242, "is_bot": False, "first_name": "X"}, "text": "/start"}}
    url = webhook_url(emulator)
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"},
                        {"X-Telegram-Bot-Api-Secret-Token": ""}):
            async with http.post(url, data=json.dumps(forged),
                                 headers={"Content-Type": "application/json", **headers}) as r:
                assert r.status == 403
        # not even a body is read: garbage with no secret is the same 403
        async with http.post(url, data=b"\xff\x00 not json") as r:
            assert r.status == 403
    assert hooked.receiver is not None and hooked.receiver.refused == 4
    assert await people(database) == 0
    assert not [m for m in emulator.world.messages.values() if m.chat.id == 4242]
    metrics = await hooked.services.extras["metrics"].render()
    assert metric(metrics.decode(), "rehab_webhook_refused_total") == 4


async def test_a_delivery_refused_while_stopping_is_tried_again(
        hooked: LocalBot, emulator: Emulator) -> None:
    """The bot answers 503 while it stops; Telegram (the emulator) keeps the update and posts
    it again, and it is handled once, in order with the next one."""
    assert hooked.receiver is not None
    ann = emulator.person("Ann")
    hooked.receiver.stopping = True
    marker = ann.mark()
    first = emulator.world.user_message(ann.user, ann.chat, text="/start")
    second = emulator.world.user_message(ann.user, ann.chat, text="/help")
    for _ in range(200):  # the first attempt has been made and refused
        if emulator.world.get_webhook_info({}).get("last_error_message"):
            break
        await emulator.world.wait_for_updates(0.05)
    assert "503" in emulator.world.get_webhook_info({})["last_error_message"]
    hooked.receiver.stopping = False
    await asyncio.wait_for(hooked.processor.wait_processed(first), 10)
    await asyncio.wait_for(hooked.processor.wait_processed(second), 10)
    texts = [m.text for m in ann._since(marker)]
    assert len(texts) == 2
    assert "Rehab Buddy" in texts[0]  # /start's welcome before /help's answer
    await all_delivered(emulator)


async def test_get_updates_is_refused_while_a_webhook_is_set(emulator: Emulator) -> None:
    emulator.world.set_webhook({"url": "https://example.org/hook", "secret_token": "s3cret"})
    with pytest.raises(Exception, match="webhook is active"):
        await emulator.world.get_updates(None, 100, 0)
    emulator.world.delete_webhook({})
    assert await emulator.world.get_updates(None, 100, 0) == []


async def test_the_real_process_by_webhook_with_health_on_the_same_port(
        tmp_path: Path) -> None:
    """`rehab-buddy run --webhook`: sets its webhook with a secret, answers a person, serves
    /healthz, /readyz (role webhook) and /metrics on the webhook's port, refuses a forged
    post, and stops cleanly on SIGTERM without removing the webhook (others may serve it)."""
    port = free_port()
    async with Emulator() as emulator:
        process = await asyncio.create_subprocess_exec(
            *COMMAND, "run", "--webhook", cwd=tmp_path,
            env=clean_env(TELEGRAM_BOT_TOKEN=emulator.token,
                          TELEGRAM_API_BASE_URL=emulator.base_url, LOG_LEVEL="INFO",
                          WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
                          WEBHOOK_PORT=str(port), TICK_SECONDS="1"),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        base = f"http://127.0.0.1:{port}"
        try:
            ann = emulator.person("Ann")
            for _ in range(300):
                if emulator.world.webhook is not None:
                    break
                await asyncio.sleep(0.1)
            marker = ann.mark()
            emulator.world.user_message(ann.user, ann.chat, text="/start")
            await ann.wait_for_messages(marker, timeout=30)
            async with aiohttp.ClientSession() as http:
                async with http.get(f"{base}/healthz") as response:
                    assert response.status == 200
                for _ in range(100):
                    async with http.get(f"{base}/readyz") as response:
                        ready = (response.status, await response.json())
                    if ready[0] == 200:
                        break
                    await asyncio.sleep(0.1)
                async with http.post(f"{base}/hook", json={"update_id": 1}) as response:
                    forged = response.status
                async with http.get(f"{base}/metrics") as response:
                    metrics = await response.text()
        finally:
            process.send_signal(signal.SIGTERM)
            _out, err = await asyncio.wait_for(process.communicate(), 30)
        assert emulator.world.webhook is not None  # still set for the other instances
        assert emulator.world.webhook.secret_token
    assert process.returncode == 0
    assert ready == (200, ready[1]) and ready[1]["role"] == "webhook"
    assert forged == 403
    assert metric(metrics, 'rehab_updates_total{kind="message"}') == 1
    assert "taking updates by webhook" in err.decode()
    assert "Traceback" not in err.decode()
    assert emulator.token not in err.decode()
