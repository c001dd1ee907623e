"""Training speed side by side: tunesmith, plain TRL (its defaults, and like-for-like) and LLaMA-Factory.

    bash bench/setup_llamafactory.sh            # once: LLaMA-Factory 0.9.5 from PyPI in bench/.llamafactory
    python bench/train_speed.py [--workloads quickstart,long]
                                [--tools tunesmith,tunesmith+ckpt,trl,trl-nockpt,llamafactory]
                                [--set KEY=VALUE ...]   # a train key for the tunesmith rows: ablate a default
                                [--steps N]             # fewer steps: a smoke run of the plumbing, not a timing

Every tool trains SmolLM2-135M-Instruct (the same converted folder) with LoRA r8 (alpha 16, dropout 0) on all
linear layers, sequence cutoff 256, batch 4, 25 steps, learning rate 2e-4 with a cosine schedule, bf16 autocast,
loss on the answers only, logging every 5 steps, on the same 400 samples. Workloads: `quickstart` (the quickstart
task's first 400 training records: short answers) and `long` (bench/long_answers.py: answers of 150–400 tokens).

Activation (gradient) checkpointing differs between the tools' defaults, and it trades time for memory, so every
row states it with its batch, sequence cutoff and precision. tunesmith has it off; `tunesmith+ckpt` turns it on.
TRL's SFTConfig turns it on by default (TRL 1.x), so `trl` (TRL's defaults) trains with it and `trl-nockpt` (TRL
like-for-like) is the same run with it off. LLaMA-Factory turns it on by default (`disable_gradient_checkpointing:
false`, set explicitly here), as its row says. Each row's time is also given as a ratio to each TRL row's.

Each run is its own process; the table gives the trainer's own train_runtime, the median seconds per step, trained
tokens per second (prompt and answer tokens the steps saw, padding excluded), peak resident memory of the process,
the last logged training loss (the mean of the last 5 steps), and the held-out loss: every tool's adapter scored by
the same code on 100 samples none of them trained on (the check that the same thing was learned; the training
losses differ with batch order and with which template tokens each tool counts).

Ablations of tunesmith's defaults go through `--set` (train keys, values in YAML), for example
`--set kernels=none`, `--set pad_to_multiple_of=null`, or `--set return_freed_memory=false` (glibc's allocator
left as it is: freed large blocks are not handed back to the system).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
LF_VENV = ROOT / "bench" / ".llamafactory"
STEPS, BATCH, CUTOFF, LR, RANK = 25, 4, 256, 2e-4, 8
LOG_EVERY = 5  # every tool logs (and computes its logged metrics) every 5 steps
TRL_ROWS = {"trl": "TRL defaults", "trl-nockpt": "TRL like-for-like"}  # the rows every time is compared to


def use_steps(steps: int) -> None:
    """Train `steps` steps (logging every 5, or every step when fewer than 10): for a quick plumbing check."""
    global STEPS, LOG_EVERY
    STEPS, LOG_EVERY = steps, 5 if steps >= 10 else 1


def settings(checkpointing: bool, precision: str, batch: int = BATCH, cutoff: int = CUTOFF) -> str:
    """The settings a row trained with, as the table states them."""
    return f"ckpt {'on' if checkpointing else 'off'}, batch {batch}, seq {cutoff}, {precision}"


def workload_data(name: str, folder: Path) -> tuple[Path, list[dict]]:
    """The workload's 400 training samples as an Alpaca JSON list (read as-is by all three tools), and 100 more
    held out to score what each tool's adapter learned."""
    out = folder / f"{name}.json"
    if name == "long":
        every = folder / "long-all.json"
        command = [sys.executable, str(ROOT / "bench" / "long_answers.py"), "--out", str(every), "--count", "500"]
        subprocess.run(command, check=True)
        rows = json.loads(every.read_text(encoding="utf-8"))
    else:
        rows = []
        source = ROOT / "examples" / "quickstart" / "data" / "train.jsonl"
        for line in source.read_text(encoding="utf-8").splitlines():
            messages = json.loads(line)["messages"]
            rows.append({"instruction": messages[-2]["content"], "input": "", "output": messages[-1]["content"]})
    out.write_text(json.dumps(rows[:400], ensure_ascii=False), encoding="utf-8")
    return out, rows[400:500]


def held_out_loss(model: str, adapter: Path, rows: list[dict]) -> float:
    """Mean loss on the answers of `rows` (one scorer, fp32, for every tool's adapter): what the run learned."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from tunesmith.eval.loss import validation_loss

    tokenizer = AutoTokenizer.from_pretrained(model)
    base = AutoModelForCausalLM.from_pretrained(model, dtype="float32")
    scored = PeftModel.from_pretrained(base, adapter).eval()
    conversations = [[{"role": "user", "content": r["instruction"]}, {"role": "assistant", "content": r["output"]}]
                     for r in rows]  # fmt: skip
    return validation_loss(scored, tokenizer, conversations, batch_size=8, max_length=CUTOFF)["loss"]


def measured(command: list[str], cwd: Path, env: dict | None = None) -> int:
    """Run `command` as a child of a fresh Python that reports the child's peak RSS (KiB) on its last line."""
    probe = (
        "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r.returncode)"
    )
    done = subprocess.run([sys.executable, "-c", probe, *command], cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed:\n{done.stderr[-3000:]}")
    return int(done.stdout.strip().splitlines()[-1])


def run_tunesmith_checkpointed(data: Path, model: str, work: Path) -> dict:
    """tunesmith with activation checkpointing on, as LLaMA-Factory has it by default: memory for time."""
    return run_tunesmith(data, model, work, activation_checkpointing=True)


TUNESMITH_OVERRIDES: dict = {}  # --set KEY=VALUE: train keys for the tunesmith rows (ablations of its defaults)


def run_tunesmith(data: Path, model: str, work: Path, activation_checkpointing: bool = False) -> dict:
    recipe = {
        "model": model,
        "data": {"train": str(data), "validation_split": 0.0},
        "method": {"name": "lora", "r": RANK, "alpha": 2 * RANK, "dropout": 0.0},
        "train": {
            "max_steps": STEPS,
            "batch_size": BATCH,
            "learning_rate": LR,
            "scheduler": "cosine",
            "warmup_ratio": 0.0,
            "max_length": CUTOFF,
            "logging_steps": LOG_EVERY,
            "save_steps": 1000,
            "activation_checkpointing": activation_checkpointing,
            **TUNESMITH_OVERRIDES,
        },
        "output": {"dir": str(work), "name": "tunesmith"},
    }
    path = work / "recipe.json"
    path.write_text(json.dumps(recipe))
    train = recipe["train"]
    rss = measured([str(ROOT / ".venv" / "bin" / "tunesmith"), "train", str(path), "--no-eval"], ROOT)
    rows = [json.loads(line) for line in (work / "tunesmith" / "metrics.jsonl").read_text().splitlines()]
    steps = [r for r in rows if "loss" in r and "step" in r]
    times = [r["time"] for r in steps]
    summary = json.loads((work / "tunesmith" / "summary.json").read_text())
    return {
        "runtime": summary["train_seconds"],
        "step_times": [(b - a) / LOG_EVERY for a, b in zip(times, times[1:])],
        "losses": [r["loss"] for r in steps],
        "tokens": steps[-1].get("num_tokens"),
        "rss_kib": rss,
        "adapter": work / "tunesmith" / "final",
        "settings": settings(
            train["activation_checkpointing"], summary["precision"], train["batch_size"], train["max_length"]
        ),
    }


def run_trl_like_for_like(data: Path, model: str, work: Path) -> dict:
    """TRL with gradient checkpointing off, as tunesmith has it: the like-for-like comparison."""
    return run_trl(data, model, work, checkpointing="off")


def run_trl(data: Path, model: str, work: Path, checkpointing: str = "default") -> dict:
    """Plain TRL (bench/train_speed_trl.py); `checkpointing` 'default' keeps SFTConfig's own (on in TRL 1.x)."""
    script = ROOT / "bench" / "train_speed_trl.py"
    command = [sys.executable, str(script), str(data), model, str(work / "trl"), "--steps", str(STEPS)]
    command += ["--batch", str(BATCH), "--cutoff", str(CUTOFF), "--lr", str(LR), "--rank", str(RANK)]
    command += ["--logging-steps", str(LOG_EVERY), "--gradient-checkpointing", checkpointing]
    rss = measured(command, ROOT)
    result = json.loads((work / "trl" / "result.json").read_text())
    logs = [r for r in result["log"] if "loss" in r]
    return {
        "runtime": result["train_runtime"],
        "step_times": result["steps"][1:],
        "losses": [r["loss"] for r in logs],
        "tokens": logs[-1].get("num_tokens"),
        "rss_kib": rss,
        "adapter": work / "trl" / "adapter",
        "settings": settings(result["gradient_checkpointing"], result["precision"]),
    }


def run_llamafactory(data: Path, model: str, work: Path) -> dict:
    if not (LF_VENV / "bin" / "llamafactory-cli").exists():
        raise RuntimeError("LLaMA-Factory is not installed: run bash bench/setup_llamafactory.sh")
    (work / "dataset_info.json").write_text(json.dumps({"bench": {"file_name": data.name}}))
    (work / data.name).write_bytes(data.read_bytes())
    out = work / "llamafactory"
    config = {
        "model_name_or_path": model,
        "stage": "sft",
        "do_train": True,
        "finetuning_type": "lora",
        "lora_rank": RANK,
        "lora_alpha": 2 * RANK,
        "lora_dropout": 0.0,
        "lora_target": "all",
        "dataset": "bench",
        "dataset_dir": str(work),
        "template": "smollm2",
        "cutoff_len": CUTOFF,
        "overwrite_cache": True,
        "output_dir": str(out),
        "logging_steps": LOG_EVERY,
        "save_strategy": "no",
        "per_device_train_batch_size": BATCH,
        "gradient_accumulation_steps": 1,
        "learning_rate": LR,
        "max_steps": STEPS,
        "lr_scheduler_type": "cosine",
        "bf16": True,
        "disable_gradient_checkpointing": False,  # LLaMA-Factory's default, stated: it checkpoints activations
        "use_cpu": not _has_cuda(),  # transformers refuses bf16 on a machine without a GPU unless told it is CPU
        "report_to": "none",
    }
    path = work / "llamafactory.yaml"  # LLaMA-Factory 0.9.5 reads YAML configs (its JSON path is broken)
    path.write_text(yaml.safe_dump(config))
    env = {"PATH": f"{LF_VENV / 'bin'}:/usr/bin:/bin", "HOME": str(Path.home()), "DISABLE_VERSION_CHECK": "1"}
    rss = measured([str(LF_VENV / "bin" / "llamafactory-cli"), "train", str(path)], work, env)
    state = json.loads((out / "trainer_state.json").read_text())
    logs = [r for r in state["log_history"] if "loss" in r]
    lines = (out / "trainer_log.jsonl").read_text().splitlines()
    elapsed = [_seconds(json.loads(line)["elapsed_time"]) for line in lines]
    results = json.loads((out / "train_results.json").read_text())
    return {
        "runtime": results["train_runtime"],
        "step_times": [(b - a) / LOG_EVERY for a, b in zip(elapsed, elapsed[1:])],  # its clock has whole seconds
        "losses": [r["loss"] for r in logs],
        "tokens": None,
        "rss_kib": rss,
        "adapter": out,
        "settings": settings(not config["disable_gradient_checkpointing"], "bf16" if config["bf16"] else "fp32"),
    }


def _has_cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def _seconds(clock: str) -> float:
    h, m, s = (int(x) for x in clock.split(":"))
    return 3600 * h + 60 * m + s


RUNNERS = {
    "tunesmith": run_tunesmith,
    "tunesmith+ckpt": run_tunesmith_checkpointed,
    "trl": run_trl,
    "trl-nockpt": run_trl_like_for_like,
    "llamafactory": run_llamafactory,
}


def trained_tokens(data: Path, model: str) -> float:
    """Mean tokens per sample after the chat template and the cutoff: tokens a step sees per sample, no padding."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model)
    rows = json.loads(data.read_text(encoding="utf-8"))
    lengths = []
    for row in rows:
        conv = [{"role": "user", "content": row["instruction"]}, {"role": "assistant", "content": row["output"]}]
        encoded = tokenizer.apply_chat_template(conv, tokenize=True)  # a BatchEncoding in transformers 5
        ids = encoded["input_ids"] if hasattr(encoded, "keys") else encoded
        lengths.append(min(CUTOFF, len(ids)))
    return statistics.mean(lengths)


def tool_list(text: str) -> list[str]:
    """`--tools` as a list, each one a known tool (argparse's `type`)."""
    tools = [t for t in text.split(",") if t]
    unknown = [t for t in tools if t not in RUNNERS]
    if unknown or not tools:
        raise argparse.ArgumentTypeError(f"unknown tool(s) {unknown}; choose from {','.join(RUNNERS)}")
    return tools


def ratio(runtime: float, baseline: dict | None) -> str:
    """`runtime` over a TRL row's train time, as the table prints it ('—' when that row did not run)."""
    return f"{runtime / baseline['runtime']:.2f}×" if baseline else "—"


def table_row(workload: str, tool: str, r: dict, trl_rows: dict[str, dict]) -> str:
    """One markdown row: the run's settings, its time against each TRL row's, and its figures."""
    median = statistics.median(r["step_times"]) if r["step_times"] else float("nan")
    ratios = " | ".join(ratio(r["runtime"], trl_rows.get(name)) for name in TRL_ROWS)
    return (
        f"| {workload} | {tool} | {r['settings']} | {r['runtime']:.1f} | {ratios} | {median:.2f} | "
        f"{r['tokens_per_s']:,.0f} | {r['rss_kib'] / 1024:,.0f} | {r['losses'][-1]:.3f} | {r['held_out']:.3f} |"
    )


def summary_lines(workload: str, results: dict[str, dict]) -> list[str]:
    """For each tunesmith row: its train time as a fraction of TRL's defaults and of TRL like-for-like."""
    lines = []
    baselines = {label: results[name] for name, label in TRL_ROWS.items() if name in results}
    for tool, r in results.items():
        if tool.startswith("tunesmith") and baselines:
            parts = [f"÷ {label} = {ratio(r['runtime'], baseline)}" for label, baseline in baselines.items()]
            lines.append(f"{workload}: {tool} train time ({r['settings']}) {', '.join(parts)}")
    return lines


def run_workload(workload: str, tools: list[str], model: str) -> dict[str, dict]:
    """Train every tool on the workload (each in its own process) and score its adapter: results by tool."""
    results = {}
    with tempfile.TemporaryDirectory(prefix="train-speed-") as tmp:
        data, held_out = workload_data(workload, Path(tmp))
        per_sample = trained_tokens(data, model)
        for tool in tools:
            work = Path(tmp) / tool
            work.mkdir()
            r = RUNNERS[tool](data, model, work)
            r["tokens_per_s"] = STEPS * BATCH * per_sample / r["runtime"]
            r["held_out"] = held_out_loss(model, r["adapter"], held_out)
            print(f"{workload} {tool}: {r['runtime']:.1f} s ({r['settings']})", file=sys.stderr, flush=True)
            results[tool] = r
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="quickstart,long")
    parser.add_argument("--tools", type=tool_list, default=tool_list(",".join(RUNNERS)),
                        help=f"comma-separated, from {','.join(RUNNERS)} (default: all)")  # fmt: skip
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a train key for the tunesmith rows, VALUE in YAML (e.g. kernels=none)")  # fmt: skip
    parser.add_argument("--steps", type=int, default=STEPS,
                        help=f"steps per run (default {STEPS}); fewer is a smoke run, not a timing")  # fmt: skip
    args = parser.parse_args()
    use_steps(args.steps)
    for item in args.set:
        key, _, value = item.partition("=")
        TUNESMITH_OVERRIDES[key] = yaml.safe_load(value)
    sys.path.insert(0, str(ROOT / "src"))
    from tunesmith.models.resolve import resolve_model

    model = resolve_model("smollm2-135m")
    print(f"{platform.processor() or platform.machine()}, {STEPS} steps, batch {BATCH}, cutoff {CUTOFF}, LoRA r{RANK}")
    ratios = " | ".join(f"÷ {label}" for label in TRL_ROWS.values())
    print(f"| workload | tool | settings | train s | {ratios} | s/step (median) | tokens/s | peak RSS MiB | "
          "final train loss | held-out loss |")  # fmt: skip
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    summaries = []
    for workload in args.workloads.split(","):
        results = run_workload(workload, args.tools, model)
        trl_rows = {name: results[name] for name in TRL_ROWS if name in results}
        for tool, r in results.items():
            print(table_row(workload, tool, r, trl_rows), flush=True)
        summaries += summary_lines(workload, results)
    print()
    print("\n".join(summaries))


if __name__ == "__main__":
    main()
