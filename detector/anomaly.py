"""Per-account anomaly scores with pyod, fitted on reference traffic that excludes flagged accounts.

Scores are calibrated to [0, 1] as the share of reference accounts scoring lower (higher = more suspicious).
Following river's rule, accounts that belong to an open campaign are never part of the reference the model
learns from, so a campaign cannot teach the model that it is normal.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Collection
from typing import Any

import numpy as np

from detector.ecod_scores import ecod_scores, verified_reference
from detector.pyod_loading import import_ecod
from detector.scoring import AccountView, account_suspicion
from detector.template_roles import runs_templates

log = logging.getLogger(__name__)

MIN_REFERENCE = 50
MAX_REFERENCE = 1000  # a fixed-seed sample of larger references: ECDF ranks need no more, and each scoring call
                      # reads ranks off the whole reference (``ecod_scores``) and its skewness over it
WORKSPACE = ("U_l", "U_r", "U_skew", "O")  # ECOD's per-row matrices of its last call, kept on the model: four
                                          # times the scored rows x features (100,000 accounts: 96 MB)


def _ecod() -> object:
    return import_ecod()()


def _iforest() -> object:
    from pyod.models.iforest import IForest

    return IForest(n_estimators=100, random_state=0)


MODELS: dict[str, Callable[[], object]] = {"ecod": _ecod, "iforest": _iforest}


class AnomalyScorer:
    """A pyod model behind ``fit(reference)`` / ``score(X) -> [0, 1]``."""

    def __init__(self, model: str = "ecod") -> None:
        if model not in MODELS:
            raise ValueError(f"unknown anomaly model {model!r}; choose one of {sorted(MODELS)}")
        self.model_name = model
        self._model: object | None = None
        self._reference_scores: np.ndarray | None = None
        self._sorted_reference: np.ndarray | None = None  # ECOD's training columns, sorted (``ecod_scores``)
        self.fitted_on = 0

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_sorted_reference"}  # derived: not checkpointed

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._sorted_reference = None if self._model is None else verified_reference(self._model)
        _drop_workspace(self._model)

    @property
    def fitted(self) -> bool:
        return self._model is not None

    def fit(self, reference: np.ndarray) -> bool:
        """Fit on reference rows (accounts not flagged; at most ``MAX_REFERENCE`` of them, sampled); returns False
        when there are too few to fit."""
        if len(reference) < MIN_REFERENCE:
            return False
        if len(reference) > MAX_REFERENCE:
            rows = np.random.default_rng(0).choice(len(reference), MAX_REFERENCE, replace=False)
            reference = reference[np.sort(rows)]
        model = MODELS[self.model_name]()
        with warnings.catch_warnings():  # constant feature columns (e.g. no 429s anywhere) are expected
            warnings.simplefilter("ignore", RuntimeWarning)
            model.fit(reference)  # type: ignore[attr-defined]
        self._sorted_reference = verified_reference(model)
        _drop_workspace(model)
        self._model = model
        self._reference_scores = np.sort(np.asarray(model.decision_scores_, dtype=np.float64))  # type: ignore[attr-defined]
        self.fitted_on = len(reference)
        log.debug("anomaly model %s fitted on %d reference accounts", self.model_name, len(reference))
        return True

    def score(self, rows: np.ndarray) -> np.ndarray:
        """Calibrated anomaly scores in [0, 1]; 0.5 for every row while no model is fitted."""
        if self._model is None or self._reference_scores is None or len(rows) == 0:
            return np.full(len(rows), 0.5)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            columns = self._sorted_reference
            raw = np.asarray(self._model.decision_function(rows) if columns is None  # type: ignore[attr-defined]
                             else ecod_scores(self._model, columns, rows), dtype=np.float64)
        _drop_workspace(self._model)
        ranks = np.searchsorted(self._reference_scores, raw, side="right")
        return ranks / len(self._reference_scores)


def _drop_workspace(model: object) -> None:
    """Forget the matrices a pyod model keeps of its last call (``WORKSPACE``): the next call computes them anew, so
    they only hold memory through the campaign evaluation that follows, and bloat checkpoints."""
    for name in WORKSPACE:
        if hasattr(model, name):
            delattr(model, name)


def refit_on(scorer: AnomalyScorer, views: list[AccountView], grouped: Collection[str]) -> bool:
    """Fit ``scorer`` on the active accounts outside every campaign's groups (``grouped``: account ids) that do not
    run templates; False when too few. A campaign's card mates stay in the reference: named by their card alone,
    their behaviour flagged nothing. Accounts running shared wrappers (``template_roles.runs_templates``) are left
    out: a farm nobody flagged yet must not become the norm, against which it looks ordinary and ordinary users look
    anomalous."""
    reference = [v for v in views if v.state.account_id not in grouped and not runs_templates(v)]
    return scorer.fit(np.array([v.features for v in reference]) if reference else np.empty((0, 0)))


def rescore(scorer: AnomalyScorer, views: list[AccountView], disabled: Collection[str]) -> None:
    """Set each view's anomaly (how far into the upper half of the reference it scores) and its suspicion."""
    for view, score in zip(views, scorer.score(np.array([v.features for v in views])), strict=True):
        view.anomaly = max(0.0, 2.0 * float(score) - 1.0)
        view.suspicion = account_suspicion(view, disabled)
