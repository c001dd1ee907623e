"""dedup: remove duplicate records, keeping one per group: exact, near (MinHash LSH) or semantic (embeddings).

One method per step; to use several, list the op once per method, cheapest first (each step reads only what the
one before kept):

    - dedup: {method: exact}
    - dedup: {method: near, threshold: 0.8}

Records are compared on their text without system turns (a system prompt shared by every record would make them
all look alike): all of it (`on: all`), or only the prompt (`on: prompt`: the user turns before the last assistant
turn, or `prompt`, or `text`), which also catches one question answered twice. Blank texts are never duplicates
(the filter op removes them). What counts as the same for each method is described in `tunesmith.data.similarity`;
the `threshold` is a Jaccard similarity for near (default 0.8) and a cosine similarity for semantic (default 0.95).
In each group the first record is kept (`keep: first`), or the one with the most text (`keep: longest`).
"""

from __future__ import annotations

from typing import Literal

from datasets import Dataset
from pydantic import Field, model_validator

from tunesmith.data import records
from tunesmith.data.ops import EXAMPLES, OpContext, OpResult, drop_by_reason
from tunesmith.data.similarity import exact_groups, near_duplicate_groups, semantic_groups
from tunesmith.schema import Strict

DEFAULT_THRESHOLD = {"near": 0.8, "semantic": 0.95}
SNIPPET = 200  # characters of each text shown in the report's example clusters
BATCH = 1000  # records read from the dataset at a time


class Config(Strict):
    """Which duplicates to find (method, threshold, MinHash settings), what to compare, and which record to keep."""

    method: Literal["exact", "near", "semantic"] = "near"
    threshold: float | None = Field(None, gt=0.0, le=1.0)  # None: 0.8 (near, Jaccard) or 0.95 (semantic, cosine)
    num_perm: int = Field(128, ge=16, le=1024)  # MinHash permutations (near only)
    ngram: int = Field(5, ge=1, le=64)  # characters per shingle (near only)
    on: Literal["all", "prompt"] = "all"
    keep: Literal["first", "longest"] = "first"

    @model_validator(mode="after")
    def _options_fit_method(self) -> Config:
        if self.method == "exact" and self.threshold is not None:
            raise ValueError("threshold applies to near and semantic dedup; exact dedup has none")
        for name in ("num_perm", "ngram"):
            if self.method != "near" and name in self.model_fields_set:
                raise ValueError(f"{name} applies to near dedup only, not {self.method}")
        return self

    @property
    def similarity(self) -> float:
        """The threshold in force: the one given, or the method's default."""
        return self.threshold if self.threshold is not None else DEFAULT_THRESHOLD.get(self.method, 1.0)


def run(dataset: Dataset, cfg: Config, ctx: OpContext) -> OpResult:
    """Drop all but one record of every group of duplicates; stats count groups, examples show a few."""
    compared, lengths = compared_texts(dataset, cfg.on)
    groups = find_groups(compared, cfg)
    keepers = [_keeper(group, lengths, cfg.keep) for group in groups]
    reasons: list[str | None] = [None] * len(dataset)
    for group, keeper in zip(groups, keepers):
        for i in group:
            if i != keeper:
                reasons[i] = f"{cfg.method} duplicate"
    result = drop_by_reason(dataset, reasons, ctx)
    result.stats = {
        "clusters": len(groups),
        "duplicates": sum(len(group) - 1 for group in groups),
        "largest_cluster": max(map(len, groups), default=0),
    }
    if groups:
        largest = sorted(range(len(groups)), key=lambda g: -len(groups[g]))[:EXAMPLES]
        result.examples["clusters"] = [_example(groups[g], keepers[g], compared) for g in largest]
    return result


def find_groups(texts: list[str], cfg: Config) -> list[list[int]]:
    """Groups of duplicate indices among `texts` by `cfg.method`; blank texts are left out."""
    at = [i for i, text in enumerate(texts) if text.strip()]
    present = [texts[i] for i in at]
    if cfg.method == "exact":
        groups = exact_groups(present)
    elif cfg.method == "near":
        groups = near_duplicate_groups(present, threshold=cfg.similarity, num_perm=cfg.num_perm, ngram=cfg.ngram)
    else:
        groups = semantic_groups(present, threshold=cfg.similarity)
    return [[at[i] for i in group] for group in groups]


def compared_texts(dataset: Dataset, on: str) -> tuple[list[str], list[int]]:
    """Each record's compared text (all of it or its prompt, without system turns) and its full text's length."""
    columns = [c for c in ("messages", *records.TEXT_COLUMNS) if c in dataset.column_names]
    compared: list[str] = []
    lengths: list[int] = []
    for batch in dataset.select_columns(columns).iter(batch_size=BATCH):
        for values in zip(*batch.values()):
            record = _without_system(dict(zip(batch, values)))
            full = records.full_text(record)
            compared.append(full if on == "all" else records.prompt_of(record))
            lengths.append(len(full))
    return compared, lengths


def _without_system(record: dict) -> dict:
    """The record with system turns taken out of its chat columns."""
    for column in ("messages", "prompt"):
        turns = record.get(column)
        if isinstance(turns, list):
            record[column] = [t for t in turns if not (isinstance(t, dict) and t.get("role") == "system")]
    return record


def _keeper(group: list[int], lengths: list[int], keep: str) -> int:
    """The index kept from a group: its first, or its longest (the first of those on a tie)."""
    return group[0] if keep == "first" else max(group, key=lambda i: (lengths[i], -i))


def _example(group: list[int], keeper: int, texts: list[str]) -> dict:
    """One cluster for the report: its size, the kept text and a few removed ones, truncated."""
    removed = [_snippet(texts[i]) for i in group if i != keeper]
    return {"size": len(group), "kept": _snippet(texts[keeper]), "removed": removed[:EXAMPLES]}


def _snippet(text: str) -> str:
    return text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…"
