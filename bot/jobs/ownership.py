"""Who this instance is, for claims (prompts, digests): the id its Presence holds in the
database, and which instances are alive now. Without a Presence (a job built on its own) it is
alone, with an id of its own."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from db.presence import Presence


class Ownership:
    def __init__(self, presence: Callable[[], Presence | None] = lambda: None) -> None:
        self._presence = presence
        self._lone_id = secrets.randbelow(2**31 - 2) + 1

    @property
    def id(self) -> int:
        presence = self._presence()
        return presence.instance_id if presence is not None else self._lone_id

    async def live(self) -> set[int]:
        presence = self._presence()
        return await presence.live_instances() if presence is not None else {self._lone_id}
