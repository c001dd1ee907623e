"""`export_gguf`: a run as GGUF through llama.cpp's own converter, verified in llama.cpp before it is reported done.

Merged: the adapter merged into its base, one GGUF with the chat template and tokenizer. Adapter-only: the base as
GGUF and the LoRA as a GGUF LoRA that llama.cpp loads beside it (`--lora`), so a device keeps one base and many
small adapters. Either way the greedy replies on the run's eval prompts are compared with the PyTorch model's.
"""

from __future__ import annotations

import dataclasses
import shutil
from dataclasses import dataclass
from pathlib import Path

from tunesmith.atomic import atomic_dir
from tunesmith.config import EvalConfig
from tunesmith.export import verify as verification
from tunesmith.export.gguf_lora import base_with_run_tokenizer, check_lora_only
from tunesmith.export.llama_cpp import (
    CONVERTER_TYPES,
    Converters,
    check_quant,
    convert,
    converters,
    import_llama_cpp,
    quantize,
)
from tunesmith.export.merge import check_mergeable, merged_folder
from tunesmith.models.loading import ModelSource, source_for
from tunesmith.progress import SILENT, Progress
from tunesmith.runs import open_run

WORK = ".work"  # scratch inside the output's temporary folder: merged model, unquantized GGUFs


@dataclass(frozen=True)
class Agreement:
    """Adapter-only: how many greedy replies of base GGUF + GGUF LoRA equal those of the merged GGUF (same quant)."""

    identical: int
    prompts: int


@dataclass
class GGUFExport:
    """What `export_gguf` wrote and what verifying it found."""

    out_dir: Path
    quant: str
    model: Path  # the GGUF with the weights: merged, or (adapter-only) the base
    adapter: Path | None = None  # adapter-only: the GGUF LoRA to load beside `model`
    checks: list[verification.ExportCheck] = dataclasses.field(default_factory=list)
    adapter_vs_merged: Agreement | None = None
    report: Path | None = None


@dataclass(frozen=True)
class GGUFPlan:
    """A checked request for a GGUF export: everything `write_gguf` needs, found before anything is written."""

    run_dir: Path
    source: ModelSource
    quant: str
    adapter_only: bool
    eval: EvalConfig | None  # None: not verified
    limit: int | None
    tools: Converters

    @property
    def name(self) -> str:
        return self.run_dir.resolve().name


def plan_gguf(
    run_dir: str | Path,
    quant: str = "f16",
    adapter_only: bool = False,
    verify: bool = True,
    limit: int | None = None,
    llama_cpp: str | Path | None = None,
    eval_file: str | Path | None = None,
    progress: Progress = SILENT,
) -> GGUFPlan:
    """Check the request (quant, run, method, eval file, llama-cpp-python) and find the converters."""
    quant = check_quant(quant)
    run = open_run(run_dir)
    source = source_for(run_dir, progress)
    if source.adapter is not None:
        check_mergeable(run_dir, source.adapter)
    if adapter_only:
        check_lora_only(run_dir, source)
    eval_cfg = verification.eval_config(run.recipe, eval_file) if verify else None
    if verify:
        import_llama_cpp("verifying the GGUF in llama.cpp (add --no-verify to skip)")
    if quant not in CONVERTER_TYPES:
        import_llama_cpp(f"quantizing to {quant}")
    return GGUFPlan(Path(run_dir), source, quant, adapter_only, eval_cfg, limit, converters(llama_cpp, progress))


def export_gguf(
    run_dir: str | Path,
    out_dir: str | Path,
    quant: str = "f16",
    adapter_only: bool = False,
    verify: bool = True,
    limit: int | None = None,
    llama_cpp: str | Path | None = None,
    eval_file: str | Path | None = None,
    progress: Progress = SILENT,
) -> GGUFExport:
    """Write the run as GGUF into `out_dir` (atomically: nothing is left there on failure) and verify it.

    `llama_cpp` is a llama.cpp checkout to take the converters from (default: the installed llama-cpp-python's);
    `eval_file` replaces the recipe's eval.file for verification; `limit` verifies on the first N prompts only.
    """
    plan = plan_gguf(run_dir, quant, adapter_only, verify, limit, llama_cpp, eval_file, progress)
    with atomic_dir(out_dir) as tmp:
        result = write_gguf(plan, tmp, Path(out_dir), progress)
    progress.note(f"GGUF written to {out_dir}")
    return result


def write_gguf(plan: GGUFPlan, folder: Path, final: Path, progress: Progress = SILENT) -> GGUFExport:
    """Write and verify the planned GGUF(s) and their report in `folder`, which will be moved to `final`."""
    quant, source = plan.quant, plan.source
    work = folder / WORK
    work.mkdir()
    merged = merged_folder(plan.run_dir, source, work, progress) if plan.eval or not plan.adapter_only else None
    if plan.adapter_only:
        base = base_with_run_tokenizer(Path(source.base), source.adapter, work / "base")
        model = write_model(plan.tools, base, folder / f"base-{quant}.gguf", quant, work, progress)
        lora = folder / f"{plan.name}-lora-{_lora_type(quant)}.gguf"
        adapter = write_lora(plan.tools, source.adapter, base, lora, progress)
    else:
        model = write_model(plan.tools, merged, folder / f"{plan.name}-{quant}.gguf", quant, work, progress)
        adapter = None
    result = GGUFExport(final, quant, final / model.name, adapter and final / adapter.name)
    if plan.eval is not None:
        ref = verification.pytorch_reference(merged, plan.eval, plan.limit, progress)
        runtime, replies = _llama_cpp_replies(ref, model, adapter, progress)
        result.checks = [_check(ref, runtime, replies, model, adapter, quant)]
        if adapter is not None:
            merged_gguf = write_model(plan.tools, merged, work / f"merged-{quant}.gguf", quant, work, progress)
            _, merged_replies = _llama_cpp_replies(ref, merged_gguf, None, progress)
            same = sum(a == b for a, b in zip(replies.tokens, merged_replies.tokens))
            result.adapter_vs_merged = Agreement(identical=same, prompts=len(replies.tokens))
    shutil.rmtree(work)
    if plan.eval is not None:
        verification.write_report(folder, result.checks, _report_extra(plan.run_dir, result, folder))
        result.report = final / verification.REPORT_FILE
    return result


def write_model(tools: Converters, hf_dir: Path, target: Path, quant: str, work: Path, progress: Progress) -> Path:
    """A transformers model folder as one GGUF of `quant` (the converter's own types, else f16 then quantized)."""
    direct = quant in CONVERTER_TYPES
    written = target if direct else work / f"{target.stem}.f16.gguf"
    args = [str(hf_dir), "--outfile", str(written), "--outtype", quant if direct else "f16"]
    convert(tools.model, [*args, "--model-name", target.stem], f"Converting {target.name} (llama.cpp)", progress)
    if not direct:
        task = f"Quantizing {target.name} (llama.cpp)"
        progress.start(task)
        quantize(written, target, quant)
        progress.finish(task)
        written.unlink()
    return target


def write_lora(tools: Converters, adapter: Path, base: Path, target: Path, progress: Progress) -> Path:
    """A PEFT LoRA folder as a GGUF LoRA (`--base`: the base model's config, so nothing is fetched)."""
    outtype = target.stem.rsplit("-", 1)[-1]
    args = [str(adapter), "--base", str(base), "--outfile", str(target), "--outtype", outtype]
    convert(tools.lora, args, f"Converting {target.name} (llama.cpp)", progress)
    return target


def _llama_cpp_replies(ref: verification.Reference, model: Path, adapter: Path | None, progress: Progress):
    """(runtime, greedy replies) of a GGUF (with its LoRA) in llama.cpp on the reference's prompts."""
    from tunesmith.export.gguf_runtime import LlamaCppRuntime

    runtime = LlamaCppRuntime(model, adapter, n_ctx=ref.n_ctx)
    try:
        return runtime, verification.runtime_replies(runtime, ref.prompts, ref.stops, progress)
    finally:
        runtime.close()


def _check(ref: verification.Reference, runtime, replies, model: Path, adapter: Path | None, quant: str):
    """The ExportCheck of the kept artifact (the LoRA, adapter-only), named by its file name in the report."""
    fmt = f"gguf {quant}" + (f" + lora {_lora_type(quant)}" if adapter else "")
    artifact = adapter or model
    check = verification.compare_replies(fmt, artifact, runtime, replies, ref.prompts, ref.replies, ref.tokenizer)
    return dataclasses.replace(check, artifact=artifact.name)


def _lora_type(quant: str) -> str:
    """The GGUF LoRA's type: f32 beside an f32 base, else f16 (small either way; quantizing it gains nothing)."""
    return "f32" if quant == "f32" else "f16"


def _report_extra(run_dir: str | Path, result: GGUFExport, folder: Path) -> dict:
    extra = {
        "run": str(Path(run_dir).resolve()),
        "quant": result.quant,
        "model": result.model.name,
        "adapter": result.adapter.name if result.adapter else None,
        "files": {p.name: p.stat().st_size for p in sorted(folder.glob("*.gguf"))},
    }
    if result.adapter_vs_merged is not None:
        extra["adapter_vs_merged_gguf"] = dataclasses.asdict(result.adapter_vs_merged)
    return extra
