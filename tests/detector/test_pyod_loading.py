"""pyod's ECOD imported without its unused start-up costs (``detector.pyod_loading``): the same scores, and pyod's
helpers still there when called."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from detector import pyod_loading
from detector.pyod_loading import import_ecod, original_ties_helper, ties_take_last

ROOT = Path(__file__).resolve().parents[2]


def _fresh_process(code: str) -> str:
    """What ``code`` prints in a new interpreter (one that has not imported pyod), from the project's root."""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _sorted_with_ties(rng: np.random.Generator, rows: int, columns: int) -> np.ndarray:
    matrix = rng.integers(0, 6, size=(rows, columns)).astype(np.float64)  # few values: long runs of ties
    matrix[rng.random((rows, columns)) < 0.05] = np.nan
    return np.sort(matrix, axis=0)


def test_ties_take_the_probability_of_the_last_row_of_their_run() -> None:
    matrix = np.array([[1.0], [1.0], [2.0], [3.0], [3.0], [3.0]])
    probabilities = np.array([[0.1], [0.2], [0.3], [0.4], [0.5], [0.6]])
    ties_take_last(matrix, probabilities)
    assert probabilities.ravel().tolist() == [0.2, 0.2, 0.3, 0.6, 0.6, 0.6]


def test_ties_helper_gives_pyods_values_bit_for_bit() -> None:
    import_ecod()
    original = original_ties_helper()
    if original is None:
        pytest.skip("this pyod version has no numba ties helper to compare with")
    rng = np.random.default_rng(3)
    for rows, columns in ((1, 3), (2, 1), (57, 18), (400, 5)):
        matrix = _sorted_with_ties(rng, rows, columns)
        probabilities = np.linspace(np.ones(columns) / rows, np.ones(columns), rows)
        expected, found = probabilities.copy(), probabilities.copy()
        original(matrix, expected)
        ties_take_last(matrix, found)
        assert np.array_equal(found, expected)


def test_ecod_scores_equal_those_of_pyods_own_helper() -> None:
    ecod = import_ecod()
    original = original_ties_helper()
    if original is None:
        pytest.skip("this pyod version has no numba ties helper to compare with")
    import pyod.utils.stat_models as stat_models

    rng = np.random.default_rng(5)
    reference = np.round(rng.random((300, 18)), 1)  # rounded: ties in every column
    scored = np.round(rng.random((40, 18)), 1)
    ours = ecod().fit(reference)
    ours_scores = ours.decision_function(scored)
    replaced = getattr(stat_models, pyod_loading.TIES_HELPER)
    setattr(stat_models, pyod_loading.TIES_HELPER, original)
    try:
        theirs = ecod().fit(reference)
        theirs_scores = theirs.decision_function(scored)
    finally:
        setattr(stat_models, pyod_loading.TIES_HELPER, replaced)
    assert replaced is ties_take_last
    assert np.array_equal(ours.decision_scores_, theirs.decision_scores_)
    assert np.array_equal(ours_scores, theirs_scores)


def test_a_fresh_process_loads_no_data_helpers_pyplot_or_pandas_until_they_are_used() -> None:
    """In a process that had not imported pyod: ECOD scores without scikit-learn's dataset modules, matplotlib or
    pandas; pyod's data helper still works when called (it imports its module then), and so do pyod's plotting
    module and scikit-learn's pandas (each imports the real module at its first use)."""
    code = (
        "import sys, numpy as np\n"
        "from detector.pyod_loading import import_ecod\n"
        "ecod = import_ecod()\n"
        "ecod().fit(np.random.default_rng(0).random((60, 4)))\n"
        "print(sorted(m for m in ('pyod.utils.data', 'sklearn.datasets', 'matplotlib', 'matplotlib.pyplot',\n"
        "                         'pandas') if m in sys.modules))\n"
        "from pyod.utils import generate_data\n"
        "x_train, x_test, y_train, y_test = generate_data(n_train=30, n_test=10, n_features=2, random_state=1)\n"
        "print(x_train.shape, 'pyod.utils.data' in sys.modules)\n"
        "import pyod.models.ecod, sklearn.utils.fixes\n"
        "frame = sklearn.utils.fixes.pd.DataFrame({'a': [1.0, None]})\n"
        "print(type(frame).__module__, sklearn.utils.fixes.pd_fillna(sklearn.utils.fixes.pd, frame).shape)\n"
        "print(pyod.models.ecod.plt.figure.__module__)\n"
    )
    assert _fresh_process(code).splitlines() == ["[]", "(30, 2) True", "pandas (2, 1)",
                                                 "matplotlib.pyplot"]


def test_a_stand_in_asked_for_another_name_while_pyod_loads_gives_the_real_module() -> None:
    """A pyod version that takes another name from a stand-in's module at import gets the real module's (imported
    then, in the stand-in's place), not a recursion."""
    code = (
        "import sys\n"
        "from detector.pyod_loading import _OnDemand\n"
        "sys.modules['pyod.utils.data'] = stand_in = _OnDemand('pyod.utils.data')\n"
        "from pyod.utils.data import check_consistent_length\n"
        "print(sys.modules['pyod.utils.data'] is not stand_in, check_consistent_length.__module__)\n"
    )
    replaced, module = _fresh_process(code).split()
    assert replaced == "True" and module.startswith("sklearn")
