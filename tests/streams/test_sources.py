"""Replay sources: formats, event-time ordering, and the dead-letter path for every kind of bad input."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import orjson
import pandas as pd
import pytest

from streams.sinks import DeadLetterFile
from streams.sources import ReplaySource


def _event(i: int, ts: int, **extra: object) -> dict:
    return {"event_id": f"e{i}", "ts": ts, "account_id": f"a{i % 3}", "prompt": f"prompt {i}", **extra}


def _read(paths: list[Path], tmp_path: Path, window: float = 120.0) -> tuple[list, list[dict], ReplaySource]:
    dlq_path = tmp_path / "dlq.jsonl"
    dlq = DeadLetterFile(dlq_path)
    source = ReplaySource(paths, dlq, window_s=window)
    events = list(source)
    dlq.close()
    rejected = [orjson.loads(line) for line in dlq_path.read_bytes().splitlines()]
    return events, rejected, source


def test_jsonl_gz_parquet_and_csv_are_merged_in_event_time_order(tmp_path: Path) -> None:
    a = tmp_path / "a.jsonl.gz"
    with gzip.open(a, "wb") as handle:
        for i in range(0, 30, 3):
            handle.write(orjson.dumps(_event(i, 1_000_000 + i * 1000)) + b"\n")
    b = tmp_path / "b.parquet"
    pd.DataFrame([_event(i, 1_000_000 + i * 1000, asn=64500) for i in range(1, 30, 3)]).to_parquet(b)
    c = tmp_path / "c.csv"
    pd.DataFrame([_event(i, 1_000_000 + i * 1000, asn=64501) for i in range(2, 30, 3)]).to_csv(c, index=False)
    events, rejected, _ = _read([a, b, c], tmp_path)
    assert rejected == []
    assert [e.event_id for e in events] == [f"e{i}" for i in range(30)]
    assert {e.asn for e in events} == {None, 64500, 64501}


def test_bounded_disorder_is_repaired_and_late_events_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    order = [0, 2, 1, 3, 5, 4, 6]
    lines = [orjson.dumps(_event(i, 1_000_000 + i * 10_000)) for i in order]
    lines.append(orjson.dumps(_event(99, 1_000_000)))  # far older than the reorder window allows
    path.write_bytes(b"\n".join(lines) + b"\n")
    events, _, source = _read([path], tmp_path, window=30.0)
    ids = [e.event_id for e in events]
    assert [i for i in ids if i != "e99"] == [f"e{i}" for i in range(7)]
    assert "e99" in ids and len(ids) == 8  # processed where it arrived, never dropped
    assert source.stats.late == 1


def test_every_kind_of_bad_line_goes_to_the_dlq_and_valid_ones_are_all_kept(tmp_path: Path) -> None:
    good = [orjson.dumps(_event(i, 1_000_000 + i)) for i in range(5)]
    bad = [
        (b'{"ts": 1, "account_id": "a"', "malformed JSON"),
        (b'{"ts": 1, "account_id": "a", "prompt": "\xc3\x28"}', "invalid UTF-8"),
        (b'{"ts": 1, "prompt": "x"}', "missing required field 'account_id'"),
        (b'{"account_id": "a", "prompt": "x"}', "missing required field 'ts'"),
        (b'{"ts": 1, "account_id": "a"}', "missing prompt text"),
        (b'{"ts": 1, "account_id": "a", "prompt": "x", "max_tokens": "lots"}', "max_tokens"),
        (b'{"ts": "13/45/2026", "account_id": "a", "prompt": "x"}', "RFC 3339"),
    ]
    huge = orjson.dumps(_event(50, 1_000_100, prompt="z" * 1_200_000))
    lines = good[:2] + [b for b, _ in bad[:4]] + [huge] + good[2:] + [b for b, _ in bad[4:]]
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    events, rejected, source = _read([path], tmp_path)
    assert sorted(e.event_id for e in events) == sorted([f"e{i}" for i in range(5)] + ["e50"])
    assert [r["reason"] for r in rejected] and len(rejected) == len(bad)
    for record, (_, reason) in zip(rejected, bad, strict=True):
        assert reason in record["reason"]
        assert record["source"] == str(path)
    assert [r["line"] for r in rejected] == [3, 4, 5, 6, 11, 12, 13]
    assert "raw_base64" in rejected[1]  # the invalid UTF-8 line is kept byte for byte
    huge_event = next(e for e in events if e.event_id == "e50")
    assert huge_event.truncated and source.stats.truncated == 1


def test_csv_with_json_columns_and_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(
        'ts,account_id,messages,tools,asn\n'
        '2026-02-23T10:00:00Z,a1,"[{""role"": ""user"", ""content"": ""hi""}]","[""calc""]",64500\n'
        '2026-02-23T10:00:01Z,,"[]",,\n'
        'not-a-time,a3,,,\n'
    )
    events, rejected, _ = _read([path], tmp_path)
    assert [e.text for e in events] == ["hi"]
    assert events[0].tools == ("calc",)
    assert len(rejected) == 2


def test_pandas_exports_with_missing_integers_lose_no_event(tmp_path: Path) -> None:
    """pandas keeps an integer column with gaps as floats: CSV cells read ``64500.0`` and Parquet values are
    floats (NaN where missing). Both are whole numbers, and every row is kept with its integer values."""
    rows = [_event(i, 1_000_000 + i * 1000, asn=64500 if i % 2 else None, max_tokens=512) for i in range(6)]
    frame = pd.DataFrame(rows)
    assert frame["asn"].dtype == "float64"
    csv_path, parquet_path = tmp_path / "x.csv", tmp_path / "x.parquet"
    frame.to_csv(csv_path, index=False)
    frame.assign(ts=frame["ts"] + 0.5).to_parquet(parquet_path)
    assert "64500.0" in csv_path.read_text()
    for path in (csv_path, parquet_path):
        events, rejected, _ = _read([path], tmp_path)
        assert rejected == []
        assert [e.asn for e in events] == [None, 64500, None, 64500, None, 64500]
        assert all(type(e.asn) is int for e in events if e.asn is not None)


def test_a_csv_timestamp_written_as_a_decimal_number_is_epoch_milliseconds(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("ts,account_id,prompt,asn\n1771840800123.0,a1,hi,1.5\n1771840800124.0,a1,hi again,\n")
    events, rejected, _ = _read([path], tmp_path)
    assert [e.ts for e in events] == [1771840800.124]
    assert "field 'asn' must be an integer" in rejected[0]["reason"]


def test_parquet_timestamps_without_a_time_zone_are_utc_whatever_the_machines_zone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "x.parquet"
    naive = pd.to_datetime(["2026-02-23T10:00:00.123", "2026-02-23T10:00:01.000"])
    pd.DataFrame({"ts": naive, "account_id": ["a", "b"], "prompt": ["x", "y"],
                  "account_created_at": pd.to_datetime(["2026-01-01", "2026-01-02"])}).to_parquet(path)
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        events, rejected, _ = _read([path], tmp_path)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert rejected == []
    assert [e.ts for e in events] == [pytest.approx(1771840800.123), 1771840801.0]
    assert events[0].account_created_at == 1767225600.0


def test_files_saved_with_a_byte_order_mark_and_crlf_lines_lose_no_event(tmp_path: Path) -> None:
    bom = b"\xef\xbb\xbf"
    jsonl, csv_path = tmp_path / "x.jsonl", tmp_path / "x.csv"
    jsonl.write_bytes(bom + b"\r\n".join(orjson.dumps(_event(i, 1_000_000 + i)) for i in range(3)) + b"\r\n")
    csv_path.write_bytes(bom + b"ts,account_id,prompt\r\n1000003,a0,hi\r\n")
    events, rejected, _ = _read([jsonl, csv_path], tmp_path)
    assert rejected == []
    assert [e.event_id for e in events[:3]] == ["e0", "e1", "e2"]
    assert (events[3].account_id, events[3].text) == ("a0", "hi")


def test_a_damaged_file_keeps_what_was_read_and_dead_letters_the_rest_and_the_run_goes_on(tmp_path: Path) -> None:
    lines = b"".join(orjson.dumps(_event(i, 1_000_000 + i)) + b"\n" for i in range(3000))
    packed = gzip.compress(lines)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(packed[: len(packed) // 2])  # a copy that stopped half way
    not_gzip = tmp_path / "plain.jsonl.gz"
    not_gzip.write_bytes(lines[:300])
    not_parquet = tmp_path / "x.parquet"
    not_parquet.write_bytes(b"PAR1 but nothing else")
    intact = tmp_path / "intact.jsonl"
    intact.write_bytes(orjson.dumps(_event(-1, 999_000)) + b"\n")
    events, rejected, source = _read([cut, not_gzip, not_parquet, intact], tmp_path)
    from_cut = events[1:]
    assert 0 < len(from_cut) < 3000
    assert [e.event_id for e in from_cut] == [f"e{i}" for i in range(len(from_cut))]  # a prefix, in order
    assert events[0].event_id == "e-1"  # the intact file is read too
    assert [(r["source"], r["line"]) for r in rejected] == [
        (str(cut), len(from_cut) + 1), (str(not_gzip), 1), (str(not_parquet), 1)]
    assert "unreadable file after line" in rejected[0]["reason"] and "EOFError" in rejected[0]["reason"]
    assert "BadGzipFile" in rejected[1]["reason"]
    assert source.stats.rejected == 3 and source.stats.accepted == len(events)


def test_a_path_that_is_no_readable_file_raises_instead_of_passing_for_damaged_input(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        list(ReplaySource([tmp_path], lambda r: None))
    with pytest.raises(FileNotFoundError):
        list(ReplaySource([tmp_path / "gone.jsonl.gz"], lambda r: None))


def test_an_event_stamped_decades_ahead_keeps_the_file_in_order(tmp_path: Path) -> None:
    """Without the guard the file's watermark would jump to 2100: every later event would pass as late, out of
    order, and the odd one would come last."""
    order = [0, 2, 1, 3, 5, 4, 6, 8, 7, 9]
    records = [_event(i, 1_000_000_000_000 + i * 10_000) for i in order]
    records.insert(4, _event(99, 4_102_444_800_000))  # 2100-01-01
    path = tmp_path / "x.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(r) for r in records) + b"\n")
    events, rejected, source = _read([path], tmp_path, window=30.0)
    assert rejected == [] and source.stats.late == 0 and source.stats.ahead == 1
    ids = [e.event_id for e in events]
    assert [i for i in ids if i != "e99"] == [f"e{i}" for i in range(10)]
    odd = next(e for e in events if e.event_id == "e99")
    assert odd.ts == 1_000_000_000.0 + 30.0  # taken at the file's time when it arrived (e3's)
    assert [e.ts for e in events] == sorted(e.ts for e in events)


def test_overlapping_files_and_lines_logged_twice_give_each_request_once(tmp_path: Path) -> None:
    """Daily exports that overlap at their edges, a line logged twice, and the same request without an id (its
    id is derived from its bytes): each request reaches the detector once, the rest is counted."""
    first, second = tmp_path / "day1.jsonl", tmp_path / "day2.jsonl"
    records = [_event(i, 1_000_000 + i * 1000) for i in range(20)]
    no_id = {k: v for k, v in _event(99, 1_012_500).items() if k != "event_id"}
    first.write_bytes(b"\n".join(orjson.dumps(r) for r in [*records[:12], records[5], no_id]) + b"\n")
    second.write_bytes(b"\n".join(orjson.dumps(r) for r in [no_id, *records[9:]]) + b"\n")
    events, rejected, source = _read([first, second], tmp_path)
    assert rejected == []
    assert [e.event_id for e in events if not e.event_id.startswith("ev-")] == [f"e{i}" for i in range(20)]
    assert len(events) == 21 and source.stats.accepted == 21 and source.stats.duplicates == 5
    unchecked = ReplaySource([first, second], lambda r: None, dedup_window_s=0)
    assert len(list(unchecked)) == 26 and unchecked.stats.duplicates == 0


def test_parquet_columns_json_has_no_type_for_are_read_as_json_would_hold_them(tmp_path: Path) -> None:
    """Older writers store strings as plain binary; decimals, dates, durations and unsigned 64-bit integers are
    other Parquet types with no JSON type of their own. None of them stops the run or loses the event: text is
    read as text, the others as numbers or ISO 8601 text, and an event without ``event_id`` still gets one."""
    import datetime as dt
    import decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "x.parquet"
    pq.write_table(pa.table({
        "ts": pa.array([1_771_840_800_000, 1_771_840_801_000], pa.int64()),
        "account_id": pa.array([b"a1", b"a2"], pa.binary()),
        "prompt": pa.array(["caf\u00e9 menu".encode(), b"second"], pa.binary()),
        "asn": pa.array([decimal.Decimal("64500"), None], pa.decimal128(10, 0)),
        "blob": pa.array([b"\xff\xfe", b"ok"], pa.binary()),
        "price": pa.array([decimal.Decimal("1.50"), decimal.Decimal("2.25")], pa.decimal128(5, 2)),
        "wait": pa.array([dt.timedelta(seconds=3), None], pa.duration("s")),
        "day": pa.array([dt.date(2026, 1, 1), None], pa.date32()),
        "big": pa.array([2**64 - 1, 1], pa.uint64()),
        "tags": pa.array([[b"x", b"y"], []], pa.list_(pa.binary())),
    }), path)
    events, rejected, _ = _read([path], tmp_path)
    assert rejected == []
    first, second = events
    assert (first.account_id, first.text, first.asn) == ("a1", "caf\u00e9 menu", 64500)
    assert first.extra == {"blob": b"\xff\xfe", "price": 1.5, "wait": 3.0, "day": "2026-01-01", "big": 2**64 - 1,
                           "tags": ["x", "y"]}
    assert first.event_id.startswith("ev-") and first.event_id != second.event_id


def test_integers_beyond_64_bits_neither_stop_the_run_nor_lose_an_event(tmp_path: Path) -> None:
    """A CSV cell holds any number of digits. A valid row with one is read (the schema bounds no integer), the
    field as missing; a row that is rejected for another reason still reaches the dead-letter file whole."""
    path = tmp_path / "x.csv"
    huge = "9" * 30
    path.write_text(f"ts,account_id,prompt,max_tokens\n1771840800000,a1,hello,{huge}\nnot-a-time,a2,hi,{huge}\n")
    events, rejected, source = _read([path], tmp_path)
    assert [(e.account_id, e.max_tokens) for e in events] == [("a1", None)]
    assert len(rejected) == 1 and "not an RFC 3339 timestamp" in rejected[0]["reason"]
    assert huge in rejected[0]["raw"]
    assert (source.stats.accepted, source.stats.rejected) == (1, 1)
