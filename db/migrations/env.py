"""Alembic environment: async engines, and a connection handed in by ``db.migrate``."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import db.models  # noqa: F401  (registers the tables)
from db.engine import make_engine
from db.types import UTCDateTime

config = context.config
target_metadata = SQLModel.metadata


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write our UTC column type as the plain SQLAlchemy type it stores."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from bot.settings import load_settings

        url = load_settings().database_url
    engine = make_engine(url)
    async with engine.connect() as connection:
        if connection.dialect.name == "sqlite":  # see db.migrate.upgrade: no cascade on copy
            await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await connection.commit()
        async with connection.begin():
            await connection.run_sync(_configure)
    await engine.dispose()


connection = config.attributes.get("connection")
if context.is_offline_mode():
    run_offline()
elif connection is not None:
    _configure(connection)
else:
    asyncio.run(_run_online())
