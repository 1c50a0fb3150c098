"""Webhook delivery inside `replay` and `stream`: sync configured endpoints, run the worker, drain at the end."""

from __future__ import annotations

import logging
from typing import Any

from prometheus_client import CollectorRegistry
from sqlalchemy import exists, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from hydrawatch.settings import Settings
from hydrawatch.store.webhooks import PENDING, WebhookDeliveryRow, WebhookEndpointRow
from hydrawatch.webhooks.endpoints import sync_settings
from hydrawatch.webhooks.metrics import WebhookMetrics
from hydrawatch.webhooks.worker import DeliveryWorker

log = logging.getLogger(__name__)


def has_work(engine: Engine) -> bool:
    """An enabled endpoint, or deliveries still pending."""
    with Session(engine) as session:
        return bool(session.scalar(select(
            exists().where(WebhookEndpointRow.enabled.is_(True))
            | exists().where(WebhookDeliveryRow.status == PENDING))))


def start_delivery(engine: Engine, settings: Settings, *, always: bool = False,
                   registry: CollectorRegistry | None = None) -> DeliveryWorker | None:
    """Sync settings' endpoints and start a worker (unless there is nothing to deliver and not ``always``)."""
    sync_settings(engine, settings)
    if not always and not has_work(engine):
        return None
    worker = DeliveryWorker(engine, settings.webhooks, WebhookMetrics(registry)).start()
    log.info("webhook delivery started (%d threads)", settings.webhooks.concurrency)
    return worker


def finish_delivery(worker: DeliveryWorker, drain_s: float) -> int:
    """Wait up to ``drain_s`` for outstanding deliveries, then stop; returns how many stay in the outbox."""
    left = worker.drain(drain_s) if drain_s > 0 else None
    worker.stop()
    if left is None:
        from hydrawatch.webhooks.outbox import pending_count

        left = pending_count(worker.engine)
    if left:
        log.warning("%d webhook deliveries still pending: they stay in the outbox for the next run or "
                    "`hydrawatch webhook deliver`", left)
    return left


class WakeSink:
    """An alert sink placed after the store sink: once a batch is committed, wake the delivery worker."""

    def __init__(self, worker: DeliveryWorker) -> None:
        self.worker = worker

    def write(self, alert: dict[str, Any]) -> None:
        pass

    def flush(self) -> None:
        self.worker.wake()

    def close(self) -> None:
        pass
