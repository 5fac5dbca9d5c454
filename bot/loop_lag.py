"""How late the event loop wakes: a small task asks to wake every 100 ms and notes how much
later it did. A late wake means something held the loop (CPU work that belongs in a thread, a
blocking call), and every person's answer waited that long too. Seen in ``/metrics``
(``rehab_event_loop_lag_seconds``, and stalls over 50 ms counted) and in the benchmarks."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

STALL = 0.05  # a wake this late is a stall someone could feel


class LoopLag:
    def __init__(self, interval: float = 0.1,
                 on_lag: Callable[[float], None] | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self.on_lag = on_lag
        self.monotonic = monotonic
        self.worst = 0.0  # since the last ``take_worst``
        self.stalls = 0
        self.samples: list[float] = []  # kept only while ``recording`` (the benchmarks)
        self.recording = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="loop-lag")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def note(self, lag: float) -> None:
        """One wake's lateness, in seconds."""
        lag = max(0.0, lag)
        self.worst = max(self.worst, lag)
        if lag > STALL:
            self.stalls += 1
        if self.recording:
            self.samples.append(lag)
        if self.on_lag is not None:
            self.on_lag(lag)

    def take_worst(self) -> float:
        worst, self.worst = self.worst, 0.0
        return worst

    async def _run(self) -> None:
        while True:
            asked = self.monotonic()
            await asyncio.sleep(self.interval)
            self.note(self.monotonic() - asked - self.interval)
