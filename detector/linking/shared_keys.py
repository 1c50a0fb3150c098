"""Accounts x keys membership matrices, and the pairs of accounts that share keys (sparse products).

A key shared by hundreds of accounts costs C time here, not Python loops; pairs come with the lower index first.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp


def shared_key_pairs(membership: sp.csr_matrix, rows_per_block: int = 1 << 13) -> sp.coo_matrix:
    """Pairs of accounts (rows) sharing columns, with the sum of the products of their values, sorted by (row,
    column) with row < column. The product is taken ``rows_per_block`` rows at a time, each block keeping only its
    pairs with later rows: the full symmetric product of thousands of accounts on a few networks would hold every
    pair twice at once."""
    n = membership.shape[0]
    membership = sp.csr_matrix(membership)
    transposed = membership.T.tocsr()
    rows, cols, data = [], [], []
    for start in range(0, n, rows_per_block):
        product = membership[start:start + rows_per_block] @ transposed
        block = product.shape[0]
        row = np.repeat(np.arange(start, start + block), np.diff(product.indptr))
        upper = row < product.indices  # the pairs with later rows
        row = row[upper]  # still grouped by row: sorting each row's columns below leaves the rows as they are
        indptr = np.concatenate([[0], np.cumsum(np.bincount(row - start, minlength=block))])
        product = sp.csr_matrix((product.data[upper], product.indices[upper], indptr), shape=product.shape)
        product.sort_indices()
        rows.append(row)
        cols.append(product.indices)
        data.append(product.data)
        del product, row, upper
    if not rows:
        return sp.coo_matrix((n, n))
    joined = []
    for parts in (data, rows, cols):  # the blocks' parts of each array go as soon as it is joined
        joined.append(np.concatenate(parts))
        parts.clear()
    return sp.coo_matrix((joined[0], (joined[1], joined[2])), shape=(n, n))


def star_pairs(holders: np.ndarray, orgs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs that tie every one of ``holders`` (sorted node ids) of one key to another holder of another
    organisation, through one hub (the first holder; its own organisation's holders through the first holder of
    another): k - 1 pairs instead of k (k - 1) / 2. None when they all belong to one organisation."""
    hub = holders[0]
    others = holders[orgs[holders] != orgs[hub]]
    if not len(others):
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    leaves = holders[1:]
    return leaves, np.where(orgs[leaves] != orgs[hub], hub, others[0])


def membership_matrix(keys_per_account: list[np.ndarray], max_members: int, min_members: int = 2,
                      values: list[np.ndarray] | None = None,
                      scale: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
                      ) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Accounts x keys matrix from each account's hashed keys (int64 arrays, ``detector.linking.keys``); keys
    held by fewer than ``min_members`` or more than ``max_members`` accounts are dropped; ``scale`` maps the
    kept keys and their numbers of accounts to factors of their columns.

    Returns the matrix, each kept key's number of accounts and the kept keys (its columns, in order).
    """
    n = len(keys_per_account)
    lengths = np.fromiter((len(keys) for keys in keys_per_account), dtype=np.int64, count=n)
    if not lengths.sum():
        return sp.csr_matrix((n, 0)), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    rows = np.repeat(np.arange(n), lengths)
    uniques, cols = np.unique(np.concatenate(keys_per_account), return_inverse=True)
    cols = cols.ravel()
    degree = np.bincount(cols, minlength=len(uniques))  # an account lists each of its keys once
    kept = (degree >= min_members) & (degree <= max_members)
    entries = kept[cols]
    data = np.ones(int(entries.sum())) if values is None else np.concatenate(values).astype(np.float64)[entries]
    renumbered = np.cumsum(kept) - 1  # kept columns keep their order
    columns = renumbered[cols[entries]]
    if scale is not None:
        data = data * scale(uniques[kept], degree[kept])[columns]
    matrix = sp.csr_matrix((data, (rows[entries], columns)), shape=(n, int(kept.sum())))
    return matrix, degree[kept], uniques[kept]
