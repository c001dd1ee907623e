"""Check an export in its own runtime: greedy token ids on the run's eval prompts against the PyTorch model's.

Every export target (gguf, onnx) loads its artifact in its runtime as a `Runtime`, and `check_export` compares it
with the merged PyTorch model on the same token ids (so a tokenizer difference cannot hide a model difference),
scores both with the run's task metrics, and measures size, load time and tokens/s.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

from tunesmith.atomic import write_text
from tunesmith.config import EvalConfig, load_run_recipe
from tunesmith.errors import InputError
from tunesmith.eval import metrics as metric_fns
from tunesmith.eval.run import eval_examples
from tunesmith.models.generate import render_prompts
from tunesmith.progress import SILENT, Progress

REPORT_FILE = "export_report.json"
MISMATCHES_KEPT = 5


class Runtime(Protocol):
    """An exported model loaded in its own runtime (llama.cpp, onnxruntime)."""

    name: str  # e.g. "llama.cpp (llama-cpp-python 0.3.36)"
    load_seconds: float

    def greedy(self, ids: list[int], max_new_tokens: int, stop_ids: set[int]) -> list[int]:
        """The greedy continuation of prompt `ids`: new token ids, ending at (and including) a stop id or at the
        limit."""
        ...


@dataclass(frozen=True)
class EvalPrompts:
    """The run's eval prompts as token ids (rendered with the chat template), with what scoring them needs."""

    ids: list[list[int]]
    texts: list[str]
    references: list[str]
    metrics: list[str]
    json_fields: list[str] | None
    max_new_tokens: int


@dataclass
class Replies:
    """One model's greedy replies: new token ids per prompt, and the seconds generation took."""

    tokens: list[list[int]]
    seconds: float

    def tokens_per_second(self) -> float:
        return sum(map(len, self.tokens)) / self.seconds if self.seconds > 0 else 0.0


@dataclass
class ExportCheck:
    """What a verification found: identical replies, task metrics side by side, size, load time, speed."""

    format: str  # e.g. "gguf q8_0", "onnx fp32"
    artifact: str
    runtime: str
    prompts: int
    identical: int
    size_bytes: int
    load_seconds: float
    tokens_per_second: float
    pytorch_tokens_per_second: float
    metrics: dict[str, float] = field(default_factory=dict)
    pytorch_metrics: dict[str, float] = field(default_factory=dict)
    mismatches: list[dict] = field(default_factory=list)  # the first few: prompt, pytorch and exported replies

    @property
    def all_identical(self) -> bool:
        return self.identical == self.prompts


def eval_prompts(cfg: EvalConfig, tokenizer, limit: int | None = None) -> EvalPrompts:
    """The eval file's prompts (the first `limit`), rendered and tokenized as training and eval see them."""
    examples = eval_examples(cfg.file, limit or cfg.limit)
    texts = render_prompts(tokenizer, examples.prompts, examples.tools)
    ids = [tokenizer(text, add_special_tokens=False)["input_ids"] for text in texts]
    return EvalPrompts(ids, texts, examples.references, cfg.metrics, cfg.json_fields, cfg.max_new_tokens)


def eval_config(recipe: Path, eval_file: str | Path | None = None) -> EvalConfig:
    """The run's eval section (its file replaced by `eval_file`), refused when there is no file to verify on."""
    cfg = load_run_recipe(recipe).eval
    if eval_file is not None:
        cfg = cfg.model_copy(update={"file": Path(eval_file)})
    if cfg.file is None:
        raise InputError(
            "--data", "the run's recipe has no eval.file to verify the export on: give --data FILE, or --no-verify"
        )
    if not Path(cfg.file).is_file():
        raise InputError(str(cfg.file), "eval file not found (give --data FILE, or --no-verify)")
    return cfg


def stop_ids(model, tokenizer) -> set[int]:
    """The token ids that end a reply: the generation config's EOS ids and the tokenizer's."""
    configured = getattr(model.generation_config, "eos_token_id", None)
    ids = set(configured if isinstance(configured, list) else [configured] if configured is not None else [])
    if tokenizer.eos_token_id is not None:
        ids.add(tokenizer.eos_token_id)
    return ids


def pytorch_replies(model, prompts: EvalPrompts, stops: set[int], progress: Progress = SILENT) -> Replies:
    """Greedy replies of the PyTorch model, one prompt at a time (no padding, so nothing differs but the model)."""
    import torch

    task = "PyTorch reference replies"
    progress.start(task, len(prompts.ids))
    tokens: list[list[int]] = []
    started = time.perf_counter()
    for i, ids in enumerate(prompts.ids):
        with torch.inference_mode():
            out = model.generate(
                torch.tensor([ids]),
                attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                max_new_tokens=prompts.max_new_tokens,
                do_sample=False,
                eos_token_id=sorted(stops),
                pad_token_id=sorted(stops)[0],
            )
        tokens.append(_until_stop(out[0, len(ids) :].tolist(), stops))
        progress.update(task, i + 1)
    progress.finish(task)
    return Replies(tokens, time.perf_counter() - started)


@dataclass
class Reference:
    """The merged PyTorch model's greedy replies on the eval prompts, with what comparing against them needs."""

    prompts: EvalPrompts
    replies: Replies
    tokenizer: object
    stops: set[int]

    @property
    def n_ctx(self) -> int:
        """A context that holds the longest prompt and its reply."""
        return max(map(len, self.prompts.ids), default=0) + self.prompts.max_new_tokens + 1


def pytorch_reference(model_dir: Path, cfg: EvalConfig, limit: int | None, progress: Progress = SILENT) -> Reference:
    """Load the merged model from `model_dir` and take its greedy replies on the eval prompts (the first `limit`)."""
    from tunesmith.models.loading import load_model, load_tokenizer

    tokenizer = load_tokenizer(str(model_dir))
    model = load_model(str(model_dir)).eval()
    prompts = eval_prompts(cfg, tokenizer, limit)
    if not prompts.ids:
        raise InputError(str(cfg.file), "no eval examples to verify the export on")
    stops = stop_ids(model, tokenizer)
    return Reference(prompts, pytorch_replies(model, prompts, stops, progress), tokenizer, stops)


def runtime_replies(runtime: Runtime, prompts: EvalPrompts, stops: set[int], progress: Progress = SILENT) -> Replies:
    """Greedy replies of the exported model in its runtime, on the same token ids."""
    task = f"{runtime.name} replies"
    progress.start(task, len(prompts.ids))
    tokens: list[list[int]] = []
    started = time.perf_counter()
    for i, ids in enumerate(prompts.ids):
        tokens.append(_until_stop(runtime.greedy(ids, prompts.max_new_tokens, stops), stops))
        progress.update(task, i + 1)
    progress.finish(task)
    return Replies(tokens, time.perf_counter() - started)


def check_export(
    fmt: str,
    artifact: Path,
    runtime: Runtime,
    prompts: EvalPrompts,
    reference: Replies,
    tokenizer,
    stops: set[int],
    progress: Progress = SILENT,
) -> ExportCheck:
    """Compare the runtime's greedy replies with the PyTorch reference and score both with the task metrics."""
    exported = runtime_replies(runtime, prompts, stops, progress)
    return compare_replies(fmt, artifact, runtime, exported, prompts, reference, tokenizer)


def compare_replies(
    fmt: str,
    artifact: Path,
    runtime: Runtime,
    exported: Replies,
    prompts: EvalPrompts,
    reference: Replies,
    tokenizer,
) -> ExportCheck:
    """`check_export` on replies already generated (so a caller that also compares them elsewhere generates once)."""
    ours = _texts(tokenizer, exported.tokens)
    theirs = _texts(tokenizer, reference.tokens)
    same = [a == b for a, b in zip(exported.tokens, reference.tokens)]
    mismatches = [
        {"prompt": prompts.texts[i], "pytorch": theirs[i], "exported": ours[i]}
        for i, equal in enumerate(same)
        if not equal
    ][:MISMATCHES_KEPT]
    return ExportCheck(
        format=fmt,
        artifact=str(artifact),
        runtime=runtime.name,
        prompts=len(same),
        identical=sum(same),
        size_bytes=size_on_disk(artifact),
        load_seconds=round(runtime.load_seconds, 3),
        tokens_per_second=round(exported.tokens_per_second(), 1),
        pytorch_tokens_per_second=round(reference.tokens_per_second(), 1),
        metrics=_scores(prompts, ours),
        pytorch_metrics=_scores(prompts, theirs),
        mismatches=mismatches,
    )


def size_on_disk(path: Path) -> int:
    """Bytes of a file, or of every file under a folder."""
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def write_report(out_dir: Path, checks: list[ExportCheck], extra: dict | None = None) -> Path:
    """`export_report.json` beside the artifacts (atomically): one entry per verified artifact."""
    report = {"checks": [asdict(c) | {"all_identical": c.all_identical} for c in checks], **(extra or {})}
    target = Path(out_dir) / REPORT_FILE
    write_text(target, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return target


def _until_stop(tokens: list[int], stops: set[int]) -> list[int]:
    """The tokens up to and including the first stop id."""
    for i, token in enumerate(tokens):
        if token in stops:
            return tokens[: i + 1]
    return tokens


def _texts(tokenizer, tokens: list[list[int]]) -> list[str]:
    return [tokenizer.decode(t, skip_special_tokens=True).strip() for t in tokens]


def _scores(prompts: EvalPrompts, replies: list[str]) -> dict[str, float]:
    return metric_fns.compute(prompts.metrics, replies, prompts.references, json_fields=prompts.json_fields)
