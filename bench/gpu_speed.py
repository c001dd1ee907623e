"""LoRA SFT throughput on a GPU: tunesmith against plain TRL on a randomly initialised ~1B Llama, sequence 2048.

    python bench/gpu_speed.py                 # on a CUDA machine (the `device` tool's H100/H200)
    python bench/gpu_speed.py --tiny          # a 2-layer model on CPU: checks the plumbing, measures nothing

No weights travel: the model is built from a Llama config (hidden 2048, 16 layers, 32 heads / 8 key-value heads,
MLP 8192, SmolLM2's 49,152-token vocabulary: 1.07B parameters) and saved in bf16 with SmolLM2's tokenizer. The
data are synthetic: each record is a user turn and an assistant turn of random vocabulary words, about
`--seq` tokens in all. Both tools train LoRA r16 on all linear layers, batch `--batch`, `--steps` steps, bf16,
each in its own process. The table gives trained tokens per second (prompt and answer tokens, no padding,
after the first `--warmup` steps), peak GPU memory (torch.cuda.max_memory_allocated) and model-FLOPs
utilisation: (4·frozen + 6·trainable parameters + 12·layers·hidden·seq) FLOPs per token (a frozen weight skips
its own gradient matmul) over the GPU's dense bf16 peak. TRL's SFTConfig turns gradient checkpointing on by
default (TRL 1.x) and tunesmith does not, so `trl` is TRL's defaults and `trl-nockpt` the like-for-like run with
checkpointing off (the FLOPs count leaves checkpointing's recomputation out, as MFU does).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PEAK_BF16_TFLOPS = {"H100": 989.0, "H200": 989.0, "A100": 312.0, "L40S": 362.0}  # dense, SXM where it matters
FULL = {"hidden_size": 2048, "num_hidden_layers": 16, "num_attention_heads": 32, "num_key_value_heads": 8,
        "intermediate_size": 8192}  # fmt: skip
TINY = {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
        "intermediate_size": 128}  # fmt: skip
RANK = 16


def build_model(folder: Path, shape: dict) -> dict:
    """A random Llama of `shape` with SmolLM2's tokenizer, saved in bf16; its parameter count and shape."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from tunesmith.models.resolve import resolve_model

    tokenizer = AutoTokenizer.from_pretrained(resolve_model("smollm2-135m"))
    config = LlamaConfig(vocab_size=len(tokenizer), tie_word_embeddings=True, max_position_embeddings=8192,
                         bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, **shape)  # fmt: skip
    torch.manual_seed(0)
    model = LlamaForCausalLM(config).to(torch.bfloat16)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return {"parameters": sum(p.numel() for p in model.parameters()), **shape}


def synthetic_records(folder: Path, count: int, seq: int) -> tuple[Path, float]:
    """`count` Alpaca records of random words, about `seq` tokens each; the file and mean tokens per record."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    words = [w[1:] for w in tokenizer.get_vocab() if w.startswith("Ġ") and w[1:].isalpha()]
    rng = random.Random(0)
    rows, lengths = [], []
    for _ in range(count):
        prompt = " ".join(rng.choices(words, k=seq // 4))
        answer = " ".join(rng.choices(words, k=seq))
        conversation = [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]
        ids = tokenizer.apply_chat_template(conversation, tokenize=True)
        ids = ids["input_ids"] if hasattr(ids, "keys") else ids
        lengths.append(min(seq, len(ids)))
        rows.append({"instruction": prompt, "input": "", "output": answer})
    path = folder / "data.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    return path, sum(lengths) / len(lengths)


def flops_per_token(model: dict, trainable: int, seq: int) -> float:
    frozen = model["parameters"] - trainable
    return 4 * frozen + 6 * trainable + 12 * model["num_hidden_layers"] * model["hidden_size"] * seq


TUNESMITH_RUN = """
import json, sys, torch
from tunesmith.config import validate_recipe
from tunesmith.train.run import train
result = train(validate_recipe(json.loads(sys.argv[1])))
peak = torch.cuda.max_memory_allocated() if torch.cuda.is_available() else 0
print(json.dumps({"peak_bytes": peak, "trainable": result.trainable_params}))
"""


def run_tunesmith(model_dir: Path, data: Path, work: Path, args) -> dict:
    recipe = {
        "model": str(model_dir),
        "data": {"train": str(data), "validation_split": 0.0},
        "method": {"name": "lora", "r": RANK, "alpha": 2 * RANK, "dropout": 0.0},
        "train": {"max_steps": args.steps, "batch_size": args.batch, "max_length": args.seq, "logging_steps": 1,
                  "save_steps": 10_000, "warmup_ratio": 0.0},
        "eval": {"baseline": False},
        "output": {"dir": str(work), "name": "tunesmith"},
    }  # fmt: skip
    done = subprocess.run([sys.executable, "-c", TUNESMITH_RUN, json.dumps(recipe)], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"tunesmith failed:\n{done.stderr[-3000:]}")
    facts = json.loads(done.stdout.strip().splitlines()[-1])
    rows = [json.loads(line) for line in (work / "tunesmith" / "metrics.jsonl").read_text().splitlines()]
    times = [r["time"] for r in rows if "loss" in r and "step" in r]
    return {"step_seconds": _after_warmup(times, args.warmup), **facts}


def run_trl_like_for_like(model_dir: Path, data: Path, work: Path, args) -> dict:
    """TRL with gradient checkpointing off, as tunesmith has it."""
    return run_trl(model_dir, data, work, args, checkpointing="off")


def run_trl(model_dir: Path, data: Path, work: Path, args, checkpointing: str = "default") -> dict:
    """Plain TRL (bench/train_speed_trl.py); `checkpointing` 'default' keeps SFTConfig's own (on in TRL 1.x)."""
    command = [sys.executable, str(ROOT / "bench" / "train_speed_trl.py"), str(data), str(model_dir), str(work / "trl")]
    command += ["--steps", str(args.steps), "--batch", str(args.batch), "--cutoff", str(args.seq)]
    command += ["--rank", str(RANK), "--logging-steps", "1", "--gradient-checkpointing", checkpointing]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"TRL failed:\n{done.stderr[-3000:]}")
    result = json.loads((work / "trl" / "result.json").read_text())
    steps = result["steps"][args.warmup :]
    return {"step_seconds": sum(steps) / len(steps), "peak_bytes": result["peak_bytes"],
            "trainable": result["trainable"]}  # fmt: skip


def _after_warmup(times: list[float], warmup: int) -> float:
    """Mean seconds per step from per-step log times, leaving out the first `warmup` steps."""
    kept = times[warmup:]
    return (kept[-1] - kept[0]) / (len(kept) - 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="a 2-layer model, sequence 128, 6 steps: plumbing only")
    parser.add_argument("--seq", type=int, default=2048)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--tools", default="trl,trl-nockpt,tunesmith")
    args = parser.parse_args()
    if args.tiny:
        args.seq, args.steps, args.warmup = 128, 6, 2
    sys.path.insert(0, str(ROOT / "src"))
    import torch

    device = torch.cuda.get_device_name() if torch.cuda.is_available() else "CPU"
    peak = next((tflops for name, tflops in PEAK_BF16_TFLOPS.items() if name in device), None)
    with tempfile.TemporaryDirectory(prefix="gpu-speed-") as tmp:
        model_dir = Path(tmp) / "model"
        model = build_model(model_dir, TINY if args.tiny else FULL)
        data, per_record = synthetic_records(model_dir, args.batch * args.steps, args.seq)
        shape = f"sequence {args.seq} (mean {per_record:.0f} tokens), batch {args.batch}, {args.steps} steps"
        print(f"{device}: random Llama, {model['parameters'] / 1e6:,.0f}M parameters, LoRA r{RANK}, {shape}")
        print("| tool | tokens/s | peak GPU memory GiB | MFU |")
        print("|---|---:|---:|---:|")
        runners = {"tunesmith": run_tunesmith, "trl": run_trl, "trl-nockpt": run_trl_like_for_like}
        for tool in args.tools.split(","):
            work = Path(tmp) / tool
            work.mkdir()
            r = runners[tool](model_dir, data, work, args)
            tokens_per_s = args.batch * per_record / r["step_seconds"]
            achieved = tokens_per_s * flops_per_token(model, r["trainable"], args.seq)
            mfu = f"{achieved / (peak * 1e12):.1%}" if peak else "n/a"
            print(f"| {tool} | {tokens_per_s:,.0f} | {r['peak_bytes'] / 2**30:.1f} | {mfu} |", flush=True)


if __name__ == "__main__":
    main()
