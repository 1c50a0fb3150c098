"""Content links: shared wrapper templates around novel tasks, and faiss kNN over account content profiles.

A wrapper key counts in proportion to its *specificity* (long boilerplate sentences, not a generic
"explain step by step"), and an account's share of a key is smoothed so a two-request account cannot look
fully templated. Recycled texts (viral prompts, fixed benchmark items) are no evidence of a shared operator:
template links are discounted by how much of the pair's traffic is recycled, and content profiles are built
from non-recycled prompts only. A sentence that many ordinary accounts send too (stock phrasing, a trending prompt
that each sender words around with a remark of their own) is public language: it counts in proportion to the
share of its senders among the accounts being linked. Accounts that share sentences are linked by the template
link alone: their similar profiles come from that same text, and counting them again as similar content would
bypass those discounts.
"""

from __future__ import annotations

import functools

import numpy as np

from detector.linking.edges import CONTENT, LinkSet, membership_matrix, shared_key_pairs, sorted_contains
from detector.linking.infra import org_codes
from detector.linking.keys import SHARE_SMOOTHING, SPECIFICITY_BY_WORDS, LinkKeys
from features.account import AccountState
from features.shared_index import SharedIndex

TEMPLATE_WEIGHT = 0.85
TEMPLATE_FULL_OVERLAP = 0.6
CONTENT_BASE, CONTENT_SPAN = 0.3, 0.4
CONCENTRATED = 0.75  # share of a sentence's senders among the linked accounts from which it counts fully: an
                     # operator's wrapper belongs to its accounts; a trending prompt's senders are mostly ordinary


def recycled_share(state: AccountState) -> float:
    """How much of the account's traffic re-sends known texts: texts other accounts sent too (viral prompts,
    shared benchmark items), or its own texts again (an evaluation re-running a fixed item set)."""
    if state.events == 0:
        return 0.0
    shared = min(1.0, state.recycled_events / state.events)
    repeated = 1.0 - state.distinct_texts / state.events if state.events >= 5 else 0.0
    return max(shared, repeated)


def wrapper_shares(state: AccountState, index: SharedIndex) -> dict[int, float]:
    """Per wrapper key (``index.wrappers``), the (smoothed, specificity-weighted) share of the account's requests
    containing it."""
    denominator = state.events + SHARE_SMOOTHING
    counts = state.template_keys
    by_words = SPECIFICITY_BY_WORDS
    return {key: by_words.get(key >> 32, 1.0) * counts[key] / denominator
            for key in sorted(index.wrappers.intersection(counts))}


def link_templates(accounts: list[AccountState], keys: list[LinkKeys], recycled: np.ndarray, links: LinkSet,
                   max_members: int, excluded: np.ndarray | None = None, orgs: np.ndarray | None = None,
                   index: SharedIndex | None = None) -> None:
    """Link accounts whose requests share wrapper sentences (overlap = sum over keys of sqrt(share a * share b),
    at most sqrt(cover a * cover b), ``keys.template_use``; ``keys``: the accounts' ``link_keys``).

    ``excluded`` accounts (openly known multi-account customers) take no part in content links. With the
    ``index``, a sentence counts in proportion to ``key_concentration``."""
    out = np.zeros(len(keys), dtype=bool) if excluded is None else excluded
    none = np.empty(0, dtype=np.int64)
    wrappers = [none if out[i] else k.wrappers for i, k in enumerate(keys)]
    roots = [none if out[i] else k.wrapper_roots for i, k in enumerate(keys)]
    scale = None if index is None else functools.partial(_concentration_factor, index=index)
    matrix, _ = membership_matrix(wrappers, max_members, values=roots, scale=scale)
    pairs = shared_key_pairs(matrix)
    if links.allows("shared_template", CONTENT):  # (an ablation without it leaves similar content whole)
        links.sharing_sentences = np.sort(pairs.row.astype(np.int64) * links.n + pairs.col)  # rows < cols
    orgs = org_codes(accounts) if orgs is None else orgs
    cross = orgs[pairs.row] != orgs[pairs.col]
    novelty = 1.0 - np.maximum(recycled[pairs.row], recycled[pairs.col])
    cover = np.array([getattr(k, "template_cover", 1.0) for k in keys])  # checkpoints of earlier versions lack it
    overlap = np.minimum(pairs.data, np.sqrt(cover[pairs.row] * cover[pairs.col]))
    weights = TEMPLATE_WEIGHT * np.minimum(1.0, overlap / TEMPLATE_FULL_OVERLAP) * novelty
    links.add("shared_template", CONTENT, pairs.row[cross], pairs.col[cross], weights[cross], min_weight=0.05)


def key_concentration(keys: np.ndarray, accounts_here: np.ndarray, index: SharedIndex) -> np.ndarray:
    """How much each sentence (``keys``, held by ``accounts_here`` of the accounts being linked) belongs to them
    rather than to everyone, in [0, 1]. A sentence that most of its senders share (``CONCENTRATED`` of the
    accounts the index has seen with it) counts fully; one that mostly ordinary accounts send (the stock
    phrasing of everyday requests, which a crew's filler traffic may borrow) counts in proportion: it is common
    language, not an operator's template."""
    stats = index.keys
    seen = np.array([stats[k][2] if k in stats else 0 for k in keys.tolist()], dtype=np.float64)
    here = accounts_here.astype(np.float64)
    return np.minimum(1.0, here / np.maximum(seen, here) / CONCENTRATED)


def _concentration_factor(keys: np.ndarray, accounts_here: np.ndarray, index: SharedIndex) -> np.ndarray:
    return np.sqrt(key_concentration(keys, accounts_here, index))  # a pair's overlap multiplies two of them


def link_similar_content(accounts: list[AccountState], profiles: np.ndarray, has_profile: np.ndarray,
                         links: LinkSet, neighbours: int, min_similarity: float,
                         orgs: np.ndarray | None = None) -> None:
    """faiss kNN over centred, normalized content profiles; close neighbours are linked, unless they share wrapper
    sentences (``links.sharing_sentences``, set by ``link_templates``): the template link weighs that text."""
    import faiss

    faiss.omp_set_num_threads(1)  # a few hundred profiles: threads cost more than they save
    rows = np.flatnonzero(has_profile)
    if len(rows) < 3:
        return
    vectors = profiles[rows].astype(np.float32)
    vectors -= vectors.mean(axis=0, keepdims=True)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = np.ascontiguousarray(vectors / np.maximum(norms, 1e-9), dtype=np.float32)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    k = min(neighbours + 1, len(rows))
    similarities, found = index.search(vectors, k)
    source = np.repeat(rows, k)
    valid = (found.ravel() >= 0) & (similarities.ravel() >= min_similarity)
    target = rows[np.where(valid, found.ravel(), 0)]
    sims = similarities.ravel()
    source, target, sims = source[valid], target[valid], sims[valid]
    orgs = org_codes(accounts) if orgs is None else orgs
    cross = orgs[source] != orgs[target]
    if links.sharing_sentences is not None:
        codes = np.minimum(source, target) * links.n + np.maximum(source, target)
        cross &= ~sorted_contains(links.sharing_sentences, codes)
    weights = CONTENT_BASE + CONTENT_SPAN * (sims - min_similarity) / max(1e-6, 1.0 - min_similarity)
    links.add("similar_content", CONTENT, source[cross], target[cross], weights[cross].astype(np.float64))

