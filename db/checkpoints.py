"""SQLite only: the write-ahead log is copied back into the database file by a task of its
own every few seconds, instead of by whichever commit happens to cross SQLite's threshold.

With SQLite's own automatic checkpoint (every 1,000 pages of log), the commit that crossed it
did the copying and the flush to disk, 50-150 ms on this machine, while its caller waited: a
person's check-in, or the day's sweep (bench: the rollover at 1,000,000, the sweep's worst
165.8 ms, of which its statements 25). Here a passive checkpoint runs on a connection of its
own, in the database's thread, waiting for no reader or writer and making none wait. SQLite's
automatic checkpoint stays as a backstop at 10,000 pages (``db.engine``), should this task
ever not run."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from db.engine import Database

log = logging.getLogger(__name__)


class Checkpointer:
    EVERY = 10.0  # seconds: half a tick; the log stays a few hundred pages

    def __init__(self, database: Database, every: float = EVERY) -> None:
        self.database = database
        self.every = every
        self.done = 0  # checkpoints run
        self._task: asyncio.Task[None] | None = None

    @property
    def needed(self) -> bool:
        return self.database.engine.dialect.name == "sqlite"

    def start(self) -> None:
        if self.needed and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(),
                                                                name="sqlite-checkpoint")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def once(self) -> tuple[int, int, int]:
        """One passive checkpoint: (busy, pages in the log, pages copied)."""
        async with self.database.engine.connect() as conn:
            busy, logged, copied = (await conn.exec_driver_sql(
                "PRAGMA wal_checkpoint(PASSIVE)")).one()
        self.done += 1
        return int(busy), int(logged), int(copied)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            try:
                await self.once()
            except Exception as exc:  # a locked or vanished file: SQLite's backstop holds
                log.warning("the SQLite checkpoint did not run: %s", type(exc).__name__)
