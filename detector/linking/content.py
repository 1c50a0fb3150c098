"""Content links: shared wrapper templates around novel tasks, and faiss kNN over account content profiles.

Recycled texts (the same prompt from many accounts: viral prompts, fixed benchmark items) are not evidence of
a shared operator, so template links are discounted by how much of the pair's traffic is recycled, and
content profiles are built from non-recycled prompts only.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from detector.linking.edges import CONTENT, EdgeBook, Link
from detector.linking.infra import org_key
from features.account import AccountState
from features.shared_index import SharedIndex

TEMPLATE_WEIGHT = 0.85
TEMPLATE_FULL_OVERLAP = 0.5
CONTENT_BASE, CONTENT_SPAN = 0.3, 0.4


def recycled_share(state: AccountState, index: SharedIndex) -> float:
    """Share of the account's recent distinct texts that other accounts sent too."""
    if not state.text_hashes:
        return 0.0
    return sum(index.is_recycled(h) for h in state.text_hashes) / len(state.text_hashes)


def wrapper_shares(state: AccountState, index: SharedIndex, max_accounts: int) -> dict[int, float]:
    """Per wrapper key, the share of the account's requests that contain it."""
    events = max(state.events, 1)
    return {k: c / events for k, c in state.template_keys.items()
            if k is not None and index.is_wrapper(k, max_accounts)}


def link_templates(accounts: list[AccountState], shares: list[dict[int, float]], recycled: list[float],
                   book: EdgeBook, max_members: int) -> None:
    """Link accounts whose requests share wrapper sentences (histogram intersection of wrapper shares)."""
    by_key: dict[int, list[int]] = defaultdict(list)
    for i, account_shares in enumerate(shares):
        for key in account_shares:
            by_key[key].append(i)
    overlap: dict[tuple[int, int], float] = defaultdict(float)
    for key, members in by_key.items():
        if len(members) < 2 or len(members) > max_members:
            continue
        for x, a in enumerate(members):
            for b in members[x + 1:]:
                overlap[(a, b)] += min(shares[a][key], shares[b][key])
    for (a, b), value in overlap.items():
        if org_key(accounts[a]) == org_key(accounts[b]):
            continue
        novelty = 1.0 - max(recycled[a], recycled[b])
        weight = TEMPLATE_WEIGHT * min(1.0, value / TEMPLATE_FULL_OVERLAP) * novelty
        if weight >= 0.05:
            book.add(a, b, Link("shared_template", CONTENT, weight, {"wrapper_overlap": round(value, 3)}))


def link_similar_content(accounts: list[AccountState], profiles: np.ndarray, has_profile: np.ndarray,
                         book: EdgeBook, neighbours: int, min_similarity: float) -> None:
    """faiss kNN over centred, normalized content profiles; close neighbours are linked."""
    import faiss

    rows = np.flatnonzero(has_profile)
    if len(rows) < 2:
        return
    vectors = profiles[rows].astype(np.float32)
    vectors -= vectors.mean(axis=0, keepdims=True)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = np.ascontiguousarray(vectors / np.maximum(norms, 1e-9), dtype=np.float32)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    k = min(neighbours + 1, len(rows))
    similarities, neighbours_idx = index.search(vectors, k)
    for row, (sims, idxs) in enumerate(zip(similarities, neighbours_idx, strict=True)):
        a = int(rows[row])
        for sim, col in zip(sims, idxs, strict=True):
            if col < 0 or col == row or sim < min_similarity:
                continue
            b = int(rows[col])
            if org_key(accounts[a]) == org_key(accounts[b]):
                continue
            weight = CONTENT_BASE + CONTENT_SPAN * (float(sim) - min_similarity) / max(1e-6, 1 - min_similarity)
            book.add(a, b, Link("similar_content", CONTENT, weight, {"cosine": round(float(sim), 3)}))
