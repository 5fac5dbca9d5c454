"""Alembic, driven from code: the installed package carries its migrations."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


MIGRATION_LOCK = 0x52424D47  # "RBMG": the advisory lock instances take to migrate, one by one


async def upgrade(engine: AsyncEngine, revision: str = "head") -> list[str]:
    """Apply pending migrations over the engine's own connection; the revisions applied now.

    On PostgreSQL the whole upgrade holds a transaction-level advisory lock: instances
    started together migrate one after the other, and the later ones find nothing to do
    (before, the second failed with an IntegrityError on the version table)."""

    def run(connection: Connection) -> list[str]:
        config = alembic_config()
        config.attributes["connection"] = connection
        before = set(MigrationContext.configure(connection).get_current_heads())
        command.upgrade(config, revision)
        after = set(MigrationContext.configure(connection).get_current_heads())
        applied, started = [], False
        for rev in ScriptDirectory.from_config(config).walk_revisions():  # newest first
            started = started or rev.revision in after
            if rev.revision in before:
                break
            if started:
                applied.append(rev.revision)
        return list(reversed(applied))

    async with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite changes a table by copying it and dropping the old one; with foreign
            # keys on, that drop deletes every row that points at it (ON DELETE CASCADE):
            # a patient's check-ins, reminders and links, gone in an upgrade. Off while
            # migrating (it can only change outside a transaction), checked, then on again.
            await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await connection.commit()
        try:
            async with connection.begin():
                if connection.dialect.name == "postgresql":
                    await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                             {"key": MIGRATION_LOCK})
                applied = await connection.run_sync(run)
                if sqlite:
                    broken = (await connection.exec_driver_sql(
                        "PRAGMA foreign_key_check")).fetchall()
                    if broken:
                        raise RuntimeError(f"the upgrade left {len(broken)} broken link(s)")
        finally:
            if sqlite:
                await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                await connection.commit()
        return applied


async def pending(engine: AsyncEngine) -> list[str]:
    """Revisions not yet applied, oldest first."""

    def read(connection: Connection) -> list[str]:
        script = ScriptDirectory.from_config(alembic_config())
        current = set(MigrationContext.configure(connection).get_current_heads())
        todo = []
        for rev in script.walk_revisions():
            if rev.revision in current:
                break
            todo.append(rev.revision)
        return list(reversed(todo))

    async with engine.connect() as connection:
        return await connection.run_sync(read)
