"""Per-account rows filled from alerts, and hourly requests per account and model (``account_activity``).

The store keeps no raw requests: ``accounts`` summarises what the alerts say about each account, and
``account_activity`` holds request counts per (account, hour, model) aggregated by the replay pipeline.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import DateTime, Float, Integer, String, Table, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from hydrawatch.store.fitted import Fitted, fitted
from hydrawatch.store.models import MEMBER_ID, Base

SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}
CHUNK = 500


class AccountRow(Base):
    __tablename__ = "accounts"

    account_id: Mapped[str] = mapped_column(Fitted(MEMBER_ID), primary_key=True)
    first_alerted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    last_alerted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    alert_versions: Mapped[int] = mapped_column(Integer, default=0)
    campaigns: Mapped[int] = mapped_column(Integer, default=0)
    max_score: Mapped[float] = mapped_column(Float, default=0.0)
    max_severity: Mapped[str] = mapped_column(String(16), default="low")


class ActivityRow(Base):
    __tablename__ = "account_activity"

    account_id: Mapped[str] = mapped_column(Fitted(MEMBER_ID), primary_key=True)
    hour: Mapped[int] = mapped_column(Integer, primary_key=True, doc="Hours since the Unix epoch (UTC).")
    model: Mapped[str] = mapped_column(Fitted(120), primary_key=True, doc="Requested model; '' when unknown.")
    requests: Mapped[int] = mapped_column(Integer)


def chunks(values: list[str], size: int = CHUNK) -> Iterable[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def record_alert_accounts(
    session: Session, alert: dict[str, Any], detected: datetime, new_members: set[str]
) -> None:
    """Fold one stored alert version into the ``accounts`` rows of its accounts."""
    accounts = list(dict.fromkeys(alert["accounts"]))
    severity, score = alert["severity"], float(alert["score"])
    for part in chunks(accounts):
        rows = {
            r.account_id: r
            for r in session.scalars(select(AccountRow).where(AccountRow.account_id.in_(part)))
        }
        for account in part:
            row = rows.get(fitted(account, MEMBER_ID))  # as stored
            if row is None:
                row = AccountRow(
                    account_id=account,
                    first_alerted_at=detected,
                    last_alerted_at=detected,
                    alert_versions=0,
                    campaigns=0,
                    max_score=score,
                    max_severity=severity,
                )
                session.add(row)
            row.first_alerted_at = min(_aware(row.first_alerted_at), detected)
            row.last_alerted_at = max(_aware(row.last_alerted_at), detected)
            row.alert_versions += 1
            row.campaigns += 1 if account in new_members else 0
            row.max_score = max(row.max_score, score)
            if SEVERITY_RANK.get(severity, 0) > SEVERITY_RANK.get(row.max_severity, 0):
                row.max_severity = severity


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes: read them as UTC."""
    from datetime import UTC

    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class ActivityRecorder:
    """Counts requests per (account, hour, model) during a replay and writes them to ``account_activity``.

    Complete hours are written (replacing what the store had for those keys, so replaying the same input is
    idempotent) whenever more than ``max_keys`` are pending, and everything is written on ``close``.
    """

    def __init__(self, engine: Engine, max_keys: int = 200_000, settle_hours: int = 2) -> None:
        self.engine = engine
        self.max_keys = max_keys
        self.settle_hours = settle_hours
        self.counts: Counter[tuple[str, int, str]] = Counter()
        self.latest_hour = 0

    def observe(self, event: Any) -> None:
        hour = int(event.ts // 3600)
        self.counts[(event.account_id, hour, event.model or "")] += 1
        if hour > self.latest_hour:
            self.latest_hour = hour
        if len(self.counts) > self.max_keys:
            self.flush(before_hour=self.latest_hour - self.settle_hours)

    def flush(self, before_hour: int | None = None) -> None:
        """Write the counts of hours before ``before_hour`` (all of them when None)."""
        keys = [k for k in self.counts if before_hour is None or k[1] < before_hour]
        if not keys:
            return
        rows = [
            {"account_id": a, "hour": h, "model": m, "requests": self.counts.pop((a, h, m))}
            for a, h, m in keys
        ]
        write_activity(self.engine, rows)

    def close(self) -> None:
        self.flush()


def write_activity(engine: Engine, rows: list[dict[str, Any]]) -> None:
    """Upsert activity rows (a key already stored gets the new count)."""
    with Session(engine) as session, session.begin():
        write_activity_rows(session, rows)


def write_activity_rows(session: Session, rows: list[dict[str, Any]], increment: bool = False) -> None:
    """Upsert activity rows in ``session``'s transaction: the stored count is replaced, or with ``increment``
    added to."""
    if not rows:
        return
    table = cast(Table, ActivityRow.__table__)
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert  # type: ignore[assignment]
        for start in range(0, len(rows), 5000):
            stmt = insert(table)
            value = table.c.requests + stmt.excluded.requests if increment else stmt.excluded.requests
            stmt = stmt.on_conflict_do_update(index_elements=["account_id", "hour", "model"],
                                              set_={"requests": value})
            session.execute(stmt, rows[start : start + 5000])
        return
    for row in rows:  # other databases: read, then replace
        where = (table.c.account_id == row["account_id"], table.c.hour == row["hour"], table.c.model == row["model"])
        stored = session.scalar(select(table.c.requests).where(*where)) if increment else None
        session.execute(delete(table).where(*where))
        session.execute(table.insert(), [{**row, "requests": row["requests"] + (stored or 0)}])
