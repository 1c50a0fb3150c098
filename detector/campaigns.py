"""Campaign identity across evaluations: stable ids, cumulative membership, material-change versioning."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

SEVERITY_ORDER = ("low", "medium", "high", "critical")
MATCH_OVERLAP = 0.5


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


def campaign_id_for(members: set[str]) -> str:
    """Deterministic id from the founding members (the same input gives the same id, across restarts)."""
    digest = hashlib.blake2b("\n".join(sorted(members)).encode(), digest_size=8).hexdigest()
    return f"cmp-{digest}"


class CampaignTracker:
    """Matches each evaluation's groups to known campaigns and decides when a new version is due."""

    def __init__(self, growth_for_new_version: float = 0.2, dismissed_growth: float = 0.5) -> None:
        self.growth = growth_for_new_version
        self.dismissed_growth = dismissed_growth
        self.campaigns: dict[str, Campaign] = {}
        self.account_campaign: dict[str, str] = {}
        self.preset: dict[str, tuple[str, int, int]] = {}

    def match(self, members: set[str]) -> Campaign | None:
        """The known campaign sharing most accounts with ``members``, if the overlap is substantial."""
        votes: dict[str, int] = {}
        for account in members:
            cid = self.account_campaign.get(account)
            if cid is not None:
                votes[cid] = votes.get(cid, 0) + 1
        best = max(votes.items(), key=lambda kv: (kv[1], kv[0]), default=None)
        if best is None:
            return None
        campaign = self.campaigns[best[0]]
        if best[1] >= MATCH_OVERLAP * min(len(members), len(campaign.members)):
            return campaign
        return None

    def observe(self, members: set[str], score: float, severity: str, first_seen: float,
                min_accounts: int = 3) -> Campaign | None:
        """Fold a detected group in; returns the campaign when it warrants a new alert version."""
        campaign = self.match(members)
        if campaign is None:
            fresh = {a for a in members if a not in self.account_campaign}
            if len(fresh) < min_accounts:
                return None
            campaign = Campaign(campaign_id_for(fresh), set(fresh), first_seen)
            self.campaigns[campaign.campaign_id] = campaign
            for account in fresh:
                self.account_campaign[account] = campaign.campaign_id
            if not self._apply_preset(campaign):
                return None
            return self._new_version(campaign, score, severity)
        added = {a for a in members - campaign.members if a not in self.account_campaign}
        old_size = len(campaign.members)
        campaign.members |= added
        for account in added:
            self.account_campaign[account] = campaign.campaign_id
        campaign.first_seen = min(campaign.first_seen, first_seen)
        if campaign.status == "dismissed":
            if len(campaign.members) < (1 + self.dismissed_growth) * max(campaign.dismissed_size, 1):
                return None
            campaign.status = "open"
        grew = len(added) >= max(1, self.growth * old_size)
        escalated = SEVERITY_ORDER.index(severity) > SEVERITY_ORDER.index(campaign.severity)
        if grew or escalated:
            return self._new_version(campaign, score, max(severity, campaign.severity, key=SEVERITY_ORDER.index))
        return None

    def _new_version(self, campaign: Campaign, score: float, severity: str) -> Campaign:
        campaign.version += 1
        campaign.score = score
        campaign.severity = severity
        return campaign

    def set_status(self, campaign_id: str, status: str) -> None:
        """Apply analyst triage: a dismissed campaign is re-alerted only after material growth."""
        campaign = self.campaigns.get(campaign_id)
        if campaign is None:
            return
        campaign.status = status
        if status == "dismissed":
            campaign.dismissed_size = len(campaign.members)

    def preset_status(self, campaign_id: str, status: str, size: int, version: int) -> None:
        """Triage decided before this tracker met the campaign (from the store, when the detector starts)."""
        if campaign_id in self.campaigns:
            self.set_status(campaign_id, status)
        else:
            self.preset[campaign_id] = (status, size, version)

    def _apply_preset(self, campaign: Campaign) -> bool:
        """Carry a stored triage onto a re-found campaign; False while a dismissed one has not grown."""
        preset = self.preset.pop(campaign.campaign_id, None)
        if preset is None:
            return True
        campaign.status, campaign.dismissed_size, stored_version = preset
        if campaign.status != "dismissed":
            return True
        campaign.version = max(campaign.version, stored_version)
        if len(campaign.members) < (1 + self.dismissed_growth) * max(campaign.dismissed_size, 1):
            return False
        campaign.status = "open"
        return True

    def forget_accounts(self, accounts: set[str]) -> None:
        """Drop evicted or allow-listed accounts from the account index (alerts already emitted stay)."""
        for account in accounts:
            self.account_campaign.pop(account, None)
