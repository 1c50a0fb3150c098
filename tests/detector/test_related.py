"""Related campaigns: the campaigns a campaign's accounts are linked to in an evaluation's graph."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from detector.communities import Edges
from detector.linking.edges import INFRASTRUCTURE, LinkSet
from detector.related import MAX_RELATED, alerted_before, related_campaigns

ACCOUNTS = ["a0", "a1", "a2", "b0", "b1", "c0", "loose"]
CAMPAIGN_OF = {"a0": "A", "a1": "A", "a2": "A", "b0": "B", "b1": "B", "c0": "C"}


def _graph(pairs: dict[tuple[int, int], dict[str, float]]) -> tuple[Edges, LinkSet]:
    links = LinkSet(len(ACCOUNTS))
    for (a, b), by_name in pairs.items():
        for name, weight in by_name.items():
            links.add(name, INFRASTRUCTURE, np.array([a]), np.array([b]), np.array([weight]))
    return Edges.from_coo(links.combined(), 0.5), links


def test_lists_the_other_campaigns_linked_to_its_accounts_most_linked_first() -> None:
    graph, links = _graph({
        (0, 1): {"shared_payment": 0.9},                                  # inside A: not a relation
        (0, 3): {"shared_template": 0.6, "shared_rotating_ips": 0.5},     # A-B
        (1, 3): {"shared_template": 0.7},                                 # A-B
        (2, 4): {"shared_template": 0.55},                                # A-B
        (2, 5): {"shared_payment": 0.9},                                  # A-C, the strongest
        (1, 6): {"shared_payment": 0.9},                                  # to an account of no campaign
        (3, 5): {"shared_payment": 0.9},                                  # B-C: not about A
        (0, 4): {"co_activity": 0.3},                                     # under the graph's weight: no edge
    })
    related = related_campaigns(graph, links, ACCOUNTS, "A", CAMPAIGN_OF)
    assert [r["campaign_id"] for r in related] == ["B", "C"]
    b, c = related
    assert (b["linked_pairs"], b["accounts_linked"], b["their_accounts_linked"]) == (3, 3, 2)
    assert b["pairs_by_link"] == {"shared_template": 3, "shared_rotating_ips": 1}
    assert b["strongest_link"] == round(1 - 0.4 * 0.5, 3)
    assert (c["linked_pairs"], c["accounts_linked"], c["their_accounts_linked"]) == (1, 1, 1)
    assert c["pairs_by_link"] == {"shared_payment": 1} and c["strongest_link"] == 0.9


def test_a_campaign_without_outside_links_has_no_relations_and_the_list_is_bounded() -> None:
    graph, links = _graph({(0, 1): {"shared_payment": 0.9}, (3, 4): {"shared_payment": 0.9}})
    assert related_campaigns(graph, links, ACCOUNTS, "A", CAMPAIGN_OF) == []
    many = [f"x{i}" for i in range(2 * MAX_RELATED)]
    accounts = ["hub", *many]
    edges = Edges.from_coo(sp.coo_matrix((np.full(len(many), 0.9), (np.zeros(len(many), dtype=int),
                                                                     np.arange(1, len(many) + 1))),
                                         shape=(len(accounts), len(accounts))), 0.5)
    owners = {"hub": "H", **{x: f"cmp-{x}" for x in many}}
    assert len(related_campaigns(edges, LinkSet(len(accounts)), accounts, "H", owners)) == MAX_RELATED


def test_links_joining_as_many_pairs_are_listed_in_the_order_they_first_join_a_pair() -> None:
    graph, links = _graph({(0, 4): {"shared_payment": 0.9}, (0, 3): {"shared_template": 0.6}})  # payment drawn first
    (b,) = related_campaigns(graph, links, ACCOUNTS, "A", CAMPAIGN_OF)
    assert list(b["pairs_by_link"].items()) == [("shared_template", 1), ("shared_payment", 1)]  # a0-b0 comes first


def test_an_alert_names_only_campaigns_alerted_on_before_it() -> None:
    def alert(cid: str, *related: str) -> dict:
        return {"campaign_id": cid, "related_campaigns": [{"campaign_id": r} for r in related]}

    # a rebuilt version of "a" (grown again later in the evaluation) sees "b", founded after a's place in the order
    alerts = alerted_before([alert("a", "old", "b"), alert("b", "a", "old", "never")], {"old"})
    assert [[r["campaign_id"] for r in a["related_campaigns"]] for a in alerts] == [["old"], ["a", "old"]]
