"""The project's own benign prompt generator: topic templates with random slots and phrasing styles."""

from __future__ import annotations

import gzip
import logging
import re
from collections.abc import Callable
from pathlib import Path

import orjson

from . import vocab as v
from .rand import Rng, cumulative
from .snippets import debug_snippet
from .topics import TOPICS

log = logging.getLogger(__name__)

_SLOT = re.compile(r"\{(\w+)\}")

_LISTS: dict[str, tuple[str, ...] | list[str]] = {
    "name": v.NAMES,
    "name2": v.NAMES,
    "city": v.CITIES,
    "city2": v.CITIES,
    "dish": v.DISHES,
    "ing": v.INGREDIENTS,
    "ing2": v.INGREDIENTS,
    "ing3": v.INGREDIENTS,
    "lang": v.PROG_LANGS,
    "lang2": v.PROG_LANGS,
    "ptask": v.PROG_TASKS,
    "concept": v.CONCEPTS,
    "concept2": v.CONCEPTS,
    "table": v.TABLES,
    "col": v.COLUMNS,
    "col2": v.COLUMNS,
    "metric": v.METRICS,
    "period": v.PERIODS,
    "hist": v.HISTORY,
    "bio": v.BIOLOGY,
    "phys": v.PHYSICS,
    "fin": v.FINANCE,
    "fin2": v.FINANCE,
    "email_to": v.EMAIL_TO,
    "email_why": v.EMAIL_WHY,
    "form": v.POEM_FORMS,
    "subject": v.POEM_SUBJECTS,
    "hlang": v.HUMAN_LANGS,
    "phrase": v.PHRASES,
    "health": v.HEALTH,
    "role": v.ROLES,
    "role2": v.ROLES,
    "dataset": v.DATASETS,
    "item": v.ITEMS,
    "job": v.JOBS,
    "gadget": v.GADGETS,
    "hobby": v.HOBBIES,
}

_NUMS: dict[str, Callable[[Rng], str]] = {
    "n": lambda r: str(r.randint(2, 12)),
    "n2": lambda r: str(r.randint(3, 40)),
    "small": lambda r: str(r.randint(1, 9)),
    "big": lambda r: str(r.randint(20, 900)),
    "price": lambda r: f"{r.randint(2, 250)}.{r.randint(0, 99):02d}",
    "pct": lambda r: str(r.randint(3, 60)),
    "year": lambda r: str(r.randint(1990, 2025)),
    "days": lambda r: str(r.randint(2, 21)),
    "mins": lambda r: str(r.choice((10, 15, 20, 25, 30, 40, 45, 60, 90))),
    "age": lambda r: str(r.randint(6, 75)),
    "k": lambda r: str(r.randint(5, 500) * 100),
    "rate": lambda r: f"{r.randint(1, 9)}.{r.randint(0, 9)}",
}


def fill(template: str, rng: Rng) -> str:
    """Replace each {slot} with a random word or number."""

    def sub(m: re.Match[str]) -> str:
        key = m.group(1)
        if key in _NUMS:
            return _NUMS[key](rng)
        return rng.choice(_LISTS[key])

    return _SLOT.sub(sub, template)


_PREFIX = ("", "", "", "", "", "Quick question: ", "Hey, ", "Hi! ", "Can you help? ", "Hello. ", "pls help: ")
_SUFFIX = (
    "",
    "",
    "",
    "",
    "",
    " Thanks!",
    " Please keep it short.",
    " Explain like I'm new to this.",
    " Use bullet points.",
    " Give an example.",
    " thx",
    " Be concise.",
    " Include sources if you can.",
)
STEP_SUFFIXES = (
    " Explain step by step.",
    " Can you walk me through it step by step?",
    " Please show your working.",
    " Break it down step by step please.",
    " Show each step so I can follow along.",
)
FOLLOWUPS = (
    "Can you make it shorter?",
    "Thanks. What about {ing} instead?",
    "Now do the same in {lang}.",
    "Can you explain point {small} in more detail?",
    "Give me {n} more examples.",
    "Why is that?",
    "Make it more formal.",
    "Translate that into {hlang}.",
    "That didn't work, I get an error on line {n2}.",
    "OK, and how would that change for {n2} people?",
    "Can you put that in a table?",
    "What if it's {year}?",
    "Shorter please, max {n2} words.",
    "Can you add a section about {concept}?",
    "Does this work for {city} too?",
    "Make it sound less like a robot.",
    "I meant {item}, not {item}.",
    "What would a {role} say about this?",
    "Turn this into {n} bullet points.",
    "Could you double-check the numbers? I got {big}.",
    "Explain it again like I'm {age}.",
    "Great, now write the {hlang} version.",
    "Add an example with {ing}.",
)
_FOLLOW_PREFIX = ("", "", "", "", "hmm. ", "ok ", "Thanks! ", "Nice. ", "wait, ", "Perfect. ", "No, ")
_REPLIES = (
    "Sure! Here's a quick overview.",
    "Great question. In short:",
    "Here is one way to approach it.",
    "Happy to help. The main points are:",
    "Here's a draft you can adapt.",
)


class BenignTexts:
    """Diverse ordinary prompts; optionally mixes in texts from an external corpus."""

    def __init__(self, rng: Rng, corpus: list[str] | None = None, corpus_share: float = 0.5) -> None:
        self.rng = rng
        self.corpus = corpus or []
        self.corpus_share = corpus_share if self.corpus else 0.0
        self.topics = list(TOPICS)
        self.cum = cumulative([TOPICS[t][0] for t in self.topics])

    def generated(self, topic: str | None = None) -> str:
        """One prompt from the project's own templates."""
        rng = self.rng
        topic = topic or rng.wchoice(self.topics, self.cum)
        if topic == "code" and rng.chance(0.25):
            return debug_snippet(rng)
        text = fill(rng.choice(TOPICS[topic][1]), rng)
        text = rng.choice(_PREFIX) + text + rng.choice(_SUFFIX)
        if rng.chance(0.08):
            text = text.lower()
        if rng.chance(0.05):
            text = text.rstrip("?.!")
        return text

    def prompt(self, topic: str | None = None) -> str:
        """One benign prompt: from the corpus with probability corpus_share, else generated."""
        if self.corpus_share and topic is None and self.rng.chance(self.corpus_share):
            return self.rng.choice(self.corpus)
        return self.generated(topic)

    def followup(self) -> str:
        """A follow-up turn in a conversation."""
        text = fill(self.rng.choice(FOLLOWUPS), self.rng)
        return text.lower() if self.rng.chance(0.2) else self.rng.choice(_FOLLOW_PREFIX) + text

    def reply(self, prompt: str) -> str:
        """A short synthetic assistant reply for conversation history."""
        head = prompt.split("?")[0][:80]
        return f'{self.rng.choice(_REPLIES)} Regarding "{head}": ' + fill(
            "first, consider {concept}; second, {n} practical options; finally, a short summary.", self.rng
        )


def load_corpus(path: Path) -> list[str]:
    """Read the "text" field of each line of a JSONL or JSONL.gz file."""
    opener = gzip.open if path.suffix == ".gz" else open
    texts: list[str] = []
    with opener(path, "rb") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            text = orjson.loads(line).get("text")
            if isinstance(text, str) and text.strip():
                texts.append(text)
    log.info("loaded %d corpus texts from %s", len(texts), path)
    return texts
