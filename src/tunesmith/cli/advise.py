"""`tunesmith advise [RECIPE | MODEL]`: will this fine-tune fit, how fast will it run, what will it cost."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer

from tunesmith.cli.console import console
from tunesmith.config import DEFAULT_MODEL
from tunesmith.errors import InputError

PRECISIONS = ("auto", "fp32", "bf16", "fp16")


def advise_command(
    target: str = typer.Argument(DEFAULT_MODEL, help="A recipe file, or a model: alias, local folder or hub id."),
    overrides: list[str] = typer.Argument(None, help="With a recipe: overrides like train.batch_size=4."),
    method: str = typer.Option(None, "--method", help="full, freeze, lora, dora, qlora, ia3, prefix, prompt …"),
    options: list[str] = typer.Option(None, "--option", "-o", help="A method key, e.g. -o r=8 (repeatable)."),
    max_length: int = typer.Option(None, "--max-length", min=8, help="Tokens per row (cut there)."),
    batch_size: int = typer.Option(None, "--batch-size", min=1, help="Rows per micro-batch."),
    accumulation: int = typer.Option(None, "--gradient-accumulation", min=1, help="Micro-batches per step."),
    checkpointing: bool = typer.Option(None, "--checkpointing/--no-checkpointing", help="Activation checkpointing."),
    precision: str = typer.Option(None, "--precision", help="auto, fp32, bf16 or fp16."),
    device: str = typer.Option("cpu", "--device", help="cpu, or a GPU: T4, A10G, L4, RTX-4090, A100-80GB, H100 …"),
    gpu_memory: float = typer.Option(None, "--gpu-memory", help="Another GPU: its memory in GiB."),
    gpu_tflops: float = typer.Option(None, "--gpu-tflops", help="Another GPU: dense bf16 TFLOPS."),
    gpu_bandwidth: float = typer.Option(1000.0, "--gpu-bandwidth", help="Another GPU: memory GB/s."),
    threads: int = typer.Option(
        None, "--threads", min=1, help="CPU: torch threads the run will use (measured with them)."
    ),
    data: Path = typer.Option(None, "--data", help="A training data file to count with the model's tokenizer."),
    examples: int = typer.Option(None, "--examples", min=1, help="Training examples (without a data file)."),
    tokens: int = typer.Option(None, "--tokens-per-example", min=1, help="Tokens per example (without data)."),
    epochs: float = typer.Option(
        None, "--epochs", min=0.0, help="Epochs (default: the recipe's, or auto: about 2,000 examples seen)."
    ),
    max_steps: int = typer.Option(None, "--max-steps", help="Optimizer steps (instead of epochs)."),
    price: float = typer.Option(None, "--price-per-hour", min=0.0, help="Device price per hour, for the cost."),
    as_json: bool = typer.Option(False, "--json", help="Print the estimate as JSON."),
) -> None:
    """Estimate peak memory, step time, training time and cost of a fine-tune, with every formula shown."""
    from tunesmith.advise import custom_gpu, estimate, find_gpu
    from tunesmith.advise.workload import from_numbers

    if threads:
        import torch

        torch.set_num_threads(threads)
    request, recipe = _request(target, overrides or [], method, options or [])
    request = _with_options(request, max_length, batch_size, accumulation, checkpointing, precision, epochs, max_steps)
    workload = None
    if data is not None:
        from tunesmith.advise import data_workload

        workload = data_workload(data, request)
    elif examples or tokens:
        count = examples or 1000
        workload = from_numbers(count, tokens or request.max_length, request.batch_size, request.max_length)
    elif recipe is not None:
        from tunesmith.advise import recipe_workload

        workload = recipe_workload(recipe, request)
    if gpu_memory or gpu_tflops:
        if not (gpu_memory and gpu_tflops):
            raise InputError("--gpu-memory/--gpu-tflops", "give both: memory in GiB and dense bf16 TFLOPS")
        chosen = custom_gpu(gpu_memory, gpu_tflops, gpu_bandwidth)
    else:
        chosen = "cpu" if device.lower() == "cpu" else find_gpu(device)
    result = estimate(request, chosen, workload, price)
    if as_json:
        console.print_json(json.dumps(asdict(result)))
        return
    _print(result)


def _request(target: str, overrides: list[str], method: str | None, options: list[str]):
    """(request, recipe or None) from a recipe file, or from a model ref with the method named."""
    from tunesmith.advise import Request, method_config, recipe_request

    path = Path(target)
    if path.suffix in {".yaml", ".yml"} or path.is_file():
        from dataclasses import replace

        from tunesmith.config import load_recipe

        recipe = load_recipe(path, overrides)
        request = recipe_request(recipe)
        if method or options:
            request = replace(request, method=method_config(method or request.method.name, options))
        return request, recipe
    if overrides:
        hint = "key=value overrides need a recipe; with a model use --method, -o, --batch-size …"
        raise InputError(overrides[0], hint)
    return Request(model=target, method=method_config(method or "lora", options)), None


def _with_options(request, max_length, batch_size, accumulation, checkpointing, precision, epochs, max_steps):
    """The request with every option that was given replacing the recipe's (or the default) value."""
    from dataclasses import replace

    if precision is not None and precision not in PRECISIONS:
        raise InputError("--precision", f"expected one of {', '.join(PRECISIONS)}; got '{precision}'")
    given = {
        "max_length": max_length,
        "batch_size": batch_size,
        "gradient_accumulation": accumulation,
        "checkpointing": checkpointing,
        "precision": precision,
        "epochs": epochs,
        "max_steps": max_steps,
    }
    return replace(request, **{k: v for k, v in given.items() if v is not None})


def size(n: float) -> str:
    """Bytes as a person reads them: MiB below a GiB, GiB above."""
    return f"{n / 2**30:,.2f} GiB" if abs(n) >= 2**30 else f"{n / 2**20:,.0f} MiB"


def _print(e) -> None:
    from tunesmith.advise.memory import PEAK_FORMULA

    s = e.setup
    dtype = "fp32" if s.precision == "fp32" else f"{s.precision} autocast"
    console.print(
        f"[bold]{e.model}[/bold] · {e.method}: {e.trainable_params:,} of {e.total_params:,} parameters train · "
        f"{e.device.name} · {dtype}, base weights {s.storage}, checkpointing {'on' if s.checkpointing else 'off'}",
        highlight=False,
    )
    b = e.peak_batch
    rows = [[t.name, size(t.bytes), t.formula] for t in e.terms]
    rows.append(["peak", size(e.peak_bytes), PEAK_FORMULA])
    rows.append(["device memory", size(e.device.memory_bytes), e.device.name])
    console.print(_table(f"Peak memory (micro-batch {b.rows} × {b.length} tokens)", ["term", "size"], rows))
    share = e.headroom_bytes / e.device.memory_bytes
    verdict = "[green]FITS[/green]" if e.fits else "[red]DOES NOT FIT[/red]"
    console.print(f"{verdict}: headroom {size(e.headroom_bytes)} ({share:.0%} of {size(e.device.memory_bytes)})")
    f = e.flops
    speed = [
        ["FLOPs per micro-batch", f"{f.total:.3g}", f.formula],
        ["FLOPs per token", f"{e.flops_per_token:.3g}", "per real (unpadded) token"],
        ["achieved rate", f"{e.device.flops_per_second / 1e12:.3g} TFLOP/s", e.device.note],
        ["optimizer step", f"{e.trainable_params * e.device.optimizer_seconds_per_param:.3g} s", "AdamW"],
        ["step time", f"{e.step_seconds:.3g} s", "micro-batches × FLOPs ÷ rate + optimizer"],
        ["tokens per second", f"{e.tokens_per_second:,.0f}", "real tokens"],
        ["steps", f"{e.steps:,}", e.workload],
        ["training time", _duration(e.train_seconds), "steps × step time (no evaluation, no loading)"],
    ]
    if e.cost is not None:
        speed.append(
            [
                "cost",
                f"{e.cost:,.2f}" if e.cost >= 1 else f"{e.cost:.3g}",
                f"{_duration(e.train_seconds)} at {e.price_per_hour:g} per hour",
            ]
        )
    console.print(_table("Speed", ["quantity", "value"], speed))
    for note in e.notes:
        console.print(f"[dim]{note}[/dim]", highlight=False)


def _table(title: str, header: list[str], rows: list[list[str]]):
    """Name, right-aligned value, and the formula left-aligned (printed as written: no rich markup in it)."""
    from rich.markup import escape
    from rich.table import Table

    out = Table(title=title)
    out.add_column(header[0])
    out.add_column(header[1], justify="right", no_wrap=True)
    out.add_column("formula")
    for name, value, formula in rows:
        out.add_row(name, value, escape(formula))
    return out


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
