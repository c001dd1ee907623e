"""Mix several sources (multi-task data) by fixed weights or temperature sampling over their sizes.

Temperature sampling draws source i with probability proportional to n_i^(1/T): T=1 keeps the natural
proportions, larger T flattens them toward uniform so small tasks are not drowned out.
"""

from __future__ import annotations

import random
from collections import defaultdict

from pydantic import Field, model_validator

from tunesmith.data.ops import OpContext, OpResult
from tunesmith.data.records import get_meta, to_output
from tunesmith.errors import InputError
from tunesmith.schema import Strict


class Config(Strict):
    by: str = "source"  # meta key naming each record's dataset (pipeline inputs set `source`)
    weights: dict[str, float] | None = None
    temperature: float | None = Field(None, gt=0)
    total: int | None = Field(None, ge=1)  # records out; default: as many as came in

    @model_validator(mode="after")
    def _one_rule(self) -> Config:
        if (self.weights is None) == (self.temperature is None):
            raise ValueError("give exactly one of 'weights' (source → weight) or 'temperature'")
        if self.weights is not None and (any(w < 0 for w in self.weights.values()) or not any(self.weights.values())):
            raise ValueError("weights must be ≥ 0 and not all zero")
        return self


def run(dataset, cfg: Config, ctx: OpContext) -> OpResult:
    """Sample each source to its share of `total`: down without replacement, up by whole copies plus a sample."""
    groups: dict[str, list[int]] = defaultdict(list)
    for index, meta in enumerate(dataset["meta"]):
        groups[str(get_meta({"meta": meta}).get(cfg.by, ""))].append(index)
    shares = source_shares({name: len(members) for name, members in groups.items()}, cfg.weights, cfg.temperature)
    total = cfg.total or len(dataset)
    chosen = sample_sources(groups, shares, total, random.Random(ctx.seed))
    kept = set(chosen)
    removed_at = sorted(i for members in groups.values() for i in members if i not in kept)
    per_source = {}
    for name, members in sorted(groups.items()):
        want = round(shares[name] * total)
        per_source[name] = {"in": len(members), "out": want, "share": round(want / total, 4)}
    added = sum(max(0, s["out"] - s["in"]) for s in per_source.values())
    result = OpResult(dataset.select(chosen), added=added, stats={"sources": per_source})
    if removed_at:
        result.removed = {"not sampled (mix)": len(removed_at)}
        result.examples = {"removed: not sampled (mix)": [to_output(dataset[i]) for i in removed_at[:3]]}
    return result


def sample_sources(groups: dict[str, list], shares: dict[str, float], total: int, rng: random.Random) -> list:
    """Each source's members sampled to its share of `total` (down without replacement, up by whole copies plus
    a sample), all shuffled together."""
    chosen: list = []
    for name in sorted(groups):
        members = groups[name]
        want = round(shares[name] * total)
        chosen += members * (want // len(members)) + rng.sample(members, want % len(members))
    rng.shuffle(chosen)
    return chosen


def source_shares(
    sizes: dict[str, int], weights: dict[str, float] | None, temperature: float | None, where: str = "mix.weights"
) -> dict[str, float]:
    """Each source's share of the output: by `weights`, else ∝ size^(1/temperature)."""
    if weights is not None:
        unknown = sorted(set(weights) - set(sizes))
        if unknown:
            raise InputError(where, f"unknown source(s) {unknown}; the data has {sorted(sizes)}")
        raw = {name: weights.get(name, 0.0) for name in sizes}
    else:
        raw = {name: size ** (1 / (temperature or 1.0)) for name, size in sizes.items()}
    norm = sum(raw.values())
    return {name: value / norm for name, value in raw.items()}
