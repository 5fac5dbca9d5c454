"""``rehab-buddy sandbox``: the real bot and an embedded Telegram, chatting in this terminal.

No token and no network needed. People (personas) take turns; the clock moves only when told,
and scheduled prompts and digests go out as it passes their time.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import FakeClock
from bot.emulator import Emulator, Persona
from bot.emulator.world import Message
from bot.local import LocalBot
from bot.settings import Fatal, Settings, ensure_sqlite_directory
from db.engine import Database
from db.migrate import upgrade

HELP = """\
Type a message to send it (commands too: /start, /help). Or:
  #N                 press button N of the newest message with buttons
  #M.N               press button N of the M-th newest message (#1.2: the newest one's 2nd)
  :as NAME           talk as NAME          :new NAME [LANG]  add someone (e.g. :new Maria es)
  :people            who is here           :location LAT LON share a location
  :group NAME        make a family group   :in NAME  talk in that group   :out  back to private
  :clock +2h         move time on (+30m, +3d, or 2026-11-29 18:00 UTC); due prompts go out
  :time              the sandbox clock     :help  this list     :quit  leave (Ctrl+D too)"""

_DELTA = re.compile(r"^\+(\d+)\s*([mhd])$")
_PRESS = re.compile(r"^#(?:(\d+)\.)?(\d+)$")


def _user_id(name: str) -> int:
    """A stable id per name, so the same person is recognised across sandbox runs."""
    return 500_000_000 + int(hashlib.sha256(name.casefold().encode()).hexdigest()[:7], 16)


class Sandbox:
    def __init__(self, emulator: Emulator, local: LocalBot, clock: FakeClock,
                 clock_file: Path, pictures: Path | None = None,
                 people_file: Path | None = None) -> None:
        self.emulator = emulator
        self.local = local
        self.clock = clock
        self.clock_file = clock_file
        self.pictures = pictures  # where the pictures the bot sends are saved, to look at
        self.people_file = people_file  # who was added with :new, kept between runs
        self.people: dict[str, Persona] = {}
        self.groups: dict[str, object] = {}
        self.current: Persona | None = None
        self._names: dict[int, str] = {}
        self._shown: dict[tuple[int, int], str | None] = {}
        self._pictures: dict[tuple[int, int], object] = {}
        emulator.world.listeners.append(self._show)

    def add(self, name: str, lang: str = "en") -> Persona:
        persona = self.emulator.person(name, language_code=lang, user_id=_user_id(name))
        persona.user.started = True  # they have talked to the bot before, in earlier runs
        self.people[name.casefold()] = persona
        self._names[persona.chat.id] = name
        return persona

    def _show(self, kind: str, message: Message) -> None:
        if not message.from_bot or kind not in ("new", "edit"):
            return
        who = self._names.get(message.chat.id, str(message.chat.id))
        when = self.clock.now().strftime("%a %d %b %H:%M UTC")
        body = message.text if message.text is not None else message.caption
        key = (message.chat.id, message.message_id)
        if kind == "edit" and self._shown.get(key) == body and not message.inline_buttons:
            print(f"\n── Rehab Buddy → {who}: (the buttons above were put away)", flush=True)
            return
        self._shown[key] = body
        edited = " (edited)" if kind == "edit" else ""
        lines = [f"\n── Rehab Buddy → {who}{edited} · {when}"]
        if message.photo and self._pictures.get(key) != message.photo.get("file_unique_id"):
            # a new picture (a card's next exercise swaps it): saved, and where it is said
            self._pictures[key] = message.photo.get("file_unique_id")
            lines.append(f"[picture: {message.photo['width']}×{message.photo['height']} PNG"
                         f"{self._save_picture(message)}]")
        if message.document:
            lines.append(f"[file: {message.document['file_name']}]")
        if body:
            lines.append(body)
        buttons = [b["text"] for b in message.inline_buttons]
        if buttons:
            lines.append("   ".join(f"[{i}] {label}" for i, label in enumerate(buttons, 1)))
        if message.reply_markup and "keyboard" in message.reply_markup and kind == "new":
            keys = [b if isinstance(b, str) else b.get("text", "")
                    for row in message.reply_markup["keyboard"] for b in row]
            lines.append("   ".join(f"⟨{label}⟩" for label in keys))
        print("\n".join(lines), flush=True)

    def _save_picture(self, message: Message) -> str:
        """Save a picture the bot sent, so anyone can open it; the path, for the screen."""
        stored = self.emulator.world.files.get(str(message.photo.get("file_id")))  # type: ignore[union-attr]
        if self.pictures is None or stored is None:
            return ""
        self.pictures.mkdir(parents=True, exist_ok=True)
        path = self.pictures / f"{self._names.get(message.chat.id, 'chat')}-" \
                               f"{message.message_id}-{message.photo.get('file_unique_id')}.png"  # type: ignore[union-attr]
        path.write_bytes(stored.content)
        return f", saved to {path}"

    def _remember_people(self) -> None:
        if self.people_file is not None:
            self.people_file.write_text(json.dumps(
                {p.user.first_name: p.user.language_code for p in self.people.values()}))

    def recall_people(self) -> None:
        """People added with :new in earlier runs, so their reminders still reach them."""
        if self.people_file is None or not self.people_file.exists():
            return
        with contextlib.suppress(ValueError, OSError):
            for name, lang in json.loads(self.people_file.read_text()).items():
                if isinstance(name, str) and name.casefold() not in self.people:
                    self.add(name, lang if isinstance(lang, str) else "en")

    async def _press(self, persona: Persona, which: int | None, number: int) -> None:
        """Button ``number`` of the newest message with buttons, or of the ``which``-th newest
        message; prints the toast Telegram would show for the tap."""
        if which is None:
            message = next((m for m in reversed(persona.messages) if m.inline_buttons), None)
        else:
            older = persona.messages
            message = older[-which] if 1 <= which <= len(older) else None
        buttons = message.inline_buttons if message is not None else []
        if not 1 <= number <= len(buttons):
            where = "here" if which is None else f"on message {which}"
            print(f"(no button {number} {where})")
            return
        chosen = buttons[number - 1]
        if "callback_data" not in chosen:
            print(f"(that button opens {chosen.get('url', 'a link')})")
            return
        seen = len(persona.toasts)
        await persona.press(chosen["text"], message=message)
        for toast in persona.toasts[seen:]:
            print(f"\n   💬 {toast}", flush=True)

    async def handle(self, line: str) -> bool:
        """Act on one line of input; False means leave."""
        line = line.strip()
        if not line:
            return True
        persona = self.current
        assert persona is not None
        try:
            if (press := _PRESS.match(line)) is not None:
                await self._press(persona, int(press.group(1)) if press.group(1) else None,
                                  int(press.group(2)))
            elif line.startswith(":"):
                return await self._meta(line[1:].split())
            else:
                await persona.send(line)
        except (AssertionError, TimeoutError) as exc:
            print(f"(sandbox: {exc or 'the bot did not answer in time'})")
        return True

    async def _meta(self, words: list[str]) -> bool:
        command, args = (words[0].lower(), words[1:]) if words else ("help", [])
        if command in ("quit", "exit", "q"):
            return False
        if command == "help":
            print(HELP)
        elif command == "people":
            for persona in self.people.values():
                mark = "→" if persona is self.current else " "
                print(f" {mark} {persona.user.first_name} ({persona.user.language_code})")
        elif command == "as" and args:
            persona = self.people.get(" ".join(args).casefold())
            if persona is None:
                print(f"(no one called {' '.join(args)}; add them with :new)")
            else:
                self.current = persona
                print(f"(you are now {persona.user.first_name})")
        elif command == "new" and args:
            name, lang = args[0], (args[1] if len(args) > 1 else "en")
            if name.casefold() in self.people:
                print(f"({name} is already here)")
            else:
                self.current = self.add(name, lang)
                self._remember_people()
                print(f"(you are now {name}; say /start)")
        elif command == "group" and args:
            title = " ".join(args)
            chat = self.emulator.world.add_group(title)
            self.groups[title.casefold()] = chat
            self._names[chat.id] = f"group {title}"
            print(f"(made the group {title}; :in {title} to talk there)")
        elif command == "in" and args:
            chat = self.groups.get(" ".join(args).casefold())
            if chat is None:
                print("(no such group; make one with :group NAME)")
            else:
                assert self.current is not None
                self.current = self.current.in_chat(chat)  # type: ignore[arg-type]
                print(f"(you are {self.current.user.first_name}, in the group)")
        elif command == "out":
            assert self.current is not None
            self.current = self.people[self.current.user.first_name.casefold()]
            print(f"(you are {self.current.user.first_name}, in your private chat)")
        elif command == "time":
            print(f"(sandbox clock: {self.clock.now():%A %d %B %Y %H:%M} UTC)")
        elif command == "clock" and args:
            await self._move_clock(" ".join(args))
        elif command == "location" and len(args) == 2:
            try:
                lat, lon = float(args[0]), float(args[1])
            except ValueError:
                print("(usage: :location 51.5 -0.12)")
            else:
                assert self.current is not None
                await self.current.share_location(lat, lon)
        else:
            print(HELP)
        return True

    async def _move_clock(self, spec: str) -> None:
        match = _DELTA.match(spec.replace(" ", ""))
        if match:
            amount, unit = int(match.group(1)), match.group(2)
            delta = {"m": timedelta(minutes=amount), "h": timedelta(hours=amount),
                     "d": timedelta(days=amount)}[unit]
        else:
            try:
                target = datetime.strptime(spec.removesuffix("UTC").strip(), "%Y-%m-%d %H:%M")
            except ValueError:
                print("(usage: :clock +30m, :clock +2h, :clock +3d or :clock 2026-11-29 18:00)")
                return
            delta = target.replace(tzinfo=UTC) - self.clock.now()
            if delta < timedelta(0):
                print("(the clock only moves forward)")
                return
        if delta > timedelta(days=60):
            print("(at most 60 days at a time)")
            return
        done = await self.local.advance(delta)
        self.clock_file.write_text(self.clock.now().isoformat())
        print(f"(sandbox clock: {self.clock.now():%a %d %b %H:%M} UTC; {done} scheduled "
              f"item(s) went out)")


def _lines() -> asyncio.Queue[str | None]:
    """Standard input, line by line, read on a daemon thread so quitting never hangs."""
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    def reader() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(queue.put_nowait, line)
        loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=reader, daemon=True, name="sandbox-stdin").start()
    return queue


def _prepare(database: Path, fresh: bool) -> tuple[str, Path, datetime]:
    """The database URL, the clock file and the time to start at (never before last run's)."""
    if fresh:
        for suffix in ("", "-wal", "-shm", ".clock", ".people"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    url = f"sqlite+aiosqlite:///{database.resolve()}"
    ensure_sqlite_directory(url)
    clock_file = Path(f"{database}.clock")
    start = datetime.now(UTC).replace(second=0, microsecond=0)
    if clock_file.exists():
        with contextlib.suppress(ValueError):
            start = max(start, datetime.fromisoformat(clock_file.read_text().strip()))
    return url, clock_file, start


async def _main(database: Path, fresh: bool) -> None:
    url, clock_file, start = _prepare(database, fresh)
    clock = FakeClock(start)
    db = Database.from_url(url)
    await upgrade(db.engine)
    settings = Settings(_env_file=None, database_url=url, rate_limit=0)  # one person, at home
    try:
        async with Emulator(wall=lambda: clock.now().timestamp()) as emulator:
            local = LocalBot(settings=settings, database=db, clock=clock, emulator=emulator)
            async with local:
                sandbox = Sandbox(emulator, local, clock, clock_file,
                                  pictures=database.parent / f"{database.stem}-pictures",
                                  people_file=Path(f"{database}.people"))
                sandbox.current = sandbox.add("Pat")
                sandbox.add("Sam")
                sandbox.recall_people()
                print("Rehab Buddy sandbox: the real bot, a local Telegram, a pretend clock.")
                print(f"Database: {database}   Clock: {clock.now():%a %d %b %Y %H:%M} UTC")
                print("People: Pat (practising) and Sam (family). You are Pat.")
                print(HELP)
                print("\nTry /start", flush=True)
                lines = _lines()
                while True:
                    print(f"\n{sandbox.current.user.first_name}> ", end="", flush=True)
                    line = await lines.get()
                    if line is None or not await sandbox.handle(line):
                        break
                print("\n(bye)")
    finally:
        await db.dispose()


def run_sandbox(*, database: str, fresh: bool = False) -> int:
    try:
        asyncio.run(_main(Path(database), fresh))
    except OSError as exc:  # a --database path that cannot be made or written
        raise Fatal(f"cannot use {database} for the sandbox ({exc.strerror or exc}).") from None
    return 0
