"""Content links: shared wrapper templates around novel tasks, and faiss kNN over account content profiles.

A wrapper key counts in proportion to its *specificity* (long boilerplate sentences, not a generic
"explain step by step"), and an account's share of a key is smoothed so a two-request account cannot look
fully templated. Recycled texts (viral prompts, fixed benchmark items) are no evidence of a shared operator:
template links are discounted by how much of the pair's traffic is recycled, and content profiles are built
from non-recycled prompts only. A sentence that many ordinary accounts send too (stock phrasing, a trending prompt
that each sender words around with a remark of their own) is public language: it counts in proportion to the
share of its senders that are among the accounts being linked or re-use it in the templates they run. Accounts
that share sentences are linked by the template link alone: their similar profiles come from that same text, and
counting them again as similar content would bypass those discounts. A sentence too widely held to link every
pair of its holders (a thousand-account farm's wrapper) ties each holder to a few others, drawn by chance, and
keeps its holders in one community when they are most of its senders.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp

from detector.linking.concentration import CONCENTRATED, concentration_factor, key_concentration
from detector.linking.edges import CONTENT, LinkSet
from detector.linking.infra import org_codes
from detector.linking.keys import SHARE_SMOOTHING, SPECIFICITY_BY_WORDS, LinkKeys
from detector.linking.pair_codes import sorted_contains
from detector.linking.shared_keys import key_columns, membership_matrix, shared_key_pairs
from features.account import AccountState
from features.shared_index import SharedIndex

TEMPLATE_WEIGHT = 0.85
TEMPLATE_FULL_OVERLAP = 0.6
CONTENT_BASE, CONTENT_SPAN = 0.3, 0.4
CROWDED_NEIGHBOURS = 10  # holders each holder of a sentence too widely held to link in pairs is tied to ...
CANDIDATES = 3  # ... among this many times as many of the next holders of any such sentence
TOGETHER_CONCENTRATION = 0.5  # share of a widely held sentence's senders among the linked accounts from which
                              # its holders are one community (``link_templates``)
KNN_THREADS_FROM = 2000  # profiles from which the kNN search runs on every core (measured: 3,000 profiles, 256
                         # dimensions: 72 ms on one thread, 43 on two; 1,000: 9 ms either way)


def recycled_share(state: AccountState) -> float:
    """How much of the account's traffic re-sends known texts: texts other accounts sent too (viral prompts,
    shared benchmark items), or its own texts again (an evaluation re-running a fixed item set)."""
    if state.events == 0:
        return 0.0
    shared = min(1.0, state.recycled_events / state.events)
    repeated = 1.0 - state.distinct_texts / state.events if state.events >= 5 else 0.0
    return max(shared, repeated)


def wrapper_shares(state: AccountState, index: SharedIndex) -> dict[int, float]:
    """Per wrapper key (``index.wrappers`` and ``index.crowded``), the (smoothed, specificity-weighted) share of the
    account's requests containing it."""
    denominator = state.events + SHARE_SMOOTHING
    counts = state.template_keys
    by_words = SPECIFICITY_BY_WORDS
    keys = index.wrappers.intersection(counts)
    keys.update(index.crowded.intersection(counts))
    return {key: by_words.get(key >> 32, 1.0) * counts[key] / denominator for key in sorted(keys)}


def link_templates(accounts: list[AccountState], keys: list[LinkKeys], recycled: np.ndarray, links: LinkSet,
                   max_members: int, excluded: np.ndarray | None = None, orgs: np.ndarray | None = None,
                   index: SharedIndex | None = None) -> None:
    """Link accounts whose requests share wrapper sentences (overlap = sum over keys of sqrt(share a * share b),
    at most sqrt(cover a * cover b), ``keys.template_use``; ``keys``: the accounts' ``link_keys``).

    ``excluded`` accounts (openly known multi-account customers) take no part in content links. With the
    ``index``, a sentence counts in proportion to ``key_concentration``. A sentence held by more than
    ``max_members`` of the accounts (a thousand-account farm's wrapper) links each holder to a few others
    (``crowded_pairs``) instead of to all of them; when most of its senders are among the accounts
    (``TOGETHER_CONCENTRATION``), its holders are kept in one community (``LinkSet.keep_together``), as a farm's
    card's are: with a few ties each, modularity would cut the farm into arbitrary pieces, and put a small crew
    that shares a public task with one of them into that piece. The sentences of one text that its senders each sent
    once weigh one request (``sentences_as_texts``)."""
    out = np.zeros(len(keys), dtype=bool) if excluded is None else excluded
    none = np.empty(0, dtype=np.int64)
    wrappers = [none if out[i] else k.wrappers for i, k in enumerate(keys)]
    roots = [none if out[i] else k.wrapper_roots for i, k in enumerate(keys)]
    linked = {a.account_id for a in accounts}
    runners = {} if index is None else {a: counts for a, counts in index.runners.items() if a not in linked}
    voices = {} if index is None else {a: counts for a, counts in index.people.items() if a not in linked}
    scale = None if index is None else functools.partial(concentration_factor, index=index,
                                                          runners_elsewhere=runners, voices=voices)
    orgs = org_codes(accounts) if orgs is None else orgs
    matrix, degree, column_keys = membership_matrix(wrappers, len(keys), values=roots, scale=scale)
    matrix.eliminate_zeros()  # sentences that tie no one (``key_concentration``)
    if index is not None:
        matrix, degree, column_keys = sentences_as_texts(matrix, degree, column_keys, accounts, index)
    narrow = degree <= max_members
    pairs = shared_key_pairs(key_columns(matrix, narrow))
    low, high, overlap = pairs.row.astype(np.int64), pairs.col.astype(np.int64), pairs.data
    codes = low * links.n + high  # sorted
    del pairs
    if not narrow.all():  # pairs drawn for the widely held sentences, their overlap over every sentence
        wide = matrix[:, ~narrow]
        drawn = crowded_pairs(wide, links.n)
        drawn_low, drawn_high = np.divmod(drawn, links.n)
        drawn_overlap = np.asarray(matrix[drawn_low].multiply(matrix[drawn_high]).sum(axis=1)).ravel()
        low, high = np.concatenate([low, drawn_low]), np.concatenate([high, drawn_high])
        overlap = np.concatenate([overlap, drawn_overlap])  # (``LinkSet.add`` keeps a pair's largest weight)
        new = drawn[~sorted_contains(codes, drawn)]
        codes = np.insert(codes, np.searchsorted(codes, new), new)
        if index is not None:
            _keep_crowds_together(links, wide.tocsc(), column_keys[~narrow], index, orgs, runners, voices)
    if links.allows("shared_template", CONTENT):  # (an ablation without it leaves similar content whole)
        links.sharing_sentences = codes
    cross = orgs[low] != orgs[high]
    novelty = 1.0 - np.maximum(recycled[low], recycled[high])
    cover = np.array([k.template_cover for k in keys])
    overlap = np.minimum(overlap, np.sqrt(cover[low] * cover[high]))
    weights = TEMPLATE_WEIGHT * np.minimum(1.0, overlap / TEMPLATE_FULL_OVERLAP) * novelty
    links.add("shared_template", CONTENT, low[cross], high[cross], weights[cross], min_weight=0.05)


def sentences_as_texts(matrix: sp.csr_matrix, degree: np.ndarray, column_keys: np.ndarray,
                       accounts: list[AccountState], index: SharedIndex,
                       ) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Merge the sentences (``matrix``'s columns, with their ``degree`` and keys) that no sender re-sent
    (``SharedIndex.resent``) and that the same accounts hold into one column each, weighing at most one request of
    each holder (one fully specific sentence, ``SHARE_SMOOTHING``-smoothed): the sentences of one text. A public task
    that a crew's account wrapped once and a person asked shares its ten sentences with the person in one request of
    each, not ten. A wrapper is re-used, by its crew's older accounts if not yet by a young one, and keeps its
    sentences apart. Texts are told apart by their holders among the linked accounts (the merge reads nothing but
    the matrix, the accounts' requests and which sentences were re-sent, as replay and the stream linker both have
    them): two tasks that exactly the same accounts each sent once weigh one request, not two (a weaker link, never
    a stronger one). Returns the new matrix, degrees and keys (a merged column keeps its first sentence's key)."""
    columns = matrix.tocsc()
    resent = np.fromiter((index.resent(k) for k in column_keys.tolist()), dtype=bool, count=len(column_keys))
    candidates = np.flatnonzero(~resent & (np.diff(columns.indptr) >= 2)).tolist()
    first = np.arange(matrix.shape[1])
    holders: dict[bytes, int] = {}
    for column in candidates:
        first[column] = holders.setdefault(columns.indices[columns.indptr[column]:columns.indptr[column + 1]]
                                           .tobytes(), column)
    if len(holders) == len(candidates):
        return matrix, degree, column_keys  # no two sentences of one text
    kept, group = np.unique(first, return_inverse=True)
    merge = sp.csr_matrix((np.ones(len(first)), (np.arange(len(first)), group)), shape=(len(first), len(kept)))
    summed = sp.csr_matrix(matrix.multiply(matrix) @ merge)
    merged = np.bincount(group, minlength=len(kept)) > 1
    rows = np.repeat(np.arange(summed.shape[0]), np.diff(summed.indptr))
    one_request = 1.0 / (np.fromiter((a.events for a in accounts), dtype=np.float64, count=len(accounts))
                         + SHARE_SMOOTHING)
    capped = merged[summed.indices]
    summed.data[capped] = np.minimum(summed.data[capped], one_request[rows[capped]])
    summed.data = np.sqrt(summed.data)
    return summed, degree[kept], column_keys[kept]


def _keep_crowds_together(links: LinkSet, wide: sp.csc_matrix, column_keys: np.ndarray, index: SharedIndex,
                          orgs: np.ndarray, runners_elsewhere: Mapping[str, Mapping[int | None, int]] | None = None,
                          voices: Mapping[str, Mapping[int | None, int]] | None = None) -> None:
    """Keep the holders (of several organisations) of each widely held sentence (``wide``'s columns) whose
    senders are mostly among the linked accounts in one community."""
    here = np.diff(wide.indptr)
    share = key_concentration(column_keys, here, index, runners_elsewhere, voices) * CONCENTRATED
    for column in np.flatnonzero(share >= TOGETHER_CONCENTRATION):
        holders = wide.indices[wide.indptr[column]:wide.indptr[column + 1]].astype(np.int64)
        if len(np.unique(orgs[holders])) > 1:
            links.keep_together("shared_template", CONTENT, holders)


def crowded_pairs(holdings: sp.csr_matrix, n: int) -> np.ndarray:
    """Pairs (sorted codes ``low * n + high``) that tie each holder of the widely held sentences (the columns of
    ``holdings``, accounts x sentences) to up to ``CROWDED_NEIGHBOURS`` other holders of one of its sentences: the
    first that do among the ``CANDIDATES`` x as many next holders in the accounts' order (by account id, so by
    chance). Linking every pair of a three-thousand-account farm's holders would cost millions of pairs; a few each
    keep the graph linear in them and still tie every holder. The pairs are drawn by chance, not for their
    weight: a sample that picked each holder's strongest ties (say, those keeping the same hours) would make tight
    cliques of strangers who sent a trending prompt in one hour, firmer than all their pairs together."""
    holders = np.flatnonzero(np.diff(holdings.indptr))
    if len(holders) < 2:
        return np.empty(0, dtype=np.int64)
    k = min(CANDIDATES * CROWDED_NEIGHBOURS, len(holders) - 1)
    near = (np.arange(len(holders))[:, None] + np.arange(1, k + 1)) % len(holders)
    source = np.repeat(holders, k)
    target = holders[near.ravel()]
    shared = np.asarray(holdings[source].multiply(holdings[target]).sum(axis=1)).ravel() > 0
    rank = np.cumsum(shared.reshape(near.shape), axis=1)  # the first CROWDED_NEIGHBOURS that share a sentence
    shared &= (rank <= CROWDED_NEIGHBOURS).ravel()
    source, target = source[shared], target[shared]
    return np.unique(np.minimum(source, target) * n + np.maximum(source, target))


def knn_threads(profiles: int) -> int:
    """Threads for the kNN search of ``profiles`` profiles: one for a few hundred (threads cost more than they
    save), every core for a farm's thousands (the search grows with their square; each query's neighbours are
    found by one thread, the same whichever)."""
    return 1 if profiles < KNN_THREADS_FROM else usable_cores()


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, as ``taskset`` or a container's cpuset sets it), not
    every core of the host: threads beyond them would only take turns."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def link_similar_content(accounts: list[AccountState], profiles: np.ndarray, has_profile: np.ndarray,
                         links: LinkSet, neighbours: int, min_similarity: float,
                         orgs: np.ndarray | None = None) -> None:
    """faiss kNN over centred, normalized content profiles; close neighbours are linked, unless they share wrapper
    sentences (``links.sharing_sentences``, set by ``link_templates``): the template link weighs that text."""
    import faiss

    rows = np.flatnonzero(has_profile)
    faiss.omp_set_num_threads(knn_threads(len(rows)))
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

