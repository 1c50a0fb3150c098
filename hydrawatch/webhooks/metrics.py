"""Prometheus metrics of webhook delivery: per-process attempt counters and latency, and outbox gauges read
from the store at scrape time (so any process, e.g. the API, reports the shared outbox)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from hydrawatch.store.webhooks import DELIVERY_STATES, PENDING, utcnow


class WebhookMetrics:
    """Counters of one delivery worker, on ``registry`` (a fresh one by default)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        self.attempts = Counter("hydrawatch_webhook_attempts", "Webhook delivery attempts by outcome "
                                "(delivered, retry, dead).", ["endpoint", "outcome"], registry=self.registry)
        self.latency = Histogram("hydrawatch_webhook_attempt_seconds", "Duration of one delivery attempt.",
                                 ["endpoint"], registry=self.registry,
                                 buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))


class OutboxCollector(Collector):
    """Gauges of the outbox in the store: deliveries per endpoint and state, age of the oldest pending."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from hydrawatch.webhooks.outbox import counts

        with Session(self.engine) as session:
            rows = counts(session)
        states = GaugeMetricFamily("hydrawatch_webhook_deliveries", "Outbox rows per endpoint and state "
                                   "(pending, delivered, dead).", labels=["endpoint", "status"])
        oldest = GaugeMetricFamily("hydrawatch_webhook_oldest_pending_seconds",
                                   "Age of the oldest undelivered alert per endpoint.", labels=["endpoint"])
        seen: set[tuple[str, str]] = set()
        now = utcnow()
        for endpoint, status, count, first in rows:
            states.add_metric([endpoint, status], count)
            seen.add((endpoint, status))
            if status == PENDING and first is not None:
                oldest.add_metric([endpoint], (now - first).total_seconds())
        for endpoint in {e for e, _ in seen}:
            for status in DELIVERY_STATES:
                if (endpoint, status) not in seen:
                    states.add_metric([endpoint, status], 0)
        yield states
        yield oldest


def outbox_registry(engine: Engine) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(OutboxCollector(engine))
    return registry
