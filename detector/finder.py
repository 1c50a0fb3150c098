"""One campaign evaluation: link suspicious active accounts, find communities, score them."""

from __future__ import annotations

import random
from dataclasses import dataclass

import igraph
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from detector.linking.content import link_similar_content, link_templates
from detector.linking.edges import LinkSet, disabled_links
from detector.linking.infra import link_infrastructure, org_codes
from detector.linking.keys import LinkKeys, asn_user_agents, hour_counts, link_keys
from detector.linking.timing import link_timing
from detector.scoring import AccountView, GroupScore, disabled_signals, group_score
from features.shared_index import SharedIndex

LOUVAIN_ABOVE = 8
STRONG_LINK = 0.75    # one link this strong is enough to belong to a group
MEMBER_LINK = 0.6     # with only two links, the stronger must reach this
TRANSPARENT_ORG = 3   # an organisation with this many active accounts is a known multi-key customer
BALANCE_HOURS = 24    # hours of recent activity behind co-activity links and load balancing


@dataclass
class Candidate:
    """A scored community of accounts."""

    members: list[AccountView]
    score: GroupScore
    links: LinkSet
    index_of: dict[str, int]


def find_groups(views: list[AccountView], profiles: np.ndarray, has_profile: np.ndarray, index: SharedIndex,
                now: float, settings) -> list[Candidate]:
    """Link ``views`` (already filtered to suspicious accounts) and score each community."""
    det = settings
    counts = hour_counts([view_keys(v) for v in views], now, BALANCE_HOURS)
    links = build_links(views, profiles, has_profile, now, det, counts)
    disabled = disabled_signals(det.disabled_signals)
    combined = links.combined()
    strong = combined.data >= det.min_edge_weight
    graph = sp.coo_matrix((combined.data[strong], (combined.row[strong], combined.col[strong])),
                          shape=combined.shape).tocsr()
    graph = (graph + graph.T).tocsr()
    candidates = []
    for community in _communities(graph, det.min_accounts):
        members = _core(graph, community)
        if len(members) < det.min_accounts:
            continue
        linkage = _linkage(graph, members)
        balance = load_balancing(counts[members])
        score = group_score([views[i] for i in members], linkage, balance, disabled)
        candidates.append(Candidate([views[i] for i in members], score, links,
                                    {views[i].state.account_id: i for i in members}))
    return candidates


def build_links(views: list[AccountView], profiles: np.ndarray, has_profile: np.ndarray, now: float,
                settings, counts: np.ndarray | None = None) -> LinkSet:
    """Every hidden link among ``views`` (less ``settings.disabled_links``): the weighted account graph
    (``counts``: the views' ``hour_counts`` over the last day, computed here when not given)."""
    det = settings
    accounts = [v.state for v in views]
    keys = [view_keys(v) for v in views]
    counts = hour_counts(keys, now, BALANCE_HOURS) if counts is None else counts
    orgs = org_codes(accounts)
    links = LinkSet(len(accounts), disabled=disabled_links(det.disabled_links))
    link_infrastructure(accounts, links, det.max_key_accounts, keys, orgs)
    open_org = transparent(views)
    link_templates(accounts, keys, np.array([v.recycled for v in views]), links, det.max_key_accounts, open_org, orgs)
    link_similar_content(accounts, profiles, has_profile & ~open_org, links, det.knn_neighbours,
                         det.knn_min_similarity, orgs)
    link_timing(counts, links)
    return links


def view_keys(view: AccountView) -> LinkKeys:
    """The view's link keys, computed now for views built without them (tests, notebooks)."""
    keys = getattr(view, "keys", None)  # views restored from checkpoints of earlier versions lack them
    if keys is None:
        keys = view.keys = link_keys(view.state, view.wrappers, view.asn_user_agents or asn_user_agents(view.state))
    return keys


def transparent(views: list[AccountView]) -> np.ndarray:
    """Accounts of organisations with several accounts (``org_size``, counted over every retained account, not
    only the suspicious ones): the provider knows them as one customer, so their prompts resembling strangers'
    prompts (public benchmarks, common agent frameworks) is no hidden link."""
    return np.array([bool(v.state.org_id) and v.org_size >= TRANSPARENT_ORG for v in views], dtype=bool)


def _communities(graph: sp.csr_matrix, min_accounts: int) -> list[np.ndarray]:
    """Connected components, split into Louvain communities (igraph multilevel, deterministic seed)."""
    count, labels = connected_components(graph, directed=False)
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(count + 1))
    out: list[np.ndarray] = []
    for label in np.flatnonzero(np.diff(bounds) >= min_accounts):
        nodes = order[bounds[label]:bounds[label + 1]]
        if len(nodes) < LOUVAIN_ABOVE:
            out.append(nodes)
            continue
        sub = sp.triu(graph[nodes][:, nodes], k=1).tocoo()
        igraph.set_random_number_generator(random.Random(7))
        split = igraph.Graph(n=len(nodes), edges=list(zip(sub.row.tolist(), sub.col.tolist(), strict=True)),
                             edge_attrs={"weight": sub.data.tolist()}).community_multilevel(weights="weight")
        out.extend(nodes[np.array(part)] for part in split if part)
    return out


def _core(graph: sp.csr_matrix, nodes: np.ndarray) -> list[int]:
    """Members well inside the group: linked to at least three others, or by a link of at least
    ``MEMBER_LINK`` to two others, or by one strong link (one or two stray, borderline links make no member)."""
    nodes = np.asarray(nodes)
    while len(nodes) > 3:
        sub = graph[nodes][:, nodes].tocsr()
        degree = np.diff(sub.indptr)
        strongest = sub.max(axis=1).toarray().ravel()
        keep = (degree >= 3) | ((degree == 2) & (strongest >= MEMBER_LINK)) | (strongest >= STRONG_LINK)
        if keep.all():
            break
        nodes = nodes[keep]
    return [int(n) for n in nodes]


def _linkage(graph: sp.csr_matrix, members: list[int]) -> float:
    """Mean over members of their strongest link inside the group."""
    sub = graph[members][:, members]
    best = sub.max(axis=1).toarray().ravel()
    return float(best.mean()) if len(best) else 0.0


def load_balancing(counts: np.ndarray) -> float:
    """High when the group's combined traffic covers the clock evenly while each account stays light
    (``counts``: the members' requests per hour over the last day)."""
    if len(counts) < 3:
        return 0.0
    combined = counts.sum(axis=0)
    if combined.sum() <= 0:
        return 0.0
    coverage = float((combined > 0).mean())
    biggest_share = float(counts.sum(axis=1).max() / combined.sum())
    return max(0.0, coverage - biggest_share) if coverage >= 0.5 else 0.0
