"""Exercise pictures for the cards: drawn once per exercise and side into a folder, then sent
by Telegram's file_id (kept in the database, shared by every instance), so a busy morning
uploads each picture once. Telegram-free: the handler sends what this gives it."""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot import drawing
from bot.rules.exercises import Exercise
from bot.rules.poses import Pose
from db import pictures
from db.engine import Database


@dataclass(frozen=True)
class Picture:
    key: str  # exercise, side, and a hash of the pose (a changed pose is a new picture)
    file_id: str | None  # Telegram's, once uploaded
    path: Path  # the PNG on disk

    def content(self) -> bytes:
        return self.path.read_bytes()


class PictureStore:
    def __init__(self, directory: Path, database: Callable[[], Database]) -> None:
        self.directory = directory
        self._database = database
        self._ids: dict[str, str] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.drawn = 0  # pictures drawn by this process (the rest came from the folder)

    @staticmethod
    def key(name: str, pose: Pose, side: str | None) -> str:
        digest = hashlib.sha1(pose.model_dump_json().encode()).hexdigest()[:10]
        return f"{name}-{'left' if side == 'left' else 'right'}-{digest}"

    async def get(self, exercise: Exercise, side: str | None) -> Picture | None:
        """The picture of ``exercise`` for a person whose ``side`` is affected."""
        if exercise.pose is None:
            return None
        return await self.picture(exercise.id, exercise.pose, side)

    async def picture(self, name: str, pose: Pose, side: str | None) -> Picture:
        """The picture of ``pose`` (an exercise's, a lesson's) for ``side``; drawn off the
        event loop the first time, and only once however many ask at the same moment."""
        key = self.key(name, pose, side)
        path = self.directory / f"{key}.png"
        file_id = self._ids.get(key)
        if file_id is None:
            async with self._database().session() as session:
                file_id = await pictures.file_id(session=session, key=key)
            if file_id is not None:
                self._ids[key] = file_id
        if file_id is None and not path.exists():
            async with self._locks.setdefault(key, asyncio.Lock()):
                if not path.exists():
                    png = await drawing.pose(pose, "left" if side == "left" else "right")
                    await asyncio.to_thread(self._write, path, png)
                    self.drawn += 1
        return Picture(key, file_id, path)

    @staticmethod
    def _write(path: Path, png: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
        partial.write_bytes(png)
        partial.replace(path)  # never a half-written picture, even if the process dies, and
        # two instances drawing it at once each replace it whole

    async def remember(self, key: str, file_id: str) -> None:
        """The file_id Telegram gave the picture: next time it is sent by id."""
        if self._ids.get(key) == file_id:
            return
        self._ids[key] = file_id
        async with self._database().session() as session:
            await pictures.remember(session=session, key=key, file_id=file_id)
