"""ECOD's scores of new rows read off the sorted reference: pyod's ``decision_function``, bit for bit."""

from __future__ import annotations

import pickle
import warnings
from importlib import import_module

import numpy as np
import pytest

import detector.ecod_scores as ecod_scores_module
from detector.anomaly import AnomalyScorer
from detector.ecod_scores import column_skew, ecod_scores, sorted_reference, verified_reference
from detector.pyod_loading import import_ecod


def _fitted(reference: np.ndarray) -> object:
    model = import_ecod()()
    model.fit(reference)
    return model


def _pyod(model: object, rows: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(model.decision_function(rows))  # type: ignore[attr-defined]


def _ours(model: object, rows: np.ndarray) -> np.ndarray:
    columns = sorted_reference(model)
    assert columns is not None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return ecod_scores(model, columns, rows)


def _data(kind: str, rng: np.random.Generator, rows: int, width: int) -> np.ndarray:
    if kind == "normal":
        return rng.normal(size=(rows, width))
    if kind == "ties":  # few distinct values, signed zeros among them: runs of equal values in every column
        return rng.integers(0, 4, size=(rows, width)) * rng.choice([-0.0, 0.0, 0.5, 1.0], size=(rows, width))
    data = rng.exponential(size=(rows, width))  # skewed, with a constant column (its skewness is NaN, taken as 0)
    data[:, 0] = 3.0
    return data


@pytest.mark.parametrize("kind", ["normal", "ties", "skewed"])
def test_scores_equal_pyods_decision_function_bit_for_bit(kind: str) -> None:
    rng = np.random.default_rng(11)
    for _ in range(40):
        width = int(rng.integers(1, 19))
        model = _fitted(_data(kind, rng, int(rng.integers(50, 1200)), width))
        rows = _data(kind, rng, int(rng.integers(1, 300)), width)
        assert np.array_equal(_ours(model, rows), _pyod(model, rows))


def test_rows_equal_to_reference_values_and_more_rows_than_the_reference() -> None:
    rng = np.random.default_rng(12)
    reference = rng.integers(0, 3, size=(60, 5)).astype(np.float64)
    model = _fitted(reference)
    for rows in (reference[:1], reference, np.vstack([reference] * 4), np.full((1, 5), -7.0), np.full((3, 5), 9.0)):
        assert np.array_equal(_ours(model, rows), _pyod(model, rows))


def test_column_skew_is_pyods_skew_bit_for_bit() -> None:
    """scipy's skewness called past its wrapper: the same values, on data where it is near zero or undefined too."""
    module = import_module(type(import_ecod()()).__module__)
    rng = np.random.default_rng(18)
    for _ in range(60):
        rows, width = int(rng.integers(1, 900)), int(rng.integers(1, 24))
        data = _data(str(rng.choice(["normal", "ties", "skewed"])), rng, rows, width)
        data[:, -1] = 0.1  # a constant whose mean is inexact: scipy's precision-loss path, a skewness of noise
        if width > 2:
            half = rng.normal(size=(rows + 1) // 2)
            data[:, 1] = np.concatenate([half, -half])[:rows]  # symmetric: a skewness near zero
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            assert np.array_equal(column_skew(module, data), module.skew(data, axis=0))


def test_rows_with_values_that_are_not_finite_take_pyods_path() -> None:
    rng = np.random.default_rng(13)
    model = _fitted(rng.normal(size=(100, 3)))
    rows = rng.normal(size=(4, 3))
    rows[1, 2] = np.inf
    assert np.array_equal(_ours(model, rows), _pyod(model, rows), equal_nan=True)


def test_no_stand_in_for_other_models_or_several_jobs() -> None:
    from pyod.models.iforest import IForest

    reference = np.random.default_rng(14).normal(size=(80, 3))
    assert sorted_reference(IForest(n_estimators=5, random_state=0).fit(reference)) is None
    assert sorted_reference(import_ecod()(n_jobs=2).fit(reference)) is None
    assert sorted_reference(import_ecod()()) is None  # not fitted: no training set


def test_the_scorer_scores_as_pyod_and_rebuilds_the_sorted_reference_after_a_checkpoint() -> None:
    rng = np.random.default_rng(15)
    scorer = AnomalyScorer("ecod")
    assert scorer.fit(rng.normal(size=(1500, 6)))  # sampled to 1,000 rows
    rows = rng.normal(size=(200, 6))
    expected = np.searchsorted(scorer._reference_scores, _pyod(scorer._model, rows), side="right") / 1000
    assert np.array_equal(scorer.score(rows), expected)
    blob = pickle.dumps(scorer)
    restored = pickle.loads(blob)
    assert restored._sorted_reference is not None
    assert np.array_equal(restored.score(rows), expected)
    assert len(blob) < 2 * 1000 * 6 * 8  # the reference once (and its scores), not with its sorted copy too


def test_a_model_whose_own_scores_differ_keeps_pyods_path(caplog: pytest.LogCaptureFixture,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    reference = np.random.default_rng(16).normal(size=(200, 4))
    model = _fitted(reference)
    assert np.array_equal(verified_reference(model), np.sort(reference, axis=0))
    own = model.decision_function
    model.decision_function = lambda rows: own(rows) + 1e-12  # a pyod version that computes ECOD otherwise
    monkeypatch.setattr(ecod_scores_module, "_WARNED", [])
    with caplog.at_level("WARNING", logger="detector.ecod_scores"):
        assert verified_reference(model) is None
        assert verified_reference(model) is None
    assert caplog.text.count("differ from pyod's") == 1  # once a process, not at every refit


def test_the_scorer_follows_pyod_where_the_two_would_differ(monkeypatch: pytest.MonkeyPatch) -> None:
    ecod = import_ecod()
    own = ecod.decision_function
    monkeypatch.setattr(ecod, "decision_function", lambda self, rows: own(self, rows) * 2.0 + 1.0)
    rng = np.random.default_rng(17)
    scorer = AnomalyScorer("ecod")
    assert scorer.fit(rng.normal(size=(300, 5)))
    assert scorer._sorted_reference is None
    rows = rng.normal(size=(50, 5))
    expected = np.searchsorted(scorer._reference_scores, _pyod(scorer._model, rows), side="right") / 300
    assert np.array_equal(scorer.score(rows), expected)
