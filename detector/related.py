"""Related campaigns: other campaigns that a campaign's accounts are linked to in the evaluation's graph.

Communities split where links are densest, so one operator's crew can come out as several campaigns, one per
infrastructure cell (a card shared by five accounts, a proxy pool), tied to each other by weaker links such as
shared templates. Each alert lists the campaigns its accounts are linked to, and by which links, so that an
analyst can triage them together (or see that two crews only share a public task bank); the campaigns
themselves stay as the communities found them. An alert names only campaigns alerted on before it
(``alerted_before``), so an analyst can open each.
"""

from __future__ import annotations

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
    pairs, the accounts on each side, the strongest edge, and how many pairs each link joins (most first; equal
    counts in the order the links first appear among the pairs)."""
    owner = [campaign_of.get(account) for account in accounts]
    others = sorted({cid for cid in owner if cid is not None and cid != campaign_id})
    if not others:
        return []
    number: dict[str | None, int] = {cid: i for i, cid in enumerate(others)}
    ours = np.fromiter((cid == campaign_id for cid in owner), dtype=bool, count=len(owner))
    theirs = np.fromiter((number.get(cid, -1) for cid in owner), dtype=np.int64, count=len(owner))  # -1: no other
    crossing = np.flatnonzero(ours[graph.low] != ours[graph.high])
    low, high = graph.low[crossing], graph.high[crossing]
    mine, other = np.where(ours[low], low, high), np.where(ours[low], high, low)
    owned = theirs[other] >= 0
    mine, other, low, high = mine[owned], other[owned], low[owned], high[owned]
    weight, campaign = graph.weight[crossing][owned], theirs[other]
    bits = links.link_bits(low, high)
    names = list(links.pairs)
    found = []
    for code in np.unique(campaign).tolist():  # pairs in graph order within each campaign
        at = np.flatnonzero(campaign == code)
        ranked = sorted((-int(np.count_nonzero(linked)), int(np.argmax(linked)), b, name)
                        for b, name in enumerate(names) if (linked := bits[at] >> b & 1).any())
        found.append((others[code], len(at), len(np.unique(mine[at])), len(np.unique(other[at])),
                      float(weight[at].max()), {name: -negative for negative, _, _, name in ranked}))
    found.sort(key=lambda f: (-f[1], -f[4], f[0]))
    return [{"campaign_id": cid, "linked_pairs": pairs, "accounts_linked": ours_linked,
             "their_accounts_linked": theirs_linked, "strongest_link": round(strongest, 3), "pairs_by_link": by_link}
            for cid, pairs, ours_linked, theirs_linked, strongest, by_link in found[:MAX_RELATED]]


def alerted_before(alerts: list[dict[str, Any]], alerted: set[str]) -> list[dict[str, Any]]:
    """``alerts`` (one evaluation's, in the order they are emitted) with each one's related campaigns kept to those
    alerted on before it: in an earlier evaluation (``alerted``) or earlier in ``alerts``. Campaigns founded in one
    evaluation are related on the later one's alert; a version rebuilt later in the evaluation (a second group, or
    card mates, grew it) may see campaigns founded after its place in the order."""
    seen = set(alerted)
    for alert in alerts:
        alert["related_campaigns"] = [r for r in alert["related_campaigns"] if r["campaign_id"] in seen]
        seen.add(alert["campaign_id"])
    return alerts
