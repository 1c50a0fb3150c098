"""Extraction-intent signals: phrases that ask for training-grade outputs, with the evidence that fired.

Families: ``reasoning`` (eliciting full step-by-step / internal reasoning), ``rubric`` (grading, judging,
reward-model style scoring), ``agentic`` (tool-use traces, agent loops, computer use) and ``safe_rewrite``
("safe" rewrites of sensitive requests). One ordinary user asking for steps fires ``reasoning`` too: intent is
a group-level signal, weighed with linkage and automation, never a verdict on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from features.intent_rules import RULES

FAMILIES = ("reasoning", "rubric", "agentic", "safe_rewrite")


def _trie_pattern(words: list[str]) -> str:
    """One regex alternation of ``words`` factored by common prefixes: Python's ``re`` tries an alternation's
    branches one by one at every position, a trie of them one character. Finds the longest word at each position,
    as the plain alternation of the words sorted longest first does."""
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(root)


_COMPILED = [(FAMILIES.index(f), frozenset(anchors), tuple(re.compile(q) for q in ((p,) if isinstance(p, str) else p)))
             for f, anchors, p in RULES]
_ALL_ANCHORS = sorted({a for _, anchors, _ in RULES for a in anchors})
_ANCHORS = re.compile(_trie_pattern(_ALL_ANCHORS))
_CONTAINED = {a: frozenset(b for b in _ALL_ANCHORS if b in a) for a in _ALL_ANCHORS}  # "reward model" has "reward"
_HEAD, _TAIL = 3000, 1500


@dataclass(slots=True, frozen=True)
class IntentMatch:
    """Bit set of fired families and, per family, the phrase that fired it."""

    mask: int
    evidence: tuple[tuple[str, str], ...] = ()

    def __reduce__(self) -> tuple[object, ...] | str:
        """Pickle as constructor arguments (fast to load in batches from a parse process); ``NO_INTENT``, which
        most requests carry, as a reference to it (nothing to construct when loaded)."""
        if self is NO_INTENT:
            return "NO_INTENT"
        return IntentMatch, (self.mask, self.evidence)

    def fired(self, family: str) -> bool:
        return bool(self.mask & (1 << FAMILIES.index(family)))


NO_INTENT = IntentMatch(0)


def match_intent(text: str, uses_tools: bool = False) -> IntentMatch:
    """Which intent families a prompt fires; long prompts are read at their head and tail."""
    lowered = text.lower()
    if len(lowered) > _HEAD + _TAIL:
        lowered = lowered[:_HEAD] + "\n" + lowered[-_TAIL:]
    mask = 0
    evidence: list[tuple[str, str]] = []
    present: set[str] = set()
    for found in set(_ANCHORS.findall(lowered)):
        present |= _CONTAINED[found]
    for bit_index, anchors, patterns in _COMPILED if present else ():
        bit = 1 << bit_index
        if mask & bit or not anchors & present:
            continue
        phrases = _all_match(patterns, lowered)
        if phrases:
            mask |= bit
            evidence.append((FAMILIES[bit_index], phrases[:80]))
    if uses_tools:
        bit = 1 << FAMILIES.index("agentic")
        if not mask & bit:
            mask |= bit
            evidence.append(("agentic", "request carries tool definitions or tool turns"))
    return IntentMatch(mask, tuple(evidence)) if mask else NO_INTENT


def _all_match(patterns: tuple[re.Pattern[str], ...], text: str) -> str:
    """The matched phrases (joined by " ... ") when every pattern matches ``text``, else ""."""
    found = []
    for pattern in patterns:
        match = pattern.search(text)
        if match is None:
            return ""
        found.append(match.group(0))
    return " ... ".join(found)
