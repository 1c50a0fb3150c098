"""A real HTTP webhook receiver on 127.0.0.1 for tests: verifies every request with the reference
``standardwebhooks`` library (not the project's code), and answers per a script to inject faults."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Reply:
    """What the receiver does with one request: wait ``delay`` seconds, then answer ``status``."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


OK = Reply()
Script = Callable[[str, int], Reply]  # (webhook-id, attempt number of that id, from 1) -> reply


@dataclass
class Attempt:
    msg_id: str
    number: int
    at: float
    verified: bool
    status: int
    signatures: int


class Receiver:
    """Records every attempt; ``accepted`` counts the 2xx answers per webhook-id (what was delivered)."""

    def __init__(self, secret: str, script: Script | None = None) -> None:
        self.webhook = Webhook(secret)
        self.script: Script = script or (lambda _id, _n: OK)
        self.attempts: list[Attempt] = []
        self.accepted: Counter[str] = Counter()
        self.bodies: dict[str, Any] = {}
        self.headers: dict[str, dict[str, str]] = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                receiver.handle(self, body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def handle(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        headers = {k.lower(): v for k, v in handler.headers.items()}
        msg_id = headers.get("webhook-id", "")
        try:
            alert = self.webhook.verify(body, headers)
            verified = True
        except WebhookVerificationError:
            alert, verified = None, False
        with self.lock:
            number = 1 + sum(1 for a in self.attempts if a.msg_id == msg_id)
            reply = self.script(msg_id, number) if verified else Reply(401)
            self.attempts.append(Attempt(msg_id, number, time.monotonic(), verified, reply.status,
                                         len(headers.get("webhook-signature", "").split())))
            self.headers[msg_id] = headers
        if reply.delay:
            time.sleep(reply.delay)
        try:
            handler.send_response(reply.status)
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            handler.send_header("content-length", "0")
            handler.end_headers()
        except OSError:  # the sender gave up (timeout): not delivered
            return
        if 200 <= reply.status < 300:
            with self.lock:
                self.accepted[msg_id] += 1
                self.bodies[msg_id] = alert

    def tries(self, msg_id: str) -> list[Attempt]:
        with self.lock:
            return [a for a in self.attempts if a.msg_id == msg_id]

    def wait_for(self, condition: Callable[[], bool], timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if condition():
                    return True
            time.sleep(0.05)
        return False

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()
