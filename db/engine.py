"""The async engine and the session helper; the only place connections are made."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import PoolResetState
from sqlmodel.ext.asyncio.session import AsyncSession


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers and the writer work side by side; foreign keys keep links honest."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # the log is checkpointed by a task of its own (db/checkpoints.py); SQLite's automatic
    # one (at 1,000 pages, by the commit that crosses it) is kept only as a backstop
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.close()


def _sqlite_reset(dbapi_connection: Any, _record: Any, state: PoolResetState) -> None:
    """Roll back a connection going back to the pool only if it is in a transaction.

    Why: the pool's own reset rolls back every time, and on aiosqlite that is a hand-off to
    the connection's thread, which wakes the event loop: a third of the hand-offs of a read.
    SQLite knows whether a transaction is open (``in_transaction`` reads it without a
    hand-off); when none is, there is nothing to roll back.
    """
    if not state.asyncio_safe:  # as the pool's own reset: let go of, not reused
        return
    driver = dbapi_connection.driver_connection
    if driver is None or driver.in_transaction:
        dbapi_connection.rollback()


def make_engine(url: str, *, schema: str | None = None, echo: bool = False) -> AsyncEngine:
    """An engine for ``url``; ``schema`` (PostgreSQL only) isolates a test's tables."""
    # hide_parameters: a database error's log line never carries the values (names, ids)
    kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 10}
        kwargs["pool_reset_on_return"] = None  # _sqlite_reset does it, when there is need
        if ":memory:" not in url and not url.endswith("://"):
            # one writer at a time, and each aiosqlite connection is a thread of its own:
            # sixteen updates at once ran a third slower on fifteen connections than on four
            # (threads taking turns with the event loop), measured in bench/taps.py
            kwargs.update(pool_size=4, max_overflow=4)
    else:
        # as many as the updates handled at once (bot.updates) and the jobs beside them, so
        # that a busy minute does not open and close a connection per update
        kwargs.update(pool_pre_ping=True, pool_size=20, max_overflow=10)
        if schema:
            kwargs["connect_args"] = {"server_settings": {"search_path": schema}}
    engine = create_async_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "reset", _sqlite_reset)
    return engine


class Database:
    """An engine with its session factory."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> Database:
        return cls(make_engine(url, **kwargs))

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session in one transaction: committed on success, rolled back on error."""
        async with self._sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        """A Core connection in one transaction, committed on success: for the hot paths (a
        column read, a small write), at a third of a session's cost."""
        async with self.engine.begin() as connection:
            yield connection

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A Core connection for reads only: nothing is begun, so nothing is committed (on
        SQLite a commit is one more hand-off to the connection's thread)."""
        async with self.engine.connect() as connection:
            yield connection

    async def dispose(self) -> None:
        await self.engine.dispose()
