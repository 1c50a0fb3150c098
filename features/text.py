"""Prompt text features: normalization, template keys and the per-text analysis cache.

A *template key* is a sketch of one sentence of a prompt: lower-cased, numbers masked, stop-words dropped,
words cut to their first six letters, de-duplicated and sorted. Operators wrap a task bank in a few paraphrased
wrappers; the wrapper's sentences recur across many distinct prompts while the task's sentences do not, and
small wording changes (case, punctuation, numbers, word order, filler words, inflections) keep the sketch.
Which keys really are shared wrappers is decided later, across accounts (``detector.linking.content``).
"""

from __future__ import annotations

import functools
import re
import zlib
from collections import OrderedDict
from typing import NamedTuple, Protocol

from features.intent import FAMILIES, IntentMatch, match_intent

_WORD = re.compile(r"([a-z]{1,6})[a-z]*|\d+")  # a word's first six letters; a number as ''

_SENTENCE_SPLIT = re.compile(r"[\n.!?;:]+")
_SPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")
STOP_WORDS = frozenset(
    "a an the and or but if then so of to in on at by for with from as is are was were be been being it its this "
    "that these those there here i you he she we they me my your our their his her them us do does did can could "
    "would should will shall may might must not no yes please also just very really into about over under than "
    "what which who whom whose when where why how all any each some such only own same too".split()
)
STOP_PREFIXES = frozenset(w[:6] for w in STOP_WORDS) | {""}
MIN_KEY_WORDS = 3
MAX_KEYS = 12
TAIL_KEYS = 2     # of them, the last sentences' of a longer text (``sentence_keys``) ...
TAIL_CHARS = 1000  # ... read from its end, past ``ANALYZED_CHARS``
HEAD_KEYS = 6     # a request's first keys (with its last ``TAIL_KEYS``): its frame, an account's recent templates
SYSTEM_KEYS = 6  # template keys taken from a system prompt's first sentences ...
EXTRACTION_FAMILIES = sum(1 << FAMILIES.index(f) for f in ("reasoning", "rubric", "safe_rewrite"))  # ... asking for
# training-grade output itself; an app's persona or an agent framework's tool scaffolding is shared by its deployments
SYSTEM_PROMPTS_CACHED = 1_000  # distinct system prompts remembered (kept whole: bounded memory)
ANALYZED_CHARS = 6000


def normalize(text: str) -> str:
    """Lower-case, numbers masked to 0, whitespace collapsed: equal for trivially different texts."""
    return _SPACE.sub(" ", _DIGITS.sub("0", text.lower())).strip()


def text_hash(text: str) -> int:
    """Stable 64-bit hash of a text up to case, spacing and trailing punctuation (recycled texts share it).

    Digits are kept: two math problems that differ only in their numbers are different tasks.
    """
    data = _SPACE.sub(" ", text.lower()).strip(" \t\n.!?").encode("utf-8", "ignore")
    return (zlib.crc32(data) << 32) | zlib.adler32(data)


def sentence_keys(text: str) -> tuple[tuple[int, int], ...]:
    """(key, content-word count) for each sentence sketch with enough content words: the first ``MAX_KEYS`` of them,
    or, in a longer text, the first ones and its last ``TAIL_KEYS`` (read from its last ``TAIL_CHARS`` past
    ``ANALYZED_CHARS``): a wrapper sits before a task, after it or both, and a long task must not push the
    closing instructions out of sight."""
    sentences = _SENTENCE_SPLIT.split(text[:ANALYZED_CHARS].lower())
    if len(text) > ANALYZED_CHARS:  # the tail's first piece may start mid-sentence
        sentences += _SENTENCE_SPLIT.split(text[-TAIL_CHARS:].lower())[1:]
    keys: dict[int, int] = {}
    front = len(sentences)
    for at, sentence in enumerate(sentences):
        _add_sketch(keys, sentence)
        if len(keys) >= MAX_KEYS - TAIL_KEYS:
            front = at + 1
            break
    tail: dict[int, int] = {}
    for sentence in reversed(sentences[front:]):
        _add_sketch(tail, sentence)
        if len(tail.keys() - keys.keys()) >= TAIL_KEYS:
            break
    keys.update(reversed([(key, words) for key, words in tail.items() if key not in keys][:TAIL_KEYS]))
    return tuple(keys.items())


def _add_sketch(keys: dict[int, int], sentence: str) -> None:
    """Add the sentence's sketch to ``keys`` (key: content-word count) when it has enough content words."""
    found = _WORD.findall(sentence)
    words = set(found) - STOP_PREFIXES
    if "" in found:
        words.add("0")
    if len(words) >= MIN_KEY_WORDS:
        sketch = " ".join(sorted(words)).encode()
        keys.setdefault(zlib.crc32(sketch) | (len(words) << 32), len(words))


@functools.lru_cache(maxsize=SYSTEM_PROMPTS_CACHED)
def instructions(system: str) -> tuple[IntentMatch, tuple[tuple[int, int], ...]]:
    """A system prompt's intent, and its first sentences' keys when it asks for training-grade output (cached: a
    deployment sends one system prompt with every request)."""
    own = match_intent(system)
    return own, (sentence_keys(system)[:SYSTEM_KEYS] if own.mask & EXTRACTION_FAMILIES else ())


class TextInfo(NamedTuple):
    """What the detector keeps about one distinct prompt text. A named tuple: a parse process sends one with every
    event (``streams.parallel_source``), and tuples load from a pickle about twice as fast as slotted classes."""

    hash: int
    keys: tuple[tuple[int, int], ...]
    intent: IntentMatch
    length: int
    head_keys: tuple[int, ...] = ()  # the frame's keys (``frame_keys``: an account's recent templates)


def frame_keys(keys: tuple[tuple[int, int], ...]) -> tuple[int, ...]:
    """Of a request's ``keys``, those of its frame: its first ``HEAD_KEYS`` sentences and its last ``TAIL_KEYS``
    (a wrapper before the task, after it, or around it), not the middle of a long task."""
    return tuple(key for key, _ in keys[:HEAD_KEYS] + keys[HEAD_KEYS:][-TAIL_KEYS:])


class Request(Protocol):
    """The parts of a request the analyzer reads (``streams.events.Event`` has them)."""

    text: str
    tools: tuple[str, ...]
    tool_turns: int
    system: str | None


class TextAnalyzer:
    """Analyzes prompt texts once each (an LRU cache by exact text)."""

    def __init__(self, max_entries: int = 100_000) -> None:
        self._cache: OrderedDict[str, TextInfo] = OrderedDict()
        self._max = max_entries
        self.hits = 0
        self.misses = 0

    def analyze_request(self, request: Request) -> TextInfo:
        """``analyze`` of a request's text, tools, tool turns and system prompt."""
        return self.analyze(request.text, request.tools, request.tool_turns, request.system)

    def analyze(self, text: str, tools: tuple[str, ...] = (), tool_turns: int = 0,
                system: str | None = None) -> TextInfo:
        """Hash, template keys and extraction intent of a text (tool use is part of intent). A ``system`` prompt
        is part of the request's instructions: an operator's wrapper can sit there, around tasks sent as the user
        turn. Its intent counts (evidence marked as the system prompt's); when it asks for training-grade output
        itself (``EXTRACTION_FAMILIES``), the keys of its first sentences come first among the request's template
        keys. The hash and length stay those of the user's text."""
        if system and system.strip():
            return self._with_system(self.analyze(text, tools, tool_turns), system)
        cache_key = text if not (tools or tool_turns) else f"{text}\x00tools"
        info = self._cache.get(cache_key)
        if info is not None:
            self.hits += 1
            self._cache.move_to_end(cache_key)
            return info
        self.misses += 1
        keys = sentence_keys(text)
        info = TextInfo(text_hash(text), keys, match_intent(text, bool(tools or tool_turns)), len(text),
                        frame_keys(keys))
        self._remember(cache_key, info)
        return info

    def _with_system(self, user: TextInfo, system: str) -> TextInfo:
        own, system_keys = instructions(system)
        if not own.mask:
            return user
        intent = IntentMatch(user.intent.mask | own.mask, user.intent.evidence + tuple(
            (family, f"system prompt: {phrase}") for family, phrase in own.evidence if not user.intent.fired(family)))
        seen = {key for key, _ in system_keys}
        keys = system_keys + tuple(item for item in user.keys if item[0] not in seen)
        return TextInfo(user.hash, keys, intent, user.length, frame_keys(keys))

    def _remember(self, cache_key: str, info: TextInfo) -> None:
        self._cache[cache_key] = info
        if len(self._cache) > self._max:
            self._cache.popitem(last=False)
