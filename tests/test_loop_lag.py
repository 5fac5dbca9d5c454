"""The event loop's lag: a late wake is measured and a stall counted, in /metrics too."""

from __future__ import annotations

from bot.loop_lag import LoopLag
from bot.metrics import Metrics


def test_late_wakes_are_measured_and_stalls_counted() -> None:
    metrics = Metrics()
    lag = LoopLag(on_lag=metrics.lag)
    for seconds in (0.001, 0.004, 0.2, 0.06, -0.001):
        lag.note(seconds)
    assert lag.stalls == 2 and lag.take_worst() == 0.2 and lag.take_worst() == 0.0
    text = metrics.registry.get_sample_value
    assert text("rehab_event_loop_stalls_total") == 2
    assert text("rehab_event_loop_lag_seconds_count") == 5


async def test_a_blocked_loop_is_seen() -> None:
    """The task's own clock says 160 ms passed across one 0 ms wait (as when something held
    the loop): one stall, measured by the running task itself."""
    import asyncio

    readings = iter([0.0, 0.16] + [0.16 + i / 1000 for i in range(1000)])
    lag = LoopLag(interval=0.0, monotonic=lambda: next(readings))
    lag.start()
    for _ in range(5):
        await asyncio.sleep(0)
    await lag.stop()
    assert lag.take_worst() >= 0.15 and lag.stalls == 1
