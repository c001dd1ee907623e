"""Before/after evaluation: a run (or any model) side by side with its base model, written as one report."""

from __future__ import annotations

from pathlib import Path

from tunesmith.config import EvalConfig, load_run_recipe
from tunesmith.eval.report import write_report
from tunesmith.eval.run import EvalResult, evaluate
from tunesmith.models.loading import ModelSource, source_for
from tunesmith.progress import SILENT, Progress
from tunesmith.runs import RunDir, is_run_dir


def eval_config_for(ref: str | Path) -> EvalConfig:
    """A run's own `eval` recipe section, or the defaults for a plain model."""
    if is_run_dir(ref):
        return load_run_recipe(RunDir(Path(ref)).recipe).eval
    return EvalConfig()


def baseline_source(ref: str | Path, progress: Progress = SILENT) -> ModelSource | None:
    """The base model a run started from (None for a plain model)."""
    if not is_run_dir(ref):
        return None
    base = load_run_recipe(RunDir(Path(ref)).recipe).model
    return ModelSource(base=source_for(base, progress).base, label=f"base ({base})")


def compare(
    ref: str | Path,
    data: Path,
    cfg: EvalConfig,
    out_dir: Path,
    baseline: bool = True,
    progress: Progress = SILENT,
) -> tuple[list[EvalResult], dict]:
    """Evaluate `ref` (and its base first, when asked and it has one); write the report to `out_dir`."""
    target = source_for(ref, progress)
    sources = [target]
    base = baseline_source(ref, progress) if baseline else None
    if base is not None:
        target = ModelSource(base=target.base, adapter=target.adapter, label=f"tuned ({Path(ref).name})")
        sources = [base, target]
    results = [evaluate(s, data, cfg, progress) for s in sources]
    return results, write_report(results, out_dir, data)
