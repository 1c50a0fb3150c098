"""The links between accounts of one evaluation: per named link, its pairs' weights, and their noisy-or.

Links are computed with sparse matrix products (accounts x shared keys, ``shared_keys``), so a key shared by
hundreds of accounts costs C time, not Python loops. Pairs are stored once, with the lower index first.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from detector.linking.pair_codes import (
    MERGE_BLOCK,
    MERGE_BY_SORT_MAX_PAIRS,
    blocks,
    merge_by_sort,
    merge_into_largest,
    noisy_or,
    noisy_or_where,
    sorted_contains,
    weighing_at_least,
)

INFRASTRUCTURE = "infrastructure"
CONTENT = "content"
TIMING = "timing"
LINK_FAMILIES = {  # every link the detector draws, by family (docs/threat-coverage.md)
    "shared_payment": INFRASTRUCTURE, "shared_rotating_ips": INFRASTRUCTURE, "shared_asn_user_agent": INFRASTRUCTURE,
    "signup_wave": INFRASTRUCTURE, "shared_template": CONTENT, "similar_content": CONTENT, "co_activity": TIMING,
}

OPERATOR_TIES = frozenset({"shared_payment"})  # with every content link: ties strangers on one network or in one
                                               # place (IPs, ASN + user agent, signup hour, active hours) lack


def disabled_links(names: Collection[str]) -> frozenset[str]:
    """Validated link or family names to leave out of the graph (``detection.disabled_links``)."""
    unknown = set(names) - set(LINK_FAMILIES) - set(LINK_FAMILIES.values())
    if unknown:
        known = sorted(set(LINK_FAMILIES) | set(LINK_FAMILIES.values()))
        raise ValueError(f"unknown links {sorted(unknown)}; known: {known}")
    return frozenset(names)


@dataclass
class LinkSet:
    """Pair weights by link name over ``n`` accounts, and which family each link belongs to; links named in
    ``disabled`` (by name or family, for ablations) are never added.

    Each link is kept as sorted, unique pair codes (``low * n + high``) with their weights: combining links is
    then array concatenation, not sparse-matrix algebra."""

    n: int
    pairs: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    families: dict[str, str] = field(default_factory=dict)
    disabled: frozenset[str] = frozenset()
    sharing_sentences: np.ndarray | None = None  # pairs sharing wrapper sentences: sorted codes (``link_templates``)
    together: list[np.ndarray] = field(default_factory=list)  # groups of node ids community finding keeps whole
    _matrices: dict[str, sp.csr_matrix] = field(default_factory=dict, repr=False)
    _combined: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)  # codes, summed log(1 - w)

    def add(self, name: str, family: str, rows: np.ndarray, cols: np.ndarray, weights: np.ndarray,
            min_weight: float = 0.02) -> None:
        """Add pair weights (any order, duplicates keep the largest) under ``name``."""
        if not self.allows(name, family):
            return
        rows, cols, weights = np.asarray(rows), np.asarray(cols), np.asarray(weights, dtype=np.float64)
        keep = (rows != cols) & (weights >= min_weight)
        if not keep.all():
            rows, cols, weights = rows[keep], cols[keep], weights[keep]
        codes = np.minimum(rows, cols).astype(np.int64, copy=False)  # (a new array either way)
        codes *= self.n
        codes += np.maximum(rows, cols)
        del rows, cols
        self._store(name, family, codes, weights)

    def add_codes(self, name: str, family: str, codes: np.ndarray, weights: np.ndarray,
                  min_weight: float = 0.02) -> None:
        """``add`` for pairs given as codes (``low * n + high`` of two different accounts), as the combined links
        give them: a farm's millions of pairs are not split into rows and columns and coded again."""
        if self.allows(name, family):
            keep = weights >= min_weight
            self._store(name, family, codes if keep.all() else codes[keep], weights if keep.all() else weights[keep])

    def _store(self, name: str, family: str, codes: np.ndarray, weights: np.ndarray) -> None:
        """Keep the pairs (codes in any order) under ``name``, with those it already holds: each pair once, at its
        largest weight (at most 0.99)."""
        weights = np.minimum(weights, 0.99)
        if name in self.pairs:
            self._combined = None
            codes = np.concatenate([self.pairs[name][0], codes])
            weights = np.concatenate([self.pairs[name][1], weights])
        if len(codes) > 1 and not (codes[1:] > codes[:-1]).all():  # ``shared_key_pairs`` come sorted and unique
            order = np.argsort(codes, kind="stable")
            codes, weights = codes[order], weights[order]
        if len(codes) > 1 and (codes[1:] == codes[:-1]).any():  # repeated pairs keep their largest weight
            starts = np.flatnonzero(np.concatenate([[True], codes[1:] != codes[:-1]]))
            codes, weights = codes[starts], np.maximum.reduceat(weights, starts)
        self.pairs[name] = (codes, weights)
        self.families[name] = family
        self._matrices.pop(name, None)
        self._fold_into_combined(codes, weights)

    def keep_together(self, name: str, family: str, nodes: np.ndarray) -> None:
        """Keep ``nodes`` in one community (``communities.communities``): the link ``name`` ties them all (a
        card's holders, whether drawn as every pair or as a star, ``star_pairs``)."""
        if self.allows(name, family) and len(nodes) > 1:
            nodes = np.sort(np.asarray(nodes, dtype=np.int64))
            if not any(len(kept) == len(nodes) and np.array_equal(kept, nodes) for kept in self.together):
                self.together.append(nodes)  # (a farm's card and its wrapper's sentences: one group, kept once)

    def allows(self, name: str, family: str) -> bool:
        """Whether the link ``name`` of ``family`` is drawn (not disabled by name or family for an ablation)."""
        return name not in self.disabled and family not in self.disabled

    def _fold_into_combined(self, codes: np.ndarray, weights: np.ndarray) -> None:
        """Keep the combined links current when a new link only reweighs pairs already linked (timing links do):
        its terms are added last, as ``combined`` would add them; otherwise it is recomputed when next needed."""
        if self._combined is None:
            return
        known, logs = self._combined
        at = np.searchsorted(known, codes)
        if len(codes) and (at[-1] >= len(known) or not np.array_equal(known[at], codes)):  # ``at`` is sorted
            self._combined = None
            return
        logs[at] += np.log1p(-weights)  # in place (the sums are this object's own); codes are unique: one term each

    @property
    def matrices(self) -> dict[str, sp.csr_matrix]:
        """Each link as an upper-triangular sparse matrix (built on demand, for explanations and notebooks)."""
        for name, (codes, weights) in self.pairs.items():
            if name not in self._matrices:
                self._matrices[name] = sp.csr_matrix((weights, (codes // self.n, codes % self.n)),
                                                     shape=(self.n, self.n))
        return {name: self._matrices[name] for name in self.pairs}

    def combined(self) -> sp.coo_matrix:
        """Noisy-or of all links per pair: 1 - prod(1 - w)."""
        codes, weights = self.combined_codes()
        return sp.coo_matrix((weights, np.divmod(codes, self.n)), shape=(self.n, self.n))

    def combined_within(self, members: np.ndarray) -> sp.coo_matrix:
        """``combined`` with only the pairs among ``members`` (node ids): the same weights, bit for bit (each
        pair's terms added in the links' order), without the whole graph's."""
        if not self.pairs:
            return sp.coo_matrix((self.n, self.n))
        member = self._mask(members)
        inside = []
        for name, (codes, weights) in self.pairs.items():
            low, high = self._ends(name)
            among = member[low] & member[high]
            inside.append((codes[among], weights[among]))
        codes, logs = merge_by_sort(inside)
        return sp.coo_matrix((noisy_or(logs), np.divmod(codes, self.n)), shape=(self.n, self.n))

    def drop_sums(self) -> None:
        """Forget the combined sums (recomputed when next needed): an evaluation draws its graph from them once,
        and a farm's are hundreds of MB."""
        self._combined = None

    def combined_codes(self, min_weight: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``combined`` as sorted pair codes (``low * n + high``) and their weights; given ``min_weight``, those at
        or above it, in new arrays the caller owns (a farm's millions of weights are not all live beside the kept
        ones)."""
        if not self.pairs:
            return np.empty(0, dtype=np.int64), np.empty(0)
        codes, logs = self._combined_logs()
        if min_weight is None:
            return codes, noisy_or(logs)
        keep = weighing_at_least(logs, min_weight)
        return codes[keep], noisy_or_where(logs, keep)

    def linked_pairs(self) -> int:
        """How many pairs any link connects."""
        return len(self._combined_logs()[0]) if self.pairs else 0

    def linked_code_blocks(self, min_weight: float, block: int = MERGE_BLOCK) -> Iterator[np.ndarray]:
        """The sorted codes of the pairs whose combined weight is at least ``min_weight``, in new arrays, one per
        ``block`` combined pairs (none while no pair is linked)."""
        if not self.pairs:
            return
        codes, logs = self._combined_logs()
        keep = weighing_at_least(logs, min_weight)
        for part in blocks(len(codes), block):
            yield codes[part][keep[part]]

    def _combined_logs(self) -> tuple[np.ndarray, np.ndarray]:
        """Every linked pair's code, sorted, and its summed log(1 - w) (``_combine``, kept until a link changes)."""
        if self._combined is None:
            self._combined = self._combine()
        return self._combined

    def _combine(self) -> tuple[np.ndarray, np.ndarray]:
        """Every linked pair's code, sorted, and the sum of its links' log(1 - w), added in the links' order."""
        links = list(self.pairs.values())
        if sum(len(codes) for codes, _ in links) > MERGE_BY_SORT_MAX_PAIRS:
            return merge_into_largest(links)
        return merge_by_sort(links)

    def operator_tied(self, members: np.ndarray) -> bool:
        """Whether most of ``members`` (node ids) share a payment instrument or content with another member: an
        incidental pair (two strangers who happen to phrase a request alike) is not enough."""
        return bool(len(self.operator_tied_members(members)) > len(members) / 2)

    def operator_tied_members(self, members: np.ndarray) -> np.ndarray:
        """The ``members`` (node ids) that share a payment instrument or content with another member, sorted."""
        return self.linked_by([name for name in self.pairs if name in OPERATOR_TIES or self.families[name] == CONTENT],
                              members)

    def linked_by(self, names: Collection[str], members: np.ndarray) -> np.ndarray:
        """The ``members`` (node ids) that any of the links ``names`` joins to another member, sorted."""
        member = self._mask(members)
        nodes = np.flatnonzero(member)
        tied = np.zeros(self.n, dtype=bool)
        for name in names:
            if name in self.pairs:
                low, high = self._pairs_from(name, nodes)
                inside = member[high]
                tied[low[inside]] = tied[high[inside]] = True
        return np.flatnonzero(tied)

    def _pairs_from(self, name: str, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The pairs of the link ``name`` whose lower end is one of ``nodes`` (sorted node ids), as their two ends:
        each node's pairs are one run of the sorted codes, so a community's are found without a pass over a farm's
        every pair."""
        codes = self.pairs[name][0]
        first = nodes.astype(np.int64) * self.n
        start = np.searchsorted(codes, first)
        count = np.searchsorted(codes, first + self.n) - start
        total = int(count.sum())
        if not total:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        at = np.repeat(start - (np.cumsum(count) - count), count) + np.arange(total)
        low = np.repeat(nodes, count)
        return low, codes[at] - low.astype(np.int64) * self.n

    def pairs_within(self, members: np.ndarray) -> dict[str, int]:
        """Per link, the number of pairs it joins among ``members`` (node ids)."""
        member = self._mask(members)
        out = {}
        for name in self.pairs:
            low, high = self._ends(name)
            out[name] = int(np.count_nonzero(member[low] & member[high]))
        return out

    def _mask(self, members: np.ndarray) -> np.ndarray:
        member = np.zeros(self.n, dtype=bool)
        member[members] = True
        return member

    def _ends(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The two node ids of each pair the link ``name`` joins."""
        return np.divmod(self.pairs[name][0], self.n)

    def link_bits(self, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        """For each pair (``low[i]``, ``high[i]``), its links as bits: bit ``b`` for the ``b``-th link of ``pairs``."""
        codes = np.minimum(low, high).astype(np.int64) * self.n + np.maximum(low, high)
        combos = np.zeros(len(codes), dtype=np.int64)
        for bit, (linked, _) in enumerate(self.pairs.values()):
            combos |= sorted_contains(linked, codes).astype(np.int64) << bit
        return combos

    def pair(self, a: int, b: int) -> dict[str, float]:
        """Weights of each link between two accounts."""
        code = min(a, b) * self.n + max(a, b)
        out = {}
        for name, (codes, weights) in self.pairs.items():
            at = int(np.searchsorted(codes, code))
            if at < len(codes) and codes[at] == code:
                out[name] = float(weights[at])
        return out
