"""Shared data types and constants of the simulator."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

START = datetime(2026, 3, 2, tzinfo=UTC).timestamp()
HOUR = 3600.0
DAY = 86400.0

MODEL_RELEASES_BEFORE = {"atlas-2": "2025-06-10T16:00:00.000Z", "atlas-2-mini": "2025-08-19T16:00:00.000Z"}

BENIGN_GROUPS = (
    "benign",
    "lookalike_eval_team",
    "lookalike_eval_consortium",
    "lookalike_agent_product",
    "lookalike_classroom",
    "lookalike_viral",
    "lookalike_busy_app",
    "lookalike_reseller",
)
CAMPAIGN_GROUPS = (
    "campaign_hydra",
    "campaign_reasoning",
    "campaign_agentic",
    "campaign_slow",
    "campaign_pivot",
)

Net = tuple[str, int, str]
"""(ip, asn, country) of one request."""


@dataclass(slots=True)
class Account:
    """One API account with its static attributes."""

    account_id: str
    group: str
    org_id: str | None
    keys: list[str]
    country: str
    tz: float
    channel: str
    created_at: float
    payment: str | None
    ua: str
    endpoint: str = "/v1/messages"
    msg_p: float = 0.3
    parts_p: float = 0.3
    home: Net | None = None
    extra: dict[str, object] = field(default_factory=dict)


def rfc3339(ts: float) -> str:
    """RFC 3339 UTC timestamp with milliseconds and Z."""
    ms = int(round(ts * 1000))
    dt = datetime.fromtimestamp(ms // 1000, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + f".{ms % 1000:03d}Z"


def scaled(nominal: int, scale: float, minimum: int) -> int:
    """Account count for a group: nominal * scale, at least min(minimum, nominal)."""
    return max(int(round(nominal * scale)), min(minimum, nominal))
