"""How fast one person may send: a sliding window per person. Past the limit the first update
gets a short "one moment", the rest are quietly let go until the window has room again, so
one person's flood cannot slow everyone else. A person tapping, even double-tapping with a
tremor, stays far below it."""

from __future__ import annotations

from collections import deque
from typing import Literal

LIMIT = 20  # updates…
WINDOW = 10.0  # …in this many seconds
Verdict = Literal["ok", "warn", "drop"]


class RateLimit:
    """Per-person sliding windows; time is passed in, nothing is read from a clock."""

    def __init__(self, limit: int = LIMIT, window: float = WINDOW,
                 remember: int = 10_000) -> None:
        self.limit = limit
        self.window = window
        self.remember = remember
        self._seen: dict[int, deque[float]] = {}
        self._warned: set[int] = set()

    def check(self, person: int, now: float) -> Verdict:
        """``now`` in seconds on any steady clock: how fast updates *arrive* is what counts."""
        times = self._seen.setdefault(person, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            self._warned.discard(person)
            return "ok"
        if person in self._warned:
            return "drop"
        self._warned.add(person)
        if len(self._seen) > self.remember:  # forget the quietest, keep memory bounded
            for key in [k for k, v in self._seen.items() if not v][: len(self._seen) // 2]:
                del self._seen[key]
        return "warn"
