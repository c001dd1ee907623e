"""`tunesmith rag eval`: how well an index finds the right chunk — recall@k, MRR and nDCG@k, per retrieval mode.

A question names its gold passage either by chunk ids (`gold: ["manual.md#3"]`) or by `evidence`, a sentence
the gold chunk must contain (with an optional `source` document); evidence survives re-chunking and new document
versions, chunk ids do not. recall@k is the share of questions with a gold chunk among the first k (chunks
overlap, so a sentence can lie in two; either counts); its 95% interval is Wilson's. nDCG@k uses binary relevance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from tunesmith.data.io import read_records
from tunesmith.errors import InputError
from tunesmith.rag.manifest import Chunk
from tunesmith.rag.retrieve import MODES, Retriever


@dataclass(frozen=True)
class Question:
    where: str
    text: str
    gold: frozenset[str]
    group: str | None = None  # the value of the field results are split by (`rag eval --by lang`)


def read_questions(
    path: str | Path, chunks: list[Chunk], evidence_field: str = "evidence", group_by: str | None = None
) -> list[Question]:
    """The questions with their gold chunk ids; a question whose gold names no chunk of the index is an error."""
    questions = []
    for where, record in read_records(path):
        text = record.get("question")
        if not isinstance(text, str) or not text.strip():
            raise InputError(f"{where}: question", "missing or empty; expected the question text")
        gold = gold_chunks(record, where, chunks, evidence_field)
        group = None if group_by is None else str(record.get(group_by, "(none)"))
        questions.append(Question(where, text, frozenset(gold), group))
    return questions


def evaluate(retriever: Retriever, questions: list[Question], k: int = 5, modes=MODES) -> dict[str, dict]:
    """Per mode: recall@k with its 95% interval, MRR (over the first 100) and nDCG@k."""
    results = {}
    for mode in modes:
        hits_at_k = reciprocal = ndcg = 0.0
        for question in questions:
            ranked = [hit.chunk.id for hit in retriever.search(question.text, k=max(k, 100), mode=mode)]
            first = next((i for i, cid in enumerate(ranked, 1) if cid in question.gold), None)
            hits_at_k += first is not None and first <= k
            reciprocal += 1.0 / first if first else 0.0
            ndcg += _ndcg(ranked[:k], question.gold, k)
        n = len(questions)
        low, high = wilson(hits_at_k, n)
        results[mode] = {
            f"recall@{k}": hits_at_k / n,
            f"recall@{k}_ci95": [low, high],
            "mrr": reciprocal / n,
            f"ndcg@{k}": ndcg / n,
            "questions": n,
        }
    return results


def wilson(successes: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson's 95% score interval for a proportion (sensible near 0 and 1, unlike the normal approximation)."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def gold_chunks(record: dict, where: str, chunks: list[Chunk], evidence_field: str = "evidence") -> set[str]:
    """The ids of a record's gold chunks: its `gold` ids, or the chunks holding its `evidence` (in its `source`)."""
    if "gold" in record:
        gold = record["gold"]
        gold = [gold] if isinstance(gold, str) else gold
        if not isinstance(gold, list) or not gold or not all(isinstance(g, str) for g in gold):
            raise InputError(f"{where}: gold", "expected a chunk id or a non-empty list of chunk ids")
        known = {c.id for c in chunks}
        missing = [g for g in gold if g not in known]
        if missing:
            raise InputError(f"{where}: gold", f"chunk {missing[0]!r} is not in the index; built from other documents?")
        return set(gold)
    evidence = record.get(evidence_field)
    if not isinstance(evidence, str) or not evidence.strip():
        raise InputError(where, f"expected `gold` (chunk ids) or `{evidence_field}` (a sentence the gold chunk holds)")
    source = record.get("source")
    needle = " ".join(evidence.split())
    found = {c.id for c in chunks if needle in " ".join(c.text.split()) and (source is None or c.source == source)}
    if not found:
        inside = f" in {source}" if source else ""
        raise InputError(f"{where}: {evidence_field}", f"no chunk of the index contains this text{inside}")
    return found


def _ndcg(ranked: list[str], gold: frozenset[str], k: int) -> float:
    dcg = sum(1.0 / math.log2(i + 1) for i, cid in enumerate(ranked, 1) if cid in gold)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(gold), k) + 1))
    return dcg / ideal if ideal else 0.0
