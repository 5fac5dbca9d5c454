"""What an operator reads: a slow scheduler round is one line now and then, with what to do;
the scheduler library's own line for each skipped heartbeat does not pass."""

from __future__ import annotations

import logging

import pytest

from bot.jobs.scheduling import Ticker
from bot.logs import DropSchedulerNoise, PollingErrors


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_slow_round_is_said_once_in_a_while_with_what_to_do(
        caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    ticker = Ticker(monotonic=clock)
    with caplog.at_level(logging.WARNING):
        for _ in range(30):  # thirty slow rounds in five minutes
            clock.now += 10
            ticker.took(25.0, 20.0)
        ticker.took(3.0, 20.0)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and "longer than TICK_SECONDS" in lines[0]
    assert "raise TICK_SECONDS" in lines[0]
    assert ticker.overruns == 30 and ticker.last_tick_seconds == 3.0
    clock.now += 601
    with caplog.at_level(logging.WARNING):
        ticker.took(25.0, 20.0)
    assert len(caplog.records) == 2 and "31 time(s)" in caplog.records[-1].getMessage()


def test_the_schedulers_own_skip_lines_do_not_pass() -> None:
    noise = DropSchedulerNoise()
    skipped = logging.LogRecord(
        "apscheduler.scheduler", logging.WARNING, "x", 1,
        'Execution of job "%s" skipped: maximum number of running instances reached (%d)',
        ("tick", 1), None)
    missed = logging.LogRecord("apscheduler.executors.default", logging.WARNING, "x", 1,
                               'Run time of job "%s" was missed by %s', ("tick", "0:00:05"),
                               None)
    ours = logging.LogRecord("bot.jobs.scheduling", logging.WARNING, "x", 1,
                             "scheduled work took 25.0 s", None, None)
    assert [noise.filter(r) for r in (skipped, missed, ours)] == [False, False, True]


def test_polling_errors_are_one_line_each_now_and_then(
        caplog: pytest.LogCaptureFixture) -> None:
    from telegram.error import Conflict, NetworkError

    clock = Clock()
    errors = PollingErrors(every=300, monotonic=clock)
    with caplog.at_level(logging.WARNING):
        for _ in range(20):
            clock.now += 1
            errors(Conflict("terminated by other getUpdates request"))
            errors(NetworkError("Bad Gateway"))
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2 and errors.seen == {"Conflict": 20, "NetworkError": 20}
    assert "409 Conflict" in lines[0] and "only one may" in lines[0]
    assert not any(r.exc_info for r in caplog.records)
