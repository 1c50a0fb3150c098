"""The evidence book of account pairs: per pair, the families that link it, each with a weight and evidence."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

INFRASTRUCTURE = "infrastructure"
CONTENT = "content"
TIMING = "timing"


@dataclass
class Link:
    """One family of evidence between two accounts."""

    name: str
    family: str
    weight: float
    evidence: Any = None


@dataclass
class EdgeBook:
    """Links by unordered account pair (indices into the evaluation's account list)."""

    links: dict[tuple[int, int], dict[str, Link]] = field(default_factory=lambda: defaultdict(dict))

    def add(self, a: int, b: int, link: Link) -> None:
        """Keep the strongest link of each name per pair."""
        if a == b:
            return
        pair = (a, b) if a < b else (b, a)
        held = self.links[pair].get(link.name)
        if held is None or link.weight > held.weight:
            self.links[pair][link.name] = link

    def add_group(self, members: list[int], link: Link, max_members: int) -> None:
        """Link every pair of a shared key's members; keys shared too widely carry no information."""
        if len(members) < 2 or len(members) > max_members:
            return
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                self.add(a, b, link)

    def weight(self, pair: tuple[int, int]) -> float:
        """Noisy-or of the pair's link weights."""
        remaining = 1.0
        for link in self.links.get(pair, {}).values():
            remaining *= 1.0 - min(max(link.weight, 0.0), 0.99)
        return 1.0 - remaining

    def pairs(self) -> Iterable[tuple[int, int]]:
        return self.links.keys()

    def strong(self, min_weight: float) -> Iterator[tuple[int, int, float]]:
        """Pairs whose combined weight reaches ``min_weight``."""
        for pair in self.links:
            weight = self.weight(pair)
            if weight >= min_weight:
                yield pair[0], pair[1], weight
