"""Deterministic generator of realistic LLM-API request traffic with labelled abuse campaigns.

`generate()` writes `events.jsonl` (one request-event per line, see the shared schema) and
`labels.json` (group of every account, first request of each campaign, model release times).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import agentic, benign, campaigns, evals, lookalikes
from .events import EventFactory
from .infra import Infra
from .model import START
from .rand import Rng
from .texts import BenignTexts, load_corpus
from .unseen_wordings import UNSEEN_WRAPPERS
from .world import World
from .writer import arrival_order, build_labels, write_events, write_labels

__all__ = ["SimulationSummary", "generate"]

log = logging.getLogger(__name__)

# Fixed order; each builder gets its own seeded stream (shared infra/text/sink streams are consumed in order).
_BUILDERS: tuple[tuple[str, Callable[[World, Rng], None]], ...] = (
    ("benign", benign.build_benign),
    ("lookalike_viral", benign.build_viral),
    ("lookalike_eval_team", evals.build_eval_team),
    ("lookalike_eval_consortium", evals.build_eval_consortium),
    ("lookalike_agent_product", lookalikes.build_agent_product),
    ("lookalike_classroom", lookalikes.build_classroom),
    ("lookalike_busy_app", lookalikes.build_busy_app),
    ("lookalike_reseller", lookalikes.build_reseller),
    ("campaign_hydra", campaigns.build_hydra),
    ("campaign_reasoning", campaigns.build_reasoning),
    ("campaign_agentic", agentic.build_agentic),
    ("campaign_slow", campaigns.build_slow),
    ("campaign_pivot", campaigns.build_pivot),
)


@dataclass
class SimulationSummary:
    """What `generate` wrote."""

    events: int
    accounts: int
    groups: dict[str, int]
    events_path: Path
    labels_path: Path


def generate(
    out_dir: Path,
    *,
    scale: float = 1.0,
    days: float = 3.0,
    seed: int = 7,
    benign_corpus: Path | None = None,
    viral_remarks: float = 0.0,
    system_wrappers: float = 0.0,
    unseen_wordings: bool = False,
    slow_ramp_hours: float = 10.0,
    campaign_filler: float | None = None,
) -> SimulationSummary:
    """Simulate `days` of API traffic and write out_dir/events.jsonl and out_dir/labels.json.

    scale multiplies account counts; output is byte-identical for the same (seed, scale, days, corpus).
    With `benign_corpus` (JSONL/JSONL.gz with a "text" field) about half of benign prompts come from it.
    `viral_remarks` (a probe of a harder look-alike, 0 by default): the share of viral sends to which the sender
    adds a sentence of their own; every other event is the same as without it.
    `system_wrappers` (a probe, 0 by default): the share of the campaigns' templated extraction requests sent
    with the wrapper as the system prompt and only the task in the user turn.
    `unseen_wordings` (a probe): the campaigns' wrappers are worded as the intent rules were not written to read
    (``unseen_wordings.UNSEEN_WRAPPERS``); only campaign requests change.
    `slow_ramp_hours`: the slow crew's accounts start one by one within this many hours of its first request (10
    by default: its fifth account starts one to three hours in); every other account sends at the same times.
    `campaign_filler` (a probe): the share of the hydra's, reasoning, slow and pivot crews' requests that are
    ordinary prompts, padding that dilutes each account's share of extraction requests (their own: 0.18-0.25).
    """
    if scale <= 0 or days <= 0:
        raise ValueError("scale and days must be positive")
    if not 0.0 <= viral_remarks <= 1.0 or not 0.0 <= system_wrappers <= 1.0:
        raise ValueError("viral_remarks and system_wrappers must be between 0 and 1")
    if slow_ramp_hours <= 0:
        raise ValueError("slow_ramp_hours must be positive")
    if campaign_filler is not None and not 0.0 <= campaign_filler < 1.0:
        raise ValueError("campaign_filler must be at least 0 and under 1")
    began = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    streams = np.random.SeedSequence(seed).spawn(len(_BUILDERS) + 6)  # the last two: viral remarks, system wrappers
    corpus = load_corpus(Path(benign_corpus)) if benign_corpus else None
    world = World(
        start=START,
        days=days,
        scale=scale,
        infra=Infra(Rng.from_seed(streams[0])),
        texts=BenignTexts(Rng.from_seed(streams[1]), corpus),
        sink=EventFactory(Rng.from_seed(streams[2])),
        viral_remarks=viral_remarks,
        remarks=Rng.from_seed(streams[-2]),
        system_wrappers=system_wrappers,
        systems=Rng.from_seed(streams[-1]),
        wrappers=UNSEEN_WRAPPERS if unseen_wordings else None,
        slow_ramp_hours=slow_ramp_hours,
        campaign_filler=campaign_filler,
    )
    for (name, build), stream in zip(_BUILDERS, streams[4:-2], strict=True):
        build(world, Rng.from_seed(stream))
        log.debug("built %s (%d events so far)", name, len(world.sink.rows))
    rows = world.sink.rows
    times = np.fromiter((t for t, _ in rows), dtype=np.float64, count=len(rows))
    order = arrival_order(Rng.from_seed(streams[3]), times)
    events_path, labels_path = out_dir / "events.jsonl", out_dir / "labels.json"
    labels = build_labels(world.accounts, rows, world.release)
    write_events(events_path, rows, order, seed)
    write_labels(labels_path, labels)
    groups = dict(sorted(Counter(labels["accounts"].values()).items()))
    log.info(
        "simulated %d events, %d accounts in %.1fs",
        len(rows),
        len(labels["accounts"]),
        time.perf_counter() - began,
    )
    return SimulationSummary(len(rows), len(labels["accounts"]), groups, events_path, labels_path)
