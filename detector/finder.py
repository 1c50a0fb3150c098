"""One campaign evaluation: link suspicious active accounts, find communities, score them."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from detector.linking.content import link_similar_content, link_templates, wrapper_shares
from detector.linking.edges import EdgeBook
from detector.linking.infra import link_infrastructure
from detector.linking.timing import activity_matrix, link_timing
from detector.scoring import AccountView, GroupScore, group_score
from features.shared_index import SharedIndex

LOUVAIN_ABOVE = 40


@dataclass
class Candidate:
    """A scored community of accounts."""

    members: list[AccountView]
    score: GroupScore
    book: EdgeBook
    index_of: dict[str, int]


def find_groups(views: list[AccountView], profiles: np.ndarray, has_profile: np.ndarray, index: SharedIndex,
                now: float, settings) -> list[Candidate]:
    """Link ``views`` (already filtered to suspicious accounts) and score each community."""
    det = settings
    accounts = [v.state for v in views]
    book = EdgeBook()
    link_infrastructure(accounts, book, det.max_key_accounts)
    shares = [wrapper_shares(s, index, det.max_key_accounts) for s in accounts]
    link_templates(accounts, shares, [v.recycled for v in views], book, det.max_key_accounts)
    link_similar_content(accounts, profiles, has_profile, book, det.knn_neighbours, det.knn_min_similarity)
    link_timing(accounts, book, now)
    graph = nx.Graph()
    for a, b, weight in book.strong(det.min_edge_weight):
        graph.add_edge(a, b, weight=weight)
    candidates = []
    for community in _communities(graph):
        if len(community) < det.min_accounts:
            continue
        members = sorted(community)
        linkage = _linkage(graph, members)
        balance = load_balancing([accounts[i] for i in members], now)
        score = group_score([views[i] for i in members], linkage, balance)
        candidates.append(Candidate([views[i] for i in members], score, book,
                                    {views[i].state.account_id: i for i in members}))
    return candidates


def _communities(graph: nx.Graph) -> list[set[int]]:
    """Connected components; large, loosely knit ones are split with Louvain (deterministic seed)."""
    out: list[set[int]] = []
    for component in nx.connected_components(graph):
        if len(component) > LOUVAIN_ABOVE:
            sub = graph.subgraph(component)
            density = nx.density(sub)
            if density < 0.2:
                out.extend(nx.community.louvain_communities(sub, weight="weight", seed=7, resolution=0.5))
                continue
        out.append(set(component))
    return out


def _linkage(graph: nx.Graph, members: list[int]) -> float:
    """Mean over members of their strongest link inside the group."""
    inside = set(members)
    best = []
    for node in members:
        weights = [d["weight"] for nb, d in graph[node].items() if nb in inside]
        best.append(max(weights, default=0.0))
    return float(np.mean(best)) if best else 0.0


def load_balancing(accounts: list, now: float, hours: int = 24) -> float:
    """High when the group's combined traffic covers the clock evenly while each account stays light."""
    if len(accounts) < 3:
        return 0.0
    matrix = activity_matrix(accounts, now, hours) * np.array([[max(1, a.events_within(now, hours * 3600))]
                                                               for a in accounts])
    combined = matrix.sum(axis=0)
    if combined.sum() <= 0:
        return 0.0
    coverage = float((combined > 0).mean())
    biggest_share = float(matrix.sum(axis=1).max() / combined.sum())
    return max(0.0, coverage - biggest_share) if coverage >= 0.5 else 0.0
