"""Campaign identity: stable ids as campaigns grow, versions only on material change, dismissal feedback."""

from __future__ import annotations

from detector.campaigns import CampaignTracker, campaign_id_for


def members(n: int, prefix: str = "a") -> set[str]:
    return {f"{prefix}{i}" for i in range(n)}


def test_new_campaign_then_stable_id_and_material_versions() -> None:
    tracker = CampaignTracker(growth_for_new_version=0.2)
    first = tracker.observe(members(10), 0.7, "medium", 100.0)
    assert first is not None and first.version == 1
    cid = first.campaign_id
    assert cid == campaign_id_for(members(10))
    assert tracker.observe(members(11), 0.7, "medium", 100.0) is None  # +1 account: not material
    grown = tracker.observe(members(14), 0.7, "medium", 90.0)
    assert grown is not None and grown.campaign_id == cid and grown.version == 2
    assert grown.first_seen == 90.0 and len(grown.members) == 14
    escalated = tracker.observe(members(14), 0.95, "high", 90.0)
    assert escalated is not None and escalated.version == 3 and escalated.severity == "high"
    assert tracker.observe(members(14), 0.5, "low", 90.0) is None  # severity never silently drops


def test_small_leftovers_do_not_make_campaigns() -> None:
    tracker = CampaignTracker()
    tracker.observe(members(10), 0.7, "medium", 0.0)
    assert tracker.observe(members(10) | {"x1", "x2"} | members(30, "b"), 0.7, "medium", 0.0, 3) is not None
    assert tracker.observe({"a0", "a1", "zz"}, 0.7, "medium", 0.0, min_accounts=3) is None


def test_dismissed_campaign_is_quiet_until_it_grows_materially() -> None:
    tracker = CampaignTracker(dismissed_growth=0.5)
    campaign = tracker.observe(members(10), 0.7, "medium", 0.0)
    assert campaign is not None
    tracker.set_status(campaign.campaign_id, "dismissed")
    assert tracker.observe(members(14), 0.9, "high", 0.0) is None
    again = tracker.observe(members(16), 0.9, "high", 0.0)
    assert again is not None and again.status == "open"
