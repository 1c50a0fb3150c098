"""Duplicate deliveries: the same event id twice within the window is one request."""

from __future__ import annotations

from streams.dedup import RecentIds
from streams.events import Event


def _event(event_id: str, ts: float) -> Event:
    return Event(event_id=event_id, ts=ts, account_id="a", text="hi")


def test_an_id_seen_within_the_window_is_a_repeat_and_older_ids_are_forgotten() -> None:
    recent = RecentIds(600)
    assert not recent.repeated(_event("e1", 1000.0))
    assert not recent.repeated(_event("e2", 1001.0))
    assert recent.repeated(_event("e1", 1000.0)) and recent.repeated(_event("e2", 1001.0))
    assert recent.repeats == 2
    assert not recent.repeated(_event("e3", 1700.0))  # e1 and e2 are now over 600 s old ...
    assert not recent.repeated(_event("e1", 1000.0))  # ... so e1 counts as new again (and is remembered)
    assert recent.repeated(_event("e3", 1700.0)) and recent.repeats == 3


def test_memory_is_bounded_and_a_zero_window_checks_nothing() -> None:
    recent = RecentIds(10**9, max_ids=100)
    for i in range(1000):
        recent.repeated(_event(f"e{i}", float(i)))
    assert len(recent._ids) == len(recent._order) == 100
    assert recent.repeated(_event("e999", 999.0)) and not recent.repeated(_event("e0", 0.0))
    off = RecentIds(0)
    assert not off.repeated(_event("x", 1.0)) and not off.repeated(_event("x", 1.0)) and off.repeats == 0
