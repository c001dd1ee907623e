"""Check `tunesmith advise` against measured CPU training runs of the quickstart recipe.

    .venv/bin/python bench/advise_check.py [--methods lora,full,freeze,ia3] [--steps 10] [--cpu 1] [--threads 1]
                                           [--out bench/out/advise_check.json]

For each method the bench (pinned to one core, `--cpu`, with `--threads` torch/OpenMP threads) first asks the
library for its estimate, `estimate(recipe_request(r), "cpu", recipe_workload(r))`, which measures the CPU right
then (`hardware.matmul_rate`), then trains the same recipe for `--steps` optimizer steps in a child process
(`tunesmith.train.run.train`, validation split off so no evaluation runs); between the child's steps (the child
waits) the parent measures the CPU again. The child records every step's wall and CPU time and its peak resident
memory. Measured step time is the median of the steps after the
first two (warm-up); `CPU share` is the CPU time those steps got over their wall time. Measured peak is the whole
training process's ru_maxrss, Python and all: the estimate includes the runtime (`framework`, CPU_RUNTIME_BYTES),
and the `baseline` row measures it: a child that imports the training stack and loads the tokenizer and the data,
as training does before the model. `implied` columns are the constants that would have made a row exact.

`paired` is the same estimate with the CPU rate measured between the run's own steps (median), instead of once
before it: it tests the model without the snapshot's luck. Run on an otherwise idle machine: advise measures the
CPU for 3 seconds, and this virtual machine's speed changed by up to 2× within seconds, with other work on its
other core or none visible (run 8's full row: 478 GFLOP/s before the run, 1,167 between its steps).

The constants were set from calibration runs, not per method (docs/advise.md, "Calibration"):
- CPU_ALLOCATOR_FACTOR 1.75 and CPU_RUNTIME_BYTES 552 MiB in the first (`--steps 12`): the geometric mean of the
  implied allocator factors (lora 1.85, full 1.42, freeze 2.43, ia3 1.48) and its baseline row;
- CPU_EFFICIENCY 0.19 in run 8 (`--steps 10`, with the CPU measurement as it is now: best of 12 timings over 3 s,
  and the paired rate): the geometric mean of the paired implied efficiencies (0.16, 0.18, 0.23, 0.21).
The two runs after it (runs 9 and 10, `--steps 10`, core 1, 1 thread), constants fixed, errors estimated vs
measured, advise's own estimate (paired in brackets):
    peak memory   lora -1% / -1%   full +12% / +12%   freeze -7% / -8%   ia3 +12% / +14%
    step time     lora -9% / +0%   full +5% / +0%     freeze +11% / +2%  ia3 +10% / +0%
                  (paired: -6/+1, +6/+4, +7/+5, +11/-2)
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECIPE = ROOT / "examples" / "quickstart" / "recipe.yaml"
METHODS = {  # the recipe's own LoRA, and three more that train on CPU
    "lora": "{name: lora, r: 16, alpha: 32, dropout: 0.0, target_modules: all-linear}",
    "full": "{name: full}",
    "freeze": "{name: freeze, trainable_layers: 2}",
    "ia3": "{name: ia3}",
}
MIB = 2**20


def overrides(method: str, steps: int, out: Path) -> list[str]:
    return [f"method={METHODS[method]}", f"train.max_steps={steps}", "data.validation_split=0", f"output.dir={out}"]


def status_kib(key: str) -> int:
    return int(re.search(rf"{key}:\s+(\d+)", Path("/proc/self/status").read_text()).group(1))


def child_train(method: str, steps: int, threads: int, out: Path) -> dict:
    """Train in this process; step times, batch lengths and peak memory."""
    import torch
    from transformers import TrainerCallback

    torch.set_num_threads(threads)
    from tunesmith.config import load_recipe
    from tunesmith.train.run import train

    class Measure(TrainerCallback):
        def __init__(self):
            self.times, self.cpu_times, self.lengths, self.started, self.cpu_started = [], [], [], 0.0, 0.0
            self.saved, self.step_saved, self.params = [], {}, set()

        def pack(self, tensor):
            """Every tensor autograd keeps for backward, by storage (parameters themselves left out)."""
            storage = tensor.untyped_storage()
            if storage.data_ptr() not in self.params:
                self.step_saved[storage.data_ptr()] = storage.nbytes()
            return tensor

        def on_train_begin(self, args, state, control, model=None, **kwargs):
            self.params = {p.untyped_storage().data_ptr() for p in model.parameters()}
            self.begin_rss = status_kib("VmRSS") * 1024
            Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM: the peak of training alone from here
            model.get_input_embeddings().register_forward_pre_hook(lambda m, a: self.lengths.append(a[0].shape[-1]))

        def on_step_begin(self, args, state, control, **kwargs):
            self.step_saved = {}
            self.started, self.cpu_started = time.perf_counter(), time.process_time()

        def on_step_end(self, args, state, control, **kwargs):
            self.times.append(time.perf_counter() - self.started)
            self.cpu_times.append(time.process_time() - self.cpu_started)  # below the wall time when the core is shared
            self.saved.append(sum(self.step_saved.values()))
            pause_for_parent()

        def on_train_end(self, args, state, control, **kwargs):
            self.train_peak = status_kib("VmHWM") * 1024

    measure = Measure()
    with torch.autograd.graph.saved_tensors_hooks(measure.pack, lambda tensor: tensor):  # observes, keeps nothing
        train(load_recipe(RECIPE, overrides(method, steps, out)), overwrite=True, callbacks=[measure])
    return {
        "saved_bytes": measure.saved,
        "step_seconds": measure.times,
        "step_cpu_seconds": measure.cpu_times,
        "batch_lengths": measure.lengths,
        "begin_rss": measure.begin_rss,
        "train_peak": measure.train_peak,
        "process_peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def pause_for_parent() -> None:
    """Between steps: tell the parent, and wait while it measures the CPU (in its own process, so the
    measurement's memory is not this one's)."""
    sync = os.environ.get("ADVISE_CHECK_SYNC")
    if sync:
        write, read = (int(fd) for fd in sync.split(","))
        os.write(write, b"s")
        os.read(read, 1)


def child_baseline(threads: int) -> dict:
    """RSS of the training stack before the model: imports, recipe, tokenizer and tokenized data."""
    import torch

    torch.set_num_threads(threads)
    import tunesmith.train.run  # noqa: F401 - what training imports
    from tunesmith.config import load_recipe
    from tunesmith.progress import SILENT
    from tunesmith.train.setup import length_limit, load_stage_data, load_tokenizer_for
    from tunesmith.train.stages import find_stage

    imports = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    recipe = load_recipe(RECIPE, overrides("lora", 1, Path(tempfile.gettempdir())))
    stage = find_stage(recipe.stage.name)
    tokenizer, _ = load_tokenizer_for(recipe, stage, None, SILENT)
    load_stage_data(recipe, stage, length_limit(recipe, tokenizer, SILENT))
    return {"imports": imports, "ready": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}


def run_child(args: list[str], threads: int, between=None) -> dict:
    """Run this script as a child; with `between`, call it after each of the child's training steps (the child
    waits), and return its results as `between_steps`."""
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
    to_parent, to_child = os.pipe(), os.pipe()
    env["ADVISE_CHECK_SYNC"] = f"{to_parent[1]},{to_child[0]}"
    results = []
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(
            [sys.executable, __file__, *args], env=env, stdout=out, stderr=err, pass_fds=(to_parent[1], to_child[0])
        )
        os.close(to_parent[1])
        os.close(to_child[0])
        while os.read(to_parent[0], 1):  # one byte per finished step; end of file when the child exits
            results.append(between() if between else None)
            os.write(to_child[1], b"g")
        os.close(to_parent[0])
        os.close(to_child[1])
        if child.wait() != 0:
            err.seek(0)
            raise SystemExit(f"child {args} failed:\n{err.read().decode()[-3000:]}")
        out.seek(0)
        result = json.loads(out.read().decode().strip().splitlines()[-1])
    return {**result, "between_steps": results}


def estimate_for(method: str, steps: int, out: Path) -> dict:
    """The library's estimate for this method's run (measures the CPU now), as plain numbers."""
    from tunesmith.advise import estimate, recipe_request, recipe_workload
    from tunesmith.config import load_recipe

    recipe = load_recipe(RECIPE, overrides(method, steps, out))
    request = recipe_request(recipe)
    workload = recipe_workload(recipe, request)
    e = estimate(request, "cpu", workload)
    terms = {t.name: t.bytes for t in e.terms}
    return {
        "kept_by_length": kept_by_length(request, e),
        "peak": e.peak_bytes,
        "terms": terms,
        "step_seconds": e.step_seconds,
        "optimizer_seconds": e.trainable_params * e.device.optimizer_seconds_per_param,
        "compute_seconds_at_peak_rate": e.flops.total / e.device.peak_flops,
        "calibration_rate": e.device.peak_flops,
        "mean_length": statistics.mean(b.length for b in workload.batches),
    }


def paired_step(est: dict, measured: dict) -> float:
    """The estimate again with the CPU rate measured between the run's own steps instead of before it."""
    from tunesmith.advise.hardware import CPU_EFFICIENCY

    compute = est["compute_seconds_at_peak_rate"] * est["calibration_rate"] / measured["paired_rate"]
    return compute / CPU_EFFICIENCY + est["optimizer_seconds"]


def kept_by_length(request, e) -> dict[int, int]:
    """What the estimate says autograd keeps in a step of full batches `length` tokens long: the activations, the
    autocast copies, and the head's fp32 gradient when it trains (the loss-head term's saved part)."""
    from tunesmith.advise.memory import activations_term
    from tunesmith.advise.plan import Batch
    from tunesmith.advise.shape import inspect_model, model_config

    shape = inspect_model(model_config(request.model), request.method)
    copies = next(t.bytes for t in e.terms if t.name == "autocast copies")
    head = 4 * shape.head_params if shape.head_trains else 0
    batch = request.batch_size
    return {n: activations_term(shape, e.setup, Batch(batch, n, 0, 0)).bytes + copies + head for n in range(8, 264, 8)}


def saved_error(est: dict, measured: dict) -> float:
    """Median over steps of (estimated - kept by autograd) / kept."""
    pairs = zip(measured["saved_bytes"], measured["batch_lengths"])
    return statistics.median((est["kept_by_length"][n] - saved) / saved for saved, n in pairs if saved)


def implied(est: dict, measured: dict) -> dict:
    """The efficiency (with the rate measured between steps) and allocator factor that would have made this row
    exact (the factor only where the activations, not the gradients, set the peak)."""
    steady = measured["median_step"] - est["optimizer_seconds"]
    compute = est["compute_seconds_at_peak_rate"] * est["calibration_rate"] / measured["paired_rate"]
    terms = est["terms"]
    dynamic = terms["activations"] + terms["loss head"]
    fixed = sum(b for name, b in terms.items() if name not in {"activations", "loss head", "allocator", "gradients"})
    factor = (measured["process_peak"] - fixed) / dynamic if dynamic else None
    return {
        "efficiency": compute / steady,
        "allocator": factor if factor and factor * dynamic > terms["gradients"] else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", default="lora,full,freeze,ia3")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--cpu", type=int, default=1, help="the core to pin every process to")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "advise_check.json")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "RUN_DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, run_dir = args.child
        result = child_baseline(args.threads) if kind == "baseline" else None
        result = result or child_train(kind, args.steps, args.threads, Path(run_dir))
        print(json.dumps(result))
        return
    os.sched_setaffinity(0, {args.cpu})  # children inherit the core
    import torch

    from tunesmith.advise.hardware import matmul_rate

    torch.set_num_threads(args.threads)
    rows, work = [], Path(tempfile.mkdtemp(prefix="advise-check-"))
    base = run_child(["--child", "baseline", str(work), "--threads", str(args.threads)], args.threads)
    for method in args.methods.split(","):
        est = estimate_for(method, args.steps, work / method)
        child = ["--child", method, str(work / method), "--steps", str(args.steps), "--threads", str(args.threads)]
        measured = run_child(child, args.threads, between=lambda: matmul_rate("bf16", seconds=0.2, tries=2))
        measured["median_step"] = statistics.median(measured["step_seconds"][2:])
        measured["paired_rate"] = statistics.median(measured["between_steps"][2:])
        rows.append({"method": method, "estimate": est, "measured": measured, "implied": implied(est, measured)})
    shutil.rmtree(work, ignore_errors=True)  # the runs' saved models
    report(rows, base, args)


def error(estimated: float, measured: float) -> str:
    return f"{(estimated - measured) / measured:+.0%}"


def report(rows: list[dict], base: dict, args) -> None:
    from tunesmith.advise.hardware import CPU_EFFICIENCY
    from tunesmith.advise.memory import CPU_ALLOCATOR_FACTOR, CPU_RUNTIME_BYTES
    from tunesmith.atomic import write_text

    lines = [
        f"SmolLM2-135M, quickstart recipe, batch 8, max_length 256, bf16 autocast, {args.steps} steps, core "
        f"{args.cpu}, {args.threads} thread(s); constants: efficiency {CPU_EFFICIENCY}, allocator "
        f"{CPU_ALLOCATOR_FACTOR}, runtime {CPU_RUNTIME_BYTES / MIB:.0f} MiB",
        "",
        "| method | est. peak | measured peak | error | est. step (advise) | error | est. step (paired) | error |"
        " measured step (median, min–max) | CPU share | matmul GFLOP/s before / between steps | implied efficiency"
        " | implied allocator | saved tensors error |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        e, m, i = r["estimate"], r["measured"], r["implied"]
        steady, paired = m["step_seconds"][2:], paired_step(e, m)
        lines.append(
            f"| {r['method']} | {e['peak'] / MIB:,.0f} MiB | {m['process_peak'] / MIB:,.0f} MiB | "
            f"{error(e['peak'], m['process_peak'])} | {e['step_seconds']:.2f} s | "
            f"{error(e['step_seconds'], m['median_step'])} | {paired:.2f} s | {error(paired, m['median_step'])} | "
            f"{m['median_step']:.2f} s ({min(steady):.2f}–{max(steady):.2f}) | "
            f"{sum(m['step_cpu_seconds'][2:]) / sum(steady):.0%} | "
            f"{e['calibration_rate'] / 1e9:,.0f} / {m['paired_rate'] / 1e9:,.0f} | {i['efficiency']:.2f} | "
            f"{_number(i['allocator'])} | {saved_error(e, m):+.1%} |"
        )
    effs = [r["implied"]["efficiency"] for r in rows]
    allocs = [r["implied"]["allocator"] for r in rows if r["implied"]["allocator"]]
    lines += [
        "",
        f"baseline (imports, tokenizer, data; before the model): {base['ready'] / MIB:,.0f} MiB "
        f"(imports alone {base['imports'] / MIB:,.0f} MiB)",
        f"geometric means: implied efficiency {_gmean(effs):.3f}, implied allocator factor {_gmean(allocs):.3f}",
    ]
    text = "\n".join(lines)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_text(args.out, json.dumps({"rows": rows, "baseline": base, "table": text}, indent=2))
    print(f"\nResults: {args.out}")


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _gmean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


if __name__ == "__main__":
    main()
