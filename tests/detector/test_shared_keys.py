"""Membership matrices and shared-key pairs: the paths for an evaluation's few dozen accounts give scipy's bits."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from detector.linking.infra import _root_rarity
from detector.linking.shared_keys import DIRECT_ENTRIES, membership_matrix, shared_key_pairs


def _random_memberships(seed: int, count: int) -> list[sp.csr_matrix]:
    rng = np.random.default_rng(seed)
    out = []
    for trial in range(count):
        rows, columns = int(rng.integers(2, 90)), int(rng.integers(1, 50))
        matrix = sp.random(rows, columns, density=rng.uniform(0.02, 0.6), format="csr",
                           random_state=int(rng.integers(1 << 30)), data_rvs=lambda k: rng.uniform(0.01, 1.0, k))
        if trial % 3 == 0:
            matrix.data[:] = 1.0
        if trial % 4 == 0:  # a column selection, as ``key_columns`` takes
            matrix = matrix[:, rng.permutation(columns)[:max(1, columns // 2)]]
        out.append(matrix)
    return out


def test_pairs_listed_by_column_are_the_sparse_products_pairs_bit_for_bit() -> None:
    """Under ``max_pair_terms`` the pairs are listed column by column and summed per pair; each sum is the sparse
    product's to the last bit (taken in column order from zero), with the same pairs, order and types."""
    for matrix in _random_memberships(5, 300):
        listed = shared_key_pairs(matrix, max_pair_terms=1 << 30)
        product = shared_key_pairs(matrix, max_pair_terms=-1)
        for ours, theirs in zip(listed, product, strict=True):
            assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs)


def test_a_pair_sharing_many_columns_is_summed_in_column_order() -> None:
    """Two accounts sharing 40 keys of unequal weights: the order of the additions shows in the last bits (checked
    below), and the listed pairs' sum is the product's, which adds in column order."""
    rng = np.random.default_rng(3)
    values = rng.uniform(0.001, 1000.0, size=(2, 40)) ** 2
    assert sum((values[0] * values[1]).tolist()) != sum(reversed((values[0] * values[1]).tolist()))
    matrix = sp.csr_matrix(values)
    listed = shared_key_pairs(matrix, max_pair_terms=1 << 30)
    product = shared_key_pairs(matrix, max_pair_terms=-1)
    assert listed.data.tolist() == product.data.tolist() == [sum((values[0] * values[1]).tolist())]


def test_pairs_with_no_shared_column_or_a_zero_sum_are_left_out() -> None:
    matrix = sp.csr_matrix(np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]))
    assert shared_key_pairs(matrix, max_pair_terms=1 << 30).nnz == 0
    matrix = sp.csr_matrix(np.array([[1.0, 2.0], [1.0, -0.5], [0.0, 3.0]]))
    for pairs in (shared_key_pairs(matrix, max_pair_terms=1 << 30), shared_key_pairs(matrix, max_pair_terms=-1)):
        assert (pairs.row.tolist(), pairs.col.tolist(), pairs.data.tolist()) == ([0, 1], [2, 2], [6.0, -1.5])


def _coordinates(keys: list[np.ndarray], values: list[np.ndarray] | None, max_members: int,
                 scale=None) -> sp.csr_matrix:
    """The membership matrix as scipy builds it from coordinates (what ``membership_matrix`` built until 2026-12-07)."""
    rows = np.repeat(np.arange(len(keys)), [len(k) for k in keys])
    uniques, cols = np.unique(np.concatenate(keys), return_inverse=True)
    degree = np.bincount(cols, minlength=len(uniques))
    kept = (degree >= 2) & (degree <= max_members)
    entries = kept[cols]
    data = np.ones(int(entries.sum())) if values is None else np.concatenate(values)[entries]
    columns = (np.cumsum(kept) - 1)[cols[entries]]
    if scale is not None:
        data = data * scale(uniques[kept], degree[kept])[columns]
    return sp.csr_matrix((data, (rows[entries], columns)), shape=(len(keys), int(kept.sum())))


def test_membership_matrix_is_the_one_scipy_builds_from_coordinates() -> None:
    """Built row by row (few entries) or through scipy's coordinates (many, or an account listing a key twice, which
    scipy sums): the same arrays, types and shape either way."""
    rng = np.random.default_rng(6)
    through_coordinates = 0
    for trial in range(200):
        size = 600 if trial % 10 == 0 else 40  # some over ``DIRECT_ENTRIES`` entries
        keys = [rng.choice(size, size=int(rng.integers(0, 8)), replace=trial % 7 == 0).astype(np.int64) << 33
                for _ in range(int(rng.integers(1, size)))]
        if not sum(len(k) for k in keys):
            continue
        entries = np.concatenate(keys)
        through_coordinates += len(entries) > DIRECT_ENTRIES or any(len(np.unique(k)) < len(k) for k in keys)
        values = [rng.uniform(0.1, 1.0, len(k)) for k in keys] if trial % 2 else None
        scale = _root_rarity if trial % 3 == 0 else None
        built = membership_matrix(keys, 30, values=values, scale=scale)[0]
        expected = _coordinates(keys, values, 30, scale)
        assert built.shape == expected.shape
        for ours, theirs in ((built.indptr, expected.indptr), (built.indices, expected.indices),
                             (built.data, expected.data)):
            assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs)
    assert through_coordinates >= 10  # both ways were taken


def test_ip_rarity_as_a_column_scale_is_the_diagonal_product_bit_for_bit() -> None:
    """Rotating IPs weighed by rarity: scaling each column as the matrix is built gives the bits of the diagonal
    product it replaced (1 x the factor is the factor; the product adds nothing else)."""
    rng = np.random.default_rng(9)
    keys = [rng.choice(30, size=int(rng.integers(0, 6)), replace=False).astype(np.int64) for _ in range(50)]
    plain, degree, _ = membership_matrix(keys, 400)
    scaled = membership_matrix(keys, 400, scale=_root_rarity)[0]
    product = plain @ sp.diags(np.sqrt(1.0 / np.log1p(np.maximum(degree, 1))))
    assert np.array_equal(scaled.toarray(), product.toarray())
    assert shared_key_pairs(scaled).data.tolist() == shared_key_pairs(product, max_pair_terms=-1).data.tolist()
