"""The alert store (SQLAlchemy): campaigns, every alert version, and campaign membership.

SQLite (WAL) is the embedded default; any SQLAlchemy URL works. Writes are idempotent by ``alert_id`` so a
replayed alert never creates a duplicate version.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from hydrawatch.store.fitted import Fitted, fitted


class Base(DeclarativeBase):
    """Declarative base of the store's tables."""


class CampaignRow(Base):
    __tablename__ = "campaigns"

    campaign_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    severity: Mapped[str] = mapped_column(String(16), index=True)
    score: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    size: Mapped[int] = mapped_column(Integer, index=True)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    detected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    shadow: Mapped[bool] = mapped_column(default=False)
    alert: Mapped[dict[str, Any]] = mapped_column(JSON)


class AlertRow(Base):
    __tablename__ = "alerts"

    alert_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.campaign_id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    severity: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    detected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


MEMBER_ID = 200  # characters of an account id the store keeps (``fitted``)


class MemberRow(Base):
    __tablename__ = "campaign_members"

    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.campaign_id"), primary_key=True)
    account_id: Mapped[str] = mapped_column(Fitted(MEMBER_ID), primary_key=True, index=True)
    since_version: Mapped[int] = mapped_column(Integer)


def parse_ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def make_engine(url: str) -> Engine:
    """An engine; SQLite files get WAL journaling and a busy timeout."""
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
    return engine


def init_db(engine: Engine) -> None:
    """Bring the schema up to date (Alembic migrations; idempotent)."""
    from hydrawatch.store.migrate import upgrade  # late import: migrations build on this module

    upgrade(engine)


class StoreAlertSink:
    """Upserts alerts into the store; buffered until ``flush`` (one transaction)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._pending: list[dict[str, Any]] = []
        init_db(engine)

    def write(self, alert: dict[str, Any]) -> None:
        self._pending.append(alert)

    def flush(self) -> None:
        if not self._pending:
            return
        with Session(self.engine) as session, session.begin():
            for alert in self._pending:
                save_alert(session, alert)
        self._pending.clear()

    def close(self) -> None:
        self.flush()


def save_alert(session: Session, alert: dict[str, Any]) -> bool:
    """Insert one alert version and update its campaign; False when this version was already stored."""
    if session.get(AlertRow, alert["alert_id"]) is not None:
        return False
    detected = parse_ts(alert["detected_at"])
    campaign = session.get(CampaignRow, alert["campaign_id"])
    if campaign is None:
        campaign = CampaignRow(campaign_id=alert["campaign_id"], status=alert.get("status", "open"))
        session.add(campaign)
    if campaign.version is None or alert["version"] >= campaign.version:
        campaign.version = alert["version"]
        campaign.severity = alert["severity"]
        campaign.score = alert["score"]
        campaign.size = len(alert["accounts"])
        campaign.first_seen = parse_ts(alert["first_seen"])
        campaign.detected_at = detected
        campaign.summary = alert.get("summary", "")
        campaign.shadow = bool(alert.get("shadow", False))
        campaign.alert = alert
    session.flush()
    session.add(AlertRow(alert_id=alert["alert_id"], campaign_id=alert["campaign_id"], version=alert["version"],
                         severity=alert["severity"], score=alert["score"], detected_at=detected, payload=alert))
    known = set(session.scalars(select(MemberRow.account_id).where(
        MemberRow.campaign_id == alert["campaign_id"])))  # as stored (``fitted``)
    new = {account for account in alert["accounts"] if fitted(account, MEMBER_ID) not in known}
    for account in alert["accounts"]:
        if account in new:
            session.add(MemberRow(campaign_id=alert["campaign_id"], account_id=account,
                                  since_version=alert["version"]))
    from hydrawatch.store.ingest import after_save  # late import: accounts and triage build on this module

    after_save(session, campaign, alert, detected, new)
    return True
