"""One tick's time, shared by the work in it that can wait.

Prompts, digests and alerts that are due go out in the tick they fall due. Bookkeeping does
not have to: resolving yesterday's prompts (a million of them after midnight) and the hourly
rounds over every followed patient move on a piece a tick. Each such piece is sized to the time
the tick has left (``Pace``), so a tick stays short when they meet, and each still moves on
by at least its smallest piece, so none waits behind the others for ever.
"""

from __future__ import annotations

from collections.abc import Callable
from time import perf_counter


class TickBudget:
    """The time one tick may take, counted from the tick's start (work, not the clock)."""

    def __init__(self, seconds: float = 0.04, timer: Callable[[], float] = perf_counter
                 ) -> None:
        self.seconds = seconds
        self.timer = timer
        self._began: float | None = None

    def start(self) -> None:
        self._began = self.timer()

    def stop(self) -> None:
        self._began = None

    def left(self) -> float:
        """Seconds left in this tick; the whole budget outside a tick (a direct call)."""
        if self._began is None:
            return self.seconds
        return max(0.0, self.seconds - (self.timer() - self._began))


class Pace:
    """How long one item of some work has been taking (a moving average), to choose how many
    fit in the time left: never fewer than ``smallest`` (the work moves on every tick), never
    more than ``largest`` (one statement stays short). ``fixed``: what a piece costs whatever
    its size (a transaction, a round trip), kept out of the per-item estimate so that small
    pieces do not make it look dear nor large ones cheap."""

    WEIGHT = 0.3  # of the newest measure: a single slow piece moves the estimate, not all

    def __init__(self, *, smallest: int, largest: int, first_guess: float, fixed: float = 0.0
                 ) -> None:
        self.smallest = smallest
        self.largest = largest
        self.fixed = fixed  # seconds a piece
        self.per_item = first_guess  # seconds an item

    def how_many(self, left: float) -> int:
        return max(self.smallest, min(self.largest, round((left - self.fixed) / self.per_item)))

    def smallest_fits(self, left: float) -> bool:
        """Whether even the smallest piece fits in ``left`` (else: the next tick)."""
        return left >= self.fixed + self.per_item * self.smallest

    def took(self, items: int, seconds: float) -> None:
        """One piece of ``items`` items took ``seconds``. A piece with fewer items than
        ``smallest`` says little per item and is not counted."""
        if items >= self.smallest:
            measured = max(seconds - self.fixed, 0.0) / items
            self.per_item += self.WEIGHT * (measured - self.per_item)
