"""Helpers of the read models: UTC datetimes and pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def utc(value: datetime) -> datetime:
    """Aware UTC (SQLite hands back naive datetimes, which are UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def bind_utc(value: datetime | None) -> datetime | None:
    """A filter bound for a timestamp column: UTC, naive input read as UTC."""
    return None if value is None else utc(value)


def iso(value: datetime | None) -> str | None:
    return None if value is None else utc(value).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Page:
    """One page of a listing."""

    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "total": self.total,
            "limit": self.limit,
            "offset": self.offset,
            **self.extra,
        }
