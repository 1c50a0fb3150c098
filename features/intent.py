"""Extraction-intent signals: phrases that ask for training-grade outputs, with the evidence that fired.

Families: ``reasoning`` (eliciting full step-by-step / internal reasoning), ``rubric`` (grading, judging,
reward-model style scoring), ``agentic`` (tool-use traces, agent loops, computer use) and ``safe_rewrite``
("safe" rewrites of sensitive requests). One ordinary user asking for steps fires ``reasoning`` too: intent is
a group-level signal, weighed with linkage and automation, never a verdict on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FAMILIES = ("reasoning", "rubric", "agentic", "safe_rewrite")

_PATTERNS = {
    "reasoning": [
        r"step[- ]by[- ]step",
        r"chain[- ]of[- ]thought",
        r"show (?:all |me )?(?:of )?(?:your|the) (?:full |complete |entire )?(?:work|reasoning|thinking|thought process)",
        r"(?:explain|articulate|describe|reveal|verbali[sz]e|write out|spell out) (?:in detail )?(?:your|the) "
        r"(?:internal |full |complete |entire |underlying )?(?:reasoning|thought process|thinking|rationale)",
        r"(?:think|reason) (?:carefully |out loud |aloud )?(?:through|about) (?:each|every|the problem|this)",
        r"(?:before|prior to) (?:giving|stating|writing) (?:the|your) (?:final )?answer",
        r"reasoning trace",
        r"every intermediate step",
        r"(?:detailed|full|complete|exhaustive) (?:derivation|reasoning|rationale|justification)",
    ],
    "rubric": [
        r"\brubric\b",
        r"(?:grade|score|rate|judge|evaluate|assess) (?:the|this|each|both) (?:following |two |candidate |model )?"
        r"(?:response|answer|completion|output|solution)s?",
        r"on a scale (?:of|from) \d+",
        r"(?:which|what) (?:response|answer|completion) is better",
        r"\b(?:as|act as) (?:an? )?(?:impartial |strict |expert )?(?:judge|grader|evaluator|reward model)\b",
        r"reward (?:model|score|signal)",
        r"preference (?:label|judg)",
        r"score[: ]+\[?\d+\s*/\s*10",
    ],
    "agentic": [
        r"\byou are an? (?:autonomous |software |coding |helpful )?agent\b",
        r"\b(?:call|use|invoke) the (?:\w+ )?(?:tool|function)s?\b",
        r"\bfunction[_ ]call",
        r"\b(?:observation|thought|action(?: input)?)\s*:",
        r"\btool[_ ](?:use|call|result|output)",
        r"\b(?:click|type into|scroll|take a screenshot)\b.{0,40}\b(?:button|field|page|screen|element)",
        r"multi[- ]step (?:task|plan|agent)",
        r"trajectory",
    ],
    "safe_rewrite": [
        r"(?:rewrite|rephrase|reformulate|transform) (?:this|the following|the|my) (?:harmful |sensitive |unsafe |"
        r"risky )?(?:request|query|prompt|question|instruction)s? (?:so (?:that )?it is|to be|into (?:a|an))? ?"
        r"(?:a )?(?:safe|harmless|acceptable|compliant|benign)",
        r"\bsafe(?:r)? (?:rewrite|rephrasing|reformulation|version of (?:this|the) (?:request|query|prompt))",
        r"without (?:triggering|violating|tripping) (?:the |any )?(?:safety|content|policy|filter)",
        r"\b(?:sanitize|detoxify) (?:this|the following)",
    ],
}
_COMBINED = re.compile("|".join(f"(?P<{name}>{'|'.join(pats)})" for name, pats in _PATTERNS.items()))
_HEAD, _TAIL = 3000, 1500


@dataclass(slots=True, frozen=True)
class IntentMatch:
    """Bit set of fired families and, per family, the phrase that fired it."""

    mask: int
    evidence: tuple[tuple[str, str], ...] = ()

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
    for match in _COMBINED.finditer(lowered):
        family = match.lastgroup or ""
        bit = 1 << FAMILIES.index(family)
        if not mask & bit:
            mask |= bit
            evidence.append((family, match.group(0)[:80]))
    if uses_tools:
        bit = 1 << FAMILIES.index("agentic")
        if not mask & bit:
            mask |= bit
            evidence.append(("agentic", "request carries tool definitions or tool turns"))
    return IntentMatch(mask, tuple(evidence)) if mask else NO_INTENT
