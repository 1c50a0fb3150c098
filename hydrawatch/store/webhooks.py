"""Webhook tables: endpoints (from settings or the admin API) and the delivery outbox (one row per alert
version per endpoint, written in the transaction that stores the alert)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hydrawatch.store.models import Base

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"
DELIVERY_STATES = (PENDING, DELIVERED, DEAD)


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every time in these tables is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def iso(value: datetime | None) -> str | None:
    """RFC 3339, milliseconds, Z (as the API writes times)."""
    value = aware(value)
    return None if value is None else value.astimezone(UTC).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z")


class WebhookEndpointRow(Base):
    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))
    previous_secret: Mapped[str | None] = mapped_column(String(200), nullable=True)
    secret_rotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    min_severity: Mapped[str] = mapped_column(String(16))
    min_accounts: Mapped[int] = mapped_column(Integer)
    min_score: Mapped[float] = mapped_column(Float)
    statuses: Mapped[list[str]] = mapped_column(JSON)
    actions: Mapped[list[str]] = mapped_column(JSON)
    include_shadow: Mapped[bool] = mapped_column()
    enabled: Mapped[bool] = mapped_column()
    source: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    def filters(self) -> dict[str, Any]:
        return {"min_severity": self.min_severity, "min_accounts": self.min_accounts,
                "min_score": self.min_score, "statuses": list(self.statuses or []),
                "actions": list(self.actions or []), "include_shadow": self.include_shadow}


class WebhookDeliveryRow(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "alert_id", name="uq_webhook_delivery_endpoint_alert"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id"), index=True)
    alert_id: Mapped[str] = mapped_column(ForeignKey("alerts.alert_id"), index=True)
    campaign_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    retry_since: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str] = mapped_column(Text)
    claim: Mapped[str | None] = mapped_column(String(40), nullable=True)
