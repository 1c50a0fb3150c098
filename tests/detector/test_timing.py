"""Timing links: co-activity beyond the population's rhythm, drawn only for pairs other links already connect."""

from __future__ import annotations

import math

import numpy as np

from detector.linking import timing
from detector.linking.edges import CONTENT, LinkSet
from detector.linking.timing import TIMING_WEIGHT, centred_shares, link_timing, pair_cosines, shares_by_hour

HOURS = 24


def hours(*active: int, requests: int = 1) -> np.ndarray:
    row = np.zeros(HOURS)
    row[list(active)] = requests
    return row


def population(*rows: np.ndarray) -> np.ndarray:
    """The given accounts first, then eight ordinary accounts spread over the day."""
    others = [hours(h, (h + 7) % HOURS, (h + 13) % HOURS) for h in range(0, HOURS, 3)]
    return np.vstack([*rows, *others])


def linked(counts: np.ndarray, *pairs: tuple[int, int]) -> dict[tuple[int, int], float]:
    """The co-activity links drawn over ``counts`` when ``pairs`` already share a template."""
    links = LinkSet(len(counts))
    rows, cols = zip(*pairs, strict=True)
    links.add("shared_template", CONTENT, np.array(rows), np.array(cols), np.full(len(pairs), 0.4))
    link_timing(counts, links, min_edge_weight=0.5)
    if "co_activity" not in links.pairs:
        return {}
    codes, weights = links.pairs["co_activity"]
    return {(int(c // links.n), int(c % links.n)): float(w) for c, w in zip(codes, weights, strict=True)}


def test_accounts_on_one_schedule_are_linked_when_other_evidence_already_connects_them() -> None:
    shift = hours(2, 3, 4, 5, requests=3)
    timing = linked(population(shift, shift, shift), (0, 1))  # 2 keeps the same hours but shares nothing else
    assert set(timing) == {(0, 1)}
    assert abs(timing[(0, 1)] - TIMING_WEIGHT) < 1e-6  # identical hours: cosine 1


def test_different_schedules_are_not_linked() -> None:
    assert linked(population(hours(2, 3, 4, 5), hours(14, 15, 16, 17)), (0, 1)) == {}


def test_pairs_too_weak_to_reach_the_graph_get_no_timing_link() -> None:
    shift = hours(2, 3, 4, 5)
    counts = population(shift, shift)
    links = LinkSet(len(counts))
    links.add("shared_template", CONTENT, np.array([0]), np.array([1]), np.array([0.1]))  # 0.1 + 0.3 < 0.5
    link_timing(counts, links, min_edge_weight=0.5)
    assert "co_activity" not in links.pairs


def _pairs(n: int, seed: int = 11) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hour counts of ``n`` accounts, the codes of all their pairs and the cosines gathered pair by pair."""
    counts = np.random.default_rng(seed).poisson(1.0, (n, HOURS)).astype(np.float64)
    low, high = np.triu_indices(n, 1)
    centred = shares_by_hour(counts)
    centred -= centred.mean(axis=0, keepdims=True)
    norms = np.linalg.norm(centred, axis=1)
    gathered = np.einsum("ij,ij->i", centred[low], centred[high]) / np.maximum(norms[low] * norms[high], 1e-9)
    return counts, low * n + high, gathered


def test_cosines_taken_in_blocks_equal_those_of_all_pairs_at_once(monkeypatch) -> None:
    """A farm's millions of candidate pairs are gathered a block at a time; the cosines are the same, bit for bit."""
    counts, codes, gathered = _pairs(40)
    monkeypatch.setattr(timing, "PAIRS_PER_BLOCK", 7)
    assert np.array_equal(pair_cosines(*centred_shares(counts), codes, 40), gathered)


def test_dense_pairs_read_off_the_gram_matrix_equal_the_gathered_cosines(monkeypatch) -> None:
    """Every pair of 40 accounts linked (a farm): the cosines come from one matrix product, equal to those gathered
    pair by pair up to float32 rounding, and the same bit for bit whichever block a pair falls in."""
    counts, codes, gathered = _pairs(40)
    centred, norms = centred_shares(counts)
    gram = timing.gram_if_dense(centred, len(codes))
    assert gram is not None and gram.shape == (40, 40)
    from_gram = pair_cosines(centred, norms, codes, 40, gram)
    assert np.allclose(from_gram, gathered, rtol=0, atol=1e-6)
    monkeypatch.setattr(timing, "PAIRS_PER_BLOCK", 7)
    assert np.array_equal(pair_cosines(centred, norms, codes, 40, gram), from_gram)


def test_a_gram_matrix_only_for_dense_pairs_among_a_few_thousand_accounts() -> None:
    """Under ``GRAM_MIN_DENSITY`` of all pairs linked, or over ``GRAM_MAX_ACCOUNTS`` accounts, the pairs' vectors
    are gathered: the matrix would cost more than it saves."""
    centred = np.zeros((200, HOURS), dtype=np.float32)
    dense_from = math.ceil(timing.GRAM_MIN_DENSITY * 200 * 199 / 2)
    assert timing.gram_if_dense(centred, dense_from) is not None
    assert timing.gram_if_dense(centred, dense_from - 1) is None
    many = np.zeros((timing.GRAM_MAX_ACCOUNTS + 1, 2), dtype=np.float32)
    assert timing.gram_if_dense(many, len(many) ** 2) is None


def test_link_timing_links_a_farm_the_same_with_its_gram_matrix(monkeypatch) -> None:
    """Co-activity links of a densely linked set: the same pairs, and weights within float32 rounding, as when every
    pair's vectors are gathered."""
    counts, codes, _ = _pairs(60, seed=8)
    counts[:30] = 8 * hours(2, 3, 14, 15) + np.random.default_rng(1).poisson(0.2, (30, HOURS))  # one schedule

    def co_activity(gram_max: int) -> tuple[np.ndarray, np.ndarray]:
        monkeypatch.setattr(timing, "GRAM_MAX_ACCOUNTS", gram_max)
        links = LinkSet(60)
        links.add_codes("shared_ips", "infrastructure", codes, np.full(len(codes), 0.3))
        link_timing(counts, links)
        return links.pairs["co_activity"]

    (gathered_codes, gathered), (gram_codes, from_gram) = co_activity(0), co_activity(4096)
    assert len(gathered_codes) >= 30 * 29 // 2  # the shared schedule is linked
    assert np.array_equal(gram_codes, gathered_codes) and np.allclose(from_gram, gathered, rtol=0, atol=1e-6)
