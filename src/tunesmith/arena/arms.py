"""What each kind of arm puts in front of its model: the prompt it sends for every held-out question.

An arm is prepared into plain conversations (the task's, with instructions, demonstrations or retrieved chunks
added) plus what answers them: a local model (a ModelSource) or an endpoint. Preparing never looks at the test
split's references.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tunesmith.arena.config import (
    ArenaConfig,
    FewShotArm,
    FineTunedArm,
    FineTunedRagArm,
    OptimizedPromptArm,
    RagArm,
    TeacherArm,
)
from tunesmith.arena.task import Examples, last_user, read_examples, with_instructions
from tunesmith.models.loading import ModelSource, source_for
from tunesmith.progress import SILENT, Progress


@dataclass
class Prepared:
    """An arm ready to answer: its conversations, its local model (None for an endpoint), what it used."""

    conversations: list[list[dict]]
    source: ModelSource | None
    details: dict = field(default_factory=dict)  # e.g. the optimized instructions, the retrieved chunk ids
    one_off: dict = field(default_factory=dict)  # what setting the arm up cost: training seconds, teacher tokens


def demonstrations(arm: FewShotArm, pool: Examples, test: Examples) -> list[list[int]]:
    """For each test question, the rows of `pool` shown as demonstrations (most similar last, nearest the
    question); a pool entry whose question equals the test question is never shown (no leak of the answer)."""
    asked, known = test.questions(), pool.questions()
    if arm.select == "random":
        rng = random.Random(arm.seed)
        chosen = []
        for question in asked:
            rows = [i for i in range(len(pool)) if known[i] != question]
            chosen.append(rng.sample(rows, min(arm.k, len(rows))))
        return chosen
    from tunesmith.data.embed import embed

    similarity = embed(asked) @ embed(known).T
    chosen = []
    for i, question in enumerate(asked):
        ranked = [j for j in similarity[i].argsort()[::-1] if known[j] != question][: arm.k]
        chosen.append([int(j) for j in reversed(ranked)])
    return chosen


def few_shot_conversation(conversation: list[dict], pool: Examples, rows: list[int]) -> list[dict]:
    """The conversation with each demonstration as a user turn and its reference reply before the question."""
    shown = []
    for j in rows:
        shown += [{"role": "user", "content": last_user(pool.prompts[j])}]
        shown += [{"role": "assistant", "content": pool.references[j]}]
    head = [m for m in conversation[:1] if m["role"] == "system"]
    return [*head, *shown, *conversation[len(head) :]]


def retrieved_conversations(conversations: list[list[dict]], index: Path, k: int, mode: str) -> tuple[list, dict]:
    """Each conversation with its last user turn rewritten to hold the `k` best chunks (rag/prompt.py's layout)."""
    from tunesmith.rag.prompt import with_context
    from tunesmith.rag.retrieve import Retriever

    retriever = Retriever(index)
    out, cited = [], []
    for conversation in conversations:
        question = last_user(conversation)
        hits = retriever.search(question, k, mode)
        cited.append([h.chunk.id for h in hits])
        last = max(i for i, m in enumerate(conversation) if m["role"] == "user")
        turn = {"role": "user", "content": with_context(question, [(h.chunk.id, h.chunk.text) for h in hits])}
        out.append([*conversation[:last], turn, *conversation[last + 1 :]])
    return out, {"retrieved": cited, "index_build": retriever.manifest.get("build_id")}


def prepare(
    arm, cfg: ArenaConfig, test: Examples, index: Path | None, load: Callable, progress: Progress = SILENT
) -> Prepared:
    """The arm's conversations for every test question, and the model that answers them; `load(source)` gives
    (model, tokenizer), shared with the answering so a model is loaded once."""
    instructions = cfg.task.instructions
    base = [with_instructions(p, instructions) for p in test.prompts]
    if isinstance(arm, TeacherArm):
        return Prepared(base, None)
    if isinstance(arm, FineTunedArm):
        return _fine_tuned(arm, base, index, progress)
    source = source_for(arm.model, progress)
    if isinstance(arm, FewShotArm):
        pool = read_examples(cfg.task.train)
        rows = demonstrations(arm, pool, test)
        conversations = [few_shot_conversation(c, pool, r) for c, r in zip(base, rows)]
        return Prepared(conversations, source, {"demonstrations": rows})
    if isinstance(arm, RagArm):
        conversations, details = retrieved_conversations(base, index, arm.k, arm.mode)
        return Prepared(conversations, source, details)
    if isinstance(arm, OptimizedPromptArm):
        found = _optimize(arm, cfg, *load(source), progress)
        conversations = [with_instructions(p, found.instructions) for p in test.prompts]
        return Prepared(conversations, source, found.details(), found.one_off())
    return Prepared(base, source)  # prompt


def _optimize(arm: OptimizedPromptArm, cfg: ArenaConfig, model, tokenizer, progress: Progress):
    """The optimized-prompt search with the arm's local model answering and its teacher writing."""
    from tunesmith.arena.optimize import optimize_instructions
    from tunesmith.data.teacher import make_teacher
    from tunesmith.models.generate import generate

    task = cfg.task

    def answer(conversations: list[list[dict]]) -> list[str]:
        return generate(model, tokenizer, conversations, task.max_new_tokens, task.batch_size)

    def count(text: str) -> int:
        return len(tokenizer(text, add_special_tokens=False)["input_ids"])

    return optimize_instructions(arm, cfg, answer, make_teacher(arm.teacher), count, progress)


def ensure_trained(arm: FineTunedArm, progress: Progress = SILENT) -> FineTunedArm:
    """The arm with `run` set: its recipe's run trained first when asked (resumed after a crash, left alone when
    complete); an arm without a recipe is returned as it is."""
    if arm.recipe is None:
        return arm
    from tunesmith.config import load_recipe
    from tunesmith.train.run import train

    recipe = load_recipe(arm.recipe)
    run = arm.run or recipe.run_dir
    output = recipe.output.model_copy(update={"dir": run.parent, "name": run.name})
    train(recipe.model_copy(update={"output": output}), resume=run.exists(), progress=progress)
    return arm.model_copy(update={"run": run})


def _fine_tuned(arm: FineTunedArm, base: list[list[dict]], index: Path | None, progress: Progress) -> Prepared:
    """A fine-tuned arm (its run already trained: ensure_trained), with retrieval for fine_tuned_rag."""
    one_off = {"train_seconds": _train_seconds(arm.run), "extra": arm.one_off_extra}
    if arm.synthesis is not None:
        one_off["synthesis"] = arm.synthesis.model_dump()
    source = source_for(arm.run, progress)
    details: dict = {"run": str(arm.run)}
    conversations = base
    if isinstance(arm, FineTunedRagArm):
        conversations, retrieved = retrieved_conversations(base, index, arm.k, arm.mode)
        details.update(retrieved)
    return Prepared(conversations, source, details, one_off)


def _train_seconds(run: Path) -> float | None:
    """How long the run trained, from its summary.json (None for a plain model or adapter folder)."""
    import json

    summary = Path(run) / "summary.json"
    if not summary.is_file():
        return None
    return json.loads(summary.read_text(encoding="utf-8")).get("train_seconds")
