"""Expiring leases in the SQL store: at most one process holds a role (the linker of a consumer group).

A lease is a row (key, holder, expiry). It is taken or renewed with one conditional UPDATE (``holder`` is this
process, or the lease expired), which is atomic on SQLite and PostgreSQL alike; a missing row is inserted, and
of two processes inserting at once the primary key lets one win. A holder renews well within the time to live;
a process that was paused longer than that finds its renewal refused and must stop, and its checkpoints are
fenced by the same condition (``StreamStore.save(fence=...)``), so a stale holder can never overwrite the new
one's progress. A clean shutdown releases the lease, so a standby takes over at once.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from typing import cast

from sqlalchemy import delete, update
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from streams.checkpoint import LeaseRow

log = logging.getLogger(__name__)


def holder_id() -> str:
    """This process: host, pid and a random part (pids repeat across containers)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Lease:
    """An exclusive, expiring claim on ``key`` for ``ttl_s`` seconds of wall time."""

    def __init__(self, engine: Engine, key: str, ttl_s: float, holder: str | None = None) -> None:
        self.engine = engine
        self.key = key
        self.ttl_s = ttl_s
        self.holder = holder or holder_id()
        self.renewed_at = -float("inf")

    def renew_in(self, session: Session) -> bool:
        """Take or extend the lease inside ``session``'s transaction; False when another process holds it."""
        now = time.time()
        result = cast(CursorResult, session.execute(
            update(LeaseRow).where(LeaseRow.key == self.key)
            .where((LeaseRow.holder == self.holder) | (LeaseRow.expires_at < now))
            .values(holder=self.holder, expires_at=now + self.ttl_s)
            .execution_options(synchronize_session=False)))
        if result.rowcount:
            self.renewed_at = time.monotonic()
            return True
        if session.get(LeaseRow, self.key) is not None:
            return False
        session.add(LeaseRow(key=self.key, holder=self.holder, expires_at=now + self.ttl_s))
        session.flush()  # a concurrent insert fails here (primary key)
        self.renewed_at = time.monotonic()
        return True

    def acquire(self) -> bool:
        """Take or extend the lease in a transaction of its own."""
        try:
            with Session(self.engine) as session, session.begin():
                return self.renew_in(session)
        except IntegrityError:
            return False

    def due(self) -> bool:
        """Whether a third of the time to live passed since the last renewal."""
        return time.monotonic() - self.renewed_at >= self.ttl_s / 3

    def release(self) -> None:
        """Give the lease up (only if this process still holds it)."""
        with Session(self.engine) as session, session.begin():
            session.execute(delete(LeaseRow).where(LeaseRow.key == self.key, LeaseRow.holder == self.holder))
        self.renewed_at = -float("inf")
