"""Timing links: co-activity beyond the population's rhythm, drawn only for pairs other links already connect."""

from __future__ import annotations

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


def test_cosines_taken_in_blocks_equal_those_of_all_pairs_at_once(monkeypatch) -> None:
    """A farm's millions of candidate pairs are gathered a block at a time; the cosines are the same, bit for bit."""
    rng = np.random.default_rng(11)
    counts = rng.poisson(1.0, (40, HOURS)).astype(np.float64)
    low, high = np.triu_indices(40, 1)
    codes = low * 40 + high
    centred = shares_by_hour(counts)
    centred -= centred.mean(axis=0, keepdims=True)
    norms = np.linalg.norm(centred, axis=1)
    whole = np.einsum("ij,ij->i", centred[low], centred[high]) / np.maximum(norms[low] * norms[high], 1e-9)
    monkeypatch.setattr(timing, "PAIRS_PER_BLOCK", 7)
    assert np.array_equal(pair_cosines(*centred_shares(counts), codes, 40), whole)
