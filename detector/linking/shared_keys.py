"""Accounts x keys membership matrices, and the pairs of accounts that share keys (sparse products).

A key shared by hundreds of accounts costs C time here, not Python loops; pairs come with the lower index first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

DIRECT_ENTRIES = 2048  # membership entries up to which a matrix is built without scipy's coordinate conversion


class KeyPairs(NamedTuple):
    """Pairs of accounts sharing keys (``shared_key_pairs``): ``row`` < ``col``, sorted by (row, column), with the sums
    of the products of their values (``data``); int32 ids as scipy's index arrays (int64 beyond 2**31 accounts)."""

    row: np.ndarray
    col: np.ndarray
    data: np.ndarray

    @property
    def nnz(self) -> int:
        return len(self.data)


def shared_key_pairs(membership: sp.csr_matrix, rows_per_block: int = 1 << 13,
                     max_pair_terms: int = 2048) -> KeyPairs:
    """Pairs of accounts (rows) sharing columns, with the sum of the products of their values, sorted by (row,
    column) with row < column. Up to ``max_pair_terms`` products (one per pair and column they share: an evaluation's
    few hundred accounts) they are listed column by column and summed per pair (``_pairs_by_column``); beyond, the
    sparse product is taken ``rows_per_block`` rows at a time, each block keeping only its pairs with later rows: the
    full symmetric product of thousands of accounts on a few networks would hold every pair twice at once. Either way
    each pair's sum is taken in column order from zero, as scipy's product takes it, so the two give the same bits.
    The pairs come as plain arrays: an evaluation takes this five times, mostly of a few dozen accounts, where building
    scipy matrices of the result would cost as much as the product."""
    n = membership.shape[0]
    ids = np.int32 if n <= np.iinfo(np.int32).max else np.int64
    if not membership.nnz:  # no key held by two of the accounts: no product to take
        return _no_pairs(ids)
    if not isinstance(membership, sp.csr_matrix):
        membership = sp.csr_matrix(membership)
    if not membership.has_sorted_indices:  # (a column selection or product): each pair's sum in key order
        membership = membership.sorted_indices()
    holders = np.bincount(membership.indices, minlength=membership.shape[1])
    if membership.dtype == np.float64 and int((holders * (holders - 1) // 2).sum()) <= max_pair_terms:
        return _pairs_by_column(membership, holders, ids)
    transposed = membership.T.tocsr()
    whole = n <= rows_per_block
    rows, cols, data = [], [], []
    for start in range(0, n, rows_per_block):
        product = (membership if whole else membership[start:start + rows_per_block]) @ transposed
        if whole:  # symmetric, each entry summed in key order both ways: its CSC form is its CSR form
            product = product.tocsc()  # with each row's columns ascending, in linear time (a sort costs more)
        else:
            product.sort_indices()  # each row's columns ascending: the pairs come sorted
        row = np.repeat(np.arange(start, start + product.shape[0], dtype=ids), np.diff(product.indptr))
        upper = row < product.indices  # the pairs with later rows
        rows.append(row[upper])
        cols.append(product.indices[upper].astype(ids, copy=False))
        data.append(product.data[upper])
        del product, row, upper
    joined = []
    for parts in (rows, cols, data):  # the blocks' parts of each array go as soon as it is joined
        joined.append(np.concatenate(parts) if len(parts) > 1 else parts[0])
        parts.clear()
    return KeyPairs(*joined)


def _no_pairs(ids: type) -> KeyPairs:
    return KeyPairs(np.empty(0, dtype=ids), np.empty(0, dtype=ids), np.empty(0))


def _pairs_by_column(membership: sp.csr_matrix, holders: np.ndarray, ids: type) -> KeyPairs:
    """``shared_key_pairs`` without a sparse product: every two holders of each column (``holders``: how many each
    has) with the product of their values, summed per pair in column order (``np.bincount`` adds in input order,
    from zero: scipy's product sums each pair as its row goes through the columns, ascending). Pairs whose sum is
    zero are left out, as the product leaves them out."""
    n = membership.shape[0]
    by_column = np.argsort(membership.indices, kind="stable")  # each column's holders by row, as they are stored
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(membership.indptr))[by_column]
    values = membership.data[by_column]
    later = np.repeat(np.cumsum(holders), holders) - np.arange(len(by_column)) - 1  # holders after each entry in
    first = np.repeat(np.arange(len(by_column)), later)  # its column, each paired with each of them
    if not len(first):
        return _no_pairs(ids)
    second = np.arange(len(first)) - np.repeat(np.cumsum(later) - later, later) + first + 1
    codes = rows[first] * n + rows[second]  # (rows ascend within a column: the lower row first)
    order = np.argsort(codes, kind="stable")  # by pair, each pair's columns ascending
    codes = codes[order]
    new_pair = np.r_[True, codes[1:] != codes[:-1]]
    sums = np.bincount(np.cumsum(new_pair) - 1, weights=(values[first] * values[second])[order])
    nonzero = sums != 0
    low, high = np.divmod(codes[new_pair][nonzero], n)
    return KeyPairs(low.astype(ids), high.astype(ids), sums[nonzero])


def key_columns(membership: sp.csr_matrix, keep: np.ndarray) -> sp.csr_matrix:
    """The ``keep`` columns (keys) of a membership matrix: the matrix itself, not copied, when it keeps them all."""
    return membership if keep.all() else membership[:, keep]


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
        return _no_keys(n)
    uniques, cols = np.unique(np.concatenate(keys_per_account), return_inverse=True)
    cols = cols.ravel()
    degree = np.bincount(cols, minlength=len(uniques))  # an account lists each of its keys once
    kept = (degree >= min_members) & (degree <= max_members)
    if not kept.any():  # no key shared (often: an evaluation of a few dozen accounts, each on its own card)
        return _no_keys(n)
    rows = np.repeat(np.arange(n), lengths)
    entries = kept[cols]
    data = np.ones(int(entries.sum())) if values is None else np.concatenate(values).astype(np.float64)[entries]
    renumbered = np.cumsum(kept) - 1  # kept columns keep their order
    columns = renumbered[cols[entries]]
    if scale is not None:
        data = data * scale(uniques[kept], degree[kept])[columns]
    return _rows_of(data, rows[entries], columns, (n, int(kept.sum()))), degree[kept], uniques[kept]


def _no_keys(n: int) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    return sp.csr_matrix((n, 0)), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)


def _rows_of(data: np.ndarray, rows: np.ndarray, columns: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    """The CSR matrix of entries given row by row (``rows`` ascending), each row's columns sorted: what scipy makes
    of them as coordinates. Up to ``DIRECT_ENTRIES`` entries without its coordinate format's conversion, which
    costs more than the rest of ``membership_matrix`` at an evaluation's usual few hundred entries (and less than a
    sort in numpy at many thousands); repeated entries, which that conversion sums, always take it."""
    if len(rows) <= DIRECT_ENTRIES:
        cells = rows * max(shape[1], 1) + columns
        order = np.argsort(cells)
        cells = cells[order]
        if not (cells[1:] == cells[:-1]).any():
            index = np.int32 if max(*shape, len(rows)) < np.iinfo(np.int32).max else np.int64
            indptr = np.zeros(shape[0] + 1, dtype=index)
            np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
            return sp.csr_matrix((data[order], columns[order].astype(index), indptr), shape=shape)
    return sp.csr_matrix((data, (rows, columns)), shape=shape)
