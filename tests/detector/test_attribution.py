"""Where each account of a group belongs (``detector.attribution.Ties``): strongest ties, read without scipy's
reductions, equal to what those reductions give."""

from __future__ import annotations

import random

import numpy as np
import pytest
import scipy.sparse as sp

from detector.attribution import Ties
from detector.communities import Edges


def _random_ties(rng: random.Random) -> Ties:
    n = rng.randint(2, 40)
    pairs = {(i, j) for i in range(n) for j in range(i + 1, n) if rng.random() < 0.2}
    levels = [0.5, 0.6, 0.75, 0.9, 1.0]  # few levels: equal weights, where the order of preference decides
    low = np.array([p[0] for p in sorted(pairs)], dtype=np.int64)
    high = np.array([p[1] for p in sorted(pairs)], dtype=np.int64)
    weight = np.array([rng.choice(levels) for _ in sorted(pairs)])
    matrix = sp.coo_matrix((weight, (low, high)), shape=(n, n))
    return Ties([f"a{i:02d}" for i in rng.sample(range(n), n)], Edges.from_coo(matrix, min_weight=0.5))


@pytest.mark.parametrize("seed", range(40))
def test_strongest_ties_equal_the_maxima_scipy_takes(seed: int) -> None:
    rng = random.Random(seed)
    ties = _random_ties(rng)
    n, weights = len(ties.accounts), ties.weights
    others = rng.sample(ties.accounts, rng.randint(1, n))
    rows = [ties.index[o] for o in others]
    expected = weights[rows].max(axis=0).toarray().ravel()
    assert np.array_equal(ties.strongest_to_each(others), expected)
    campaign_of = {a: rng.choice("xyz") for a in ties.accounts if rng.random() < 0.6}
    strongest = ties.strongest(campaign_of)
    top = weights.max(axis=1).toarray().ravel()
    for i, account in enumerate(ties.accounts):
        tie = strongest[account]
        if top[i] == 0.0:
            assert tie is None
        else:
            assert tie is not None and weights[i, ties.index[tie]] == top[i]
