"""pyod's ECOD class, imported and run without start-up costs that hydrawatch never uses.

A replay pays for pyod on its detector's process, which bounds the replay's wall time (its parse process waits on
it). Four things cost a replay's start over a second together, and nothing in hydrawatch uses them:

- ``matplotlib`` and its ``pyplot``, imported by the ECOD module for a plotting helper (about a third of a second);
- ``pyod.utils.data``, imported by ``pyod.utils`` for its synthetic-data helpers (scikit-learn's datasets and model
  selection modules: about a third of a second);
- ``pandas``, imported by scikit-learn's ``utils.fixes`` where it is installed, for helpers that take data frames
  (about a quarter of a second);
- ``ecdf_terminate_equals_inplace``, a numba function of ECOD's ECDF that numba compiles at its first call in every
  process (about half a second): replaced by the numpy function below, which gives the same values.

While ECOD's module loads, the modules are stand-ins that import the real ones on first use (a call of one of
``pyod.utils``' data helpers, any attribute of pyplot or pandas), so pyod and scikit-learn behave as they did. Where
pyod was already imported, or a version names these things differently, it is imported as it is (slower, never
different); a module already imported is used as it is.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable
from typing import Any

import numpy as np

TIES_HELPER = "ecdf_terminate_equals_inplace"  # pyod.utils.stat_models' numba function that ``ties_take_last`` replaces
DEFERRED_CALLS = {"pyod.utils.data": ("evaluate_print", "generate_data")}  # names ``pyod.utils`` takes from the module
STAND_INS = {"matplotlib": True, "matplotlib.pyplot": False, "pandas": True,
             "pyod.utils.data": False}  # modules pyod's import does not need, and whether each is a package
_REPLACED: dict[str, Any] = {}  # pyod's functions replaced here, by name


class _OnDemand(types.ModuleType):
    """Stands in for a module while pyod imports: its ``DEFERRED_CALLS`` names are functions that import the real
    module when called; a submodule that is a stand-in too is that stand-in (``import matplotlib.pyplot`` reads
    ``pyplot`` off ``matplotlib``); any other attribute (``__version__`` too) imports the module at once. Asked for
    its ``__path__``, as the import system asks a module something is imported from, a stand-in for a plain module
    has none (it is no package: ``from pyod.utils.data import x`` imports nothing more), and one for a package
    imports the package."""

    def __getattr__(self, name: str) -> Any:
        if name == "__path__" and not STAND_INS.get(self.__name__, True):
            raise AttributeError(name)
        submodule = sys.modules.get(f"{self.__name__}.{name}")
        if isinstance(submodule, _OnDemand):
            return submodule
        if name in DEFERRED_CALLS.get(self.__name__, ()):

            def deferred(*args: Any, **kwargs: Any) -> Any:
                return getattr(self.real(), name)(*args, **kwargs)

            deferred.__name__ = name
            return deferred
        return getattr(self.real(), name)

    def real(self) -> types.ModuleType:
        """The module itself, imported now; while pyod still loads (this stand-in in ``sys.modules``), in its place."""
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return importlib.import_module(self.__name__)


def import_ecod() -> type:
    """pyod's ECOD class, its ECDF ties helper replaced (``ties_take_last``)."""
    if "pyod.models.ecod" not in sys.modules:
        stand_ins = [name for name in STAND_INS if name not in sys.modules]
        for name in stand_ins:
            sys.modules[name] = _OnDemand(name)
        try:
            importlib.import_module("pyod.models.ecod")
        finally:
            for name in stand_ins:
                if isinstance(sys.modules.get(name), _OnDemand):
                    del sys.modules[name]
    stat_models = sys.modules.get("pyod.utils.stat_models")
    helper = getattr(stat_models, TIES_HELPER, None)
    if helper is not None and hasattr(helper, "py_func"):  # numba's dispatcher: not compiled yet, or compiled
        _REPLACED[TIES_HELPER] = helper
        setattr(stat_models, TIES_HELPER, ties_take_last)
    from pyod.models.ecod import ECOD

    return ECOD


def original_ties_helper() -> Callable[[np.ndarray, np.ndarray], None] | None:
    """pyod's own ties helper as plain Python (numba's ``py_func``), for comparison; None when pyod has none."""
    import pyod.utils.stat_models as stat_models

    helper = _REPLACED.get(TIES_HELPER, getattr(stat_models, TIES_HELPER, None))
    return getattr(helper, "py_func", None)


def ties_take_last(matrix: np.ndarray, probabilities: np.ndarray) -> None:
    """In each column of ``matrix`` (sorted ascending), rows of equal values take the probability of the last row
    of their run, in place: pyod's ``ecdf_terminate_equals_inplace``, in numpy (NaN equals nothing, as there)."""
    rows = matrix.shape[0]
    if rows < 2:
        return
    run_ends = np.vstack([matrix[:-1] != matrix[1:], np.ones((1, matrix.shape[1]), dtype=bool)])
    last = np.where(run_ends, np.arange(rows)[:, None], rows)
    last = np.minimum.accumulate(last[::-1], axis=0)[::-1]
    probabilities[:] = np.take_along_axis(probabilities, last, axis=0)
