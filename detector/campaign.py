"""One campaign the detector has alerted on, and its id."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

SEVERITY_ORDER = ("low", "medium", "high", "critical")


@dataclass
class Campaign:
    """A campaign the detector has alerted on."""

    campaign_id: str
    members: set[str]
    first_seen: float
    version: int = 0
    severity: str = "low"
    score: float = 0.0
    status: str = "open"
    dismissed_size: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    founders: set[str] = field(default_factory=set)
    announced: int = -1  # members at the last version (-1: unknown, campaigns restored from earlier versions)
    absorbed: list[str] = field(default_factory=list)  # fragments merged into it (``CampaignTracker.fragments``)
    absorbed_into: str | None = None  # set on a fragment once merged: it has no members left
    announced_at: float | None = None  # event time of the last version (None: not known)
    named: set[str] | None = None  # every account a version has named (None: restored from earlier versions)
    card_mates: set[str] = field(default_factory=set)  # members attached by their card alone (``card_mates``)


def grouped_members(campaign: Campaign) -> set[str]:
    """The campaign's members that its groups hold: all but its card mates."""
    return campaign.members - campaign.card_mates


def campaign_id_for(members: set[str]) -> str:
    """Deterministic id from the founding members (the same input gives the same id, across restarts)."""
    digest = hashlib.blake2b("\n".join(sorted(members)).encode(), digest_size=8).hexdigest()
    return f"cmp-{digest}"
