"""Fast scalar draws on top of a numpy Generator (buffered blocks, fully deterministic)."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate
from typing import TypeVar

import numpy as np

T = TypeVar("T")

_BLOCK = 8192


class Rng:
    """Scalar random draws served from pre-drawn numpy blocks.

    Calling numpy for each scalar costs microseconds; the simulator needs millions of small
    draws, so uniforms and normals are drawn in blocks and handed out one by one.
    """

    def __init__(self, gen: np.random.Generator) -> None:
        self.gen = gen
        self._u: list[float] = []
        self._n: list[float] = []

    @classmethod
    def from_seed(cls, seed: int | np.random.SeedSequence) -> Rng:
        """Build from an int seed or a SeedSequence."""
        return cls(np.random.default_rng(seed))

    def child(self) -> Rng:
        """An independent stream derived from this one."""
        return Rng(np.random.default_rng(int(self.gen.integers(0, 2**63 - 1))))

    def random(self) -> float:
        """Uniform float in [0, 1)."""
        if not self._u:
            self._u = self.gen.random(_BLOCK).tolist()
        return self._u.pop()

    def normal(self, mu: float = 0.0, sigma: float = 1.0) -> float:
        """Gaussian draw."""
        if not self._n:
            self._n = self.gen.standard_normal(_BLOCK).tolist()
        return mu + sigma * self._n.pop()

    def uniform(self, lo: float, hi: float) -> float:
        """Uniform float in [lo, hi)."""
        return lo + (hi - lo) * self.random()

    def randint(self, lo: int, hi: int) -> int:
        """Integer in [lo, hi] (both inclusive)."""
        return lo + int(self.random() * (hi - lo + 1))

    def chance(self, p: float) -> bool:
        """True with probability p."""
        return self.random() < p

    def choice(self, seq: Sequence[T]) -> T:
        """Uniform pick from a non-empty sequence."""
        return seq[int(self.random() * len(seq))]

    def wchoice(self, seq: Sequence[T], cum: Sequence[float]) -> T:
        """Weighted pick; `cum` are cumulative weights (see `cumulative`)."""
        return seq[bisect_right(cum, self.random() * cum[-1])]

    def expo(self, mean: float) -> float:
        """Exponential draw with the given mean."""
        return -mean * math.log(1.0 - self.random())

    def lognormal(self, mu: float, sigma: float) -> float:
        """Log-normal draw (parameters of the underlying normal)."""
        return math.exp(self.normal(mu, sigma))

    def poisson(self, lam: float) -> int:
        """Poisson draw."""
        return int(self.gen.poisson(lam))

    def hexstr(self, n: int) -> str:
        """Random lowercase hex string of length n."""
        return self.gen.bytes((n + 1) // 2).hex()[:n]

    def sample(self, seq: Sequence[T], k: int) -> list[T]:
        """k distinct items (order random)."""
        idx = self.gen.choice(len(seq), size=min(k, len(seq)), replace=False)
        return [seq[int(i)] for i in idx]

    def shuffled(self, seq: Sequence[T]) -> list[T]:
        """A shuffled copy."""
        return [seq[int(i)] for i in self.gen.permutation(len(seq))]


def cumulative(weights: Sequence[float]) -> list[float]:
    """Cumulative weights for `Rng.wchoice`."""
    return list(accumulate(weights))
