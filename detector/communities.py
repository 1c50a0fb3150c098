"""Communities of the account graph, and the members well inside each, on edge arrays.

The graph of one evaluation is a list of undirected edges (lower index first, sorted, unique) with weights.
Connected components come from scipy, large components are split with igraph's Louvain (multilevel) method,
and each community is trimmed to its core. Everything works on edge arrays grouped by community, so the cost
grows with the number of edges, not with the number of sparse-matrix operations.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from detector.linking.pair_codes import sorted_contains, strongest_per_code


def _import_igraph():  # noqa: ANN202 - the igraph module
    """igraph without its plotting backends: when matplotlib is installed (for report figures) but not yet
    imported, ``import igraph`` imports ``matplotlib.pyplot`` for its drawing module, a third of a second of
    every start; hydrawatch never draws with igraph, so matplotlib is hidden from it while it loads."""
    if "matplotlib" in sys.modules:
        import igraph
        return igraph
    sys.modules["matplotlib"] = None  # type: ignore[assignment]  # makes ``import matplotlib`` fail
    try:
        import igraph
    finally:
        del sys.modules["matplotlib"]
    return igraph


igraph = _import_igraph()
LOUVAIN_ABOVE = 12    # components with at least this many accounts are split into Louvain communities; smaller ones
                      # stay whole (modularity splits even one small crew into pieces too small to alert on) and
                      # the core rule decides their members
MEMBER_EVIDENCE = 0.8  # noisy-or of a member's links inside its group: one strong link, or several weaker ones
YOUNG_MEMBER_EVIDENCE = float(np.finfo(np.float64).tiny)  # the same for a young account (``finder.young_askers``):
                      # any one link, since every edge of the graph is over its floor (``min_edge_weight``, whatever
                      # it is configured to)
APART_CONDUCTANCE = 0.1  # a part of a community whose ties to the rest weigh at most this share of its links is a
                         # group of its own (``_apart``)


@dataclass(frozen=True)
class Edges:
    """Undirected weighted edges over ``n`` nodes: ``low[i] < high[i]``, sorted by (low, high)."""

    n: int
    low: np.ndarray
    high: np.ndarray
    weight: np.ndarray

    @classmethod
    def from_coo(cls, matrix: sp.coo_matrix, min_weight: float) -> Edges:
        """The entries of an upper-triangular matrix (in any order) at or above ``min_weight``, sorted (tests and
        notebooks; an evaluation's graph comes from ``splitting``)."""
        codes = matrix.row.astype(np.int64) * matrix.shape[0] + matrix.col
        order = np.argsort(codes, kind="stable")
        return cls.from_codes(matrix.shape[0], codes[order], matrix.data[order], min_weight)

    @classmethod
    def from_codes(cls, n: int, codes: np.ndarray, weights: np.ndarray, min_weight: float) -> Edges:
        """The pairs at or above ``min_weight`` among sorted pair codes (``low * n + high``)."""
        keep = weights >= min_weight
        return cls.splitting(n, codes[keep], weights[keep])

    @classmethod
    def splitting(cls, n: int, codes: np.ndarray, weights: np.ndarray) -> Edges:
        """The pairs of sorted pair codes (int64) and their weights, all kept; ``codes`` is split in place into the
        pairs' higher ends (a farm's graph holds millions of pairs): arrays no one else holds, as
        ``LinkSet.combined_codes`` gives them with a floor."""
        low = np.empty_like(codes)
        np.divmod(codes, n, out=(low, codes))
        return cls(n, low, codes, weights.astype(np.float64, copy=False))

    def within(self, nodes: np.ndarray) -> Edges:
        """The edges between ``nodes`` (sorted global ids), renumbered 0..len(nodes)-1 in the same order. Only the
        edges from ``nodes`` are read (edges are sorted by their lower end), so taking thousands of small
        communities out of a farm's graph does not scan the whole graph for each; all its nodes are the graph itself,
        not copied."""
        if len(nodes) == self.n:
            return self
        starts = np.searchsorted(self.low, nodes, side="left")
        counts = np.searchsorted(self.low, nodes, side="right") - starts
        total = int(counts.sum())
        at = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)  # their edges, in order
        at = at[sorted_contains(nodes, self.high[at])]
        return Edges(len(nodes), np.searchsorted(nodes, self.low[at]), np.searchsorted(nodes, self.high[at]),
                     self.weight[at])

    def evidence(self) -> np.ndarray:
        """Per node, the noisy-or of its links: 1 - prod(1 - weight)."""
        return _noisy_or(np.concatenate([self.low, self.high]), np.concatenate([self.weight, self.weight]), self.n)

    def degree_and_strongest(self) -> tuple[np.ndarray, np.ndarray]:
        """Each node's number of neighbours and its strongest link."""
        ends = np.concatenate([self.low, self.high])
        weights = np.concatenate([self.weight, self.weight])
        degree = np.bincount(ends, minlength=self.n)
        strongest = np.zeros(self.n)
        np.maximum.at(strongest, ends, weights)
        return degree, strongest


def communities(edges: Edges, min_accounts: int, together: list[np.ndarray] | None = None) -> list[np.ndarray]:
    """Connected components, split into Louvain communities (igraph multilevel, deterministic seed), each of those
    split again where it holds a group barely tied to the rest (``_apart``); node ids of communities with at least
    ``min_accounts`` nodes. Each group of ``together`` (sorted node ids, ``LinkSet.together``) stays in one
    community."""
    graph = sp.coo_matrix((np.ones(len(edges.low)), (edges.low, edges.high)), shape=(edges.n, edges.n))
    count, labels = connected_components(graph, directed=False)
    bundles = _bundles(edges.n, together) if together else None
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(count + 1))
    out: list[np.ndarray] = []
    for label in np.flatnonzero(np.diff(bounds) >= min_accounts):
        nodes = order[bounds[label]:bounds[label + 1]]
        if len(nodes) < LOUVAIN_ABOVE:
            out.append(nodes)
            continue
        parts = _louvain(edges.within(nodes), None if bundles is None else bundles[nodes])
        split = parts.max() > 0
        for part in range(parts.max() + 1):
            members = nodes[parts == part]
            if len(members) >= min_accounts:
                out.extend(_apart(edges, members, min_accounts, None if bundles is None else bundles[members])
                           if split else [members])
    return out


def _bundles(n: int, together: list[np.ndarray]) -> np.ndarray:
    """A label per node: the nodes of a ``together`` group (and of groups that share a node) share one."""
    low = np.concatenate([group[:-1] for group in together])
    high = np.concatenate([group[1:] for group in together])
    return connected_components(sp.coo_matrix((np.ones(len(low)), (low, high)), shape=(n, n)), directed=False)[1]


def _louvain(sub: Edges, bundles: np.ndarray | None = None) -> np.ndarray:
    """Louvain community labels (0, 1, ...) of the nodes of ``sub``, with a fixed seed; nodes with one of
    ``bundles`` (a label per node) are one node of the graph Louvain splits, with their links among them as its
    loop, so they share a community."""
    low, high, weights, size, inverse = sub.low, sub.high, sub.weight, sub.n, None
    if bundles is not None:
        labels, ranks = np.unique(bundles, return_inverse=True)
        if len(labels) < sub.n:  # else the graph as it is, numbered as it is
            inverse, size = ranks.ravel(), len(labels)
            low, high = inverse[low], inverse[high]
            codes, where = np.unique(np.minimum(low, high) * size + np.maximum(low, high), return_inverse=True)
            weights = np.bincount(where.ravel(), weights=weights, minlength=len(codes))
            low, high = np.divmod(codes, size)
    igraph.set_random_number_generator(random.Random(7))
    pairs = list(zip(low.tolist(), high.tolist(), strict=True))  # tuples: igraph's fastest input
    graph = igraph.Graph(n=size, edges=pairs)  # weights passed to the method: an edge attribute costs more
    membership = np.array(graph.community_multilevel(weights=weights.tolist()).membership, dtype=np.int64)
    return membership if inverse is None else membership[inverse]


def _apart(edges: Edges, nodes: np.ndarray, min_accounts: int, bundles: np.ndarray | None = None) -> list[np.ndarray]:
    """A Louvain community of a larger component (``nodes``, sorted), split on its own graph: each part whose ties to
    the rest of the community weigh at most ``APART_CONDUCTANCE`` of its links (its conductance) is a group of its
    own; the other parts stay together. Modularity, taken over a component as large as a thousand-account hydra,
    merges small groups that share a stray link or two (its resolution limit): two crews drawing tasks from one
    public benchmark would be one campaign. A crew's own cells (accounts sharing a card, tied to the others by a
    network and client) are tied far more than that and stay whole; so do ``bundles`` (as in ``_louvain``)."""
    if len(nodes) < LOUVAIN_ABOVE:
        return [nodes]
    sub = edges.within(nodes)
    parts = _louvain(sub, bundles)
    if parts.max() == 0:
        return [nodes]
    ends, weights = np.concatenate([sub.low, sub.high]), np.concatenate([sub.weight, sub.weight])
    volume = np.bincount(parts[ends], weights=weights, minlength=parts.max() + 1)
    crossing = np.concatenate([parts[sub.low] != parts[sub.high]] * 2)
    cut = np.bincount(parts[ends[crossing]], weights=weights[crossing], minlength=len(volume))
    loose = cut <= APART_CONDUCTANCE * np.minimum(volume, volume.sum() - volume)
    groups = [nodes[parts == part] for part in np.flatnonzero(loose)] + [nodes[~loose[parts]]]
    return [group for group in groups if len(group) >= min_accounts]


def core(edges: Edges, nodes: np.ndarray, bundles: np.ndarray | None = None,
         young: np.ndarray | None = None) -> tuple[np.ndarray, Edges]:
    """Members well inside the group ``nodes``: their links to the others together (noisy-or) reach
    ``MEMBER_EVIDENCE``: one strong link, two fair ones or three weak ones (a stray, borderline link makes no
    member). A member's links to a bundle it is not in (``bundles``: ``bundle_labels`` of the graph's nodes) count
    as one, its strongest: a farm's card or wrapper holders are one node for Louvain, and several of them sending
    a public prompt an ordinary user sends too are one tie to that user, not several. ``young`` nodes (a boolean per
    node of the graph) need only ``YOUNG_MEMBER_EVIDENCE``: any one link (the graph's edges are over its floor).
    Returns the members (sorted global ids) and the edges among them (renumbered)."""
    nodes = np.sort(np.asarray(nodes))
    sub = edges.within(nodes)
    labels = None if bundles is None else bundles[nodes]
    needed = np.full(len(nodes), MEMBER_EVIDENCE) if young is None else np.where(
        young[nodes], YOUNG_MEMBER_EVIDENCE, MEMBER_EVIDENCE)
    while len(nodes) > 3:
        keep = _evidence(sub, labels) >= needed
        if keep.all():
            break
        sub = sub.within(np.flatnonzero(keep))
        nodes, needed = nodes[keep], needed[keep]
        labels = None if labels is None else labels[keep]
    return nodes, sub


def bundle_labels(n: int, together: list[np.ndarray]) -> np.ndarray | None:
    """A label per node of an ``n``-node graph: shared by the nodes of a ``together`` group (and of groups that
    share a node), -1 for nodes in none; None when there are no groups."""
    if not together:
        return None
    grouped = np.zeros(n, dtype=bool)
    for group in together:
        grouped[group] = True
    return np.where(grouped, _bundles(n, together), -1)


def _evidence(sub: Edges, labels: np.ndarray | None) -> np.ndarray:
    """``Edges.evidence``, with each node's links to a bundle it is not in (``labels``, as ``core`` takes them)
    reduced to the strongest."""
    if labels is None:
        return sub.evidence()
    low_label, high_label = labels[sub.low], labels[sub.high]
    apart = np.flatnonzero(low_label != high_label)
    m = len(sub.low)  # a link is two entries, one from each end: its low end's (i) and its high end's (m + i)
    outside = np.concatenate([apart[high_label[apart] >= 0], m + apart[low_label[apart] >= 0]])  # into a bundle
    del low_label, high_label
    if not len(outside):
        return sub.evidence()
    ends, others = np.concatenate([sub.low, sub.high]), np.concatenate([sub.high, sub.low])
    weights = np.concatenate([sub.weight, sub.weight])
    kept = outside[strongest_per_code(ends[outside] * (int(labels.max()) + 1) + labels[others[outside]],
                                      weights[outside])]  # per node and bundle, its strongest link into it
    within = np.ones(len(ends), dtype=bool)
    within[outside] = False
    within[kept] = True
    return _noisy_or(ends[within], weights[within], sub.n)


def _noisy_or(ends: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """Per node of ``n``, the noisy-or of the weights of the links that end there (``ends``): 1 - prod(1 - w)."""
    logs = np.log1p(-np.minimum(weights, 0.999999))
    return 1.0 - np.exp(np.bincount(ends, weights=logs, minlength=n))


def linkage(sub: Edges) -> float:
    """Mean over a group's members of their strongest link inside the group (``sub``: its edges)."""
    if sub.n == 0:
        return 0.0
    return float(sub.degree_and_strongest()[1].mean())
