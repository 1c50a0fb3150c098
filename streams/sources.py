"""Replay sources: JSONL (plain or gzip), Parquet and CSV files, merged into one event-time ordered stream.

Ordering: each file passes through a reorder buffer that holds events for ``window_s`` seconds of event time
(bounded disorder within a file is repaired); files are then k-way merged by timestamp. An event later than
the buffer allows is still processed (never dropped) at its arrival position and counted as ``late``.
"""

from __future__ import annotations

import csv
import gzip
import heapq
import io
import logging
import math
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, TypedDict

import orjson

from streams.clock import EventClock
from streams.dedup import RecentIds
from streams.events import Event, EventError, parse_line, parse_record
from streams.records_json import record_json

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Rejected:
    """A record that could not be accepted, with where it came from and why."""

    source: str
    line: int
    reason: str
    raw: bytes


RejectHandler = Callable[[Rejected], None]
# What reading a damaged file raises: a gzip stream cut short (EOFError) or corrupt (BadGzipFile, zlib.error), a
# Parquet file that is none (pyarrow's errors are ValueError and OSError subclasses), an I/O error
UNREADABLE = (OSError, EOFError, ValueError, zlib.error)
CANNOT_OPEN = (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)

_CSV_INT = ("asn", "max_tokens", "input_tokens", "output_tokens", "status")
_CSV_JSON = ("messages", "tools")


@dataclass
class SourceStats:
    """Counters of one replay."""

    read: int = 0
    accepted: int = 0
    rejected: int = 0
    late: int = 0
    truncated: int = 0
    ahead: int = 0  # events stamped far ahead of their file's time (``streams.clock``), taken at that time
    duplicates: int = 0  # events whose id was seen lately (``streams.dedup``), not passed on again

    def warn_of_disorder(self, window_s: float) -> None:
        """Say so when events came later than the reorder window allows: they were processed where they arrived,
        at a time the detector had already passed, so a file sorted by anything but time (an export grouped by
        account) yields campaigns caught late or missed."""
        if self.late:
            log.warning("%d of %d events (%.1f%%) came more than %.0f s after later events of their file and were "
                        "processed out of order; sort the input by ts, or raise "
                        "HYDRAWATCH_DETECTION__REORDER_WINDOW_S", self.late, self.accepted,
                        100.0 * self.late / max(self.accepted, 1), window_s)


class ReadingOptions(TypedDict):
    """``ReplaySource``'s keyword arguments of how files are read (``Settings.reading_options`` fills them)."""

    window_s: float
    max_prompt_bytes: int
    max_jump_s: float
    dedup_window_s: float


class ReplaySource:
    """Iterates accepted events of several files in event-time order; rejects go to ``on_reject``."""

    def __init__(self, paths: Iterable[Path], on_reject: RejectHandler, *, window_s: float = 120.0,
                 max_prompt_bytes: int = 1_000_000, max_jump_s: float = 3600.0, dedup_window_s: float = 600.0) -> None:
        self.paths = [Path(p) for p in paths]
        self.on_reject = on_reject
        self.window_s = window_s
        self.max_jump_s = max_jump_s  # ``streams.clock``: events further ahead of their file's time are outliers
        self.dedup_window_s = dedup_window_s  # ``streams.dedup``: an id seen again within this time is a repeat
        self.max_prompt_bytes = max_prompt_bytes
        self.stats = SourceStats()

    def __iter__(self) -> Iterator[Event]:
        streams = [self._reordered(self._events(path), idx) for idx, path in enumerate(self.paths)]
        recent = RecentIds(self.dedup_window_s)
        for _ts, _idx, _seq, event in heapq.merge(*streams):
            if recent.repeated(event):  # the same request twice: overlapping files, a line logged twice
                self.stats.accepted -= 1
                self.stats.duplicates += 1
                continue
            yield event

    def close(self) -> None:
        """Nothing to release (files are closed as they are read)."""

    def _events(self, path: Path) -> Iterator[Event]:
        records = _records(path)
        line_no = 0
        while True:
            try:
                line_no, record = next(records)
            except StopIteration:
                return
            except CANNOT_OPEN:  # no file to read here: an unusable argument, not damaged input
                raise
            except UNREADABLE as exc:  # a truncated or corrupt file: what was read stays, the rest is one reject
                self.stats.read += 1
                self.stats.rejected += 1
                reason = f"unreadable file after line {line_no}: {type(exc).__name__}: {exc}"
                log.warning("%s: %s", path, reason)
                self.on_reject(Rejected(str(path), line_no + 1, reason, b""))
                return
            self.stats.read += 1
            try:
                if isinstance(record, dict) and "_csv_error" in record:
                    raise EventError(record["_csv_error"])
                if isinstance(record, bytes):
                    event = parse_line(record, self.max_prompt_bytes)
                else:
                    event = parse_record(record, self.max_prompt_bytes)
            except EventError as exc:
                self.stats.rejected += 1
                raw = record if isinstance(record, bytes) else record_json(record)
                self.on_reject(Rejected(str(path), line_no, str(exc), raw))
                continue
            self.stats.accepted += 1
            self.stats.truncated += event.truncated
            yield event

    def _reordered(self, events: Iterator[Event], idx: int) -> Iterator[tuple[float, int, int, Event]]:
        """Hold events in a heap until the file's watermark has passed them by ``window_s``."""
        heap: list[tuple[float, int, int, Event]] = []
        watermark = -math.inf
        emitted = -math.inf
        clock = EventClock(self.max_jump_s)
        for seq, event in enumerate(events):
            outliers = clock.outliers
            event = clock.admit(event)  # far ahead of the file's time: taken at that time, moves no watermark
            if clock.outliers > outliers:
                self.stats.ahead += 1
                if event.ts > clock.now:  # the file's first events: no time to take yet, so passed on as they are
                    yield (emitted, idx, seq, event)
                    continue
            if event.ts < emitted:
                self.stats.late += 1
                yield (emitted, idx, seq, event)
                continue
            heapq.heappush(heap, (event.ts, idx, seq, event))
            watermark = max(watermark, event.ts)
            while heap and heap[0][0] <= watermark - self.window_s:
                item = heapq.heappop(heap)
                emitted = item[0]
                yield item
        while heap:
            yield heapq.heappop(heap)


def _records(path: Path) -> Iterator[tuple[int, bytes | dict[str, Any]]]:
    """(line number, raw line or decoded row) of one file, chosen by suffix."""
    name = path.name.lower()
    if name.endswith(".parquet"):
        yield from _parquet_rows(path)
    elif name.endswith((".csv", ".csv.gz")):
        yield from _csv_rows(path)
    else:
        yield from _jsonl_lines(path)


def _open_binary(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def _jsonl_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    with _open_binary(path) as handle:
        for line_no, line in enumerate(handle, start=1):
            stripped = line.strip()
            if stripped:
                yield line_no, stripped


def _parquet_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    import pyarrow.parquet as pq

    line_no = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=10_000):
        for row in batch.to_pylist():
            line_no += 1
            yield line_no, {k: _plain(v) for k, v in row.items() if v is not None}


def _plain(value: Any) -> Any:
    """Parquet values as JSON would hold them (timestamps as epoch ms, NaN as missing). A timestamp column
    without a time zone holds UTC (as pandas and Spark write logs), never the reading machine's local time.
    Binary columns are text when they are UTF-8 (older writers store strings so); decimals are numbers, dates
    and times ISO 8601 text, durations seconds; lists and structs are converted item by item."""
    if hasattr(value, "timestamp") and callable(value.timestamp):
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp() * 1000.0
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value  # no text: the parser rejects it where a string is due, and keeps it elsewhere
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """CSV rows: empty cells are missing, integer and JSON columns are decoded, other cells kept as text."""
    with _open_binary(path) as handle:
        # utf-8-sig: a byte order mark (as spreadsheet exports write one) is not part of the first column's name
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", errors="strict", newline="")
        reader = csv.DictReader(text)
        line_no = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except (UnicodeDecodeError, csv.Error) as exc:
                line_no += 1
                yield line_no, {"_csv_error": f"unreadable CSV row: {exc}"}
                continue
            line_no = reader.line_num
            yield line_no, _csv_record(row)


def _numeric(value: str) -> bool:
    """Whether a CSV cell is a plain decimal number (digits, one optional point, an optional leading minus)."""
    return value.lstrip("-").replace(".", "", 1).isdigit()


def _csv_record(row: dict[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for key, value in row.items():
        if key is None or value is None or value == "":
            continue
        if key in _CSV_INT or key == "ts" and _numeric(value):
            try:
                record[key] = int(value)
                continue
            except ValueError:
                if _numeric(value):  # "13335.0", as pandas writes a nullable integer column: the parser decides
                    record[key] = float(value)
                    continue
        if key in _CSV_JSON or key == "has_image":
            try:
                record[key] = orjson.loads(value)
                continue
            except orjson.JSONDecodeError:
                pass
        if key == "latency_ms":
            try:
                record[key] = float(value)
                continue
            except ValueError:
                pass
        record[key] = value
    return record
