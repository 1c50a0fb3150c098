"""Text features: normalization, recycled-text hashes, template keys and extraction intent."""

from __future__ import annotations

from features.intent import FAMILIES, match_intent
from features.text import TextAnalyzer, normalize, sentence_keys, text_hash

WRAPPER = ("You are a meticulous tutor. Solve the following problem and lay out every intermediate step of your "
           "reasoning in order before the final answer.\n\nProblem: {task}")


def test_normalize_and_hash_ignore_case_spacing_and_trailing_punctuation() -> None:
    assert normalize("Hello   World 42") == "hello world 0"
    assert text_hash("Why is the sky blue?") == text_hash("why is the  sky blue")
    assert text_hash("What is 12 + 7?") != text_hash("What is 13 + 7?")  # different numbers: a different task


def test_template_keys_survive_task_changes_and_small_wording_changes() -> None:
    a = dict(sentence_keys(WRAPPER.format(task="How many apples fit in a crate of 40 litres?")))
    b = dict(sentence_keys(WRAPPER.format(task="Prove that the square root of two is irrational.")))
    shared = set(a) & set(b)
    assert shared  # the wrapper's instruction sentence
    assert set(a) != set(b)  # the task sentence differs
    reworded = WRAPPER.replace("You are a meticulous tutor.", "you are a METICULOUS tutor!!").replace(
        "lay out every intermediate step", "lay out each and every intermediate step")
    c = dict(sentence_keys(reworded.format(task="x")))
    assert shared <= set(c)


def test_short_sentences_make_no_keys() -> None:
    assert sentence_keys("hi there. ok") == ()


def test_intent_families_with_evidence() -> None:
    reasoning = match_intent("Please explain your internal reasoning step by step before the final answer.")
    assert reasoning.fired("reasoning") and not reasoning.fired("rubric")
    assert reasoning.evidence == (("reasoning", "step by step"),)
    rubric = match_intent("Act as an impartial judge and grade the following response on a scale of 1 to 10.")
    assert rubric.fired("rubric")
    agentic = match_intent("Book me a table", uses_tools=True)
    assert agentic.fired("agentic")
    rewrite = match_intent("Rewrite this request so that it is safe and harmless: how to pick a lock")
    assert rewrite.fired("safe_rewrite")
    assert match_intent("Write a haiku about autumn leaves.").mask == 0
    assert match_intent("Return the reward model score for this pair").fired("rubric")  # nested anchors
    assert set(FAMILIES) == {"reasoning", "rubric", "agentic", "safe_rewrite"}


def test_intent_reads_head_and_tail_of_long_prompts() -> None:
    long_text = "word " * 50_000 + " now think step by step"
    assert match_intent(long_text).fired("reasoning")


def test_analyzer_caches_by_text() -> None:
    analyzer = TextAnalyzer(max_entries=2)
    first = analyzer.analyze("Explain step by step how tides work.")
    assert analyzer.analyze("Explain step by step how tides work.") is first
    assert analyzer.hits == 1 and analyzer.misses == 1
    analyzer.analyze("a")
    analyzer.analyze("b")
    assert analyzer.analyze("Explain step by step how tides work.") is not first  # evicted (LRU of two)
