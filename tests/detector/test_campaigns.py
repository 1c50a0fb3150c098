"""Campaign identity: stable ids as campaigns grow, versions only on material change, dismissal feedback."""

from __future__ import annotations

import numpy as np

from detector.attribution import Ties
from detector.campaigns import CampaignTracker, campaign_id_for
from detector.linking.edges import LinkSet


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


def test_early_account_follows_its_crew_when_the_crew_founds_a_campaign() -> None:
    """A crew's first account lands in another campaign; when the crew's own accounts found a campaign, the
    early account (not a founder of the other) follows its strongest tie to them. Founders never move."""
    tracker = CampaignTracker()
    other = members(6, "r")
    tracker.observe(other, 0.8, "medium", 0.0)
    group = members(4, "r") | {"s0"}
    ties = Ties.of_pairs(group, {(a, "s0"): 0.8 for a in members(4, "r")})
    grown = tracker.observe(group, 0.8, "medium", 0.0, ties=ties)
    assert grown is None and tracker.account_campaign["s0"] == tracker.account_campaign["r0"]  # absorbed
    crew = {"s0", "s1", "s2", "s3", "s4", "r0", "r1"}  # no match: 3 of 7 accounts are the other campaign's
    pairs = {("s0", "s1"): 0.9, ("s0", "s2"): 0.6, ("s1", "s2"): 0.7, ("s2", "s3"): 0.7, ("s3", "s4"): 0.7,
             ("s0", "r0"): 0.85, ("r0", "r1"): 0.9, ("r1", "s4"): 0.4}
    founded = tracker.observe(crew, 0.8, "medium", 0.0, ties=Ties.of_pairs(crew, pairs))
    assert founded is not None and founded.members == {"s0", "s1", "s2", "s3", "s4"}
    assert founded.founders == founded.members and founded.campaign_id == campaign_id_for(founded.members)
    reasoning = tracker.campaigns[tracker.account_campaign["r0"]]
    assert "s0" not in reasoning.members and {"r0", "r1"} <= reasoning.members


def test_founders_and_equally_tied_accounts_stay() -> None:
    tracker = CampaignTracker()
    tracker.observe(members(6, "r"), 0.8, "medium", 0.0)
    group = {"r0", "r1", "n0", "n1", "n2"}
    pairs = {("r0", "n0"): 0.9, ("r0", "r1"): 0.5, ("n0", "n1"): 0.8, ("n1", "n2"): 0.8}
    founded = tracker.observe(group, 0.8, "medium", 0.0, ties=Ties.of_pairs(group, pairs))
    assert founded is not None and founded.members == {"n0", "n1", "n2"}  # r0 founded its campaign
    tracker.observe(members(6, "r") | {"x"}, 0.8, "medium", 0.0)  # x: absorbed, not a founder
    group = {"r0", "x", "m0", "m1", "m2"}
    pairs = {("x", "r0"): 0.8, ("x", "m0"): 0.8, ("m0", "m1"): 0.8, ("m1", "m2"): 0.8}
    founded = tracker.observe(group, 0.8, "medium", 0.0, ties=Ties.of_pairs(group, pairs))
    assert founded is not None and founded.members == {"m0", "m1", "m2"}  # an equal tie keeps x where it is


def test_ties_of_links_combine_links_symmetrically() -> None:
    links = LinkSet(4)
    links.add("shared_template", "content", np.array([0, 2]), np.array([1, 3]), np.array([0.5, 0.6]))
    links.add("co_activity", "timing", np.array([1]), np.array([0]), np.array([0.5]))
    ties = Ties.of_links(links, {"a": 0, "b": 1, "c": 2})
    assert ties.accounts == ["a", "b", "c"]
    assert np.allclose(ties.weights, np.array([[0, 0.75, 0], [0.75, 0, 0], [0, 0, 0]]))
    assert ties.strongest({}) == {"a": "b", "b": "a", "c": None}
