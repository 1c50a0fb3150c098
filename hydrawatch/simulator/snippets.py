"""Small buggy code snippets with random identifiers, for debugging prompts."""

from __future__ import annotations

from .rand import Rng

_NOUNS = "user order item price score row record token file event node task payment reading".split()
_VERBS = "load parse compute fetch build sum merge filter update process clean count".split()

_SNIPPETS: tuple[tuple[str, str, str], ...] = (
    (
        "Python",
        "def {verb}_{noun}s({noun}s):\n    total = 0\n    for x in {noun}s:\n        total += x['{attr}']"
        "\n    return total / len({noun}s)",
        "ZeroDivisionError: division by zero",
    ),
    (
        "Python",
        "import json\n\nwith open('{noun}s.json') as f:\n    data = json.load(f)\nprint(data['{attr}'][{i}])",
        "KeyError: '{attr}'",
    ),
    (
        "Python",
        "{noun}s = [{i}, {j}, {k}]\nfor i in range(len({noun}s) + 1):\n    print({noun}s[i])",
        "IndexError: list index out of range",
    ),
    (
        "Python",
        "class {Noun}:\n    def __init__(self, {attr}):\n        {attr} = {attr}\n\n"
        "print({Noun}({i}).{attr})",
        "AttributeError: '{Noun}' object has no attribute '{attr}'",
    ),
    (
        "JavaScript",
        "async function {verb}{Noun}(id) {{\n  const res = fetch(`/api/{noun}s/${{id}}`);\n"
        "  return res.json();\n}}",
        "TypeError: res.json is not a function",
    ),
    (
        "JavaScript",
        "const {noun}s = [{i}, {j}, {k}];\n{noun}s.forEach(async (x) => {{\n  await save(x);\n}});\n"
        "console.log('done');",
        "'done' prints before the saves finish",
    ),
    (
        "Go",
        "func {verb}{Noun}(m map[string]int) {{\n    var cache map[string]int\n    for k, v := range m {{\n"
        "        cache[k] = v * {i}\n    }}\n}}",
        "panic: assignment to entry in nil map",
    ),
    (
        "Rust",
        "fn {verb}_{noun}(v: Vec<i32>) -> i32 {{\n    let first = &v[0];\n    let w = v;\n"
        "    *first + w.len() as i32 + {i}\n}}",
        "error[E0505]: cannot move out of `v` because it is borrowed",
    ),
    (
        "SQL",
        "SELECT {attr}, COUNT(*)\nFROM {noun}s\nWHERE created_at > '2025-0{d}-01'\nORDER BY 2 DESC;",
        'column "{noun}s.{attr}" must appear in the GROUP BY clause',
    ),
    (
        "Java",
        'List<String> {noun}s = List.of("a", "b");\n{noun}s.add("{attr}");',
        "java.lang.UnsupportedOperationException",
    ),
)

_ASKS = (
    "Why does this {lang} code fail with `{err}`?\n\n{code}",
    "I get {err} when I run this. What's wrong?\n```\n{code}\n```",
    "Can you fix this {lang}? Error: {err}\n{code}",
    "Debug please:\n{code}\n\nIt says: {err}",
    "{code}\n\nthis gives me `{err}` and I don't understand why",
)


def debug_snippet(rng: Rng) -> str:
    """A debugging request around a random snippet."""
    lang, code, err = rng.choice(_SNIPPETS)
    noun = rng.choice(_NOUNS)
    slots = {
        "noun": noun,
        "Noun": noun.capitalize(),
        "verb": rng.choice(_VERBS),
        "attr": rng.choice(_NOUNS) + "_id",
        "i": rng.randint(0, 99),
        "j": rng.randint(0, 99),
        "k": rng.randint(0, 99),
        "d": rng.randint(1, 9),
    }
    code = code.format(**slots)
    err = err.format(**slots)
    return rng.choice(_ASKS).format(lang=lang, err=err, code=code)
