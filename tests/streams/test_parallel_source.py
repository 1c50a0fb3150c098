"""The parallel replay source: the same events, rejects and counters as ReplaySource, from a child process."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import select

from features.text import TextAnalyzer
from hydrawatch.replay import replay
from hydrawatch.settings import Settings
from hydrawatch.simulator import generate
from hydrawatch.store import make_engine
from hydrawatch.store.accounts import ActivityRow
from streams.parallel_source import AHEAD_BATCHES, BATCH_EVENTS, ParallelReplaySource
from streams.sources import Rejected, ReplaySource


def _file(tmp_path: Path, count: int) -> Path:
    lines = []
    for i in range(count):
        ts = 1_772_000_000_000 + i * 1000 - (5000 if i % 7 == 0 else 0)  # bounded disorder
        lines.append(orjson.dumps({"event_id": f"e{i}", "ts": ts, "account_id": f"a{i % 13}",
                                   "prompt": f"Explain step by step how topic {i % 50} works.", "custom": i}))
        if i % 500 == 3:
            lines += [b"{not json", b'{"ts": 1, "prompt": "no account"}', b'{"ts": 1, "account_id": "x", "p": "\xff"}']
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _read(kind: type, path: Path) -> tuple[list, list[Rejected], object]:
    rejects: list[Rejected] = []
    source = kind([path], rejects.append, window_s=60.0)
    events = list(source)
    return events, rejects, source.stats


def test_same_events_rejects_and_counters_as_the_serial_source(tmp_path: Path) -> None:
    path = _file(tmp_path, 3 * BATCH_EVENTS + 17)
    serial, serial_rejects, serial_stats = _read(ReplaySource, path)
    parallel, parallel_rejects, parallel_stats = _read(ParallelReplaySource, path)
    assert [(e.event_id, e.ts, e.extra) for e in parallel] == [(e.event_id, e.ts, e.extra) for e in serial]
    assert parallel_rejects == serial_rejects and len(parallel_rejects) == 21
    assert parallel_stats == serial_stats and serial_stats.late == 0
    analyzer = TextAnalyzer()
    assert all(e.analysis == analyzer.analyze(e.text) for e in parallel)


def test_stopping_early_ends_the_child(tmp_path: Path) -> None:
    path = _file(tmp_path, 20 * BATCH_EVENTS)
    source = ParallelReplaySource([path], lambda r: None)
    iterator = iter(source)
    first = [next(iterator) for _ in range(10)]
    iterator.close()  # what a consumer's ``break`` or an exception does
    expected = [e for e, _ in zip(ReplaySource([path], lambda r: None), range(10), strict=False)]
    assert [e.event_id for e in first] == [e.event_id for e in expected]
    assert not source._child.is_alive()


class _CountingObserver:
    """Counts, in shared memory, the events the child process has parsed."""

    def __init__(self, parsed: Any) -> None:
        self.parsed = parsed

    def observe(self, event: Any) -> None:
        self.parsed.value += 1

    def close(self) -> None:
        pass


def _settled(parsed: Any, timeout_s: float = 20.0) -> int:
    """The child's count once it stopped growing for half a second."""
    deadline, last = time.monotonic() + timeout_s, -1
    while time.monotonic() < deadline and parsed.value != last:
        last = parsed.value
        time.sleep(0.5)
    return int(parsed.value)


def test_the_child_parses_ahead_while_the_consumer_is_busy_within_a_bound(tmp_path: Path) -> None:
    """A consumer busy with one event (the detector evaluating) does not hold the child at the pipe: it parses
    many batches ahead (2 before the reader thread), but not the whole input (memory stays bounded)."""
    path = _file(tmp_path, 60 * BATCH_EVENTS)
    parsed = multiprocessing.get_context("fork").Value("i", 0, lock=False)
    source = ParallelReplaySource([path], lambda r: None, child_observer=lambda: _CountingObserver(parsed))
    iterator = iter(source)
    next(iterator)
    ahead = _settled(parsed)
    assert ahead >= 12 * BATCH_EVENTS, f"the child stopped {ahead} events in"
    assert ahead <= (AHEAD_BATCHES + 20) * BATCH_EVENTS < 60 * BATCH_EVENTS, f"the child ran {ahead} events ahead"
    assert sum(1 for _ in iterator) + 1 == 60 * BATCH_EVENTS  # and nothing was lost on the way
    assert not source._child.is_alive()


def test_a_failing_child_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "not-a-file.jsonl"
    folder.mkdir()
    with pytest.raises(RuntimeError, match="parse process failed"):
        list(ParallelReplaySource([folder], lambda r: None))


def test_replay_alerts_and_activity_are_the_same_either_way(tmp_path: Path) -> None:
    generate(tmp_path, scale=0.2, days=1.0, seed=3)
    results, activity = [], []
    for threshold in (0, -1):
        settings = Settings(db_url="", parallel_parse_min_bytes=threshold)
        db = f"sqlite:///{tmp_path / f'store{threshold}.db'}"
        results.append(replay([tmp_path / "events.jsonl"], settings, db_url=db,
                              alerts_out=tmp_path / f"alerts{threshold}.jsonl"))
        with make_engine(db).connect() as connection:  # written by the parse process in the parallel run
            activity.append(connection.execute(select(ActivityRow.account_id, ActivityRow.hour, ActivityRow.model,
                                                      ActivityRow.requests).order_by(ActivityRow.account_id,
                                                                                     ActivityRow.hour)).all())
    assert (tmp_path / "alerts0.jsonl").read_bytes() == (tmp_path / "alerts-1.jsonl").read_bytes()
    assert results[0].summary.events == results[1].summary.events > 0 and results[0].summary.alerts > 0
    assert results[0].source == results[1].source
    parallel, serial = results[0].detector.fast_tier, results[1].detector.fast_tier
    assert parallel is not None and serial is not None
    assert parallel.encoded == 0 < parallel.primed  # the parse process made every profile vector ahead
    assert serial.primed == 0 < serial.encoded
    assert activity[0] == activity[1] and sum(row.requests for row in activity[0]) == results[0].summary.events


def test_duplicates_and_times_far_ahead_are_handled_as_in_the_serial_source(tmp_path: Path) -> None:
    lines = _file(tmp_path, BATCH_EVENTS + 100).read_bytes().splitlines()
    wrong = orjson.dumps({"event_id": "wrong-clock", "ts": 4_102_444_800_000, "account_id": "a1", "prompt": "x"})
    path = tmp_path / "messy.jsonl"
    path.write_bytes(b"\n".join(lines[:600] + [wrong] + lines[550:]) + b"\n")  # a resent stretch of 50 lines
    for window in (600.0, 0.0):
        runs = []
        for kind in (ReplaySource, ParallelReplaySource):
            source = kind([path], lambda r: None, window_s=60.0, dedup_window_s=window)
            runs.append(([(e.event_id, e.ts) for e in source], source.stats))
        (serial, serial_stats), (parallel, parallel_stats) = runs
        assert parallel == serial and parallel_stats == serial_stats
        assert serial_stats.ahead == 1 and serial_stats.late == 0
        assert serial_stats.duplicates == (50 if window else 0)
        assert len(serial) == len({e for e, _ in serial}) + (0 if window else 50)
