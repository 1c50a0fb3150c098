"""A campaign's card mates: light accounts attached by the card that pays for several of its accounts."""

from __future__ import annotations

import math
from collections.abc import Callable

import jsonschema
import numpy as np

from detector.attribution import Ties
from detector.campaign import Campaign
from detector.campaigns import CampaignTracker
from detector.card_mates import attach_card_mates, card_mates
from detector.communities import Edges
from detector.scoring import AccountView
from features.account import AccountState

FLOOR = 0.35


def _view(account: str, cards: set[str], suspicion: float = 0.1, org: str | None = None,
          first_ts: float = 0.0) -> AccountView:
    state = AccountState(account)
    state.payments = set(cards)
    state.org_id = org
    state.first_ts = first_ts
    return AccountView(state, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, suspicion=suspicion)


def _none(state: AccountState) -> bool:
    return False


def _mates(views: list[AccountView], campaign_of: dict[str, str], open_campaigns: set[str], mates: set[str],
           floor: float, allowed: Callable[[AccountState], bool]) -> dict[str, set[str]]:
    accounts = {v.state.account_id: v.state for v in views}
    return card_mates(views, accounts, campaign_of, open_campaigns, mates, -math.inf, floor, allowed)


def _attach(tracker: CampaignTracker, views: list[AccountView], final: bool, now: float) -> list[Campaign]:
    accounts = {v.state.account_id: v.state for v in views}
    return attach_card_mates(tracker, views, accounts, -math.inf, FLOOR, _none, final, now)


def test_a_light_holder_of_a_card_two_campaign_accounts_pay_with_is_attached() -> None:
    views = [_view("c1", {"card"}, 0.8), _view("c2", {"card"}, 0.8), _view("light", {"card"})]
    found = _mates(views, {"c1": "cmp-a", "c2": "cmp-a"}, {"cmp-a"}, set(), FLOOR, _none)
    assert found == {"cmp-a": {"light"}}


def test_one_campaign_holder_a_placeholder_or_a_dismissed_campaign_attach_no_one() -> None:
    one = [_view("c1", {"card"}, 0.8), _view("light", {"card"})]
    assert _mates(one, {"c1": "cmp-a"}, {"cmp-a"}, set(), FLOOR, _none) == {}
    crowd = [_view("c1", {"card"}, 0.8), _view("c2", {"card"}, 0.8)] + [_view(f"u{i}", {"card"}) for i in range(19)]
    campaign_of = {"c1": "cmp-a", "c2": "cmp-a"}
    assert _mates(crowd, campaign_of, {"cmp-a"}, set(), FLOOR, _none) == {}  # 2 of 21 holders: under a tenth
    assert len(_mates(crowd[:-2], campaign_of, {"cmp-a"}, set(), FLOOR, _none)["cmp-a"]) == 17  # 2 of 19
    assert _mates(crowd[:3], campaign_of, set(), set(), FLOOR, _none) == {}  # dismissed: not open


def test_mates_do_not_recruit_mates() -> None:
    views = [_view("c1", {"card", "other"}, 0.8), _view("m1", {"other"}), _view("m2", {"other"}),
             _view("light", {"other"})]
    campaign_of = {"c1": "cmp-a", "m1": "cmp-a", "m2": "cmp-a"}
    assert _mates(views, campaign_of, {"cmp-a"}, {"m1", "m2"}, FLOOR, _none) == {}
    assert _mates(views, campaign_of, {"cmp-a"}, set(), FLOOR, _none) == {"cmp-a": {"light"}}


def test_suspicious_allow_listed_and_same_organisation_holders_stay_out() -> None:
    views = [_view("c1", {"card"}, 0.8, org="o1"), _view("c2", {"card"}, 0.8, org="o1"),
             _view("busy", {"card"}, 0.5), _view("allowed", {"card"}), _view("colleague", {"card"}, org="o1"),
             _view("stranger", {"card"}, org="o2")]
    found = _mates(views, {"c1": "cmp-a", "c2": "cmp-a"}, {"cmp-a"}, set(), FLOOR,
                       lambda s: s.account_id == "allowed")
    assert found == {"cmp-a": {"stranger"}}  # one organisation's keys are no hidden tie


def test_a_holder_of_two_campaigns_cards_joins_the_one_with_more_holders() -> None:
    views = [_view("a1", {"x"}, 0.8), _view("a2", {"x"}, 0.8), _view("b1", {"y"}, 0.8), _view("b2", {"y"}, 0.8),
             _view("b3", {"y"}, 0.8), _view("light", {"x", "y"})]
    campaign_of = {"a1": "cmp-a", "a2": "cmp-a", "b1": "cmp-b", "b2": "cmp-b", "b3": "cmp-b"}
    assert _mates(views, campaign_of, {"cmp-a", "cmp-b"}, set(), FLOOR, _none) == {"cmp-b": {"light"}}


def test_attached_mates_are_named_left_out_of_fragments_and_leave_the_mates_once_grouped() -> None:
    tracker = CampaignTracker(growth_for_new_version=0.2, fragment_accounts=5)
    crew = {"d1", "d2", "d3", "d4", "d5"}
    with tracker.evaluation():
        big = tracker.observe(crew, 0.9, "high", 0.0, min_accounts=3)
        cell = tracker.observe({"c1", "c2", "c3"}, 0.9, "high", 0.0, min_accounts=3)
    assert big is not None and cell is not None and cell.version == 1
    views = [_view(a, {"card"}, 0.8) for a in ("c1", "c2", "c3")] + [_view("m1", {"card"}, first_ts=-5.0)]
    with tracker.evaluation():
        grown = _attach(tracker, views, final=False, now=100.0)
    assert grown == [cell] and cell.version == 2  # 1 new of 3: material
    assert cell.members == {"c1", "c2", "c3", "m1"} and cell.card_mates == {"m1"}
    assert cell.first_seen == -5.0 and cell.score == 0.9
    # a group holding the cell's grouped accounts holds the cell whole: its mate is no account of a group's
    assert tracker.observe(crew | {"c1", "c2", "c3"}, 0.9, "high", 0.0, min_accounts=3) is big
    assert tracker.account_campaign["m1"] == big.campaign_id and big.card_mates == {"m1"} and not cell.card_mates
    tracker.observe({"d1", "d2", "d3", "m1"}, 0.9, "high", 0.0, min_accounts=3)
    assert big.card_mates == set()  # grouped now: scored with its group


def test_a_mate_attached_by_less_than_material_growth_waits_for_a_version() -> None:
    tracker = CampaignTracker(growth_for_new_version=0.5, name_each_account_below=0)  # growth alone decides
    with tracker.evaluation():
        campaign = tracker.observe({"c1", "c2", "c3", "c4"}, 0.9, "high", 0.0, min_accounts=3)
    views = [_view(a, {"card"}, 0.8) for a in ("c1", "c2", "c3", "c4")] + [_view("m1", {"card"})]
    with tracker.evaluation():
        assert _attach(tracker, views, final=False, now=100.0) == []
    assert campaign is not None and "m1" in campaign.members and campaign.version == 1
    assert tracker.unannounced() == [campaign]
    with tracker.evaluation():  # at the end of the input any growth is announced
        assert _attach(tracker, views + [_view("m2", {"card"})], final=True, now=200.0) == [
            campaign]


def test_an_alert_names_its_card_mates_and_explains_only_its_grouped_accounts(alert_schema: dict) -> None:
    from scenario_builder import SCENARIOS, load, run_scenario

    alerts, groups = run_scenario(load(next(p for p in SCENARIOS if p.stem == "hydra_card_light_holders")))
    with_mates = [a for a in alerts if "accounts_linked_by_card_alone" in _linkage(a)]
    assert with_mates
    for alert in with_mates:
        jsonschema.validate(alert, alert_schema)
        evidence = _linkage(alert)
        named = set(evidence["card_alone_examples"])
        assert named <= set(alert["accounts"]) and {groups[a] for a in named} == {"hydra_light"}
        assert f"({evidence['accounts_linked_by_card_alone']} of them only by a card" in alert["summary"]
        explained = {a for example in evidence["examples"] for a in example["accounts"]}
        assert not explained & named  # the signals come from the accounts its groups hold


def _linkage(alert: dict) -> dict:
    return next(s for s in alert["signals"] if s["name"] == "hidden_linkage")["evidence"]


def test_a_group_of_mates_and_new_accounts_founds_its_own_campaign_as_if_never_attached() -> None:
    """Mates held by a campaign would make a group of them and two new accounts, tied most to each other, neither
    match that campaign (they founded nothing) nor found one (two new accounts are too few): no campaign at all."""
    tracker = CampaignTracker(growth_for_new_version=0.2)
    with tracker.evaluation():
        cell = tracker.observe({"c1", "c2", "c3"}, 0.9, "high", 0.0, min_accounts=3)
    mates = ["m1", "m2", "m3", "m4"]
    views = [_view(a, {"card"}, 0.8) for a in ("c1", "c2", "c3")] + [_view(m, {"card"}) for m in mates]
    with tracker.evaluation():
        _attach(tracker, views, final=False, now=100.0)
    assert cell is not None and cell.card_mates == set(mates)
    accounts = [*mates, "n1", "n2"]  # a chain of ties from the new accounts through the mates
    edges = Edges(6, np.array([0, 1, 2, 3, 4]), np.array([1, 2, 3, 4, 5]), np.full(5, 0.9))
    with tracker.evaluation():
        crew = tracker.observe(set(accounts), 0.9, "high", 0.0, min_accounts=3,
                               ties=Ties.of_edges(accounts, edges), at=200.0)
    assert crew is not None and crew is not cell and crew.members == set(accounts)
    assert cell.members == {"c1", "c2", "c3"} and not cell.card_mates


def test_a_campaign_matches_groups_by_its_grouped_accounts_not_its_mates() -> None:
    tracker = CampaignTracker(growth_for_new_version=0.2)
    with tracker.evaluation():
        cell = tracker.observe({"c1", "c2", "c3"}, 0.9, "high", 0.0, min_accounts=3)
    views = [_view(a, {"card"}, 0.8) for a in ("c1", "c2", "c3")] + [_view(f"m{i}", {"card"}) for i in range(10)]
    with tracker.evaluation():
        _attach(tracker, views, final=False, now=100.0)
    group = {"c1", "c2", "n1", "n2", "n3", "n4"}  # two of its three grouped accounts: most of the campaign
    with tracker.evaluation():
        assert tracker.observe(group, 0.9, "high", 0.0, min_accounts=3, at=200.0) is cell
    assert group <= cell.members and len(cell.card_mates) == 10


def test_a_checkpoint_written_before_campaigns_named_card_mates_restores_and_attaches_them() -> None:
    import pickle

    from scenario_builder import SCENARIOS, build, load

    from detector.engine import Detector
    from hydrawatch.settings import Settings
    from streams.events import parse_record

    events, groups = build(load(next(p for p in SCENARIOS if p.stem == "hydra_card_light_holders")), seed=1)
    events.sort(key=lambda r: r["ts"])
    cut = 40  # the hydra is tracked with its first few mates; most of its light holders come later
    detector = Detector(Settings(db_url=""))
    for record in events[:cut]:
        detector.process(parse_record(record))
    state = pickle.loads(detector.checkpoint())
    assert state["tracker"].campaigns and state["tracker"].card_mates(), "the hydra should be tracked by then"
    for campaign in state["tracker"].campaigns.values():
        del campaign.card_mates  # as earlier versions wrote it
    restored = Detector(Settings(db_url=""))
    restored.restore(pickle.dumps(state))
    assert all(c.card_mates == set() for c in restored.tracker.campaigns.values())
    for record in events[cut:]:
        restored.process(parse_record(record))
    restored.finish()
    assert {groups[a] for a in restored.tracker.card_mates()} == {"hydra_light"}  # the later holders attach
