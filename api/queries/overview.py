"""The overview: open campaigns by severity, alert versions over time, and the feed of newly stored alerts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.queries.campaigns import SEVERITIES, STATUSES
from api.queries.common import iso, utc
from hydrawatch.store.feed import latest_seq, stored_after
from hydrawatch.store.models import AlertRow, CampaignRow


def counts(session: Session) -> dict[str, Any]:
    by = session.execute(
        select(CampaignRow.status, CampaignRow.severity, func.count()).group_by(
            CampaignRow.status, CampaignRow.severity
        )
    ).all()
    table = {status: dict.fromkeys(SEVERITIES, 0) for status in STATUSES}
    for status, severity, n in by:
        table.setdefault(status, dict.fromkeys(SEVERITIES, 0))[severity] = int(n)
    return {
        "by_status": table,
        "open_by_severity": table["open"],
        "open": sum(table["open"].values()),
        "total": sum(sum(v.values()) for v in table.values()),
    }


def alerts_per_hour(session: Session, hours: int = 24 * 14) -> dict[str, Any]:
    """Alert versions per hour of detection time over the last ``hours`` hours of data."""
    latest = session.scalar(select(func.max(AlertRow.detected_at)))
    if latest is None:
        return {"x": [], "alerts": []}
    end = int(utc(latest).timestamp() // 3600)
    start = end - hours + 1
    stamps = session.scalars(select(AlertRow.detected_at).where(AlertRow.detected_at >= _from_hour(start)))
    buckets: dict[int, int] = {}
    for stamp in stamps:
        hour = int(utc(stamp).timestamp() // 3600)
        buckets[hour] = buckets.get(hour, 0) + 1
    first = min(buckets, default=end)
    hours_range = range(first, end + 1)
    return {"x": [h * 3600 for h in hours_range], "alerts": [buckets.get(h, 0) for h in hours_range]}


def _from_hour(hour: int) -> Any:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(hour * 3600, tz=UTC)


def alert_item(seq: int, row: AlertRow) -> dict[str, Any]:
    payload = row.payload or {}
    return {
        "seq": seq,
        "alert_id": row.alert_id,
        "campaign_id": row.campaign_id,
        "version": row.version,
        "severity": row.severity,
        "score": row.score,
        "detected_at": iso(row.detected_at),
        "size": len(payload.get("accounts", [])),
        "summary": payload.get("summary", ""),
    }


def feed(session: Session, after: int, limit: int = 50) -> dict[str, Any]:
    """Alerts stored after feed position ``after`` (newest first) and the position to poll from next."""
    rows = stored_after(session, after, limit)
    return {
        "latest": max([s for s, _ in rows], default=max(after, 0)) if rows else latest_seq(session),
        "alerts": [alert_item(s, r) for s, r in rows],
        "counts": counts(session),
    }
