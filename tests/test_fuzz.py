"""Fuzz: a few hundred random and malformed updates of every kind, as a real bot meets them
over months (edited messages, channel posts, stickers, photos, membership changes, inline
queries, random button data, huge texts, group messages, and data of the wrong shape). Then
the bot still answers, nobody got an apology, and no ERROR line or traceback was logged.
Before, one update the library could not read stopped the poller for good."""

from __future__ import annotations

import logging
import random
from typing import Any

import pytest

from bot.emulator import Emulator
from bot.local import LocalBot
from tests.journey import onboard

WORDS = ["did", "12", "hurt", "help", "/start", "/today", "/help", "/link", "🙂", "é", "日本",
         "<b>", "&amp;", "\u202e", "\x00", "@RehabBuddyBot", "/start@OtherBot", "shoulder", "0",
         "-5", "3x10", "99999999999999999999", "/remind", "25:99", "/goal", "/pause 9999"]


def text(rng: random.Random) -> str:
    if rng.random() < 0.05:
        return "x" * rng.choice((4097, 10_000))  # longer than Telegram itself allows
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6)))


def user(rng: random.Random, known: list[dict[str, Any]]) -> dict[str, Any]:
    if known and rng.random() < 0.5:
        return rng.choice(known)
    return {"id": rng.choice((rng.randint(1, 10**9), 2**62, 777)), "is_bot": False,
            "first_name": rng.choice(("Zoë", "<i>x</i>", "", "A" * 300)),
            "language_code": rng.choice((None, "es", "zh-hans", "x" * 40))}


def chat(rng: random.Random, who: dict[str, Any]) -> dict[str, Any]:
    kind = rng.choice(("private", "private", "group", "supergroup", "channel"))
    if kind == "private":
        return {"id": who["id"], "type": "private", "first_name": who["first_name"]}
    return {"id": -rng.randint(10**9, 10**12), "type": kind, "title": "Fam <&>"}


def message(rng: random.Random, known: list[dict[str, Any]], n: int) -> dict[str, Any]:
    who = user(rng, known)
    where = chat(rng, who)
    body: dict[str, Any] = {"message_id": n, "date": 1_764_000_000, "chat": where}
    if where["type"] != "channel":
        body["from"] = who
    extra = rng.choice(("text", "text", "text", "sticker", "photo", "document", "voice",
                        "contact", "location", "new_chat_members", "left_chat_member",
                        "migrate_to_chat_id", "poll", "dice", "entities"))
    if extra in ("text", "entities"):
        body["text"] = text(rng)
        if extra == "entities" or body["text"].startswith("/"):
            body["entities"] = [{"type": "bot_command", "offset": rng.randint(0, 3),
                                 "length": rng.randint(1, 500)}]
    elif extra == "sticker":
        body["sticker"] = {"file_id": "s", "file_unique_id": "s", "type": "regular",
                           "width": 512, "height": 512, "is_animated": False,
                           "is_video": False}
    elif extra == "photo":
        body["photo"] = [{"file_id": "p", "file_unique_id": "p", "width": 90, "height": 90}]
        body["caption"] = text(rng)
    elif extra == "document":
        body["document"] = {"file_id": "d", "file_unique_id": "d", "file_name": "a.exe"}
    elif extra == "voice":
        body["voice"] = {"file_id": "v", "file_unique_id": "v", "duration": 3}
    elif extra == "contact":
        body["contact"] = {"phone_number": "+100", "first_name": "Ann"}
    elif extra == "location":
        body["location"] = {"latitude": rng.uniform(-90, 90), "longitude": rng.uniform(-180, 180)}
    elif extra == "new_chat_members":
        body["new_chat_members"] = [user(rng, known)]
    elif extra == "left_chat_member":
        body["left_chat_member"] = user(rng, known)
    elif extra == "migrate_to_chat_id":
        body["migrate_to_chat_id"] = -rng.randint(10**12, 10**13)
    elif extra == "poll":
        body["poll"] = {"id": "1", "question": "?", "options": [], "total_voter_count": 0,
                        "is_closed": False, "is_anonymous": True, "type": "regular",
                        "allows_multiple_answers": False}
    else:
        body["dice"] = {"emoji": "🎲", "value": 3}
    return body


def member(rng: random.Random, who: dict[str, Any], bot_id: int) -> dict[str, Any]:
    status = rng.choice(("member", "kicked", "left", "administrator", "restricted"))
    target = {"id": bot_id, "is_bot": True, "first_name": "Rehab Buddy"} \
        if rng.random() < 0.6 else who
    state: dict[str, Any] = {"status": status, "user": target}
    if status == "kicked":
        state["until_date"] = 0
    if status == "administrator":
        state.update(can_be_edited=False, is_anonymous=False, can_manage_chat=True,
                     can_delete_messages=True, can_manage_video_chats=True,
                     can_restrict_members=True, can_promote_members=False,
                     can_change_info=True, can_invite_users=True, can_post_stories=False,
                     can_edit_stories=False, can_delete_stories=False)
    if status == "restricted":
        state.update(is_member=True, can_send_messages=False, can_send_audios=False,
                     can_send_documents=False, can_send_photos=False, can_send_videos=False,
                     can_send_video_notes=False, can_send_voice_notes=False,
                     can_send_polls=False, can_send_other_messages=False,
                     can_add_web_page_previews=False, can_change_info=False,
                     can_invite_users=False, can_pin_messages=False, can_manage_topics=False,
                     until_date=0)
    return state


MALFORMED: list[dict[str, Any]] = [
    {"message": "x"}, {"message": {"message_id": "a", "chat": 5}}, {"message": None},
    {"message": {"message_id": 1, "date": 0, "chat": {"id": "seven", "type": "private"}}},
    {"callback_query": {"id": "1"}}, {"inline_query": {"id": 5, "from": "me"}},
    {"edited_message": []}, {"my_chat_member": {"chat": {}}}, {},
    {"message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"},
                 "from": {"id": 2**70, "is_bot": False, "first_name": "Big"}, "text": "hi"}},
    {"message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"},
                 "from": {"id": 5, "is_bot": False, "first_name": "N"}, "text": 12345}},
    {"unknown_kind_of_update": {"a": 1}},
]


def updates(rng: random.Random, known: list[dict[str, Any]], bot_id: int,
            count: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for n in range(1, count + 1):
        kind = rng.choice(("message", "message", "message", "edited_message", "channel_post",
                           "edited_channel_post", "my_chat_member", "chat_member",
                           "inline_query", "chosen_inline_result", "callback_query",
                           "callback_query", "poll_answer", "chat_join_request",
                           "malformed"))
        who = user(rng, known)
        if kind in ("message", "edited_message", "channel_post", "edited_channel_post"):
            body = message(rng, known, n)
            if kind.startswith("edited"):
                body["edit_date"] = 1_764_000_100
            out.append({kind: body})
        elif kind in ("my_chat_member", "chat_member"):
            out.append({kind: {"chat": chat(rng, who), "from": who, "date": 1_764_000_000,
                               "old_chat_member": member(rng, who, bot_id),
                               "new_chat_member": member(rng, who, bot_id)}})
        elif kind == "inline_query":
            out.append({kind: {"id": str(n), "from": who, "query": text(rng)[:256],
                               "offset": ""}})
        elif kind == "chosen_inline_result":
            out.append({kind: {"result_id": "1", "from": who, "query": "q"}})
        elif kind == "callback_query":
            data = "".join(rng.choice("abcdefgsq:0123456789") for _ in range(rng.randint(0, 64)))
            query: dict[str, Any] = {"id": str(n), "from": who, "chat_instance": "c",
                                     "data": data}
            if rng.random() < 0.5:
                query["message"] = message(rng, known, n)
            else:
                query["inline_message_id"] = "im"
            out.append({kind: query})
        elif kind == "poll_answer":
            out.append({kind: {"poll_id": "1", "user": who, "option_ids": [0]}})
        elif kind == "chat_join_request":
            out.append({kind: {"chat": {"id": -100, "type": "supergroup", "title": "G"},
                               "from": who, "user_chat_id": who["id"], "date": 0}})
        else:
            out.append(rng.choice(MALFORMED))
    return out


@pytest.mark.parametrize("seed", [1, 2])
async def test_random_and_malformed_updates_never_break_the_bot(
        bot: LocalBot, emulator: Emulator, caplog: pytest.LogCaptureFixture,
        seed: int) -> None:
    rng = random.Random(seed)
    ann = emulator.person("Ann")
    await onboard(ann)
    known = [ann.user.to_dict()]
    bot_id = emulator.world.bot_user()["id"]
    with caplog.at_level(logging.WARNING):
        ids = [emulator.world.push_update(u) for u in updates(rng, known, bot_id, 300)]
        for update_id in ids:  # every one is handled (a bare one, if it could not be read)
            await emulator.settle(update_id)  # type: ignore[misc]
        replies = await ann.send("/help")
        fresh = emulator.person("Ola")
        greeting = await fresh.send("/start")
    assert "/today — " in replies[-1].text  # the bot still answers
    assert "Hello, Ola" in greeting[0].text
    sorry = [m for m in emulator.world.messages.values() if "Sorry" in (m.text or "")]
    assert sorry == []
    bad = [f"{r.levelname} {r.name}: {r.getMessage()[:120]}" for r in caplog.records
           if r.levelno >= logging.ERROR or r.exc_info]
    assert bad == []
