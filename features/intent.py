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
    ("reasoning", ("work",), r"show (?:all |me )?(?:of )?(?:your|the) (?:full |complete |entire )?work(?:ing)?\b"),
    ("reasoning", ("reasoning", "thinking", "thought", "rationale", "logic", "derivation"),
     r"(?:show|explain|articulate|describe|reveal|outline|lay out|write out|write down|spell out|detail|narrate|"
     r"verbali[sz]e|expose|include|provide|give) (?:me |us )?(?:in (?:full )?detail )?(?:all (?:of )?)?(?:your|the) "
     r"(?:full |complete |entire |internal |hidden |underlying |detailed |exact |precise |actual |whole )?"
     r"(?:reasoning|thinking|thought process|rationale|chain of reasoning|line of reasoning|reasoning process|logic|"
     r"derivation)"),
    ("reasoning", ("reasoning", "thinking", "thought", "logic", "derivation"),
     r"(?:explanation|account|breakdown|walkthrough|walk-through|narration) of (?:your|the) (?:full |complete |"
     r"entire |internal |detailed |whole |exact )?(?:reasoning|thinking|thought process|logic|derivation)"),
    ("reasoning", ("step",),
     r"(?:each|every) (?:single )?step of (?:your|the) (?:reasoning|thinking|thought process|logic|derivation)"),
    ("reasoning", ("numbered",),
     r"numbered steps?\b[^.?!\n]{0,60}\b(?:reasoning|solve|solution|answer)|(?:reasoning|solve|solution)\b"
     r"[^.?!\n]{0,60}numbered steps?\b"),
    ("reasoning", ("one step",), r"one step at a time"),
    ("reasoning", ("how you",), r"how you (?:(?:arrived|got|came) (?:at|to)|reached) (?:the|your|this|that) (?:final )?"
     r"(?:answer|conclusion|result|solution)"),
    ("reasoning", ("break",), r"break (?:down )?(?:your|the) (?:reasoning|thinking|thought process|logic)"),
    ("reasoning", ("<think", "<reasoning"), r"<think(?:ing)?>|<reasoning>"),
    ("reasoning", ("walk",),
     r"walk (?:me |us )?through (?:your|the|each|every) (?:full |complete |entire |whole )?(?:reasoning|"
     r"thought process|thinking|logic|steps?|solution|derivation)"),
    ("reasoning", ("think", "reason"),
     r"(?:think|reason) (?:carefully |out loud |aloud )?(?:through|about) (?:each|every|the problem|this)"),
    ("reasoning", ("think",), r"think (?:out loud|aloud)"),
    ("reasoning", ("answer",), r"(?:before|prior to) (?:giving|stating|writing) (?:the|your) (?:final )?answer"),
    ("reasoning", ("trace",), r"reasoning trace"),
    ("reasoning", ("intermediate",),
     r"(?:all|each|every) (?:of (?:the|your) )?intermediate (?:steps?|results?|calculations?|values?)"),
    ("reasoning", ("derivation", "reasoning", "rationale", "justification"),
     r"(?:detailed|full|complete|exhaustive) (?:derivation|reasoning|rationale|justification)"),
    ("rubric", ("rubric",), r"\brubric\b"),
    ("rubric", ("response", "answer", "completion", "output", "solution", "repl", "generation"),
     r"(?:grade|score|rate|judge|evaluate|assess|rank|compare) (?:the|this|each|both|these|all) (?:of the )?"
     r"(?:following |two |three |candidate |model(?:'s)? |assistant(?:'s)? |ai(?:'s)? |given )*"
     r"(?:response|answer|completion|output|solution|reply|replies|generation)s?"),
    ("rubric", ("response", "answer", "completion", "output", "solution", "repl", "generation"),
     r"(?:grade|score|rate|judge|evaluate|assess) the (?:quality|correctness|accuracy|helpfulness|faithfulness) of "
     r"(?:the|this|each|both|these) (?:[\w']+ )?(?:response|answer|completion|output|solution|reply|generation)s?"),
    ("rubric", ("scale",), r"on a scale (?:of|from) \d+"),
    ("rubric", ("scale",), r"on an? \d+\s*(?:-|to)\s*\d+ scale|on an? \d+[- ]point scale"),
    ("rubric", ("score", "rating", "grade"), r"(?:score|rating|grade)s? (?:from|between) \d+ (?:to|and) \d+"),
    ("rubric", ("better", "best", "preferred", "more helpful"),
     r"(?:which|what) (?:one )?(?:of (?:the|these) (?:two |following )?)?(?:response|answer|completion|reply|"
     r"output)s? (?:is|was) (?:the )?(?:better|best|preferred|more helpful|more accurate)"),
    ("rubric", ("better", "best", "preferred", "winning"),
     r"(?:pick|choose|select|indicate) (?:the )?(?:better|best|preferred|winning) (?:one|response|answer|completion|"
     r"output|reply)"),
    ("rubric", ("response a", "answer a", "output a", "assistant a", "completion a"),
     r"\b(?:response|answer|output|assistant|completion) a\b.{0,300}\b(?:response|answer|output|assistant|"
     r"completion) b\b"),
    ("rubric", ("judge", "grader", "evaluator", "reward model"),
     r"\b(?:as|act as) (?:an? )?(?:impartial |strict |expert )?(?:judge|grader|evaluator|reward model)\b"),
    ("rubric", ("reward",), r"reward (?:model|score|signal)"),
    ("rubric", ("score", "grade", "rating", "mark"),
     r"\b(?:give|assign|award) (?:the (?:response|answer|completion|output|reply)|each (?:response|answer|"
     r"completion|output|reply)) (?:a|an) (?:numeric(?:al)? |overall |quality |final )?(?:score|grade|rating|mark)\b"),
    ("rubric", ("judge", "evaluate", "assess"),
     r"\b(?:judge|evaluate|assess) (?:whether|if) (?:the|this|each) (?:model(?:'s)? |assistant(?:'s)? |ai(?:'s)? |"
     r"candidate |given )?(?:response|answer|completion|output|reply)s? (?:is|was|are)\b"),
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
    ("safe_rewrite", ("harmless", "innocuous", "compliant", "safe", "comply", "complies", "moderation", "filter"),
     r"\b(?:rewrite|rephrase|reformulate|reword|paraphrase|transform|turn|convert)\b[^.?!\n]{0,100}?"
     r"(?:\b(?:harmless|innocuous|policy[- ]compliant)\b|(?<![-\w])safe(?:r)? (?:way|version|form|request|"
     r"prompt|question|query)|\bcompl(?:y|ies|iant) with (?:the |our |your |any )?(?:content |safety |usage )?"
     r"(?:polic(?:y|ies)|guidelines)|\bpass(?:es)? (?:the )?(?:moderation|content filter|safety filter))"),
    ("safe_rewrite", ("safe", "harmless", "sanitized", "sanitised", "innocuous", "compliant"),
     r"\b(?:safer?|harmless|sanitized|sanitised|innocuous|policy[- ]compliant) (?:rewrite|rephrasing|reformulation|"
     r"rewording|paraphrase|variant|version of (?:this|the) (?:request|query|prompt|question))"),
    ("safe_rewrite", ("without",),
     r"without (?:triggering|violating|tripping) (?:the |any )?(?:safety|content|policy|filter|moderation)"),
    ("safe_rewrite", ("filter", "moderation", "guardrail"),
     r"(?:safety|content|moderation) (?:filter|system|classifier|guardrails?) (?:won'?t|wouldn'?t|will not|"
     r"does not|doesn'?t) (?:block|flag|catch|refuse|trigger)|\b(?:get|slip|sneak) (?:it |this )?(?:past|through|"
     r"around) (?:the )?(?:safety |content |moderation )?(?:filters?|moderation|guardrails?)"),
    ("safe_rewrite", ("safely", "harmlessly"),
     r"\b(?:safely|harmlessly) (?:rewrite|rephrase|reformulate|reword|paraphrase)|\b(?:rewrite|rephrase|"
     r"reformulate|reword|paraphrase|transform)\b[^.?!\n]{0,100}?\b(?:answered|handled|fulfilled|processed|"
     r"responded to) (?:safely|harmlessly)"),
    ("safe_rewrite", ("sanitize", "sanitise", "detoxify"), r"\b(?:sanitize|sanitise|detoxify) (?:this|the following)"),
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
