"""pii: find personal data in every text of a record and mask, redact or hash it, or drop the record.

Detection is `tunesmith.data.pii.find_pii` (Presidio + spaCy NER + recognizers for Chinese text). `mask` writes typed
placeholders (`<EMAIL>`), `redact` removes the span outright (an empty string, no marker), `hash` writes
`<EMAIL:9f2c1a3b4d5e>`, the start of a salted HMAC-SHA256 of the value, so equal values stay joinable. Placeholders
are never detected again, so running the op twice changes nothing. `stats["found"]` counts findings per type.

The salt is a secret (whoever holds it can hash candidate phone numbers and match the tokens), so it never reaches an
artifact: it is a `SecretStr`, which every dump (report.json, report.html, the CLI's tables) shows as `**********`;
it can live outside the pipeline file, in the environment variable named by `salt_env`; and `datasets`' cache
fingerprint of the rewrite pass is built from a keyed hash of it (`mask.salt_id`), never from the salt itself.

It runs in two passes: a batched `datasets.map` finds the spans (NER over a batch at once, in `ctx.num_proc`
processes), keeping them in a temporary column so the counts per type come for free; `map_records` then rewrites or
drops the records that hold any, which gives the usual changed/removed counts and examples.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from functools import partial
from typing import Literal

from datasets import Dataset
from pydantic import Field, SecretStr, field_validator, model_validator

from tunesmith.data import records
from tunesmith.data.ops import OpContext, OpResult, map_records, worker_count
from tunesmith.data.pii import TYPES, Finding, find_pii_many, replace
from tunesmith.data.pii.engine import analyzer
from tunesmith.data.pii.mask import salt_id
from tunesmith.schema import Strict

PiiType = Literal["EMAIL", "PHONE", "IP", "URL", "CARD", "CN_ID", "PASSPORT", "PERSON"]
FOUND = "__tunesmith_pii"  # temporary column: the spans found in each text of the record, as JSON ('' for none)
BATCH = 256


class Config(Strict):
    """What to look for and what to do with it."""

    mode: Literal["mask", "redact", "hash"] = "mask"  # <TYPE> placeholder, remove the span, or <TYPE:salted hash>
    types: list[PiiType] | None = Field(None, min_length=1)  # the types to look for (default: all)
    names: bool = True  # look for person names (spaCy NER for English, surname + cue for Chinese)
    salt: SecretStr | None = None  # secret for mode hash: the same value and salt give the same token; dumps hide it
    salt_env: str | None = None  # or: the environment variable holding the salt, so it need not sit in the YAML
    drop: bool = False  # drop records holding any PII instead of rewriting them

    @field_validator("salt", mode="before")
    @classmethod
    def _salt_is_text(cls, value: object) -> object:
        """A non-string salt (`salt: 12345` in YAML) is refused without echoing it, as a type error would."""
        if value is not None and not isinstance(value, str | SecretStr):
            raise ValueError("salt must be a string: quote it in YAML (or use salt_env)")
        if value == "**********":  # copied from a report or a flywheel folder, where salts are written as stars
            raise ValueError("'**********' is how reports hide a salt, not a salt: set the real one (or use salt_env)")
        return value

    @model_validator(mode="after")
    def _hash_needs_salt(self) -> Config:
        if self.salt is not None and self.salt_env:
            raise ValueError("give salt or salt_env, not both")
        if self.mode == "hash" and not self.secret():
            if self.salt_env:
                raise ValueError(f"mode 'hash' needs a salt: environment variable {self.salt_env} is not set or empty")
            raise ValueError("mode 'hash' needs a salt: set salt_env to an environment variable holding a secret")
        return self

    def secret(self) -> str | None:
        """The salt's value: `salt`, or the environment variable `salt_env` names (None when neither is set)."""
        if self.salt_env:
            return os.environ.get(self.salt_env) or None
        return self.salt.get_secret_value() if self.salt else None


def run(dataset: Dataset, cfg: Config, ctx: OpContext) -> OpResult:
    """Mask, redact or hash the PII in every record's texts (or drop the records holding any)."""
    analyzer()  # load once here: a missing model fails before any work, and forked workers inherit it
    find = partial(_find_batch, types=tuple(cfg.types or TYPES), names=cfg.names)
    marked = dataset.map(find, batched=True, batch_size=BATCH, num_proc=worker_count(ctx, dataset), desc="pii (find)")
    found = Counter(kind for value in marked[FOUND] if value for spans in json.loads(value) for kind, _, _ in spans)
    secret = cfg.secret() if cfg.mode == "hash" else None
    apply = partial(_apply, mode=cfg.mode, salt=SecretStr(secret) if secret else None, drop=cfg.drop)
    result = map_records(marked, apply, ctx, desc="pii", fingerprint=_fingerprint(marked, cfg, secret))
    result.dataset = result.dataset.remove_columns(FOUND)
    result.examples = {key: [_masked_example(example) for example in kept] for key, kept in result.examples.items()}
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


def _fingerprint(marked: Dataset, cfg: Config, secret: str | None) -> str:
    """`datasets`' name for the rewrite pass: the input, mode, drop and a keyed hash of the salt (never the salt)."""
    parts = [marked._fingerprint, "pii", cfg.mode, cfg.drop, salt_id(secret) if secret else None]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:32]


def _apply(record: dict, mode: str, salt: SecretStr | None, drop: bool) -> tuple[dict | None, str | None]:
    """Rewrite (or drop) one record from the spans found in its texts."""
    if not record[FOUND]:
        return None, None
    if drop:
        return None, "contains PII"
    spans = iter(json.loads(record[FOUND]))

    def rewrite(text: str) -> str:
        findings = [Finding(kind, start, end, text[start:end]) for kind, start, end in next(spans)]
        return replace(text, findings, mode, salt.get_secret_value() if salt else None)

    return records.map_texts(record, rewrite), None


def _masked_example(example: dict) -> dict:
    """A report example with no personal data in it: a changed record as it is after the op (its `before` is the
    very data the op exists to hide, so a shared report must not show it), a dropped one as masked."""
    if set(example) == {"before", "after"}:
        return {"after": _without_found(example["after"])}
    masked, _ = _apply(example, mode="mask", salt=None, drop=False)
    return _without_found({**example, **(masked or {})})


def _without_found(record: dict) -> dict:
    """A record without the temporary column."""
    return {key: value for key, value in record.items() if key != FOUND}
