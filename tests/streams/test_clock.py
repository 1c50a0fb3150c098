"""The stream's event-time clock: one event stamped far ahead must not move it."""

from __future__ import annotations

import math
import time

import pytest

from streams.clock import CONFIRM_ACCOUNTS, EventClock
from streams.events import Event

HOUR = 3600.0
T0 = 1_771_840_800.0  # 2026-02-23, in this machine's past


def _event(ts: float, account: str = "a", event_id: str = "e") -> Event:
    return Event(event_id=event_id, ts=ts, account_id=account, text="hi")


def test_an_event_far_ahead_is_taken_at_the_clocks_time_and_moves_nothing(caplog: pytest.LogCaptureFixture) -> None:
    clock = EventClock(HOUR)
    assert clock.admit(_event(T0)).ts == T0
    assert clock.admit(_event(T0 + 50)).ts == T0 + 50
    outlier = _event(T0 + 74 * 365 * 24 * HOUR, "broken-client", "bad")
    with caplog.at_level("WARNING", logger="streams.clock"):
        taken = clock.admit(outlier)
    assert (taken.ts, taken.event_id, taken.account_id, taken.text) == (T0 + 50, "bad", "broken-client", "hi")
    assert clock.now == T0 + 50 and clock.outliers == 1
    assert "broken-client" in caplog.text and "ahead of the stream's clock" in caplog.text
    assert clock.admit(_event(T0 + 60)).ts == T0 + 60 and clock.now == T0 + 60  # the stream goes on
    assert clock.admit(_event(T0 + 60 + HOUR)).ts == T0 + 60 + HOUR  # within the allowed jump


def test_a_pause_in_the_traffic_is_followed_once_several_accounts_in_a_row_are_past_it() -> None:
    clock = EventClock(HOUR)
    clock.admit(_event(T0))
    resumed = T0 + 3 * 24 * HOUR
    taken = [clock.admit(_event(resumed + i, f"acct-{i}")).ts for i in range(CONFIRM_ACCOUNTS + 1)]
    assert taken[: CONFIRM_ACCOUNTS - 1] == [T0] * (CONFIRM_ACCOUNTS - 1)  # not believed yet ...
    assert taken[CONFIRM_ACCOUNTS - 1:] == [resumed + CONFIRM_ACCOUNTS - 1, resumed + CONFIRM_ACCOUNTS]  # ... then
    assert clock.now == resumed + CONFIRM_ACCOUNTS


def test_one_account_or_ahead_events_between_ordinary_ones_never_make_the_clock_jump() -> None:
    clock = EventClock(HOUR)
    clock.admit(_event(T0))
    for i in range(20):  # one client, all ahead
        clock.admit(_event(T0 + 9 * HOUR + i, "local-time-as-utc"))
    assert clock.now == T0
    for i in range(20):  # several clients ahead, each followed by ordinary traffic
        clock.admit(_event(T0 + 9 * HOUR + i, f"zone-{i}"))
        clock.admit(_event(T0 + i, "ordinary"))
    assert clock.now == T0 + 19 and clock.outliers == 40


def test_before_the_first_event_this_machines_clock_is_the_reference() -> None:
    clock = EventClock(HOUR)
    future = time.time() + 400 * 24 * HOUR
    assert clock.admit(_event(future, "bad")).ts == future  # nothing to put it at: its own time, no clock moved
    assert clock.now == -math.inf and clock.outliers == 1
    assert clock.admit(_event(T0)).ts == T0 and clock.now == T0


def test_without_a_bound_every_event_moves_the_clock() -> None:
    clock = EventClock(0)
    clock.admit(_event(T0))
    assert clock.admit(_event(T0 + 1e6)).ts == T0 + 1e6 and clock.now == T0 + 1e6
