"""`tunesmith export merge RUN --out DIR`: a standalone merged model; `merge RUN_A RUN_B … --combine`: one adapter."""

from __future__ import annotations

from pathlib import Path

import typer

from tunesmith.cli.console import RichProgress, console

app = typer.Typer(help="Export trained runs.", no_args_is_help=True)

# Options that gguf, ollama and onnx share, defined once so their wording cannot drift apart.
RUN = typer.Argument(..., help="A finished run directory.")
VERIFY = typer.Option(True, "--verify/--no-verify", help="Compare greedy replies in its runtime with PyTorch's.")
LIMIT = typer.Option(None, "--limit", help="Verify on the first N eval prompts only.")
DATA = typer.Option(None, "--data", help="Eval file to verify on (default: the run recipe's eval.file).")
LLAMA_CPP = typer.Option(None, "--llama-cpp", help="A llama.cpp checkout to take the converters from.")


@app.command("merge")
def merge_command(
    runs: list[Path] = typer.Argument(..., help="A finished run directory; two or more to combine their adapters."),
    out: Path = typer.Option(..., "--out", help="Merged model folder; when combining, the new run directory."),
    combine: str = typer.Option(
        None,
        "--combine",
        help="How to combine LoRA adapters (default with two or more runs: task_arithmetic, the exact weighted sum): "
        "task_arithmetic, svd, linear, ties, dare_linear, dare_ties, magnitude_prune (and their _svd forms).",
    ),
    weights: str = typer.Option(None, "--weights", help="Comma-separated, one per run in order (default 1 each)."),
    density: float = typer.Option(None, "--density", help="ties/dare/magnitude_prune: share of entries kept."),
    majority_sign_method: str = typer.Option(
        None, "--majority-sign-method", help="ties, dare_ties: total (default) or frequency."
    ),
    seed: int = typer.Option(0, "--seed", help="DARE's random drops follow it."),
    evaluate: bool = typer.Option(
        True, "--eval/--no-eval", help="Combining: score it beside each source on their eval files."
    ),
    probe: bool = typer.Option(True, "--probe/--no-probe", help="With --eval: also run the forgetting probe."),
    limit: int = typer.Option(None, "--limit", help="With --eval: only the first N examples (and probe prompts)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Combining: replace what is already at --out."),
) -> None:
    """Merge one run's adapter into its base model (plain transformers loads the result without PEFT), or combine
    several runs' LoRA adapters into a new run directory that chat, eval, serve and export take like any run."""
    from tunesmith.errors import InputError

    if len(runs) > 1 or combine is not None:
        from tunesmith.export.combine import Combination, parse_weights

        how = Combination(
            name=combine or "task_arithmetic",
            weights=parse_weights(weights) if weights is not None else None,
            density=density,
            majority_sign_method=majority_sign_method,
            seed=seed,
        )
        _combine(runs, out, how, evaluate, probe, limit, overwrite)
        return
    if weights is not None or density is not None or majority_sign_method is not None:
        raise InputError("--weights/--density", "these combine two or more runs; one run is merged as it is")
    from tunesmith.export.merge import merge_run

    merge_run(runs[0], out, RichProgress())
    console.print(f"Merged model: {out}")


def _combine(runs: list[Path], out: Path, how, evaluate: bool, probe: bool, limit: int | None, overwrite: bool) -> None:
    """`merge RUN_A RUN_B … --combine`: write the combined run, and print its scores beside the sources'."""
    from tunesmith.cli.console import table
    from tunesmith.export.combine import combine_runs
    from tunesmith.export.combine_eval import tables

    result = combine_runs(runs, out, how, overwrite, evaluate, probe, limit, RichProgress())
    for title, header, rows in tables(result.evaluation) if result.evaluation else []:
        console.print(table(title, header, rows))
    console.print(f"Combined run ({result.combination}, r={result.r}): {out}")
    if result.report:
        console.print(f"Report: {result.report}")


@app.command("gguf")
def gguf_command(
    run: Path = RUN,
    out: Path = typer.Option(..., "--out", help="Folder for the GGUF file(s) and export_report.json."),
    quant: str = typer.Option(
        "f16",
        "--quant",
        help="f32, f16, bf16, q8_0 (llama.cpp's converter), or q4_0, q4_k_m, q5_k_m, q6_k … (quantizer).",
    ),
    adapter_only: bool = typer.Option(
        False, "--adapter-only", help="The base as GGUF and the LoRA as a GGUF LoRA to load beside it (--lora)."
    ),
    verify: bool = VERIFY,
    limit: int = LIMIT,
    data: Path = DATA,
    llama_cpp: Path = LLAMA_CPP,
) -> None:
    """The run as GGUF through llama.cpp's own converter, verified in llama.cpp before it is reported done."""
    from tunesmith.export.gguf import export_gguf

    result = export_gguf(run, out, quant, adapter_only, verify, limit, llama_cpp, data, RichProgress())
    print_gguf(result)


@app.command("ollama")
def ollama_command(
    run: Path = RUN,
    out: Path = typer.Option(..., "--out", help="Folder for the GGUF, the Modelfile and export_report.json."),
    quant: str = typer.Option("q4_k_m", "--quant", help="As for `export gguf` (default q4_k_m, Ollama's usual)."),
    adapter_only: bool = typer.Option(
        False, "--adapter-only", help="FROM the base GGUF with the LoRA as the Modelfile's ADAPTER."
    ),
    verify: bool = VERIFY,
    limit: int = LIMIT,
    data: Path = DATA,
    llama_cpp: Path = LLAMA_CPP,
) -> None:
    """The run's GGUF and a Modelfile (chat template, stop tokens, defaults), so `ollama create` works unchanged."""
    from tunesmith.export.ollama import export_ollama

    result = export_ollama(run, out, quant, adapter_only, verify, limit, llama_cpp, data, RichProgress())
    print_gguf(result.gguf)
    console.print(f"Modelfile: {result.modelfile}  (cd {out} && ollama create NAME)")


@app.command("onnx")
def onnx_command(
    run: Path = RUN,
    out: Path = typer.Option(..., "--out", help="Folder for model.onnx, its tokenizer and export_report.json."),
    precision: str = typer.Option(
        "fp32", "--precision", help="fp32, or int8/int4 (weight-only, onnxruntime's MatMulNBits)."
    ),
    verify: bool = VERIFY,
    limit: int = LIMIT,
    data: Path = DATA,
) -> None:
    """The run as ONNX for onnxruntime on the CPU (onnxruntime-genai's model builder), verified in onnxruntime."""
    from tunesmith.cli.console import table
    from tunesmith.export.onnx import export_onnx

    result = export_onnx(run, out, precision, verify, limit, data, RichProgress())
    if result.check is not None:
        console.print(table(f"Verified in {result.check.runtime}", *check_table(result.check)))
    console.print(f"ONNX: {result.model}")
    if result.report:
        console.print(f"Report: {result.report}")


def print_gguf(result) -> None:
    """The files written and, when verified, a table of each check against PyTorch."""
    from tunesmith.cli.console import table

    for check in result.checks:
        console.print(table(f"Verified in {check.runtime}", *check_table(check)))
    if result.adapter_vs_merged is not None:
        agree = result.adapter_vs_merged
        console.print(f"Base + LoRA vs merged GGUF: {agree.identical}/{agree.prompts} greedy replies identical")
    console.print(f"GGUF: {result.model}" + (f"  LoRA: {result.adapter}" if result.adapter else ""))
    if result.report:
        console.print(f"Report: {result.report}")


def check_table(check) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of one ExportCheck: a row per figure, the export and PyTorch side by side, so a task with
    many metrics still fits a terminal's width."""
    from tunesmith.cli.console import number

    rows = [["identical replies", f"{check.identical}/{check.prompts}", ""]]
    pytorch = check.pytorch_metrics
    rows += [[name, number(value), number(pytorch.get(name, ""))] for name, value in check.metrics.items()]
    rows += [
        ["size MB", f"{check.size_bytes / 1e6:.1f}", ""],
        ["load s", number(check.load_seconds), ""],
        ["tok/s", number(check.tokens_per_second), number(check.pytorch_tokens_per_second)],
    ]
    return ["", check.format, "PyTorch"], rows
