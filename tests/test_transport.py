"""The bot's HTTP to the Bot API (bot/transport.py): python-telegram-bot's Bot over aiohttp,
against the emulator and against servers that misbehave at the socket (no answer, a dropped
connection, a connection closed while idle, nobody listening)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
from telegram import Bot
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.emulator import Emulator
from bot.transport import AiohttpRequest, described
from tests.test_emulator import png


def bot_at(base_url: str, token: str = "123:abc", **timeouts: float) -> Bot:
    return Bot(token, base_url=base_url, request=AiohttpRequest(connections=4, **timeouts),
               get_updates_request=AiohttpRequest(connections=2))


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator() as emulator:
        yield emulator


async def test_messages_uploads_downloads_and_errors_through_the_emulator(emu: Emulator
                                                                          ) -> None:
    async with bot_at(emu.base_url, emu.token) as tg:
        ann = emu.person("Ann")
        emu.world.user_message(ann.user, ann.chat, text="hello")
        sent = await tg.send_message(ann.chat.id, "Well done, <b>Ann</b>", parse_mode="HTML")
        assert sent.text == "Well done, Ann"
        photo = await tg.send_photo(ann.chat.id, io.BytesIO(png(800, 400)), caption="Week",
                                    filename="week.png")
        assert (photo.photo[-1].width, photo.photo[-1].height) == (800, 400)
        assert emu.world.files[photo.photo[-1].file_id].content == png(800, 400)
        document = await tg.send_document(ann.chat.id, io.BytesIO(b"a,b\n1,2\n"),
                                          filename="reps.csv")
        assert document.document.file_name == "reps.csv"
        assert document.document.file_size == 8
        # Telegram's own error comes through as the library reads it
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await tg.send_message(ann.chat.id, "<b>open", parse_mode="HTML")
        updates = await tg.get_updates(timeout=0)
        assert [u.message.text for u in updates if u.message] == ["hello"]


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def serve(handler: Handler) -> tuple[asyncio.Server, str]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}/bot"


async def read_request(reader: asyncio.StreamReader) -> bool:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    await reader.readexactly(length)
    return True


ME = (b'{"ok":true,"result":{"id":123,"is_bot":true,"first_name":"Buddy",'
      b'"username":"buddy_bot","can_join_groups":true,"can_read_all_group_messages":false,'
      b'"supports_inline_queries":false}}')


def answer(body: bytes = ME) -> bytes:
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body)


async def test_no_answer_is_a_timeout() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await reader.read()  # never answers; the client gives up and closes

    server, url = await serve(silent)
    async with server:
        tg = bot_at(url, read_timeout=0.2)
        await tg.request.initialize()  # type: ignore[attr-defined]
        try:
            with pytest.raises(TimedOut):
                await tg.get_me()
        finally:
            await tg.request.shutdown()  # type: ignore[attr-defined]


async def test_a_dropped_connection_is_a_network_error_without_the_token() -> None:
    async def rude(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.close()

    server, url = await serve(rude)
    async with server:
        tg = bot_at(url, token="123:secret")
        await tg.request.initialize()  # type: ignore[attr-defined]
        try:
            with pytest.raises(NetworkError) as raised:
                await tg.get_me()
            assert "aiohttp.ServerDisconnectedError" in str(raised.value)
            assert "secret" not in str(raised.value)

        finally:
            await tg.request.shutdown()  # type: ignore[attr-defined]


def test_a_message_that_names_the_url_keeps_the_token_out() -> None:
    err = aiohttp.ClientOSError(None, "Can not write request body for "
                                "http://127.0.0.1:8081/bot123:secret/sendMessage")
    assert described(err) == ("aiohttp.ClientOSError: [Errno None] Can not write request body "
                              "for http://127.0.0.1:8081/bot…/sendMessage")
    assert "secret" not in described(aiohttp.ClientPayloadError(
        "http://api.telegram.org/file/bot123:secret/photos/a.jpg"))


async def test_nobody_listening_is_a_network_error() -> None:
    server, url = await serve(read_request)  # type: ignore[arg-type]
    server.close()
    await server.wait_closed()
    tg = bot_at(url, token="123:secret")
    await tg.request.initialize()  # type: ignore[attr-defined]
    try:
        with pytest.raises(NetworkError) as raised:
            await tg.get_me()
        assert not isinstance(raised.value, TimedOut)
        assert "secret" not in str(raised.value)
    finally:
        await tg.request.shutdown()  # type: ignore[attr-defined]


async def test_a_connection_the_server_closed_while_idle_is_not_used_again() -> None:
    """What httpx asked of every idle connection before each request: here the event loop
    tells the pool, and the next request opens a new connection instead of failing."""
    connections: list[int] = []
    closed = asyncio.Event()

    async def once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        await read_request(reader)
        writer.write(answer())
        await writer.drain()
        writer.close()  # keep-alive refused after the answer
        await writer.wait_closed()
        closed.set()

    server, url = await serve(once)
    async with server:
        tg = bot_at(url)
        await tg.request.initialize()  # type: ignore[attr-defined]
        try:
            assert (await tg.get_me()).username == "buddy_bot"
            await closed.wait()
            for _ in range(5):  # the event loop's turns, in which it reads the server's close
                await asyncio.sleep(0)
            assert (await tg.get_me()).username == "buddy_bot"
            assert len(connections) == 2
        finally:
            await tg.request.shutdown()  # type: ignore[attr-defined]


async def test_a_request_before_initialize_says_so() -> None:
    request = AiohttpRequest(connections=1)
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:9/", "GET")
    await request.shutdown()  # nothing to close: no error either
