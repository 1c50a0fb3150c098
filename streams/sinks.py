"""Sinks: dead-letter file, alert JSON lines, and the protocol every alert sink follows."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any, Protocol

import orjson

from streams.sources import Rejected


class AlertSink(Protocol):
    """Receives every alert version; ``flush`` makes what was written durable."""

    def write(self, alert: dict[str, Any]) -> None: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


def rejected_record(rejected: Rejected) -> dict[str, Any]:
    """The DLQ line: source, line, reason, and the original bytes (as text when they are UTF-8)."""
    record: dict[str, Any] = {"source": rejected.source, "line": rejected.line, "reason": rejected.reason}
    try:
        record["raw"] = rejected.raw.decode("utf-8")
    except UnicodeDecodeError:
        record["raw_base64"] = base64.b64encode(rejected.raw).decode("ascii")
    return record


class DeadLetterFile:
    """JSON lines of rejected records; counts them."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.count = 0
        self._handle = open(path, "ab") if path is not None else None

    def __call__(self, rejected: Rejected) -> None:
        self.count += 1
        if self._handle is not None:
            self._handle.write(orjson.dumps(rejected_record(rejected)) + b"\n")

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()


class MemoryAlertSink:
    """Keeps every alert in a list (notebooks, tests)."""

    def __init__(self) -> None:
        self.alerts: list[dict[str, Any]] = []

    def write(self, alert: dict[str, Any]) -> None:
        self.alerts.append(alert)

    def flush(self) -> None:
        """Nothing to make durable."""

    def close(self) -> None:
        """Nothing to release."""


class JsonLinesAlertSink:
    """Appends each alert version as one JSON line."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = open(path, "wb")
        self.count = 0

    def write(self, alert: dict[str, Any]) -> None:
        self._handle.write(orjson.dumps(alert) + b"\n")
        self.count += 1

    def flush(self) -> None:
        self._handle.flush()

    def close(self) -> None:
        self._handle.close()
