"""ECOD's scores of new rows against its fitted reference, without sorting the reference again at every call.

pyod's ``ECOD.decision_function`` appends the rows to its training set and computes both tails' ECDFs over all of
it: every column sorted twice at every call, while the reference changes only at a refit. A row's ECDF value in a
column is pyod's probability at the rank of the last combined value equal to its own: the number of combined values
at most its own (left tail) or at least its own (right tail), read here by binary search in the reference's sorted
columns (``sorted_reference``, once per fit) and in the new rows' own. Every step after that is pyod's, on the same
values and the same combined skewness, so the scores are bit for bit those of ``decision_function``
(``tests/detector/test_ecod_scores.py``). Rows with a value that is not finite take pyod's own path, and so does a
model on which the two disagree on a few probe rows at fit time (``verified_reference``: a pyod version that computes
ECOD otherwise). The combined skewness is scipy's, called past its argument-checking wrapper (``column_skew``).
"""

from __future__ import annotations

import importlib
import logging
import warnings
from types import ModuleType

import numpy as np

log = logging.getLogger(__name__)
_WARNED: list[bool] = []  # the warning is given once a process
PROBE_ROWS = 16  # reference rows scored both ways by ``verified_reference``, with two rows beyond every column's range


def sorted_reference(model: object) -> np.ndarray | None:
    """The fitted model's training rows sorted column by column; None where ``ecod_scores`` cannot stand in for
    its ``decision_function`` (another model, no training set, several jobs)."""
    train = getattr(model, "X_train", None)
    if type(model).__name__ != "ECOD" or getattr(model, "n_jobs", 1) != 1 or not isinstance(train, np.ndarray) \
            or train.ndim != 2 or train.dtype != np.float64 or not np.isfinite(train).all():
        return None
    return np.sort(train, axis=0)


def verified_reference(model: object) -> np.ndarray | None:
    """``sorted_reference(model)`` when ``ecod_scores`` gives ``decision_function``'s scores bit for bit on probe rows
    (some of the reference's, with their ties, and two beyond its range); None otherwise, logged."""
    columns = sorted_reference(model)
    if columns is None:
        return None
    train: np.ndarray = model.X_train  # type: ignore[attr-defined]
    probe = np.vstack([train[:PROBE_ROWS], train.min(axis=0) - 1.0, train.max(axis=0) + 1.0])
    with warnings.catch_warnings():  # constant columns: scipy warns of its skewness, as in every ECOD call
        warnings.simplefilter("ignore", RuntimeWarning)
        same = np.array_equal(ecod_scores(model, columns, probe), model.decision_function(probe))  # type: ignore[attr-defined]
    if not same:
        (log.debug if _WARNED else log.warning)(
            "ECOD's scores read off the sorted reference differ from pyod's on this pyod version; scoring with "
            "pyod's decision_function (slower)")
        _WARNED[:] = [True]
        return None
    return columns


def ecod_scores(model: object, columns: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``model.decision_function(rows)`` (pyod's ECOD, one job), given ``columns = sorted_reference(model)``."""
    rows = np.asarray(rows)
    if rows.ndim != 2 or rows.dtype != np.float64 or not np.isfinite(rows).all():
        return np.asarray(model.decision_function(rows))  # type: ignore[attr-defined]
    train: np.ndarray = model.X_train  # type: ignore[attr-defined]
    total, width = len(train) + len(rows), train.shape[1]
    probabilities = np.linspace(np.ones(width) / total, np.ones(width), total)  # as pyod's ``column_ecdf``
    own = np.sort(rows, axis=0)
    at_most = np.empty(rows.shape, dtype=np.intp)
    below = np.empty(rows.shape, dtype=np.intp)
    for j in range(width):
        values = rows[:, j]
        at_most[:, j] = columns[:, j].searchsorted(values, "right") + own[:, j].searchsorted(values, "right")
        below[:, j] = columns[:, j].searchsorted(values, "left") + own[:, j].searchsorted(values, "left")
    lanes = np.arange(width)
    left = probabilities[at_most - 1, lanes]  # the last of its equals among values ascending
    right = probabilities[total - below - 1, lanes]  # the same, descending (pyod's ECDF of -X)
    u_l = -1 * np.log(left)
    u_r = -1 * np.log(right)
    skewness = np.sign(column_skew(importlib.import_module(type(model).__module__),
                                   np.concatenate((train, rows), axis=0)))
    u_skew = u_l * -1 * np.sign(skewness - 1) + u_r * np.sign(skewness + 1)
    outlying = np.maximum(u_l, u_r)
    outlying = np.maximum(u_skew, outlying)
    return np.asarray(outlying.sum(axis=1).ravel())


def column_skew(module: ModuleType, data: np.ndarray) -> np.ndarray:
    """``module.skew(data, axis=0)`` for pyod's ECOD ``module`` (scipy's skewness of each column, NaN as 0) and finite
    float64 ``data``. scipy's ``skew`` is wrapped by its axis and NaN-policy handling, which for such data moves the
    axis last and calls the function itself: that call, made here directly, gives the same values bit for bit
    (``tests/detector/test_ecod_scores.py``) without the wrapper's checks, a copy of the data and a scan for NaN,
    which cost more than the skewness itself on the few rows of an evaluation. Where the module's ``skew`` is not
    built on scipy's (another pyod), its own is called."""
    direct = getattr(getattr(module, "skew_sp", None), "__wrapped__", None)
    if direct is None or module.skew_sp is not _scipy_skew():
        return np.asarray(module.skew(data, axis=0))
    return np.nan_to_num(direct(np.moveaxis(data, 0, -1), axis=-1))


def _scipy_skew() -> object:
    from scipy.stats import skew

    return skew
