"""Sorted pair codes: membership, the merge of links into one union (both ways bit for bit) and the weights it gives."""

from __future__ import annotations

import numpy as np
import pytest

import detector.linking.pair_codes as pair_codes
from detector.linking.pair_codes import (
    merge_by_sort,
    merge_into_largest,
    noisy_or,
    noisy_or_where,
    sorted_contains,
    strongest_per_code,
    weighing_at_least,
)


def _links(rng: np.random.Generator, n: int, count: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """``count`` links over ``n`` nodes' pair codes, dense enough that many pairs are in three links or more."""
    links = []
    for _ in range(count):
        codes = np.unique(rng.integers(0, n * n, int(rng.integers(0, n * n // 2 + 1))))
        links.append((codes, rng.uniform(0.02, 0.99, len(codes))))
    return links


def _reference(links: list[tuple[np.ndarray, np.ndarray]]) -> dict[int, float]:
    """Each pair's log(1 - w) terms (numpy's log1p) added one by one, in the links' order, starting from 0."""
    sums: dict[int, float] = {}
    for codes, weights in links:
        for code, term in zip(codes.tolist(), np.log1p(-weights).tolist(), strict=True):
            sums[code] = sums.get(code, 0.0) + term
    return sums


@pytest.mark.parametrize("seed", range(40))
def test_both_merges_sum_each_pair_in_the_links_order_bit_for_bit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    links = _links(rng, int(rng.integers(2, 30)), int(rng.integers(1, 8)))
    expected = _reference(links)
    for union, logs in (merge_by_sort(links), merge_into_largest(links)):
        assert union.tolist() == sorted(expected)
        assert logs.tolist() == [expected[code] for code in union.tolist()]  # exact: the same additions


@pytest.mark.parametrize("seed", range(10))
def test_the_farm_merge_read_in_small_blocks_is_the_same_bit_for_bit(seed: int,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(seed)
    links = _links(rng, int(rng.integers(10, 40)), int(rng.integers(1, 6)))
    expected = _reference(links)
    monkeypatch.setattr(pair_codes, "MERGE_BLOCK", int(rng.integers(1, 9)))
    union, logs = merge_into_largest(links)
    assert union.tolist() == sorted(expected)
    assert logs.tolist() == [expected[code] for code in union.tolist()]


@pytest.mark.parametrize("block", [1, 3, 64, 1 << 20])
def test_weights_over_a_floor_taken_in_blocks_are_those_of_all_the_weights(
        block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pair_codes, "MERGE_BLOCK", block)
    logs = np.log1p(-np.random.default_rng(block).uniform(0.0, 0.99, 500))
    weights = 1.0 - np.exp(logs)
    assert noisy_or(logs).tolist() == weights.tolist()
    for floor in (0.0, 0.3, 0.5, 0.99, 1.0):
        keep = weighing_at_least(logs, floor)
        assert keep.tolist() == (weights >= floor).tolist()
        assert noisy_or_where(logs, keep).tolist() == weights[weights >= floor].tolist()


def test_merges_of_empty_links_are_empty() -> None:
    empty = [(np.empty(0, dtype=np.int64), np.empty(0))] * 3
    for union, logs in (merge_by_sort(empty), merge_into_largest(empty)):
        assert len(union) == 0 and len(logs) == 0


def test_sorted_contains_agrees_with_isin_and_strongest_per_code_takes_the_first_of_equal_weights() -> None:
    rng = np.random.default_rng(3)
    haystack = np.unique(rng.integers(0, 500, 200))
    needles = rng.integers(-5, 510, 300)
    assert sorted_contains(haystack, needles).tolist() == np.isin(needles, haystack).tolist()
    codes = np.array([7, 3, 7, 3, 9, 7])
    weights = np.array([0.5, 0.2, 0.9, 0.2, 0.1, 0.9])
    assert strongest_per_code(codes, weights).tolist() == [1, 2, 4]
