"""Observability of a stream process: Prometheus metrics, a /metrics + /healthz HTTP endpoint, JSON logs."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, generate_latest

log = logging.getLogger(__name__)

_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any ``extra={...}`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class RepeatFilter(logging.Filter):
    """Lets one record per (logger, message template) of loggers under ``prefix`` through every ``every_s``
    seconds, then says how many were held back: a broker outage makes kafka-python repeat itself."""

    def __init__(self, prefix: str = "kafka", every_s: float = 30.0) -> None:
        super().__init__()
        self.prefix = prefix
        self.every_s = every_s
        self._seen: dict[tuple[str, str], list[float]] = {}   # -> [last emitted, suppressed since]
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(self.prefix):
            return True
        key = (record.name, str(record.msg))
        now = time.monotonic()
        with self._lock:
            entry = self._seen.get(key)
            if entry is not None and now - entry[0] < self.every_s:
                entry[1] += 1
                return False
            suppressed = int(entry[1]) if entry is not None else 0
            self._seen[key] = [now, 0]
            if len(self._seen) > 1000:
                self._seen.clear()
        if suppressed:
            record.msg = f"{record.msg} ({suppressed} similar messages suppressed)"
        return True


class StreamMetrics:
    """The metrics of one stream process, on their own registry."""

    def __init__(self, role: str) -> None:
        self.role = role
        self.registry = CollectorRegistry()
        r = self.registry
        self.events = Counter("hydrawatch_events", "Events accepted from the input topic.", registry=r)
        self.events_rate = Gauge("hydrawatch_events_per_second", "Accepted events per second (last 10 s).",
                                 registry=r)
        self.dlq = Counter("hydrawatch_dlq_messages", "Messages sent to the dead-letter topic.", ["kind"],
                           registry=r)
        self.alerts = Counter("hydrawatch_alerts", "Alert versions emitted (stored and on the alerts topic).",
                              registry=r)
        self.duplicates = Counter("hydrawatch_duplicate_alerts_suppressed",
                                  "Alert versions produced again after a restart and not re-emitted.",
                                  registry=r)
        self.lag = Gauge("hydrawatch_consumer_lag", "Records behind the end of each input partition.",
                         ["topic", "partition"], registry=r)
        self.checkpoints = Counter("hydrawatch_checkpoints", "Checkpoints written.", registry=r)
        self.checkpoint_age = Gauge("hydrawatch_checkpoint_age_seconds", "Seconds since the last checkpoint.",
                                    registry=r)
        self.checkpoint_seconds = Gauge("hydrawatch_checkpoint_duration_seconds",
                                        "Duration of the last checkpoint.", registry=r)
        self.accounts = Gauge("hydrawatch_accounts", "Accounts held in memory.", registry=r)
        self.coverage = Gauge("hydrawatch_accounts_carrying", "Share of the accounts held whose requests carried "
                              "each field linking reads (detector.coverage).", ["field"], registry=r)
        self.embedding_queue = Gauge("hydrawatch_embedding_queue",
                                     "Prompts queued for the fast embedding tier.", registry=r)
        self.profiles = Counter("hydrawatch_profiles_published", "Account profiles published (worker role).",
                                registry=r)
        self.set_apart = Gauge("hydrawatch_input_events_set_apart",
                               "Input events since the state began that were duplicate deliveries (skipped) or "
                               "stamped far ahead of the stream's time (taken at that time).", ["kind"], registry=r)
        self.broker_errors = Counter("hydrawatch_broker_errors", "Kafka operations that failed (retried).",
                                     ["operation"], registry=r)
        self.last_checkpoint = time.monotonic()
        self.checkpoint_age.set_function(lambda: time.monotonic() - self.last_checkpoint)
        self._window: deque[tuple[float, int]] = deque()
        self._count = 0

    def set_input_counts(self, duplicates: int, far_ahead: int) -> None:
        """The state's counts of duplicate deliveries and events far ahead (``streams.dedup``, ``streams.clock``)."""
        self.set_apart.labels("duplicate").set(duplicates)
        self.set_apart.labels("far_ahead").set(far_ahead)

    def set_coverage(self, shares: dict[str, float]) -> None:
        """The accounts' coverage of each linkage field (``detector.coverage.field_coverage``)."""
        for name, share in shares.items():
            self.coverage.labels(name).set(share)

    def count_events(self, n: int = 1) -> None:
        self.events.inc(n)
        self._count += n

    def tick(self) -> None:
        """Update the events/s gauge (call now and then)."""
        now = time.monotonic()
        self._window.append((now, self._count))
        while len(self._window) > 2 and now - self._window[0][0] > 10.0:
            self._window.popleft()
        t0, c0 = self._window[0]
        self.events_rate.set((self._count - c0) / (now - t0) if now > t0 else 0.0)

    def checkpointed(self, seconds: float) -> None:
        self.checkpoints.inc()
        self.checkpoint_seconds.set(seconds)
        self.last_checkpoint = time.monotonic()

    def set_lag(self, topic: str, lag: dict[int, int]) -> None:
        for partition, value in lag.items():
            self.lag.labels(topic, str(partition)).set(value)


Health = Callable[[], tuple[bool, dict[str, Any]]]


class MetricsServer:
    """A small threaded HTTP server: ``/metrics`` (Prometheus text) and ``/healthz`` (JSON, 200 or 503)."""

    def __init__(self, metrics: StreamMetrics, health: Health, port: int, host: str = "0.0.0.0") -> None:  # noqa: S104
        registry = metrics.registry

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                if self.path.split("?")[0] == "/metrics":
                    self._send(200, CONTENT_TYPE_LATEST, generate_latest(registry))
                elif self.path.split("?")[0] in ("/healthz", "/health"):
                    ok, details = health()
                    body = json.dumps({"status": "ok" if ok else "unhealthy", **details}, default=str)
                    self._send(200 if ok else 503, "application/json", body.encode())
                else:
                    self._send(404, "text/plain", b"not found\n")

            def _send(self, status: int, content_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
                log.debug("http: " + format, *args)

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, name="hydrawatch-metrics",
                                        daemon=True)

    def start(self) -> MetricsServer:
        self._thread.start()
        log.info("metrics on http://%s:%d/metrics, health on /healthz", *self.server.server_address[:2])
        return self

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
