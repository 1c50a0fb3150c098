"""Durable stream state in the SQL store: checkpoints with the offsets they reflect, and the alert outbox.

*Checkpoints* (``stream_checkpoints``): one row per state key (``all``: the whole detector; ``worker``: one
input partition's accounts; ``linker``: the linker's detector). The state bytes and the offsets they reflect
are written in one transaction, so they can never disagree; Kafka's committed offsets are only advanced
afterwards and are informational (lag monitoring): on start the checkpoint's offsets are authoritative.

*Outbox* (``stream_outbox``): every alert version the stream emitted, by ``alert_id``, written in the same
transaction as the alert upserts into the store. It is the durable record used to suppress a version that
re-processing after a crash produces again, and the queue from which the alerts topic is fed:
``stream_cursors`` remembers up to which sequence number the topic is known to hold the outbox, and the
topic offsets behind that, so that after a crash only the short unconfirmed tail has to be checked on the
topic (see ``streams.kafka_sinks.AlertPublisher``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, Float, Integer, LargeBinary, String, UniqueConstraint, func, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

log = logging.getLogger(__name__)


class LeaseLost(RuntimeError):
    """Another process took over the role this process held a lease on."""


class StreamBase(DeclarativeBase):
    """Tables of the streaming runtime (kept apart from the alert store's own tables)."""


class CheckpointRow(StreamBase):
    __tablename__ = "stream_checkpoints"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    offsets: Mapped[dict[str, int]] = mapped_column(JSON)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    events: Mapped[int] = mapped_column(Integer, default=0)
    saved_at: Mapped[float] = mapped_column(Float)


class OutboxRow(StreamBase):
    __tablename__ = "stream_outbox"
    __table_args__ = (UniqueConstraint("key", "alert_id"),)

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class CursorRow(StreamBase):
    __tablename__ = "stream_cursors"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    published_seq: Mapped[int] = mapped_column(Integer, default=0)
    topic_offsets: Mapped[dict[str, int]] = mapped_column(JSON)


class LeaseRow(StreamBase):
    __tablename__ = "stream_leases"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[float] = mapped_column(Float)


@dataclass
class Checkpoint:
    """A saved state and the next offset to read per input partition."""

    key: str
    state: bytes
    offsets: dict[int, int]
    events: int
    saved_at: float


@dataclass
class Outbox:
    """Alerts of one stream key that the alerts topic is not known to hold yet."""

    pending: list[tuple[int, dict[str, Any]]]
    published_seq: int
    topic_offsets: dict[int, int] = field(default_factory=dict)


Upsert = Callable[[Session, dict[str, Any]], object]


class StreamStore:
    """Checkpoints and the alert outbox on one SQLAlchemy engine, whose schema is migrated (its tables come
    with the store's migrations: ``hydrawatch.store.init_db``)."""

    def __init__(self, engine: Engine) -> None:
        missing = set(StreamBase.metadata.tables) - set(inspect(engine).get_table_names())
        if missing:
            raise RuntimeError(f"the store lacks the stream tables {sorted(missing)}: migrate it first "
                               "(`hydrawatch db upgrade`, or hydrawatch.store.init_db)")
        self.engine = engine

    # -- checkpoints -------------------------------------------------------------------------------------
    def load(self, key: str) -> Checkpoint | None:
        with Session(self.engine) as session:
            row = session.get(CheckpointRow, key)
            if row is None:
                return None
            return Checkpoint(key, row.state, {int(p): int(o) for p, o in row.offsets.items()}, row.events,
                              row.saved_at)

    def save(self, key: str, state: bytes, offsets: dict[int, int], events: int,
             fence: Callable[[Session], bool] | None = None, also: Callable[[Session], None] | None = None) -> bool:
        """Replace the checkpoint of ``key``: state and offsets in one transaction.

        Refused (False, logged) when the stored checkpoint is further ahead on some partition: a member that
        lost its partitions without noticing must not overwrite the new owner's progress. ``fence`` (e.g.
        ``Lease.renew_in``) runs in the same transaction; when it fails, nothing is saved and ``LeaseLost``
        is raised. ``also`` writes what must be durable exactly with this state (e.g. account activity).
        """
        with Session(self.engine) as session, session.begin():
            if fence is not None and not fence(session):
                raise LeaseLost(f"not saving checkpoint {key}: this process no longer holds its lease")
            row = session.get(CheckpointRow, key)
            if row is None:
                row = CheckpointRow(key=key)
                session.add(row)
            else:
                behind = {p: o for p, o in offsets.items() if row.offsets.get(str(p), 0) > o}
                if behind:
                    log.warning("not saving checkpoint %s: the stored one is ahead on partitions %s", key,
                                sorted(behind))
                    return False
            row.state = state
            row.offsets = {str(p): int(o) for p, o in offsets.items()}
            row.events = events
            row.saved_at = time.time()
            if also is not None:
                also(session)
        return True

    def keys(self, prefix: str) -> list[str]:
        with Session(self.engine) as session:
            query = select(CheckpointRow.key).where(CheckpointRow.key.startswith(prefix))
            return list(session.scalars(query))

    # -- outbox ------------------------------------------------------------------------------------------
    def emitted(self, key: str) -> set[str]:
        """Alert ids this stream key has emitted (the duplicate filter after a restart)."""
        with Session(self.engine) as session:
            return set(session.scalars(select(OutboxRow.alert_id).where(OutboxRow.key == key)))

    def record(self, key: str, alerts: list[dict[str, Any]], upsert: Upsert | None) -> list[str]:
        """In one transaction: upsert the alerts into the store and append the new ones to the outbox.

        Returns the ids appended; an id already in the outbox is skipped (a re-emission after a restart).
        """
        with Session(self.engine) as session, session.begin():
            seq = session.scalar(select(func.max(OutboxRow.seq)).where(OutboxRow.key == key)) or 0
            known = set(session.scalars(select(OutboxRow.alert_id).where(
                OutboxRow.key == key, OutboxRow.alert_id.in_([a["alert_id"] for a in alerts]))))
            added = []
            for alert in alerts:
                if alert["alert_id"] in known:
                    continue
                if upsert is not None:
                    upsert(session, alert)
                seq += 1
                session.add(OutboxRow(key=key, seq=seq, alert_id=alert["alert_id"], payload=alert))
                known.add(alert["alert_id"])
                added.append(alert["alert_id"])
            return added

    def outbox(self, key: str) -> Outbox:
        with Session(self.engine) as session:
            cursor = session.get(CursorRow, key)
            published = cursor.published_seq if cursor is not None else 0
            stored = cursor.topic_offsets if cursor is not None else {}
            offsets = {int(p): int(o) for p, o in stored.items()}
            rows = session.execute(select(OutboxRow.seq, OutboxRow.payload).where(
                OutboxRow.key == key, OutboxRow.seq > published).order_by(OutboxRow.seq)).all()
            return Outbox([(int(s), p) for s, p in rows], published, offsets)

    def mark_published(self, key: str, seq: int, topic_offsets: dict[int, int]) -> None:
        """The topic holds the outbox up to ``seq``; ``topic_offsets`` are the end offsets after it."""
        with Session(self.engine) as session, session.begin():
            cursor = session.get(CursorRow, key)
            if cursor is None:
                cursor = CursorRow(key=key, published_seq=0, topic_offsets={})
                session.add(cursor)
            merged = {int(p): int(o) for p, o in cursor.topic_offsets.items()}
            for partition, offset in topic_offsets.items():
                merged[partition] = max(offset, merged.get(partition, 0))
            cursor.published_seq = max(seq, cursor.published_seq)
            cursor.topic_offsets = {str(p): o for p, o in merged.items()}
