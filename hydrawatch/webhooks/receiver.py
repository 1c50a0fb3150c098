"""A small webhook receiver for local testing (``hydrawatch webhook listen``).

It verifies every request with the reference ``standardwebhooks`` library, deduplicates by ``webhook-id`` (as
every receiver must: delivery is at-least-once) and hands each new alert to a callback.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

log = logging.getLogger(__name__)
MAX_BODY = 32 * 1024 * 1024
OnAlert = Callable[[str, dict[str, Any]], None]


class Receiver:
    """Verifying, deduplicating HTTP receiver on ``host:port`` (port 0: any free port)."""

    def __init__(self, secret: str, on_alert: OnAlert, host: str = "127.0.0.1", port: int = 0) -> None:
        self.webhook = Webhook(secret)
        self.on_alert = on_alert
        self.seen: set[str] = set()
        self.accepted = self.duplicates = self.rejected = 0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("content-length") or 0)
                if length > MAX_BODY:
                    self._reply(413, {"error": "body too large"})
                    return
                status, reply = receiver.handle(self.rfile.read(length), dict(self.headers.items()))
                self._reply(status, reply)

            def _reply(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
                log.debug("http: " + format, *args)

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self._thread: threading.Thread | None = None

    def handle(self, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """Verify, deduplicate, deliver; returns the HTTP status and reply."""
        try:
            alert = self.webhook.verify(body, headers)
        except (WebhookVerificationError, ValueError, UnicodeDecodeError) as exc:
            with self._lock:
                self.rejected += 1
            log.warning("rejected a request: %s", exc)
            return 401, {"error": f"signature verification failed: {exc}"}
        msg_id = {k.lower(): v for k, v in headers.items()}["webhook-id"]
        with self._lock:
            duplicate = msg_id in self.seen
            self.seen.add(msg_id)
            if duplicate:
                self.duplicates += 1
            else:
                self.accepted += 1
        if duplicate:
            log.info("duplicate delivery of %s ignored", msg_id)
            return 200, {"status": "duplicate"}
        self.on_alert(msg_id, alert)
        return 200, {"status": "accepted"}

    def start(self) -> Receiver:
        self._thread = threading.Thread(target=self.server.serve_forever, name="webhook-receiver", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def close(self) -> None:
        if self._thread is not None:
            self.server.shutdown()
        self.server.server_close()
