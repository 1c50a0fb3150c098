"""Analyst triage on tracked campaigns: confirm or dismiss now, or carry a stored decision onto a re-found campaign."""

from __future__ import annotations

from detector.campaign import Campaign


class TriageMixin:
    """``CampaignTracker``'s triage: a dismissed campaign is re-alerted only after material growth."""

    campaigns: dict[str, Campaign]
    preset: dict[str, tuple[str, int, int]]
    dismissed_growth: float

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
