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

# (family, anchors, pattern): a pattern is only tried on texts that contain one of its anchor substrings,
# which keeps the common case (no intent phrase at all) to a few fast substring checks.
_RULES: list[tuple[str, tuple[str, ...], str]] = [
    ("reasoning", ("step",), r"step[- ]by[- ]step"),
    ("reasoning", ("chain",), r"chain[- ]of[- ]thought"),
    ("reasoning", ("work", "reasoning", "thinking", "thought"),
     r"show (?:all |me )?(?:of )?(?:your|the) (?:full |complete |entire )?(?:work|reasoning|thinking|thought process)"),
    ("reasoning", ("reasoning", "thought", "thinking", "rationale"),
     r"(?:explain|articulate|describe|reveal|verbali[sz]e|write out|spell out) (?:in detail )?(?:your|the) "
     r"(?:internal |full |complete |entire |underlying )?(?:reasoning|thought process|thinking|rationale)"),
    ("reasoning", ("think", "reason"),
     r"(?:think|reason) (?:carefully |out loud |aloud )?(?:through|about) (?:each|every|the problem|this)"),
    ("reasoning", ("answer",), r"(?:before|prior to) (?:giving|stating|writing) (?:the|your) (?:final )?answer"),
    ("reasoning", ("trace",), r"reasoning trace"),
    ("reasoning", ("intermediate",), r"every intermediate step"),
    ("reasoning", ("derivation", "reasoning", "rationale", "justification"),
     r"(?:detailed|full|complete|exhaustive) (?:derivation|reasoning|rationale|justification)"),
    ("rubric", ("rubric",), r"\brubric\b"),
    ("rubric", ("response", "answer", "completion", "output", "solution"),
     r"(?:grade|score|rate|judge|evaluate|assess) (?:the|this|each|both) (?:following |two |candidate |model )?"
     r"(?:response|answer|completion|output|solution)s?"),
    ("rubric", ("scale",), r"on a scale (?:of|from) \d+"),
    ("rubric", ("better",), r"(?:which|what) (?:response|answer|completion) is better"),
    ("rubric", ("judge", "grader", "evaluator", "reward model"),
     r"\b(?:as|act as) (?:an? )?(?:impartial |strict |expert )?(?:judge|grader|evaluator|reward model)\b"),
    ("rubric", ("reward",), r"reward (?:model|score|signal)"),
    ("rubric", ("preference",), r"preference (?:label|judg)"),
    ("rubric", ("score",), r"score[: ]+\[?\d+\s*/\s*10"),
    ("agentic", ("agent",), r"\byou are an? (?:autonomous |software |coding |helpful )?agent\b"),
    ("agentic", ("tool", "function"), r"\b(?:call|use|invoke) the (?:\w+ )?(?:tool|function)s?\b"),
    ("agentic", ("function",), r"\bfunction[_ ]call"),
    ("agentic", ("observation", "thought", "action"), r"\b(?:observation|thought|action(?: input)?)\s*:"),
    ("agentic", ("tool",), r"\btool[_ ](?:use|call|result|output)"),
    ("agentic", ("click", "type into", "scroll", "screenshot"),
     r"\b(?:click|type into|scroll|take a screenshot)\b.{0,40}\b(?:button|field|page|screen|element)"),
    ("agentic", ("multi",), r"multi[- ]step (?:task|plan|agent)"),
    ("agentic", ("trajectory",), r"trajectory"),
    ("safe_rewrite", ("safe", "harmless", "acceptable", "compliant", "benign"),
     r"(?:rewrite|rephrase|reformulate|transform) (?:this|the following|the|my) (?:harmful |sensitive |unsafe |"
     r"risky )?(?:request|query|prompt|question|instruction)s? (?:so (?:that )?it is|to be|into (?:a|an))? ?"
     r"(?:a )?(?:safe|harmless|acceptable|compliant|benign)"),
    ("safe_rewrite", ("safe",),
     r"\bsafe(?:r)? (?:rewrite|rephrasing|reformulation|version of (?:this|the) (?:request|query|prompt))"),
    ("safe_rewrite", ("without",),
     r"without (?:triggering|violating|tripping) (?:the |any )?(?:safety|content|policy|filter)"),
    ("safe_rewrite", ("sanitize", "detoxify"), r"\b(?:sanitize|detoxify) (?:this|the following)"),
]
_COMPILED = [(FAMILIES.index(f), frozenset(anchors), re.compile(p)) for f, anchors, p in _RULES]
_ALL_ANCHORS = sorted({a for _, anchors, _ in _RULES for a in anchors}, key=len, reverse=True)
_ANCHORS = re.compile("|".join(re.escape(a) for a in _ALL_ANCHORS))
_CONTAINED = {a: frozenset(b for b in _ALL_ANCHORS if b in a) for a in _ALL_ANCHORS}  # "reward model" has "reward"
_HEAD, _TAIL = 3000, 1500


@dataclass(slots=True, frozen=True)
class IntentMatch:
    """Bit set of fired families and, per family, the phrase that fired it."""

    mask: int
    evidence: tuple[tuple[str, str], ...] = ()

    def __reduce__(self) -> tuple[object, ...]:
        """Pickle as constructor arguments (fast to load in batches from a parse process)."""
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
    for bit_index, anchors, pattern in _COMPILED if present else ():
        bit = 1 << bit_index
        if mask & bit or not anchors & present:
            continue
        match = pattern.search(lowered)
        if match is not None:
            mask |= bit
            evidence.append((FAMILIES[bit_index], match.group(0)[:80]))
    if uses_tools:
        bit = 1 << FAMILIES.index("agentic")
        if not mask & bit:
            mask |= bit
            evidence.append(("agentic", "request carries tool definitions or tool turns"))
    return IntentMatch(mask, tuple(evidence)) if mask else NO_INTENT
