"""`run_benchmarks`: general benchmarks (hellaswag, arc_easy, mmlu …) on a model or run, through EleutherAI's
lm-evaluation-harness and its own Hugging Face wrapper (`HFLM`, with `peft=` the run's adapter), so the numbers
compare with the field's.

Hub tasks download their data sets from the Hugging Face hub; a task whose YAML reads local files
(`dataset_path: json` + `data_files`, as in examples/benchmarks/) runs offline. Model paths are handed to lm_eval as
absolute paths, so its model-card lookup (`HfApi().model_info`) rejects them as hub ids without a request.
"""

from __future__ import annotations

import difflib
import json
import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tunesmith.atomic import write_text
from tunesmith.errors import InputError
from tunesmith.models.loading import ModelSource, source_for
from tunesmith.progress import SILENT, Progress
from tunesmith.schema import did_you_mean

BENCHMARKS_FILE = "benchmarks.json"
INSTALL = "pip install 'tunesmith[benchmarks]'"


def run_benchmarks(
    ref: str | Path,
    tasks: list[str],
    include_path: Path | None = None,
    limit: int | None = None,
    batch_size: int = 8,
    num_fewshot: int | None = None,
    out_dir: Path | None = None,
    progress: Progress = SILENT,
) -> dict:
    """Score `ref` (run directory, alias, folder or hub id) on lm_eval `tasks`; returns the report, also written
    atomically to `out_dir/benchmarks.json` when `out_dir` is given.

    `include_path` is a folder of task YAMLs added to lm_eval's own; `limit` caps the examples per task (for a quick
    look: the numbers are then not comparable with published ones); `num_fewshot` None keeps each task's default.
    """
    lm_eval = _lm_eval()
    manager = task_manager(include_path, progress)
    check_tasks(tasks, manager.all_tasks, include_path)
    source = source_for(ref, progress)
    with _quiet_lm_eval():
        model = harness_model(source, batch_size, progress)
        progress.note(f"Running {', '.join(tasks)} on {source.label} with lm-evaluation-harness {lm_eval.__version__}")
        raw = _evaluate(lm_eval, model, tasks, manager, limit, num_fewshot)
    report = {
        "model": str(ref),
        "base": source.base,
        "adapter": str(source.adapter) if source.adapter else None,
        "lm_eval_version": lm_eval.__version__,
        "tasks": list(tasks),
        "include_path": str(include_path) if include_path else None,
        "limit": limit,
        "num_fewshot": num_fewshot,
        "batch_size": batch_size,
        "device": str(model.device),
        "dtype": str(raw["config"].get("model_dtype", "")).removeprefix("torch."),
        "model_num_parameters": raw["config"].get("model_num_parameters"),
        "results": task_results(raw),
    }
    if out_dir is not None:
        write_text(Path(out_dir) / BENCHMARKS_FILE, json.dumps(report, indent=2, ensure_ascii=False))
    return report


def task_manager(include_path: Path | None, progress: Progress = SILENT):
    """lm_eval's TaskManager: its own tasks plus the YAMLs under `include_path`."""
    if include_path is not None and not Path(include_path).is_dir():
        raise InputError(str(include_path), "no such folder; expected a folder of lm_eval task YAML files")
    from lm_eval.tasks import TaskManager

    progress.note("Indexing lm-evaluation-harness tasks")
    with _quiet_lm_eval():
        return TaskManager(include_path=str(include_path) if include_path else None)


def check_tasks(tasks: list[str], known: list[str], include_path: Path | None = None) -> None:
    """Every name is a task, group or tag lm_eval knows (or a task YAML file); else an InputError naming the
    closest names."""
    if not tasks:
        raise InputError("--benchmarks", "name at least one lm_eval task, e.g. hellaswag,arc_easy")
    for name in tasks:
        if name in known or (name.endswith(".yaml") and Path(name).is_file()):
            continue
        close = difflib.get_close_matches(name, known, n=5, cutoff=0.6)
        others = f" (close: {', '.join(close)})" if len(close) > 1 else ""
        where = f" plus the YAMLs in {include_path}" if include_path else " (add your own with --benchmark-include DIR)"
        raise InputError(
            "--benchmarks",
            f"unknown lm_eval task '{name}'{did_you_mean(name, known)}{others}; `lm-eval ls tasks` lists its "
            f"{len(known):,} tasks{where}",
        )


def harness_model(source: ModelSource, batch_size: int, progress: Progress = SILENT):
    """lm_eval's HFLM for `source`: the base model by path (or hub id), a PEFT adapter through `peft=`, on CUDA when
    there is one. A tunesmith bottleneck adapter (method `adapter`) is not PEFT's, so that model is loaded here and
    handed to HFLM whole."""
    import torch

    from tunesmith.models.bottleneck import is_adapter_folder

    cls = _silent_hflm(progress)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    if source.adapter is not None and is_adapter_folder(source.adapter):
        from tunesmith.models.loading import load_for_inference

        model, tokenizer = load_for_inference(source)
        return cls(pretrained=model.to(device), tokenizer=tokenizer, batch_size=batch_size)
    adapter = source.adapter.resolve() if source.adapter is not None else None
    tokenizer = str(adapter) if adapter and (adapter / "tokenizer_config.json").is_file() else None
    return cls(
        pretrained=_absolute(source.base),
        peft=str(adapter) if adapter else None,
        tokenizer=tokenizer,
        device=device,
        dtype="auto" if device == "cuda" else "float32",  # float32 on CPU, as tunesmith's own eval loads models
        batch_size=batch_size,
    )


def task_results(raw: dict) -> dict[str, dict]:
    """Per task (and group) row of lm_eval's results: each metric's value and stderr (None where lm_eval has
    none), named as lm_eval names it without the default `,none` filter (`acc`, `exact_match,strict-match`)."""
    out: dict[str, dict] = {}
    for name, row in raw["results"].items():
        better = raw.get("higher_is_better", {}).get(name, {})
        metrics = {}
        for key, value in row.items():
            metric, sep, filt = key.partition(",")
            if not sep or metric.endswith("_stderr"):
                continue
            metrics[metric if filt == "none" else key] = {
                "value": _number(value),
                "stderr": _number(row.get(f"{metric}_stderr,{filt}")),
                "higher_is_better": better.get(metric),
            }
        out[name] = {
            "alias": str(row.get("alias", name)).strip(" -"),
            "group": name in raw.get("groups", {}),
            "n_samples": raw.get("n-samples", {}).get(name, {}).get("effective"),
            "n_shot": raw.get("n-shot", {}).get(name),
            "version": raw.get("versions", {}).get(name),
            "metrics": metrics,
        }
    return out


def table_rows(report: dict) -> list[list[str]]:
    """Rows of task, metric, value ± stderr and n-shot: lm_eval's own table, from a `run_benchmarks` report."""
    rows = []
    for name, task in report["results"].items():
        for metric, m in task["metrics"].items():
            value = "—" if m["value"] is None else f"{m['value']:.4f}"
            stderr = "" if m["stderr"] is None else f"± {m['stderr']:.4f}"
            shots = "" if task["n_shot"] is None else str(task["n_shot"])
            rows.append([task["alias"] or name, metric, value, stderr, shots])
    return rows


def _evaluate(lm_eval, model, tasks: list[str], manager, limit: int | None, num_fewshot: int | None) -> dict:
    """`lm_eval.simple_evaluate`, its data problems turned into InputErrors."""
    try:
        return lm_eval.simple_evaluate(
            model=model,
            tasks=list(tasks),
            task_manager=manager,
            limit=limit,
            num_fewshot=num_fewshot,
            log_samples=False,  # per-example records would fill the report; the metrics are what it keeps
        )
    except FileNotFoundError as exc:
        raise InputError(
            "--benchmarks", f"{exc} (a task's relative data_files are read from the current folder)"
        ) from None
    except ConnectionError as exc:
        raise InputError(
            "--benchmarks",
            f"{exc}: this task downloads its data set from the Hugging Face hub; run it once with network access "
            "(datasets caches it), or use a task that reads local files (see examples/benchmarks/)",
        ) from None


def _lm_eval():
    try:
        import lm_eval
    except ImportError:
        raise InputError("--benchmarks", f"needs lm-evaluation-harness: {INSTALL}") from None
    return lm_eval


def _silent_hflm(progress: Progress):
    """HFLM with its tqdm bars off: lm_eval draws them unless a request call passes `disable_tqdm=True`, which
    `simple_evaluate` never does. The subclass passes it and reports each request batch through `progress`."""
    from lm_eval.models.huggingface import HFLM

    class SilentHFLM(HFLM):
        def loglikelihood(self, requests, disable_tqdm: bool = False):
            with _counted(progress, "loglikelihood", requests):
                return super().loglikelihood(requests, disable_tqdm=True)

        def loglikelihood_rolling(self, requests, disable_tqdm: bool = False):
            with _counted(progress, "rolling loglikelihood", requests):
                return super().loglikelihood_rolling(requests, disable_tqdm=True)

        def generate_until(self, requests, disable_tqdm: bool = False):
            with _counted(progress, "generation", requests):
                return super().generate_until(requests, disable_tqdm=True)

    return SilentHFLM


@contextmanager
def _counted(progress: Progress, kind: str, requests: list) -> Iterator[None]:
    task = f"lm-eval: {len(requests)} {kind} requests"
    progress.start(task, total=len(requests))
    try:
        yield
        progress.update(task, len(requests))
    finally:
        progress.finish(task)


@contextmanager
def _quiet_lm_eval() -> Iterator[None]:
    """lm_eval logs each step, and its warnings reach stderr through logging's last resort; the library reports
    through Progress instead, so lm_eval's logger is held at ERROR for the call (and put back after)."""
    logger = logging.getLogger("lm_eval")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _absolute(base: str) -> str:
    """A local model folder as an absolute path (lm_eval then never takes it for a hub id); a hub id as it is."""
    return str(Path(base).resolve()) if Path(base).is_dir() else base


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None  # lm_eval writes "N/A" where it computed no stderr
    return None if math.isnan(number) else number
