"""Field ablation: what detection quality rests on when request logs lack optional fields.

The input contract requires only ``ts`` and ``account_id``; a deployment may log no payment fingerprints, no
account creation times or no organisations, or leave a field out of some requests only. This script takes one
simulated data set, removes groups of optional fields from every event or leaves gaps in every optional field
(``ABLATIONS``, as data), replays each copy with default settings and scores it like ``bench/quality_sweep.py`` (its
table: a row per ablation). It asserts nothing; it prints numbers.

Usage: python bench/field_ablation.py [--probe] [--data "--seed 7"] [--only "no payment" ...] [--jobs 2]
                                     [--out var/ablation]
The data set is ``hydrawatch simulate`` (``--probe``: ``bench/probe_independent.py``, which reads the real-prompt
corpus) with ``--data``'s arguments (default: seed 7 at the default scale), generated once under ``--out``.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from probe_world import CORPUS  # noqa: E402
from quality_sweep import SetResult, folder_name, generate, replay_and_score, summary, table  # noqa: E402

log = logging.getLogger("field_ablation")
SIGNUP = ("account_created_at", "signup_channel")
PAYMENT = ("payment_fingerprint",)
NETWORK = ("asn", "user_agent", "country")
USAGE = ("max_tokens", "input_tokens", "output_tokens", "status", "latency_ms")
ORGANISATION = ("org_id", "api_key_id")
OPTIONAL = ("ip", "model", *SIGNUP, *PAYMENT, *NETWORK, *USAGE, *ORGANISATION)


@dataclass(frozen=True)
class Gaps:
    """Each of ``fields`` left out of a ``share`` of the requests that carry it, drawn apart for each request and
    field (seeded): a log with gaps, where the other requests of the same account still carry the field."""

    fields: tuple[str, ...]
    share: float


ABLATIONS: dict[str, tuple[str, ...] | Gaps] = {  # name: the fields removed from every event, or gaps in them
    "as logged": (),
    "no signup": SIGNUP,
    "no payment": PAYMENT,
    "no network or client": NETWORK,
    "no usage": USAGE,
    "no organisation": ORGANISATION,
    "no payment or organisation": PAYMENT + ORGANISATION,
    "ts, account, ip, model and text only": SIGNUP + PAYMENT + NETWORK + USAGE + ORGANISATION,
    "every optional field missing from 10 % of requests": Gaps(OPTIONAL, 0.1),
    "every optional field missing from 30 % of requests": Gaps(OPTIONAL, 0.3),
}


def strip_fields(lines: Iterable[bytes], fields: tuple[str, ...], share: float = 1.0, seed: int = 0) -> Iterable[bytes]:
    """Each JSON line without ``fields`` (every other field, unknown ones too, as it was); with ``share`` under 1,
    each field a line carries is removed with that probability (``random.Random(seed)``, one draw per field the
    line carries, in ``fields``' order). Lines that are not a JSON object pass unchanged (the replay dead-letters
    them as it would have)."""
    draw = random.Random(seed).random
    for line in lines:
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            yield line
            continue
        if isinstance(record, dict) and any(name in record for name in fields):
            removed = [name for name in fields if name in record and (share >= 1.0 or draw() < share)]
            if not removed:
                yield line
                continue
            for name in removed:
                del record[name]
            line = orjson.dumps(record) + b"\n"
        yield line


def ablated_copy(source: Path, folder: Path, ablation: tuple[str, ...] | Gaps) -> None:
    """``folder/events.jsonl`` and ``folder/labels.json``: ``source``'s, less the ablation's fields (written once)."""
    if (folder / "labels.json").exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    fields, share = (ablation.fields, ablation.share) if isinstance(ablation, Gaps) else (ablation, 1.0)
    with (source / "events.jsonl").open("rb") as lines, (folder / "events.jsonl").open("wb") as out:
        out.writelines(strip_fields(lines, fields, share))
    (folder / "labels.json").write_bytes((source / "labels.json").read_bytes())


def run(generator: str, data: str, out: Path, jobs: int, only: list[str] | None = None) -> list[SetResult]:
    """Generate the data set (``generator``: "simulate" or "probe", as ``quality_sweep.generate`` takes it, with the
    arguments ``data``; once), then replay and score each ablation of it, in ``ABLATIONS``' order."""
    names = [name for name in ABLATIONS if only is None or name in only]
    base = out / f"{generator}-{folder_name(data)}"
    source = base / "as-logged"  # the data set as generated; an ablation that removes nothing replays it
    generate(generator, data, source)

    def one(name: str) -> SetResult:
        ablation = ABLATIONS[name]
        folder = base / folder_name(name) if ablation else source
        if ablation:
            ablated_copy(source, folder, ablation)
        result = replay_and_score(name, folder)
        log.info("%s: precision %.3f recall %.3f", name, result.evaluation.precision, result.evaluation.recall)
        return result

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, names))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--probe", action="store_true", help="The held-out probe's generator, not the simulator.")
    parser.add_argument("--data", default="--seed 7", help="Arguments of `hydrawatch simulate` for the data set.")
    parser.add_argument("--only", nargs="+", choices=sorted(ABLATIONS), help="Only these ablations.")
    parser.add_argument("--jobs", type=int, default=2, help="Replays at once.")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "ablation")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.probe and not CORPUS.exists():
        raise SystemExit(f"{CORPUS} is missing: the probe reads it")
    results = run("probe" if args.probe else "simulate", args.data, args.out, args.jobs, args.only)
    sys.stdout.write(table(results) + "\n\n" + summary(results) + "\n")


if __name__ == "__main__":
    main()
