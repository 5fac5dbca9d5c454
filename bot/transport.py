"""How the bot speaks HTTP to the Bot API: aiohttp (already here for the webhook, the health
server and the emulator) in python-telegram-bot's request interface.

Why not the library's default (httpx): its connection pool scans every connection, twice, for
each request and each answer, and asks each idle one whether the server closed it (two system
calls each: ``getpeername`` and ``poll``). With sixteen updates at once that is hundreds of
checks per answer; a bare bot on httpx spends 2.9 ms of CPU per answer at sixteen at once and
2.0 ms one at a time, on aiohttp 0.6 and 1.0 ms (bench/taps.py, this machine, interleaved).
aiohttp's pool learns that a server closed a connection from the event loop itself, and
parses HTTP in C.

What the library expects of a request is kept: the default timeouts (5 s to connect and to
read, 1 s to wait for a free connection, 20 s to send a file), a timeout raised as
``TimedOut`` and any other failure as ``NetworkError``, and the library reads Telegram's
answer (errors, ``retry_after``) from the status and body as ever.
"""

from __future__ import annotations

import re
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_TOKEN_IN_PATH = re.compile(r"(/bot)[^/\s]+")  # /bot<token>/sendMessage, /file/bot<token>/…


def described(err: Exception) -> str:
    """The failure as the library's errors say it: the class (a message may be empty), and
    the message without the token (some name the URL, whose path holds it)."""
    message = _TOKEN_IN_PATH.sub(r"\1…", str(err))
    return f"aiohttp.{err.__class__.__name__}: {message}"


def _given(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _sum(*parts: float | None) -> float | None:
    """A timeout made of several waits; none if any of them is unbounded."""
    return None if any(part is None for part in parts) else sum(parts)  # type: ignore[misc]


class AiohttpRequest(BaseRequest):
    """python-telegram-bot's request interface over one aiohttp session."""

    def __init__(self, *, connections: int, read_timeout: float | None = 5.0,
                 connect_timeout: float | None = 5.0, pool_timeout: float | None = 1.0,
                 media_write_timeout: float | None = 20.0) -> None:
        self.connections = connections
        self._read = read_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._media_write = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.connections),
                headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    @staticmethod
    def _body(request_data: RequestData | None) -> Any:
        """Form fields as the library encodes them; a multipart form when files go along."""
        if request_data is None:
            return None
        files = request_data.multipart_data
        if not files:
            return request_data.json_parameters
        form = aiohttp.FormData()
        for name, value in request_data.json_parameters.items():
            form.add_field(name, value)
        for name, (filename, content, mime) in files.items():
            form.add_field(name, content, filename=filename or name, content_type=mime)
        return form

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = _given(read_timeout, self._read)
        connect = _given(connect_timeout, self._connect)
        pool = _given(pool_timeout, self._pool)
        body = self._body(request_data)
        # aiohttp has no timeout for writing alone: a small form goes in one write, and a
        # file's upload is bounded as a whole (waiting for a connection, connecting, writing,
        # reading the answer)
        total = (_sum(pool, connect, _given(write_timeout, self._media_write), read)
                 if isinstance(body, aiohttp.FormData) else None)
        timeout = aiohttp.ClientTimeout(total=total, connect=_sum(pool, connect),
                                        sock_connect=connect, sock_read=read)
        try:
            async with self._session.request(method, url, data=body,
                                             timeout=timeout) as answer:
                return answer.status, await answer.read()
        except (TimeoutError, aiohttp.ServerTimeoutError) as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(described(err)) from err
