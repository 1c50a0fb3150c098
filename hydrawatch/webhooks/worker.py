"""The delivery worker: threads that POST due outbox rows, off the detection hot path.

2xx: delivered (final). 408, 429, 5xx, 3xx, timeouts and connection errors: retried with exponential backoff
and jitter (or after Retry-After) until the retry horizon ends, then dead-lettered. Other 4xx: dead at once.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx
from sqlalchemy.engine import Engine

from hydrawatch.settings import WebhookSettings
from hydrawatch.store.webhooks import utcnow
from hydrawatch.webhooks import outbox
from hydrawatch.webhooks.metrics import WebhookMetrics
from hydrawatch.webhooks.signing import sign_headers

log = logging.getLogger(__name__)
USER_AGENT = "hydrawatch-webhooks/1"
RETRYABLE_4XX = (408, 429)


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None when absent/invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff(attempt: int, cfg: WebhookSettings, rng: random.Random) -> float:
    """Wait after failed attempt number ``attempt`` (1-based): initial * 2^(attempt-1), capped, jittered."""
    base = min(cfg.backoff_max_s, cfg.backoff_initial_s * 2 ** min(attempt - 1, 60))
    return max(0.0, min(cfg.backoff_max_s, base * (1 + cfg.backoff_jitter * (2 * rng.random() - 1))))


class DeliveryWorker:
    """Delivers the store's webhook outbox with ``cfg.concurrency`` threads until ``stop``."""

    def __init__(self, engine: Engine, cfg: WebhookSettings, metrics: WebhookMetrics | None = None,
                 name: str = "webhooks") -> None:
        self.engine = engine
        self.cfg = cfg
        self.metrics = metrics or WebhookMetrics()
        self.name = name
        self.lease_s = max(cfg.claim_lease_s, cfg.timeout_s + 5.0)
        self.client = httpx.Client(timeout=cfg.timeout_s, follow_redirects=False, trust_env=False,
                                   headers={"user-agent": USER_AGENT, "content-type": "application/json"})
        self.rng = random.Random()
        self._stopping = threading.Event()
        self._wake = threading.Condition()
        self._busy: Counter[int] = Counter()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self.sent = 0

    # -- lifecycle ------------------------------------------------------------------------------------------
    def start(self) -> DeliveryWorker:
        for i in range(max(1, self.cfg.concurrency)):
            thread = threading.Thread(target=self._run, name=f"{self.name}-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def wake(self) -> None:
        """New outbox rows were committed: look now instead of at the next poll."""
        with self._wake:
            self._wake.notify_all()

    def stop(self, timeout_s: float | None = None) -> None:
        """Stop after the requests in flight (each bounded by the attempt timeout); rows stay in the outbox."""
        self._stopping.set()
        self.wake()
        deadline = time.monotonic() + (self.cfg.timeout_s + 5.0 if timeout_s is None else timeout_s)
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        if all(not t.is_alive() for t in self._threads):
            self.client.close()

    def drain(self, timeout_s: float) -> int:
        """Wait until the outbox has no pending delivery (or ``timeout_s`` passed); returns those left."""
        deadline = time.monotonic() + timeout_s
        while True:
            left = outbox.pending_count(self.engine)
            if left == 0 or time.monotonic() >= deadline:
                return left
            self.wake()
            time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))

    # -- the loop -------------------------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                worked = self.step()
            except Exception:  # noqa: BLE001 - a database hiccup must not kill the thread
                log.exception("webhook worker step failed; retrying")
                worked = False
            if not worked:
                with self._wake:
                    if not self._stopping.is_set():
                        self._wake.wait(self._idle_wait())

    def _idle_wait(self) -> float:
        upcoming = outbox.next_due(self.engine)
        ahead = (upcoming - utcnow()).total_seconds() if upcoming is not None else 0.0
        if ahead <= 0:  # nothing pending, or due but held by busy endpoints: a finished attempt wakes us
            return self.cfg.poll_interval_s
        return max(0.01, min(self.cfg.poll_interval_s, ahead))

    def step(self) -> bool:
        """Claim and attempt one due delivery; False when nothing was due (or claimable)."""
        with self._lock:
            full = {e for e, n in self._busy.items() if n >= self.cfg.per_endpoint_concurrency}
        for delivery_id, endpoint_id in outbox.due(self.engine, utcnow(), 8, full):
            with self._lock:
                if self._busy[endpoint_id] >= self.cfg.per_endpoint_concurrency:
                    continue
                self._busy[endpoint_id] += 1
            try:
                claimed = outbox.claim(self.engine, delivery_id, self.lease_s, self.cfg.rotation_grace_s)
                if claimed is None:
                    continue
                if self._stopping.is_set():
                    outbox.release(self.engine, claimed)
                    return False
                self.attempt(claimed)
                return True
            finally:
                with self._lock:
                    self._busy[endpoint_id] -= 1
                self.wake()
        return False

    def attempt(self, claimed: outbox.Claimed) -> None:
        """POST once and record the outcome."""
        endpoint = claimed.endpoint
        headers = sign_headers(claimed.alert_id, claimed.body, list(endpoint.secrets))
        started = time.monotonic()
        code: int | None = None
        wait: float | None = None
        try:
            response = self.client.post(endpoint.url, content=claimed.body, headers=headers)
            code = response.status_code
            error = "" if 200 <= code < 300 else f"HTTP {code}: {response.text[:200]}"
            wait = retry_after(response.headers.get("retry-after")) if code in (429, 503) else None
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        self.metrics.latency.labels(endpoint.name).observe(time.monotonic() - started)
        if code is not None and 200 <= code < 300:
            outbox.mark_delivered(self.engine, claimed, code)
            self.sent += 1
            self._outcome(endpoint.name, "delivered", claimed, code, error)
            return
        if code is not None and 400 <= code < 500 and code not in RETRYABLE_4XX:
            outbox.mark_dead(self.engine, claimed, code, f"permanent failure: {error}")
            self._outcome(endpoint.name, "dead", claimed, code, error)
            return
        delay = (min(wait, self.cfg.max_retry_after_s) if wait is not None
                 else backoff(claimed.attempts, self.cfg, self.rng))
        now = utcnow()
        at = now + timedelta(seconds=delay)
        if at > claimed.retry_since + timedelta(seconds=self.cfg.retry_horizon_s):
            outbox.mark_dead(self.engine, claimed, code, f"retries exhausted after {claimed.attempts} "
                             f"attempts: {error}")
            self._outcome(endpoint.name, "dead", claimed, code, error)
            return
        outbox.reschedule(self.engine, claimed, at, code, error)
        self._outcome(endpoint.name, "retry", claimed, code, error, delay)

    def _outcome(self, endpoint: str, outcome: str, claimed: outbox.Claimed, code: int | None, error: str,
                 delay: float | None = None) -> None:
        self.metrics.attempts.labels(endpoint, outcome).inc()
        level = logging.WARNING if outcome == "dead" else logging.DEBUG if outcome == "delivered" else logging.INFO
        log.log(level, "webhook %s to %s: %s (attempt %d%s)%s", claimed.alert_id, endpoint, outcome,
                claimed.attempts, f", status {code}" if code is not None else "",
                f"; next try in {delay:.1f} s" if delay is not None else f": {error}" if error else "",
                extra={"alert_id": claimed.alert_id, "endpoint": endpoint, "outcome": outcome,
                       "attempt": claimed.attempts, "status_code": code})
