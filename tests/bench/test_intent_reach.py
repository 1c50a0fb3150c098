"""The intent rules' reach on held-out asks (``bench/intent_reach.py``): a count, so the asks must stay held out."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import intent_reach  # noqa: E402


def _strings_of(path: Path, name: str) -> set[str]:
    """Every string literal in the assignment to ``name`` of the module at ``path``."""
    tree = ast.parse(path.read_text())
    for node in tree.body:
        targets = (node.targets if isinstance(node, ast.Assign) else
                   [node.target] if isinstance(node, ast.AnnAssign) else [])
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    raise AssertionError(f"{name} not found in {path}")


def test_the_held_out_asks_are_not_among_the_asks_the_rules_are_tested_on() -> None:
    written_from = _strings_of(ROOT / "tests" / "features" / "test_text.py", "PHRASINGS")
    for asks in (intent_reach.HELD_OUT, intent_reach.HELD_OUT_SEVENTH):
        held_out = {text for _, text in asks}
        assert len(held_out) == len(asks) == 24
        assert not held_out & written_from


def test_fired_counts_per_family() -> None:
    hits, totals = intent_reach.fired([("reasoning", "Explain your reasoning step by step."),
                                       ("reasoning", "What is the capital of France?"),
                                       ("rubric", "Rate the assistant's response on a 5-point scale.")])
    assert totals == {"reasoning": 2, "rubric": 1}
    assert hits == {"reasoning": 1, "rubric": 1}
    assert intent_reach.line("x", [("agentic", "hello")]) == "x: 0 of 1 fire (agentic 0/1)"
