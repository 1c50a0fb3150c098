"""Requests delivered twice in a replay (a line logged twice, log files that overlap) count once, whether the
files are read in the detector's process or in a parse process: the source drops the repeats, and the detector,
which then need not check again, is left with each request once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hydrawatch.replay import build_detector, replay
from hydrawatch.settings import Settings
from streams.events import parse_record

BASE_MS = 1_772_000_000_000


def _events() -> list[dict]:
    return [{"event_id": f"req-{i}", "ts": BASE_MS + i * 20_000, "account_id": f"acct-{i % 3}",
             "prompt": f"how do I plant bulb number {i} in clay soil"} for i in range(60)]


@pytest.mark.parametrize("parse_process", [False, True])
def test_repeated_requests_count_once(tmp_path: Path, parse_process: bool) -> None:
    events = _events()
    first = events[:13] + [events[10]] + events[13:40]  # a line logged twice, a few lines apart
    second = events[30:]  # overlaps the first file by ten requests
    paths = []
    for name, part in (("a.jsonl", first), ("b.jsonl", second)):
        paths.append(tmp_path / name)
        paths[-1].write_text("".join(json.dumps(e) + "\n" for e in part))
    settings = Settings(db_url="", parallel_parse_min_bytes=0 if parse_process else -1)
    detector = build_detector(settings, embeddings=False)
    result = replay(paths, settings, detector=detector)
    assert (result.summary.events, result.source.duplicates) == (60, 11)
    assert {a: s.events for a, s in detector.accounts.items()} == {"acct-0": 20, "acct-1": 20, "acct-2": 20}


def test_a_detector_that_has_seen_events_keeps_its_own_check() -> None:
    """``input_deduplicated`` is for a detector about to read one source only: one that already processed events
    (from elsewhere) still drops a repeat of those."""
    detector = build_detector(Settings(db_url=""), embeddings=False)
    event = _events()[0]
    detector.process(parse_record(event))
    detector.input_deduplicated()
    detector.process(parse_record(event))
    assert detector.accounts["acct-0"].events == 1 and detector.recent.repeats == 1
