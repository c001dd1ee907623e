"""The optimized-prompt arm: a teacher rewrites the instructions from the base model's failures on a dev split.

Each round shows the teacher the current instructions and a few dev examples the model got wrong (input,
expected reply, the model's reply) and asks for better instructions. A rewrite is kept only when it scores
higher on the dev split; the test split is never looked at. This is the simplest member of the APE / OPRO
family (Zhou et al. 2022; Yang et al. 2023): greedy hill-climbing with one candidate per round.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tunesmith.arena.config import ArenaConfig, OptimizedPromptArm
from tunesmith.arena.score import per_example
from tunesmith.arena.task import dev_split, last_user, with_instructions
from tunesmith.data.teacher import Teacher
from tunesmith.progress import SILENT, Progress

REWRITE = (
    "You are improving the instructions given to a small language model for one task.\n\n"
    "Current instructions:\n{instructions}\n\n"
    "Examples the model got wrong with these instructions:\n{failures}\n\n"
    "Write improved instructions that would make the model produce the expected reply for inputs like these. "
    "Be specific about the output format. Reply with the new instructions only."
)


@dataclass
class Optimized:
    """The instructions the arm answers with, and each round's dev score."""

    instructions: str
    rounds: list[dict] = field(default_factory=list)  # {instructions, dev_score, kept}
    teacher_tokens: dict = field(default_factory=lambda: {"input": 0, "output": 0})
    teacher_price: dict | None = None

    def details(self) -> dict:
        return {"instructions": self.instructions, "rounds": self.rounds}

    def one_off(self) -> dict:
        return {"teacher_tokens": self.teacher_tokens, "teacher_price": self.teacher_price}


Answerer = Callable[[list[list[dict]]], list[str]]


def optimize_instructions(
    arm: OptimizedPromptArm,
    cfg: ArenaConfig,
    answer: Answerer,
    teacher: Teacher,
    count_tokens: Callable[[str], int],
    progress: Progress = SILENT,
) -> Optimized:
    """Hill-climb the task's instructions on the dev split: `answer` is the arm's model, `teacher` the writer;
    `count_tokens` estimates the teacher's token use (its own tokenizer is not known here)."""
    task = cfg.task
    dev = dev_split(task)

    def dev_scores(instructions: str) -> tuple[float, list[float], list[str]]:
        replies = answer([with_instructions(p, instructions) for p in dev.prompts])
        scores = per_example(task, replies, dev.references)
        return sum(scores) / len(scores), scores, replies

    best = task.instructions or ""
    best_score, scores, replies = dev_scores(best)
    found = Optimized(best, [{"instructions": best, "dev_score": best_score, "kept": True}])
    found.teacher_price = arm.teacher_price.model_dump() if arm.teacher_price else None
    for round_ in range(arm.rounds):
        progress.note(f"{arm.name}: round {round_ + 1} of {arm.rounds}, dev score {best_score:.3f}")
        wrong = [i for i, s in enumerate(scores) if s < 1.0][: arm.failures]
        if not wrong:
            break
        ask = REWRITE.format(instructions=best or "(none)", failures=_failures(dev, wrong, replies))
        candidate = teacher.complete([ask], temperature=0.7)[0].strip()
        found.teacher_tokens["input"] += count_tokens(ask)
        found.teacher_tokens["output"] += count_tokens(candidate)
        if not candidate:
            continue
        score, new_scores, new_replies = dev_scores(candidate)
        kept = score > best_score
        found.rounds.append({"instructions": candidate, "dev_score": score, "kept": kept})
        if kept:
            best, best_score, scores, replies = candidate, score, new_scores, new_replies
    found.instructions = best
    return found


def _failures(dev, rows: list[int], replies: list[str]) -> str:
    return "\n\n".join(
        f"Input: {last_user(dev.prompts[i])}\nExpected: {dev.references[i]}\nModel replied: {replies[i]}" for i in rows
    )
