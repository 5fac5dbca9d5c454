"""The reference: a bare python-telegram-bot bot, as its documentation shows one, answering
``/help`` and ``/start`` with a fixed text. No database, no templates, no pacing. The
benchmarks run it on the same emulator in the same run, so each of our figures stands beside
what the library alone costs on this machine.

    .venv/bin/python bench/bare.py TOKEN BASE_URL    (polls until stopped; for its memory)
"""

from __future__ import annotations

import sys

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, CommandHandler, ContextTypes

TEXT = "Here is what I can do: /today, /progress, /remind."


async def _help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(TEXT)


def build_bare(token: str, base_url: str, concurrency: int | bool = False, *,
               aiohttp: bool = False) -> Application:
    """Sequential by default (the library's own default); ``concurrency`` as the builder
    takes it. ``aiohttp``: over the bot's own HTTP (bot/transport.py) instead of httpx, to
    show what is left of our cost once the transport is the same."""
    builder = ApplicationBuilder().token(token).base_url(base_url)
    if aiohttp:
        from bot.transport import AiohttpRequest

        builder = builder.request(AiohttpRequest(connections=32)).get_updates_request(
            AiohttpRequest(connections=2))
    app = builder.concurrent_updates(concurrency).build()
    app.add_handler(CommandHandler(["help", "start"], _help))
    return app


if __name__ == "__main__":
    build_bare(sys.argv[1], sys.argv[2]).run_polling(poll_interval=0.0, timeout=5)
