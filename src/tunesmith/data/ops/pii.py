"""pii: find personal data in every text of a record and mask, redact or hash it, or drop the record.

Detection is `tunesmith.data.pii.find_pii` (Presidio + spaCy NER + recognizers for Chinese text). `mask` writes typed
placeholders (`<EMAIL>`), `redact` removes the span outright (an empty string, no marker), `hash` writes
`<EMAIL:9f2c1a3b4d5e>`, the start of a salted HMAC-SHA256 of the value, so equal values stay joinable. Placeholders
are never detected again, so running the op twice changes nothing. `stats["found"]` counts findings per type.

It runs in two passes: a batched `datasets.map` finds the spans (NER over a batch at once, in `ctx.num_proc`
processes), keeping them in a temporary column so the counts per type come for free; `map_records` then rewrites or
drops the records that hold any, which gives the usual changed/removed counts and examples.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import partial
from typing import Literal

from datasets import Dataset
from pydantic import Field, model_validator

from tunesmith.data import records
from tunesmith.data.ops import OpContext, OpResult, map_records, worker_count
from tunesmith.data.pii import TYPES, Finding, find_pii_many, replace
from tunesmith.data.pii.engine import analyzer
from tunesmith.schema import Strict

PiiType = Literal["EMAIL", "PHONE", "IP", "URL", "CARD", "CN_ID", "PASSPORT", "PERSON"]
FOUND = "__tunesmith_pii"  # temporary column: the spans found in each text of the record, as JSON ('' for none)
BATCH = 256


class Config(Strict):
    """What to look for and what to do with it."""

    mode: Literal["mask", "redact", "hash"] = "mask"  # <TYPE> placeholder, remove the span, or <TYPE:salted hash>
    types: list[PiiType] | None = Field(None, min_length=1)  # the types to look for (default: all)
    names: bool = True  # look for person names (spaCy NER for English, surname + cue for Chinese)
    salt: str | None = None  # secret for mode hash (required there): the same value and salt give the same token
    drop: bool = False  # drop records holding any PII instead of rewriting them

    @model_validator(mode="after")
    def _hash_needs_salt(self) -> Config:
        if self.mode == "hash" and not self.salt:
            raise ValueError("mode 'hash' needs a salt: set salt to a secret string")
        return self


def run(dataset: Dataset, cfg: Config, ctx: OpContext) -> OpResult:
    """Mask, redact or hash the PII in every record's texts (or drop the records holding any)."""
    analyzer()  # load once here: a missing model fails before any work, and forked workers inherit it
    find = partial(_find_batch, types=tuple(cfg.types or TYPES), names=cfg.names)
    marked = dataset.map(find, batched=True, batch_size=BATCH, num_proc=worker_count(ctx, dataset), desc="pii (find)")
    found = Counter(kind for value in marked[FOUND] if value for spans in json.loads(value) for kind, _, _ in spans)
    apply = partial(_apply, mode=cfg.mode, salt=cfg.salt, drop=cfg.drop)
    result = map_records(marked, apply, ctx, desc="pii")
    result.dataset = result.dataset.remove_columns(FOUND)
    result.examples = {key: [_without_found(example) for example in kept] for key, kept in result.examples.items()}
    result.stats["found"] = {kind: found[kind] for kind in TYPES if found[kind]}
    return result


def _find_batch(batch: dict[str, list], types: tuple[str, ...], names: bool) -> dict[str, list[str]]:
    """The FOUND column of a batch: per record, per text, [type, start, end] of each finding."""
    rows = [dict(zip(batch, values)) for values in zip(*batch.values())]
    per_row = [records.texts(row) for row in rows]
    findings = iter(find_pii_many([text for texts in per_row for text in texts], types, names))
    column = []
    for texts in per_row:
        spans = [[[f.type, f.start, f.end] for f in next(findings)] for _ in texts]
        column.append(json.dumps(spans) if any(spans) else "")
    return {FOUND: column}


def _apply(record: dict, mode: str, salt: str | None, drop: bool) -> tuple[dict | None, str | None]:
    """Rewrite (or drop) one record from the spans found in its texts."""
    if not record[FOUND]:
        return None, None
    if drop:
        return None, "contains PII"
    spans = iter(json.loads(record[FOUND]))

    def rewrite(text: str) -> str:
        findings = [Finding(kind, start, end, text[start:end]) for kind, start, end in next(spans)]
        return replace(text, findings, mode, salt)

    return records.map_texts(record, rewrite), None


def _without_found(example: dict) -> dict:
    """A report example without the temporary column (a record, or a before/after pair of records)."""
    if set(example) == {"before", "after"}:
        return {key: _without_found(value) for key, value in example.items()}
    return {key: value for key, value in example.items() if key != FOUND}
