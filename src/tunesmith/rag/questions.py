"""`tunesmith rag questions`: a retrieval benchmark for your own documents, written by a teacher from the index.

A seeded sample of chunks goes through the data studio's `synthesize` op (mode `qa`); each question it writes
gets the chunk it was written from as its gold chunk, so `rag eval` can score retrieval on it. Questions a
teacher writes from one chunk can often be answered by a neighbouring, overlapping chunk too, which the gold
label does not count: recall on such a set is a lower bound.
"""

from __future__ import annotations

import random
from pathlib import Path

from tunesmith.data.teacher import TeacherConfig
from tunesmith.progress import SILENT, Progress
from tunesmith.rag.manifest import read_chunks, read_manifest


def write_questions(
    index: Path, teacher: TeacherConfig, chunks: int, per_chunk: int, seed: int, progress: Progress = SILENT
) -> list[dict]:
    """Question records ({question, answer, gold, source, teacher}) from `chunks` sampled chunks of the index."""
    from datasets import Dataset

    from tunesmith.data.ops import OpContext, synthesize
    from tunesmith.data.records import dump_meta, get_meta

    manifest = read_manifest(index)
    table = read_chunks(index, manifest["counts"]["chunks"])
    sample = random.Random(seed).sample(table, min(chunks, len(table)))
    rows = [{"text": c.text, "meta": dump_meta({"gold": c.id, "source": c.source})} for c in sample]
    cfg = synthesize.Config(teacher=teacher, mode="qa", pairs_per_chunk=per_chunk)
    result = synthesize.run(Dataset.from_list(rows), cfg, OpContext(progress=progress, seed=seed))
    questions = []
    for record in result.dataset:
        meta = get_meta(record)
        user, assistant = record["messages"][0]["content"], record["messages"][-1]["content"]
        questions.append(
            {
                "question": user,
                "answer": assistant,
                "gold": [meta["gold"]],
                "source": meta["source"],
                "teacher": meta["teacher"],
            }
        )
    return questions
