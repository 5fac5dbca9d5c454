"""Which instances are running, and which one polls Telegram: held as locks that the database
(PostgreSQL) or the kernel (SQLite) lets go of by itself when a process dies, even by SIGKILL.

Each instance holds a lock named by its random id for as long as it lives; prompts it claims
carry that id, so another instance can tell a claim whose owner is gone (and send it) from one
still being worked on. The poller lock admits one instance at a time to ``getUpdates``.

On PostgreSQL these are session-level advisory locks on one connection kept for the purpose
(autocommit: it never sits in an open transaction); on SQLite, ``flock`` on small files beside
the database file. Keys are scoped to the schema, so test schemas never see each other.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import secrets
import zlib
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from db.engine import Database

log = logging.getLogger(__name__)


def _space(schema: str, purpose: str) -> int:
    """The high 31 bits of an advisory key: the schema and what the lock is for."""
    return zlib.crc32(f"rehab-buddy:{schema}:{purpose}".encode()) & 0x7FFFFFFF


class Presence:
    """This instance's locks. ``start`` before use; ``close`` lets everything go."""

    def __init__(self, database: Database, *, instance_id: int | None = None) -> None:
        self.database = database
        self.instance_id = instance_id or secrets.randbelow(2**31 - 2) + 1
        self.polling = False
        self._connection: AsyncConnection | None = None
        self._schema = "public"
        self._files: dict[str, int] = {}  # SQLite: lock name → open file descriptor
        self._folder: Path | None = None

    @property
    def _postgres(self) -> bool:
        return self.database.engine.dialect.name == "postgresql"

    # ---- lifetime -------------------------------------------------------------------------
    async def start(self) -> None:
        if self._postgres:
            await self._connect()
            return
        database = self.database.engine.url.database
        if database and database != ":memory:":
            self._folder = Path(f"{database}.locks")
            self._folder.mkdir(parents=True, exist_ok=True)
            if not self._flock(f"instance-{self.instance_id}"):
                raise RuntimeError("instance id already in use")

    async def _connect(self) -> None:
        connection = await self.database.engine.connect()
        self._connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        self._schema = (await self._connection.execute(text("SELECT current_schema()"))
                        ).scalar_one()
        await self._connection.execute(text("SELECT pg_advisory_lock(:key)"),
                                       {"key": self._key("instance", self.instance_id)})

    async def close(self) -> None:
        """Let go of every lock (the poller's too): the others see this instance gone."""
        self.polling = False
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.execute(text("SELECT pg_advisory_unlock_all()"))
            with contextlib.suppress(Exception):
                await self._connection.close()
            self._connection = None
        for name in list(self._files):
            self._unflock(name, remove=name != "poller")

    def _key(self, purpose: str, low: int) -> int:
        return (_space(self._schema, purpose) << 32) | low

    # ---- polling --------------------------------------------------------------------------
    async def try_poll(self) -> bool:
        """Become the instance that polls, if none is."""
        if self._postgres:
            if self._connection is None:
                await self._connect()
            assert self._connection is not None
            self.polling = bool((await self._connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"),
                {"key": self._key("poller", 0)})).scalar_one())
        else:
            self.polling = self._folder is None or self._flock("poller")
        return self.polling

    async def still_polling(self) -> bool:
        """False once the lock may have gone (its connection broke): stop polling then."""
        if not self.polling:
            return False
        if self._connection is None:
            return True  # SQLite: a file lock lasts as long as the process
        try:
            await self._connection.execute(text("SELECT 1"))
        except Exception as exc:
            log.warning("the database connection holding the poller lock broke (%s)",
                        type(exc).__name__)
            self.polling = False
            with contextlib.suppress(Exception):
                await self._connection.close()
            self._connection = None
            return False
        return True

    async def stop_polling(self) -> None:
        if not self.polling:
            return
        self.polling = False
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.execute(text("SELECT pg_advisory_unlock(:key)"),
                                               {"key": self._key("poller", 0)})
        elif "poller" in self._files:
            self._unflock("poller", remove=False)

    # ---- who is alive ---------------------------------------------------------------------
    async def live_instances(self) -> set[int]:
        """The ids of instances running now, this one included."""
        if self._postgres:
            if self._connection is None:
                await self._connect()
            assert self._connection is not None
            rows = await self._connection.execute(text(
                "SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND objsubid = 1 AND classid = :space AND database = "
                "(SELECT oid FROM pg_database WHERE datname = current_database())"),
                {"space": _space(self._schema, "instance")})
            return {int(row[0]) for row in rows} | {self.instance_id}
        live = {self.instance_id}
        if self._folder is None:
            return live
        for path in self._folder.glob("instance-*"):
            other = int(path.name.split("-", 1)[1])
            if other == self.instance_id:
                continue
            if self._held_elsewhere(path):
                live.add(other)
        return live

    # ---- SQLite's file locks --------------------------------------------------------------
    def _flock(self, name: str) -> bool:
        assert self._folder is not None
        if name in self._files:
            return True
        fd = os.open(self._folder / name, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._files[name] = fd
        return True

    def _unflock(self, name: str, *, remove: bool) -> None:
        fd = self._files.pop(name)
        if remove and self._folder is not None:
            with contextlib.suppress(OSError):
                (self._folder / name).unlink()
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    @staticmethod
    def _held_elsewhere(path: Path) -> bool:
        """Whether a living process holds this file's lock (a dead one's file is removed)."""
        try:
            fd = os.open(path, os.O_RDWR)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # closing drops the lock we may have taken
        with contextlib.suppress(OSError):
            path.unlink()
        return False
