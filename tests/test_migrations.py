"""Alembic is the only way the schema is made, and it agrees with the models."""

from __future__ import annotations

import asyncio

import pytest
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


async def test_upgrade_says_what_it_applied(database_url: tuple[str, str | None]) -> None:
    url, schema = database_url
    db = Database.from_url(url, schema=schema)
    try:
        applied = await upgrade(db.engine)
        assert applied[0] == "0001" and applied == sorted(applied) and len(applied) >= 7
        assert await upgrade(db.engine) == []
    finally:
        await db.dispose()


async def test_instances_started_together_migrate_one_after_the_other(
        database_url: tuple[str, str | None]) -> None:
    """Two instances on one PostgreSQL database, started at once on an empty schema: one
    migrates, the other waits for the lock and finds nothing to do (before, the second
    failed with an IntegrityError). SQLite is one process's database: not run there."""
    url, schema = database_url
    if not url.startswith("postgresql"):
        pytest.skip("instances share a database only on PostgreSQL")
    one, two = Database.from_url(url, schema=schema), Database.from_url(url, schema=schema)
    try:
        results = await asyncio.wait_for(asyncio.gather(upgrade(one.engine),
                                                        upgrade(two.engine)), 60)
    finally:
        await one.dispose()
        await two.dispose()
    assert sorted(len(r) for r in results)[0] == 0 and max(len(r) for r in results) >= 7


def _sample(column: object) -> object:
    """A value a column of this type takes (ids are 1: each table gets one row)."""
    from datetime import date, datetime

    import sqlalchemy as sa

    kind = column.type  # type: ignore[attr-defined]
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer | sa.BigInteger | sa.SmallInteger):
        return 1
    if isinstance(kind, sa.DateTime):
        return datetime(2026, 11, 23, 9, 0)
    if isinstance(kind, sa.Date):
        return date(2026, 11, 23)
    if isinstance(kind, sa.JSON):
        return {}
    if isinstance(kind, sa.Float | sa.Numeric):
        return 1.5
    return "x"


@pytest.mark.parametrize("revision", ["0001", "0002", "0003", "0004", "0005", "0006"])
async def test_a_populated_database_upgrades_from_every_older_version_keeping_every_row(
        database_url: tuple[str, str | None], revision: str) -> None:
    """A row in every table that existed at ``revision`` (every column filled), then the
    upgrade to the newest version: every row is still there with every value."""
    import sqlalchemy as sa

    url, schema = database_url
    db = Database.from_url(url, schema=schema)
    try:
        await upgrade(db.engine, revision)

        def fill(connection: Connection) -> dict[str, dict[str, object]]:
            meta = sa.MetaData()
            meta.reflect(connection)
            rows: dict[str, dict[str, object]] = {}
            for table in meta.sorted_tables:  # parents before children: every FK is id 1
                if table.name == "alembic_version":
                    continue
                row = {c.name: _sample(c) for c in table.columns}
                connection.execute(table.insert().values(**row))
                rows[table.name] = row
            return rows

        def read(connection: Connection, names: list[str]) -> dict[str, dict[str, object]]:
            meta = sa.MetaData()
            meta.reflect(connection)
            found = {name: [dict(r._mapping) for r in
                            connection.execute(meta.tables[name].select())] for name in names}
            lost = [name for name, rows in found.items() if len(rows) != 1]
            assert not lost, f"rows lost upgrading from {revision}: {lost}"
            return {name: rows[0] for name, rows in found.items()}

        async with db.engine.begin() as connection:
            written = await connection.run_sync(fill)
        assert written  # the older schema had tables to fill
        await upgrade(db.engine)
        async with db.engine.connect() as connection:
            found = await connection.run_sync(read, list(written))
        for name, row in written.items():
            for column, value in row.items():
                stored = found[name][column]
                if hasattr(stored, "replace") and hasattr(value, "tzinfo"):
                    stored = stored.replace(tzinfo=None)  # type: ignore[call-arg]
                assert stored == value, (revision, name, column, stored, value)
    finally:
        await db.dispose()
