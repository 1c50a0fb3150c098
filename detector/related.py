"""Related campaigns: other campaigns that a campaign's accounts are linked to in the evaluation's graph.

Communities split where links are densest, so one operator's crew can come out as several campaigns, one per
infrastructure cell (a card shared by five accounts, a proxy pool), tied to each other by weaker links such as
shared templates. Each alert lists the campaigns its accounts are linked to, and by which links, so that an
analyst can triage them together (or see that two crews only share a public task bank); the campaigns
themselves stay as the communities found them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np

from detector.communities import Edges
from detector.linking.edges import LinkSet

MAX_RELATED = 5


def related_campaigns(graph: Edges, links: LinkSet, accounts: list[str], campaign_id: str,
                      campaign_of: Mapping[str, str]) -> list[dict[str, Any]]:
    """Campaigns other than ``campaign_id`` whose accounts are linked to its accounts by edges of ``graph``
    (whose nodes are ``accounts``; ``links``: the evaluation's links by name), most linked pairs first: the
    pairs, the accounts on each side, the strongest edge, and how many pairs each link joins."""
    owner = [campaign_of.get(account) for account in accounts]
    ours = np.fromiter((cid == campaign_id for cid in owner), dtype=bool, count=len(owner))
    crossing = ours[graph.low] != ours[graph.high]
    found: dict[str, dict[str, Any]] = {}
    lows, highs = graph.low[crossing], graph.high[crossing]
    for low, high, weight, names in zip(lows.tolist(), highs.tolist(), graph.weight[crossing].tolist(),
                                        links.names_of_pairs(lows, highs), strict=True):
        mine, other = (low, high) if ours[low] else (high, low)
        cid = owner[other]
        if cid is None:
            continue
        entry = found.setdefault(cid, {"pairs": 0, "ours": set(), "theirs": set(), "strongest": 0.0,
                                       "links": Counter()})
        entry["pairs"] += 1
        entry["ours"].add(mine)
        entry["theirs"].add(other)
        entry["strongest"] = max(entry["strongest"], weight)
        entry["links"].update(names)
    ranked = sorted(found.items(), key=lambda kv: (-kv[1]["pairs"], -kv[1]["strongest"], kv[0]))
    return [{"campaign_id": cid, "linked_pairs": e["pairs"], "accounts_linked": len(e["ours"]),
             "their_accounts_linked": len(e["theirs"]), "strongest_link": round(e["strongest"], 3),
             "pairs_by_link": dict(e["links"].most_common())}
            for cid, e in ranked[:MAX_RELATED]]
