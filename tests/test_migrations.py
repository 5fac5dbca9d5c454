"""Alembic is the only way the schema is made, and it agrees with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import db.models  # noqa: F401
from db.engine import Database
from db.migrate import alembic_config, pending, upgrade


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, SQLModel.metadata)


async def test_models_and_migrations_agree(database: Database) -> None:
    """What `alembic check` does: after upgrading, autogenerate finds nothing to add."""
    async with database.engine.connect() as connection:
        assert await connection.run_sync(_diff) == []
    assert await pending(database.engine) == []


async def test_upgrade_is_idempotent_and_downgrade_works(database: Database) -> None:
    from alembic import command

    await upgrade(database.engine)  # a second time changes nothing

    def down_and_up(connection: Connection) -> list[str]:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
        tables = inspect(connection).get_table_names()
        command.upgrade(config, "head")
        return tables

    async with database.engine.begin() as connection:
        left = await connection.run_sync(down_and_up)
    assert set(left) <= {"alembic_version"}
    async with database.engine.connect() as connection:
        tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
    assert {"person", "patient_profile", "family_link", "reminder", "sent_prompt", "check_in",
            "lesson_delivery"} <= set(tables)


async def test_sqlite_runs_with_wal_and_foreign_keys(database: Database) -> None:
    if database.engine.dialect.name != "sqlite":
        return  # PostgreSQL has neither setting to check
    from sqlalchemy import text

    async with database.engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
