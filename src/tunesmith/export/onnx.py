"""`export_onnx`: a run as an ONNX model for onnxruntime on the CPU, verified in onnxruntime before it is reported
done.

The adapter is merged into its base, onnxruntime-genai's model builder writes the graph (fp32, or int8/int4
weight-only quantized), and the folder holds what running it needs: model.onnx (+ .data), genai_config.json and
the tokenizer with its chat template. Verifying compares onnxruntime's greedy replies on the run's eval prompts with
the merged PyTorch model's: identical at fp32; for int8/int4 the task metrics say what quantizing cost.
"""

from __future__ import annotations

import dataclasses
import shutil
from dataclasses import dataclass
from pathlib import Path

from tunesmith.atomic import atomic_dir
from tunesmith.config import EvalConfig
from tunesmith.export import verify as verification
from tunesmith.export.merge import check_mergeable, merged_folder
from tunesmith.export.onnx_builder import build, builder_version, check_installed, check_precision
from tunesmith.export.onnx_runtime import Decoder, OnnxRuntime
from tunesmith.models.loading import ModelSource, source_for
from tunesmith.progress import SILENT, Progress
from tunesmith.runs import open_run

WORK = ".work"  # scratch inside the output's temporary folder: the merged model and the builder's cache


@dataclass
class ONNXExport:
    """What `export_onnx` wrote and what verifying it found."""

    out_dir: Path
    precision: str
    model: Path  # model.onnx (its weights beside it in model.onnx.data)
    check: verification.ExportCheck | None = None
    report: Path | None = None


@dataclass(frozen=True)
class ONNXPlan:
    """A checked request for an ONNX export: everything `write_onnx` needs, found before anything is written."""

    run_dir: Path
    source: ModelSource
    precision: str
    eval: EvalConfig | None  # None: not verified
    limit: int | None


def plan_onnx(
    run_dir: str | Path,
    precision: str = "fp32",
    verify: bool = True,
    limit: int | None = None,
    eval_file: str | Path | None = None,
    progress: Progress = SILENT,
) -> ONNXPlan:
    """Check the request (precision, run, method, eval file, the onnx packages) before anything is written."""
    precision = check_precision(precision)
    run = open_run(run_dir)
    source = source_for(run_dir, progress)
    if source.adapter is not None:
        check_mergeable(run_dir, source.adapter)
    eval_cfg = verification.eval_config(run.recipe, eval_file) if verify else None
    check_installed()
    return ONNXPlan(Path(run_dir), source, precision, eval_cfg, limit)


def export_onnx(
    run_dir: str | Path,
    out_dir: str | Path,
    precision: str = "fp32",
    verify: bool = True,
    limit: int | None = None,
    eval_file: str | Path | None = None,
    progress: Progress = SILENT,
) -> ONNXExport:
    """Write the run as ONNX into `out_dir` (atomically: nothing is left there on failure) and verify it.

    `precision` is fp32, int8 or int4; `eval_file` replaces the recipe's eval.file for verification; `limit`
    verifies on the first N prompts only.
    """
    plan = plan_onnx(run_dir, precision, verify, limit, eval_file, progress)
    with atomic_dir(out_dir) as tmp:
        result = write_onnx(plan, tmp, Path(out_dir), progress)
    progress.note(f"ONNX model written to {out_dir}")
    return result


def write_onnx(plan: ONNXPlan, folder: Path, final: Path, progress: Progress = SILENT) -> ONNXExport:
    """Build and verify the planned export and its report in `folder`, which will be moved to `final`."""
    work = folder / WORK
    work.mkdir()
    merged = merged_folder(plan.run_dir, plan.source, work, progress)
    model = build(merged, folder, plan.precision, work / "cache", _layers(merged), progress)
    Decoder.read(folder).check_cpu_attention(str(plan.run_dir))
    result = ONNXExport(final, plan.precision, final / model.name)
    reference = verification.pytorch_reference(merged, plan.eval, plan.limit, progress) if plan.eval else None
    shutil.rmtree(work)  # before measuring: the report's size is the folder as shipped
    if reference is not None:
        result.check = _check(folder, final, plan.precision, reference, progress)
        extra = {"run": str(plan.run_dir.resolve()), "precision": plan.precision, "exporter": _exporter()}
        verification.write_report(folder, [result.check], extra | {"files": _files(folder)})
        result.report = final / verification.REPORT_FILE
    return result


def _check(
    folder: Path, final: Path, precision: str, ref: verification.Reference, progress: Progress
) -> verification.ExportCheck:
    """The export in onnxruntime against the reference; the artifact is the whole folder, named as it will be."""
    runtime = OnnxRuntime(folder)
    fmt = f"onnx {precision}"
    check = verification.check_export(
        fmt, folder, runtime, ref.prompts, ref.replies, ref.tokenizer, ref.stops, progress
    )
    return dataclasses.replace(check, artifact=str(final))


def _layers(model_dir: Path) -> int:
    """The decoder's layer count (the builder's progress is one layer at a time)."""
    from transformers import AutoConfig

    return AutoConfig.from_pretrained(model_dir).get_text_config().num_hidden_layers


def _exporter() -> str:
    return f"onnxruntime-genai {builder_version()} model builder"


def _files(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in sorted(folder.iterdir()) if p.is_file()}
