"""Campaign identity: stable ids as campaigns grow, versions only on material change, dismissal feedback."""

from __future__ import annotations

import pickle

import numpy as np

from detector.attribution import Ties
from detector.campaign import Campaign, campaign_id_for
from detector.campaigns import CampaignTracker
from detector.communities import Edges


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
    assert tracker.account_campaign["s0"] == tracker.account_campaign["r0"]  # absorbed
    assert grown is not None and grown.version == 2  # and named at once: a campaign of six names each account
    crew = {"s0", "s1", "s2", "s3", "s4", "r0", "r1"}  # no match: 3 of 7 accounts are the other campaign's
    pairs = {("s0", "s1"): 0.9, ("s0", "s2"): 0.6, ("s1", "s2"): 0.7, ("s2", "s3"): 0.7, ("s3", "s4"): 0.7,
             ("s0", "r0"): 0.85, ("r0", "r1"): 0.9, ("r1", "s4"): 0.4}
    founded = tracker.observe(crew, 0.8, "medium", 0.0, ties=Ties.of_pairs(crew, pairs))
    assert founded is not None and founded.members == {"s0", "s1", "s2", "s3", "s4"}
    assert founded.founders == founded.members and founded.campaign_id == campaign_id_for(founded.members)
    reasoning = tracker.campaigns[tracker.account_campaign["r0"]]
    assert "s0" not in reasoning.members and {"r0", "r1"} <= reasoning.members


def test_growth_is_measured_from_the_last_version() -> None:
    """Accounts that join one at a time add up: a campaign never grows silently past the material threshold, and
    the end of the input announces whatever growth is left."""
    tracker = CampaignTracker(growth_for_new_version=0.2)
    assert tracker.observe(members(10), 0.7, "medium", 0.0) is not None
    assert tracker.observe(members(11), 0.7, "medium", 0.0) is None
    grown = tracker.observe(members(12), 0.7, "medium", 0.0)  # +2 since version 1: 20 %
    assert grown is not None and grown.version == 2 and len(grown.members) == 12
    assert tracker.observe(members(13), 0.7, "medium", 0.0) is None
    last = tracker.observe(members(13), 0.7, "medium", 0.0, final=True)  # the end of the input: announced
    assert last is not None and last.version == 3 and len(last.members) == 13
    assert tracker.observe(members(13), 0.7, "medium", 0.0, final=True) is None  # nothing new


def test_a_small_campaign_names_each_account_it_gains() -> None:
    """Under ``name_each_account_below`` accounts at its last version every account a campaign gains is material:
    a crew's fifth account is what makes it a crew, and an analyst acting on six accounts wants the seventh now."""
    tracker = CampaignTracker(growth_for_new_version=0.2)
    assert tracker.observe(members(5), 0.7, "medium", 0.0) is not None
    versions = []
    for n in range(6, 13):
        campaign = tracker.observe(members(n), 0.7, "medium", 0.0)
        versions.append(campaign.version if campaign else None)
    assert versions == [2, 3, 4, 5, 6, None, 7]  # from ten accounts named: 20 % again
    assert campaign is not None and campaign.members == campaign.named == members(12)
    fewer = CampaignTracker(growth_for_new_version=0.2, name_each_account_below=0)  # growth alone
    assert fewer.observe(members(6), 0.7, "medium", 0.0) is not None
    assert fewer.observe(members(7), 0.7, "medium", 0.0) is None  # +1 on 6: under 20 %


def test_an_absorbed_account_tied_to_its_crew_does_not_make_the_crew_a_match() -> None:
    """An early crew account absorbed by another campaign counts for that campaign only while its strongest tie
    leads there; when its crew appears, the crew's group founds its own campaign and the account follows."""
    tracker = CampaignTracker()
    tracker.observe(members(6, "r"), 0.8, "medium", 0.0)
    early = members(4, "r") | {"s0"}
    tracker.observe(early, 0.8, "medium", 0.0, ties=Ties.of_pairs(early, {(a, "s0"): 0.8 for a in members(4, "r")}))
    assert tracker.account_campaign["s0"] == tracker.account_campaign["r0"]
    group = {"r0", "r1", "s0", "s1", "s2", "s3"}  # half of it is the other campaign's: a match by count
    pairs = {("s0", "s1"): 0.9, ("s1", "s2"): 0.85, ("s2", "s3"): 0.85, ("s0", "r0"): 0.5, ("r0", "r1"): 0.9}
    founded = tracker.observe(group, 0.8, "medium", 0.0, ties=Ties.of_pairs(group, pairs))
    assert founded is not None and founded.members == {"s0", "s1", "s2", "s3"}
    confirmed = dict(pairs) | {("s0", "r0"): 0.95}  # s0 still tied most to the other campaign: it matches
    tracker = CampaignTracker()
    tracker.observe(members(6, "r"), 0.8, "medium", 0.0)
    tracker.observe(early, 0.8, "medium", 0.0, ties=Ties.of_pairs(early, {(a, "s0"): 0.8 for a in members(4, "r")}))
    assert tracker.observe(group, 0.8, "medium", 0.0, ties=Ties.of_pairs(group, confirmed)) is not None
    assert tracker.account_campaign["s1"] == tracker.account_campaign["r0"]


def test_absorbed_accounts_tied_to_each_other_follow_their_crew() -> None:
    """Two early crew accounts absorbed together are each other's strongest tie, not settled in the campaign
    that absorbed them: they neither make their crew's group a match nor stay behind when it founds a campaign."""
    tracker = CampaignTracker()
    tracker.observe(members(6, "r"), 0.8, "medium", 0.0)
    early = members(4, "r") | {"s0", "s1"}
    tracker.observe(early, 0.8, "medium", 0.0)
    assert tracker.account_campaign["s1"] == tracker.account_campaign["r0"]
    group = members(3, "r") | {f"s{i}" for i in range(5)}  # 5 of 8 accounts are the other campaign's
    pairs = {("r0", "r1"): 0.9, ("r1", "r2"): 0.9, ("s0", "r0"): 0.6, ("s1", "r1"): 0.6, ("s0", "s1"): 0.9,
             ("s1", "s2"): 0.8, ("s2", "s3"): 0.8, ("s3", "s4"): 0.8}
    founded = tracker.observe(group, 0.8, "medium", 0.0, ties=Ties.of_pairs(group, pairs))
    assert founded is not None and founded.members == {f"s{i}" for i in range(5)}
    assert tracker.campaigns[tracker.account_campaign["r0"]].members == members(6, "r")


def test_absorbed_accounts_with_no_settled_account_in_the_group_stay_beside_other_campaigns_accounts() -> None:
    """Young accounts of a crew alerted as several cells, absorbed by those cells (one of them alone), sit in a
    community with a slow crew's first accounts (their tasks and hours alike), none of their cells' settled accounts
    with them. Tied more to each other than to the slow crew, they stay in their cells: the slow crew's campaign is
    its own. Early slow accounts absorbed by one campaign, each other's strongest tie, still follow their crew."""
    tracker = CampaignTracker()
    for cell, young in (("a", ("ya0", "ya1", "ya2")), ("b", ("yb0", "yb1")), ("c", ("yc0",))):
        tracker.observe(members(6, cell), 0.9, "high", 0.0)
        tracker.observe(members(6, cell) | set(young), 0.9, "high", 0.0)
    young = {"ya0", "ya1", "ya2", "yb0", "yb1", "yc0"}
    slow = members(5, "s")
    group = young | slow
    pairs = {(a, b): 0.89 for a in young for b in young if a < b}
    pairs |= {(a, b): 0.85 for a in slow for b in slow if a < b}
    pairs |= {(a, b): 0.7 for a in young for b in slow}
    founded = tracker.observe(group, 0.9, "high", 0.0, min_accounts=3, ties=Ties.of_pairs(group, pairs))
    assert founded is not None and founded.members == slow
    for cell, young_of_cell in (("a", {"ya0", "ya1", "ya2"}), ("b", {"yb0", "yb1"}), ("c", {"yc0"})):
        assert tracker.campaigns[tracker.account_campaign[f"{cell}0"]].members == members(6, cell) | young_of_cell

    tracker = CampaignTracker()
    tracker.observe(members(6, "r"), 0.9, "high", 0.0)
    tracker.observe(members(6, "r") | {"e0", "e1"}, 0.9, "high", 0.0)  # the slow crew's first two, absorbed
    group = {"e0", "e1"} | slow
    pairs = {(a, b): 0.85 for a in slow for b in slow if a < b} | {("e0", "e1"): 0.95, ("e0", "s0"): 0.8}
    founded = tracker.observe(group, 0.9, "high", 0.0, min_accounts=3, ties=Ties.of_pairs(group, pairs))
    assert founded is not None and founded.members == slow | {"e0", "e1"}


def test_a_clique_inside_a_campaign_still_matches_its_growth() -> None:
    """Absorbed accounts tied most to each other (a shared-card group) but more to the campaign than to the
    group's new accounts still count for it: the campaign grows instead of splitting."""
    tracker = CampaignTracker()
    tracker.observe(members(4, "r"), 0.8, "medium", 0.0)
    tracker.observe(members(4, "r") | {"c0", "c1"}, 0.8, "medium", 0.0)
    group = {"r0", "r1", "c0", "c1", "n0", "n1", "n2"}
    pairs = {("r0", "r1"): 0.9, ("c0", "c1"): 0.95, ("c0", "r0"): 0.7, ("c1", "r1"): 0.7,
             ("n0", "c0"): 0.6, ("n1", "r0"): 0.6, ("n2", "n1"): 0.6}
    grown = tracker.observe(group, 0.8, "medium", 0.0, ties=Ties.of_pairs(group, pairs))
    assert grown is not None and grown.members == members(4, "r") | {"c0", "c1", "n0", "n1", "n2"}


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


def test_ties_of_edges_are_symmetric() -> None:
    edges = Edges(3, np.array([0, 1]), np.array([1, 2]), np.array([0.75, 0.6]))
    ties = Ties.of_edges(["a", "b", "c"], edges)
    assert np.allclose(ties.weights.toarray(), np.array([[0, 0.75, 0], [0.75, 0, 0.6], [0, 0.6, 0]]))
    assert ties.strongest({}) == {"a": "b", "b": "a", "c": "b"}
    assert ties.strongest_to_each({"c"}).tolist() == [0.0, 0.6, 0.0]  # c's tie to itself is none
    assert ties.strongest_to_each({"a", "c", "z"}).tolist() == [0.0, 0.75, 0.0]  # z is not in the group


def test_ties_to_other_campaigns_leave_out_the_own_campaign_and_accounts_not_staying() -> None:
    ties = Ties.of_pairs({"a", "b", "c", "d"}, {("a", "b"): 0.9, ("a", "c"): 0.6, ("a", "d"): 0.8, ("b", "c"): 0.7})
    campaign_of = {"a": "x", "b": "x", "c": "y", "d": "z"}
    assert ties.strongest_to_other_campaigns({"a", "b"}, {"a", "b", "c"}, campaign_of) == {"a": 0.6, "b": 0.7}
    assert ties.strongest_to_other_campaigns({"a"}, {"a", "b", "c", "d"}, campaign_of) == {"a": 0.8}
    assert ties.strongest_to_other_campaigns({"a"}, {"b"}, campaign_of) == {"a": 0.0}


def test_ties_strongest_prefers_the_own_campaign_among_equal_ties() -> None:
    ties = Ties.of_pairs({"a", "b", "c", "d"}, {("a", "b"): 0.5, ("a", "c"): 0.5, ("a", "d"): 0.5})
    assert ties.strongest({})["a"] == "d"  # no campaign: the last by id
    assert ties.strongest({"c": "k1"})["a"] == "c"  # one a campaign holds
    assert ties.strongest({"a": "k2", "b": "k2", "c": "k1"})["a"] == "b"  # its own campaign's first


def test_cells_alerted_apart_merge_when_one_group_holds_them_whole() -> None:
    """Two cells of one crew (a shared card; a proxy pool) are alerted as three accounts each before the links
    between them show; the first group holding both is one campaign of six, announced with every account, and
    says which campaign it absorbed. The absorbed cell keeps its id and alerts but no accounts."""
    tracker = CampaignTracker(fragment_accounts=5)
    card = tracker.observe(members(3, "c"), 0.8, "medium", 10.0)
    pool = tracker.observe(members(3, "p"), 0.8, "medium", 5.0)
    assert card is not None and pool is not None and card.campaign_id != pool.campaign_id
    card_id, pool_id = card.campaign_id, pool.campaign_id
    merged = tracker.observe(members(3, "c") | members(3, "p"), 0.9, "medium", 5.0)
    assert merged is not None and merged.members == members(3, "c") | members(3, "p")
    survivor, absorbed = (card, pool) if merged.campaign_id == card_id else (pool, card)
    assert merged is survivor and merged.version == 2 and merged.first_seen == 5.0
    assert merged.absorbed == [absorbed.campaign_id] and absorbed.absorbed_into == merged.campaign_id
    assert absorbed.members == set() and absorbed.version == 1
    assert {tracker.account_campaign[a] for a in merged.members} == {merged.campaign_id}
    assert merged.founders == merged.members  # the cell's founders found the merged campaign: they never move
    assert {card_id, pool_id} == {merged.campaign_id, absorbed.campaign_id}


def test_only_small_open_cells_held_whole_are_absorbed() -> None:
    """A campaign of fragment size or more stays itself (two crews sharing a task bank can fall into one
    community), so does a cell the group holds only in part, and a cell an analyst triaged."""
    tracker = CampaignTracker(fragment_accounts=5)
    big = tracker.observe(members(6, "b"), 0.8, "medium", 0.0)
    tracker.observe(members(8, "m"), 0.8, "medium", 0.0)
    assert big is not None
    assert tracker.observe(members(8, "m") | members(6, "b"), 0.8, "medium", 0.0) is None
    assert len(big.members) == 6 and tracker.account_campaign["b0"] == big.campaign_id

    tracker = CampaignTracker(fragment_accounts=5)
    cell = tracker.observe(members(4, "c"), 0.8, "medium", 0.0)
    tracker.observe(members(8, "m"), 0.8, "medium", 0.0)
    assert cell is not None
    assert tracker.observe(members(8, "m") | members(3, "c"), 0.8, "medium", 0.0) is None  # c3 is not in it
    assert len(cell.members) == 4

    tracker.set_status(cell.campaign_id, "dismissed")
    assert tracker.observe(members(8, "m") | members(4, "c"), 0.8, "medium", 0.0) is None
    assert len(cell.members) == 4 and cell.absorbed_into is None


def test_members_no_version_named_are_listed_until_announced() -> None:
    """Growth below the material threshold leaves members unnamed; ``announce`` names them (severity never
    drops); a dismissed campaign's silent growth is not announced."""
    tracker = CampaignTracker(growth_for_new_version=0.2)
    campaign = tracker.observe(members(10), 0.8, "high", 0.0)
    quiet = tracker.observe(members(10, "q"), 0.8, "medium", 0.0)
    assert campaign is not None and quiet is not None and tracker.unannounced() == []
    assert tracker.observe(members(11), 0.8, "high", 0.0) is None
    assert tracker.observe(members(11, "q"), 0.8, "medium", 0.0) is None
    tracker.set_status(quiet.campaign_id, "dismissed")
    assert tracker.unannounced() == [campaign]
    assert tracker.unannounced(before=100.0) == []  # the version's time is not known
    named = tracker.announce(campaign, 0.6, "low", at=50.0)
    assert named.version == 2 and named.severity == "high" and named.score == 0.6 and named.announced_at == 50.0
    assert tracker.unannounced() == []
    assert tracker.observe(members(12), 0.8, "high", 0.0, at=60.0) is None
    assert tracker.unannounced(before=50.0) == [] and tracker.unannounced(before=51.0) == [campaign]


def test_a_member_that_replaced_a_named_one_is_still_unnamed() -> None:
    """Membership can change at the same size: a named member leaves for its own crew's campaign and a new
    account joins. The newcomer is unnamed until a version names it, whatever the campaign's size says."""
    tracker = CampaignTracker(growth_for_new_version=0.2, name_each_account_below=0)  # growth alone decides
    assert tracker.observe(members(5, "r"), 0.8, "medium", 0.0) is not None
    named = tracker.observe(members(5, "r") | {"s0"}, 0.8, "medium", 0.0, at=10.0)
    assert named is not None and named.version == 2 and "s0" in named.members  # 1 of 5: material
    crew = {"s0", "s1", "s2", "s3", "s4", "r0", "r1"}
    pairs = {("s0", "s1"): 0.9, ("s0", "s2"): 0.6, ("s1", "s2"): 0.7, ("s2", "s3"): 0.7, ("s3", "s4"): 0.7,
             ("s0", "r0"): 0.5, ("r0", "r1"): 0.9, ("r1", "s4"): 0.4}
    founded = tracker.observe(crew, 0.8, "medium", 0.0, ties=Ties.of_pairs(crew, pairs))
    assert founded is not None and "s0" in founded.members and "s0" not in named.members  # it left
    assert tracker.observe(members(5, "r") | {"x0"}, 0.8, "medium", 0.0, at=20.0) is None  # 1 of 6: not material
    assert len(named.members) == named.announced == 6
    assert tracker.unannounced() == [named]
    assert tracker.announce(named, 0.8, "medium", at=30.0).version == 3 and tracker.unannounced() == []


def test_a_late_account_tied_to_the_campaigns_members_joins_it_at_the_end_of_the_input() -> None:
    """A crew's twelfth account is the strongest tie of several absorbed members, in a cut of the crew that holds
    none of its founders: while the input goes on, new accounts tied to it may yet found a campaign those members
    follow, so it stays in none; at the end of the input one new account never will, and it joins the campaign its
    group matches (before, it was never named)."""
    tracker = CampaignTracker(growth_for_new_version=0.2)
    founders = members(3)
    tracker.observe(founders, 0.9, "high", 0.0, min_accounts=3)
    grown = tracker.observe(members(11), 0.9, "high", 0.0, min_accounts=3)
    assert grown is not None and len(grown.members) == 11
    absorbed = members(11) - founders
    late = absorbed | {"late"}
    ties = Ties.of_pairs(late, {**{(a, "late"): 0.95 for a in absorbed},
                                **{(a, "a3"): 0.6 for a in absorbed - {"a3"}}})
    assert tracker.observe(late, 0.9, "high", 0.0, min_accounts=3, ties=ties) is None
    assert "late" not in tracker.account_campaign
    last = tracker.observe(late, 0.9, "high", 0.0, min_accounts=3, ties=ties, final=True)
    assert last is not None and last.campaign_id == grown.campaign_id and "late" in last.members


def test_absorbed_accounts_split_off_with_their_crews_next_account_leaving_the_founders_behind() -> None:
    """A slow crew's first four accounts were absorbed by a campaign of a crew they share tasks with (none of them
    founded it). Its fifth account appears in a group with them and two of that campaign's founders, and the four
    are tied most to it: they and the new account found the slow crew's campaign (five founders, one of them new),
    the founders staying where they are. Before, five new accounts were needed, and the crew waited for its tenth.
    A cut of the group without the founders (a farm's community, say) founds nothing on one new account, and a
    cell of three (two absorbed, one new) is no more than a fragment: it stays in none while the input goes on."""
    crew = members(5, "s")
    pairs = {(a, b): 0.8 for a in crew for b in crew if a < b} | {("r0", "r1"): 0.9, ("r0", "s0"): 0.55,
                                                                  ("r1", "s1"): 0.55}
    for group in ({"r0", "r1"} | crew, crew):
        tracker = CampaignTracker()
        tracker.observe(members(6, "r"), 0.9, "high", 0.0)
        tracker.observe(members(6, "r") | members(4, "s"), 0.9, "high", 0.0)  # the crew's first four, absorbed
        tasks = tracker.account_campaign["r0"]
        assert {tracker.account_campaign[a] for a in members(4, "s")} == {tasks}
        ties = Ties.of_pairs(group, {pair: weight for pair, weight in pairs.items() if set(pair) <= group})
        founded = tracker.observe(group, 0.9, "high", 0.0, min_accounts=5, ties=ties)
        if "r0" in group:
            assert founded is not None and founded.members == founded.founders == crew and founded.version == 1
            assert tracker.campaigns[tasks].members == members(6, "r")
        else:
            assert founded is None and "s4" not in tracker.account_campaign
            assert tracker.campaigns[tasks].members == members(6, "r") | members(4, "s")
    tracker = CampaignTracker()
    tracker.observe(members(6, "r"), 0.9, "high", 0.0)
    tracker.observe(members(6, "r") | members(2, "s"), 0.9, "high", 0.0)
    cell = {"r0", "r1"} | members(3, "s")
    ties = Ties.of_pairs(cell, {pair: weight for pair, weight in pairs.items() if set(pair) <= cell})
    assert tracker.observe(cell, 0.9, "high", 0.0, min_accounts=3, ties=ties) is None
    assert "s2" not in tracker.account_campaign and len(tracker.campaigns) == 1


def test_a_cell_is_absorbed_only_when_each_of_its_accounts_is_tied_to_the_campaign() -> None:
    """A small campaign that a group holds whole is a cell of the campaign the group matches when each of its
    accounts is tied to that campaign's accounts in the group. A slow crew's first three accounts, a campaign of
    their own, in a group with a crew they share tasks with, one of them tied only to its own two: the cell stays its
    own campaign (simulator 313: absorbed, its founders became the other crew's and never moved)."""
    tracker = CampaignTracker()
    tasks = tracker.observe(members(6, "r"), 0.9, "high", 0.0)
    slow = tracker.observe(members(3, "s"), 0.9, "high", 0.0, min_accounts=3)
    assert tasks is not None and slow is not None
    group = members(5, "r") | members(3, "s")
    loose = {(a, b): 0.8 for a in members(5, "r") for b in members(5, "r") if a < b}
    loose |= {("s0", "s1"): 0.82, ("s1", "s2"): 0.77, ("s0", "s2"): 0.8, ("r0", "s0"): 0.67, ("r1", "s1"): 0.77}
    tracker.observe(group, 0.9, "high", 0.0, min_accounts=3, ties=Ties.of_pairs(group, loose))
    assert slow.absorbed_into is None and tracker.campaigns[slow.campaign_id].members == members(3, "s")
    tied = loose | {("r2", "s2"): 0.7}
    tracker.observe(group, 0.9, "high", 0.0, min_accounts=3, ties=Ties.of_pairs(group, tied))
    assert slow.absorbed_into == tasks.campaign_id and members(3, "s") <= tasks.members


def test_new_accounts_of_a_group_spread_over_campaigns_join_the_one_holding_most_of_it() -> None:
    """A farm alerted as several campaigns: a later group cuts across them (none holds half of it) with a few new
    accounts tied most to one of them. They are more of the farm and join the campaign holding most of the group,
    instead of founding a small campaign of their own; small campaigns the group holds whole are absorbed as on any
    match."""
    tracker = CampaignTracker(growth_for_new_version=0.2)
    farm_a = tracker.observe(members(10, "a"), 0.9, "high", 0.0)
    farm_b = tracker.observe(members(10, "b"), 0.9, "high", 0.0)
    cell = tracker.observe(members(3, "c"), 0.9, "high", 0.0)
    assert farm_a is not None and farm_b is not None and cell is not None
    group = members(4, "a") | members(3, "b") | members(3, "c") | members(3, "x")  # a: 4 of 13, under half
    pairs = {**{(a, b): 0.6 for a in group for b in group if a < b}, ("a0", "x0"): 0.9, ("a1", "x1"): 0.9,
             ("b0", "x2"): 0.9}
    grown = tracker.observe(group, 0.9, "high", 10.0, min_accounts=3, ties=Ties.of_pairs(group, pairs))
    assert grown is not None and grown.campaign_id == farm_a.campaign_id
    assert members(3, "x") | members(3, "c") <= grown.members and cell.absorbed_into == farm_a.campaign_id
    assert tracker.campaigns[farm_b.campaign_id].members == members(10, "b")  # founders never move
    assert len(tracker.campaigns) == 3  # no campaign founded


def test_a_group_spread_over_campaigns_founds_one_when_its_new_accounts_are_not_that_campaigns() -> None:
    """The rule above does not swallow a new crew: new accounts that are half the group or more (themselves, or
    with the absorbed accounts that follow them) still found a campaign; and new accounts tied most to another
    campaign's accounts (a slow crew's first cell, in a community with the cells of a crew it shares tasks with)
    do not join the campaign holding most of the group."""
    tracker = CampaignTracker()
    tracker.observe(members(6, "a"), 0.9, "high", 0.0)
    tracker.observe(members(6, "b"), 0.9, "high", 0.0)
    group = members(2, "a") | members(2, "b") | members(4, "x")
    crew = tracker.observe(group, 0.9, "high", 0.0, min_accounts=3,
                           ties=Ties.of_pairs(group, {(a, b): 0.6 for a in group for b in group if a < b}))
    assert crew is not None and crew.members == members(4, "x")
    tracker = CampaignTracker()
    farm_a = tracker.observe(members(6, "a"), 0.9, "high", 0.0)
    tracker.observe(members(6, "b"), 0.9, "high", 0.0)
    tracker.observe(members(6, "a") | {"s0", "s1"}, 0.9, "high", 0.0)  # early crew accounts absorbed by a
    assert farm_a is not None and tracker.account_campaign["s1"] == farm_a.campaign_id
    group = {"a0", "b0", "b1", "s0", "s1"} | members(3, "x")  # a: 3 of 8; 3 new accounts and 2 that follow them
    pairs = {("s0", "x0"): 0.9, ("s1", "x1"): 0.9, ("x0", "x1"): 0.8, ("x1", "x2"): 0.8, ("a0", "s0"): 0.5,
             ("b0", "b1"): 0.9, ("a0", "b0"): 0.6}
    founded = tracker.observe(group, 0.9, "high", 0.0, min_accounts=3, ties=Ties.of_pairs(group, pairs))
    assert founded is not None and founded.members == {"s0", "s1"} | members(3, "x")
    tracker = CampaignTracker()
    tasks_a = tracker.observe(members(10, "a"), 0.9, "high", 0.0)
    tracker.observe(members(10, "b"), 0.9, "high", 0.0)
    slow = tracker.observe(members(3, "s"), 0.9, "high", 0.0)
    assert tasks_a is not None and slow is not None
    group = members(4, "a") | members(3, "b") | members(3, "s") | members(3, "x")  # a: 4 of 13, under half
    pairs = {**{(a, b): 0.55 for a in group for b in group if a < b}, ("s0", "x0"): 0.9, ("s1", "x1"): 0.9,
             ("s2", "x2"): 0.9}
    own = tracker.observe(group, 0.9, "high", 0.0, min_accounts=3, ties=Ties.of_pairs(group, pairs))
    assert own is not None and own.members == members(3, "x")  # as before the rule: no campaign held half
    assert tracker.campaigns[tasks_a.campaign_id].members == members(10, "a")
    assert tracker.campaigns[slow.campaign_id].members == members(3, "s")  # not absorbed either


def test_one_evaluation_gives_a_campaign_one_version_however_many_of_its_groups_grow_it() -> None:
    """Two groups of one evaluation (cells of one crew in two communities) each growing a campaign restate one
    version, which also names accounts a second group adds below the material threshold; the next evaluation
    versions it again as usual, and outside an evaluation each material change is a version."""
    tracker = CampaignTracker(growth_for_new_version=0.2)
    with tracker.evaluation():
        first = tracker.observe(members(10), 0.7, "medium", 0.0)
        grown = tracker.observe(members(10) | members(5, "b"), 0.8, "high", 0.0)
        small = tracker.observe(members(10) | members(6, "b"), 0.8, "high", 0.0)
    assert first is not None and grown is first and small is first
    assert first.version == 1 and first.severity == "high" and len(first.members) == 16
    assert first.named == first.members  # the restated version names the account the third group added
    with tracker.evaluation():
        assert tracker.observe(members(10) | members(6, "b"), 0.8, "high", 0.0) is None  # nothing new
        later = tracker.observe(members(10) | members(10, "b"), 0.8, "high", 0.0)
    assert later is first and first.version == 2
    again = tracker.observe(members(10) | members(14, "b"), 0.8, "high", 0.0)
    assert again is first and first.version == 3 and tracker.observe(
        members(10) | members(20, "b"), 0.8, "high", 0.0) is first and first.version == 4


def test_a_tracker_checkpointed_while_campaigns_were_defined_in_this_module_restores() -> None:
    tracker = CampaignTracker()
    founded = tracker.observe(members(6), 0.8, "high", 0.0)
    assert founded is not None
    blob = pickle.dumps(tracker, protocol=0)  # a class is named by module and name, as text
    assert b"detector.campaign\nCampaign\n" in blob
    earlier = blob.replace(b"detector.campaign\nCampaign\n", b"detector.campaigns\nCampaign\n")
    restored = pickle.loads(earlier)  # noqa: S301 - written by this test
    campaign = restored.campaigns[founded.campaign_id]
    assert isinstance(campaign, Campaign) and campaign.members == members(6) and campaign.version == 1
    assert restored.observe(members(9), 0.8, "high", 0.0) is campaign and campaign.version == 2
