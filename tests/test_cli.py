"""The ``rehab-buddy`` command as an operator uses it: a real process, real settings."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.emulator import Emulator

SCRIPT = Path(sys.executable).parent / "rehab-buddy"
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "bot.cli"]
GOOD_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def clean_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "DATABASE_", "DEFAULT_TIMEZONE", "LOG_LEVEL"))}
    env.update(values)
    return env


def cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, *args], cwd=tmp_path, env=clean_env(**env),
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("env", "setting"),
    [
        ({}, "TELEGRAM_BOT_TOKEN is missing"),
        ({"TELEGRAM_BOT_TOKEN": "not-a-token"}, "TELEGRAM_BOT_TOKEN does not look like"),
        ({"TELEGRAM_BOT_TOKEN": GOOD_TOKEN, "TELEGRAM_API_BASE_URL": "api.telegram.org"},
         "TELEGRAM_API_BASE_URL must be"),
        ({"TELEGRAM_BOT_TOKEN": GOOD_TOKEN, "DATABASE_URL": "mysql://x"}, "DATABASE_URL must be"),
        ({"TELEGRAM_BOT_TOKEN": GOOD_TOKEN, "DEFAULT_TIMEZONE": "Mars/Base"},
         "DEFAULT_TIMEZONE must be"),
        ({"TELEGRAM_BOT_TOKEN": GOOD_TOKEN, "LOG_LEVEL": "loud"}, "LOG_LEVEL must be"),
    ],
)
def test_a_bad_setting_is_one_line_and_exit_2(tmp_path: Path, env: dict[str, str],
                                              setting: str) -> None:
    result = cli(tmp_path, "run", **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert setting in lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert "not-a-token" not in result.stderr


def test_settings_come_from_a_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN=nope\n")
    result = cli(tmp_path, "run")
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN does not look like" in result.stderr


def test_version_and_help(tmp_path: Path) -> None:
    version = cli(tmp_path, "--version")
    assert version.returncode == 0
    assert version.stdout.startswith("rehab-buddy ")
    for args in (["--help"], ["run", "--help"], ["db", "--help"], ["db", "upgrade", "--help"],
                 ["sandbox", "--help"], ["content", "check", "--help"]):
        result = cli(tmp_path, *args)
        assert result.returncode == 0, args
        assert "usage: rehab-buddy" in result.stdout


def test_db_upgrade_makes_the_default_sqlite_file(tmp_path: Path) -> None:
    result = cli(tmp_path, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "rehab_buddy.sqlite3").exists()
    assert "created the database schema" in result.stdout  # not "up to date" on a new file
    again = cli(tmp_path, "db", "upgrade")
    assert again.returncode == 0
    assert "already up to date" in again.stdout


def test_a_postgresql_database_that_does_not_exist_says_what_to_do(tmp_path: Path) -> None:
    result = cli(tmp_path, "db", "upgrade",
                 DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:5432/no_such_rehab_db")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "'no_such_rehab_db'" in lines[0] and "does not exist" in lines[0]
    assert "createdb no_such_rehab_db" in lines[0] and "DBAPIError" not in lines[0]


def test_options_on_a_sqlite_url_are_one_plain_line(tmp_path: Path) -> None:
    result = cli(tmp_path, "db", "upgrade",
                 DATABASE_URL="sqlite+aiosqlite:///./x.sqlite3?foo=bar")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "rehab-buddy: Setting DATABASE_URL must be sqlite+aiosqlite:///path/to/file.sqlite3 "
        "(a file path, no ?options) or postgresql+asyncpg://user@host:5432/dbname."]
    assert result.stdout == "" and not (tmp_path / "x.sqlite3").exists()


def test_db_upgrade_on_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    result = cli(tmp_path, "db", "upgrade",
                 DATABASE_URL="postgresql+asyncpg://nobody@127.0.0.1:9/none")
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "DATABASE_URL" in result.stderr


def test_a_database_url_option_the_driver_lacks_is_one_line(tmp_path: Path) -> None:
    result = cli(tmp_path, "db", "upgrade",
                 DATABASE_URL="postgresql://postgres@127.0.0.1:5432/test?options=-cfoo")
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "DATABASE_URL" in result.stderr and "Traceback" not in result.stderr


def test_a_sqlite_file_where_no_folder_can_be_made_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a folder")
    result = cli(tmp_path, "db", "upgrade",
                 DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'afile' / 'sub' / 'db.sqlite3'}")
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "DATABASE_URL" in result.stderr and "Traceback" not in result.stderr


def test_run_against_an_unreachable_api_is_one_line(tmp_path: Path) -> None:
    result = cli(tmp_path, "run", TELEGRAM_BOT_TOKEN=GOOD_TOKEN,
                 TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot")
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "TELEGRAM_API_BASE_URL" in result.stderr
    assert GOOD_TOKEN not in result.stderr


async def _run_bot(tmp_path: Path, emulator: Emulator, token: str,
                   log_level: str = "DEBUG") -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *COMMAND, "run", cwd=tmp_path,
        env=clean_env(TELEGRAM_BOT_TOKEN=token, TELEGRAM_API_BASE_URL=emulator.base_url,
                      LOG_LEVEL=log_level),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def test_run_answers_start_and_help_and_stops_cleanly(tmp_path: Path) -> None:
    async with Emulator() as emulator:
        process = await _run_bot(tmp_path, emulator, emulator.token)
        try:
            ann = emulator.person("Ann")
            marker = ann.mark()
            emulator.world.user_message(ann.user, ann.chat, text="/start")
            replies = await ann.wait_for_messages(marker, timeout=30)
            assert "Hello, Ann!" in replies[0].text
            marker = ann.mark()
            emulator.world.user_message(ann.user, ann.chat, text="/help")
            replies = await ann.wait_for_messages(marker)
            assert "/help — " in replies[0].text
            marker = ann.mark()
            emulator.world.user_message(ann.user, ann.chat, text="my shoulder pain secret")
            await ann.wait_for_messages(marker)
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0
    log = err.decode()
    assert "running as @RehabBuddyBot" in log
    assert emulator.token not in log + out.decode()  # DEBUG logging, and still no token
    assert "shoulder pain secret" not in log  # nor what people wrote
    assert "Hello, Ann" not in log  # nor what the bot told them
    assert "Traceback" not in log


async def test_run_with_a_token_the_api_refuses(tmp_path: Path) -> None:
    async with Emulator() as emulator:
        process = await _run_bot(tmp_path, emulator, GOOD_TOKEN, log_level="INFO")
        _out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    assert err.decode().strip().splitlines() == [
        "rehab-buddy: the Bot API refused TELEGRAM_BOT_TOKEN: check the token @BotFather "
        "gave you."
    ]


@pytest.mark.parametrize(("reply", "said"), [
    ("not-a-bot", "did not answer like Telegram"),
    ("a-list", "did not answer like Telegram"),
    ("html", "Bot API"),
    ("bad-gateway", "could not reach the Bot API"),
])
async def test_an_odd_reply_at_start_up_is_one_line(tmp_path: Path, reply: str,
                                                     said: str) -> None:
    """A stand-in that is not Telegram (a proxy's page, a 502, JSON of the wrong shape):
    a plain last line and a non-zero exit, never a traceback."""
    from aiohttp import web

    async def answer(request: web.Request) -> web.Response:
        if reply == "not-a-bot":
            return web.json_response({"ok": True, "result": {"id": "nope"}})
        if reply == "a-list":
            return web.json_response({"ok": True, "result": [1, 2]})
        if reply == "html":
            return web.Response(text="<html>proxy error</html>", content_type="text/html")
        return web.Response(status=502, text="bad gateway")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        process = await asyncio.create_subprocess_exec(
            *COMMAND, "run", cwd=tmp_path,
            env=clean_env(TELEGRAM_BOT_TOKEN=GOOD_TOKEN,
                          TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}/bot"),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        _, err = await asyncio.wait_for(process.communicate(), 60)
    finally:
        await runner.cleanup()
    text = err.decode()
    assert process.returncode == 1, text
    assert "Traceback" not in text and GOOD_TOKEN not in text
    assert text.strip().splitlines()[-1].startswith("rehab-buddy: ") and said in text


async def test_two_processes_polling_one_token_say_so_in_one_line(tmp_path: Path) -> None:
    """Telegram answers a second poller with 409 Conflict (the emulator does too). Before, it
    showed as about 20 "Conflict" lines and 10 tracebacks per instance within seconds."""
    async with Emulator() as emulator:
        dirs = [tmp_path / "one", tmp_path / "two"]
        processes = []
        for folder in dirs:
            folder.mkdir()
            processes.append(await _run_bot(folder, emulator, emulator.token,
                                            log_level="INFO"))
        try:
            for _ in range(600):  # until each poller was ended by the other a few times
                if emulator.world.conflicts >= 6:
                    break
                await asyncio.sleep(0.05)
            ann = emulator.person("Ann")
            marker = ann.mark()
            emulator.world.user_message(ann.user, ann.chat, text="/help")
            replies = await ann.wait_for_messages(marker, timeout=60)
            assert "/help — " in replies[0].text  # one of them still answers
        finally:
            logs = []
            for process in processes:
                process.send_signal(signal.SIGTERM)
                _out, err = await asyncio.wait_for(process.communicate(), 30)
                logs.append(err.decode())
    assert emulator.world.conflicts >= 6
    for log in logs:
        assert "Traceback" not in log
        conflict_lines = [line for line in log.splitlines() if "Conflict" in line]
        assert len(conflict_lines) <= 1, conflict_lines
    assert sum("409 Conflict" in log for log in logs) >= 1  # and it is said, plainly


def test_db_backup_copies_a_running_sqlite_database(tmp_path: Path) -> None:
    import sqlite3

    assert cli(tmp_path, "db", "upgrade").returncode == 0
    live = tmp_path / "data" / "rehab_buddy.sqlite3"
    writer = sqlite3.connect(live)
    writer.execute("INSERT INTO person (telegram_id, first_name, is_patient, is_family, active,"
                   " created_at) VALUES (1, 'Ann', 1, 0, 1, '2026-11-30 09:00:00')")
    writer.commit()
    writer.execute("BEGIN")  # the bot is in the middle of something: the copy is consistent
    writer.execute("INSERT INTO person (telegram_id, first_name, is_patient, is_family, active,"
                   " created_at) VALUES (2, 'Ben', 0, 1, 1, '2026-11-30 09:00:00')")
    try:
        result = cli(tmp_path, "db", "backup", "copy.sqlite3")
    finally:
        writer.rollback()
        writer.close()
    assert result.returncode == 0, result.stderr
    assert "backed up" in result.stdout
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    try:
        assert copy.execute("SELECT first_name FROM person").fetchall() == [("Ann",)]
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        copy.close()
    again = cli(tmp_path, "db", "backup", "copy.sqlite3")  # never overwrites
    assert again.returncode == 2 and len(again.stderr.strip().splitlines()) == 1
    pg = cli(tmp_path, "db", "backup", "x.dump",
             DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    assert pg.returncode == 2 and "pg_dump" in pg.stderr and "Traceback" not in pg.stderr


async def test_a_broken_content_file_stops_the_start_in_one_line(tmp_path: Path) -> None:
    """Content is read at start (bot/materials/preload.py): a broken file is named then, in
    one line, instead of failing for the first person who needs it."""
    broken = tmp_path / "timezones.yaml"
    broken.write_text("cities: [\n  - name: Oslo\n", encoding="utf-8")
    code = ("import sys\n"
            "from bot.rules import timezones\n"
            f"timezones.TIMEZONES_FILE = __import__('pathlib').Path({str(broken)!r})\n"
            "from bot.cli import main\n"
            "sys.exit(main(['run']))\n")
    async with Emulator() as emulator:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", code, cwd=tmp_path,
            env=clean_env(TELEGRAM_BOT_TOKEN=emulator.token,
                          TELEGRAM_API_BASE_URL=emulator.base_url, LOG_LEVEL="WARNING"),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        _, err = await asyncio.wait_for(process.communicate(), 60)
    text = err.decode()
    assert process.returncode == 1, text
    assert "Traceback" not in text
    assert text.strip().splitlines()[-1].startswith(
        "rehab-buddy: a content file is broken: timezones.yaml: cannot be read as YAML")
