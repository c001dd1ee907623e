"""The forgetting probe: general instruction-following prompts whose constraints a program can check.

The prompts (shipped in `probes/instruction_following.jsonl`) are everyday requests with IFEval-style
constraints (lowercase only, no commas, N bullets, an exact ending …); IFEval's own checkers, from the
`if-verifiable` package, score the replies offline. Scored before and after fine-tuning, the drop is the
general skill the tuned model lost.
"""

from __future__ import annotations

import json
from pathlib import Path

from tunesmith.errors import InputError
from tunesmith.progress import SILENT, Progress

PROBE_FILE = Path(__file__).parent / "probes" / "instruction_following.jsonl"
MAX_NEW_TOKENS = 192


def load_probe(path: Path = PROBE_FILE) -> list[dict]:
    """The probe items: `prompt`, `instruction_id_list` and one `kwargs` mapping per instruction."""
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for n, item in enumerate(items, 1):
        if len(item.get("instruction_id_list", [])) != len(item.get("kwargs", [])) or not item.get("prompt"):
            raise InputError(f"{path}:{n}", "expected prompt, instruction_id_list and one kwargs per instruction")
    return items


def score_probe(items: list[dict], replies: list[str]) -> tuple[dict[str, float], list[dict]]:
    """IFEval's prompt-level and instruction-level strict accuracy, and a row per item saying what passed."""
    from if_verifiable import evaluate_output_for_sample
    from if_verifiable.types import IFEvalSample
    from langdetect import DetectorFactory

    DetectorFactory.seed = 0  # langdetect samples at random unless seeded; the score must not vary between runs
    rows, prompt_pass, passed, total = [], 0, 0, 0
    for item, reply in zip(items, replies, strict=True):
        sample = IFEvalSample(item["key"], item["prompt"], item["instruction_id_list"], item["kwargs"])
        results, _ = evaluate_output_for_sample("ifeval", sample, reply)
        ok = [r.strict_pass for r in results] or [False] * len(item["instruction_id_list"])  # [] for an empty reply
        prompt_pass += all(ok)
        passed += sum(ok)
        total += len(ok)
        rows.append(
            {"prompt": item["prompt"], "prediction": reply, "passed": dict(zip(item["instruction_id_list"], ok))}
        )
    metrics = {"if_prompt_strict": prompt_pass / len(items), "if_instruction_strict": passed / total}
    return metrics, rows


def run_probe(
    model, tokenizer, batch_size: int = 16, progress: Progress = SILENT, limit: int | None = None, label: str = ""
) -> tuple[dict[str, float], list]:
    """Generate greedy replies to every probe prompt (the first `limit`, as eval's --limit; no system prompt) and
    score them; `label` names the model on the progress bar."""
    from tunesmith.models.generate import generate

    items = load_probe()[:limit] if limit else load_probe()
    conversations = [[{"role": "user", "content": item["prompt"]}] for item in items]
    task = f"{label}: probe replies" if label else "probe replies"
    replies = generate(model, tokenizer, conversations, MAX_NEW_TOKENS, batch_size, progress=progress, task=task)
    return score_probe(items, replies)
