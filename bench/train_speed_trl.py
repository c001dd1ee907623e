"""Plain TRL, as its docs show it: SFTTrainer with SFTConfig defaults plus the workload's settings (bench only).

    python bench/train_speed_trl.py DATA.json MODEL_DIR OUT_DIR --steps 25 --batch 4 --cutoff 256 --lr 2e-4
                                    [--gradient-checkpointing {default,on,off}]

TRL's SFTConfig turns gradient checkpointing on by default (TRL 1.x; transformers' TrainingArguments has it off):
`default` keeps that, `off` is the like-for-like setting against a trainer without checkpointing.

DATA is an Alpaca-style JSON list; it becomes TRL's conversational prompt/completion form, so the loss is on
the answers (TRL's default for that form), as in LLaMA-Factory and tunesmith. Writes OUT_DIR/result.json with
the trainer's log history and per-step times.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch
from datasets import Dataset
from peft import LoraConfig
from transformers import TrainerCallback
from trl import SFTConfig, SFTTrainer


class StepTimes(TrainerCallback):
    def __init__(self):
        self.times: list[float] = []
        self._start = 0.0

    def on_step_begin(self, args, state, control, **kwargs):
        self._start = time.perf_counter()

    def on_step_end(self, args, state, control, **kwargs):
        self.times.append(time.perf_counter() - self._start)


def checkpointing(choice: str) -> dict[str, bool]:
    """SFTConfig keyword for `--gradient-checkpointing`: none for `default`, so TRL's own default applies."""
    return {} if choice == "default" else {"gradient_checkpointing": choice == "on"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path)
    parser.add_argument("model")
    parser.add_argument("out", type=Path)
    parser.add_argument("--steps", type=int, default=25)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--cutoff", type=int, default=256)
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--logging-steps", type=int, default=5)
    parser.add_argument("--gradient-checkpointing", choices=["default", "on", "off"], default="default",
                        help="default: SFTConfig's own default (on in TRL 1.x)")  # fmt: skip
    args = parser.parse_args()
    rows = json.loads(args.data.read_text(encoding="utf-8"))
    data = Dataset.from_list(
        [
            {
                "prompt": [{"role": "user", "content": (r["instruction"] + "\n\n" + r["input"]).strip()}],
                "completion": [{"role": "assistant", "content": r["output"]}],
            }
            for r in rows
        ]
    )
    config = SFTConfig(
        output_dir=str(args.out),
        **checkpointing(args.gradient_checkpointing),
        max_steps=args.steps,
        per_device_train_batch_size=args.batch,
        max_length=args.cutoff,
        learning_rate=args.lr,
        lr_scheduler_type="cosine",
        logging_steps=args.logging_steps,
        save_strategy="no",
        report_to="none",
        use_cpu=not torch.cuda.is_available(),  # TRL defaults to bf16 and refuses to start on CPU without this
    )
    lora = LoraConfig(r=args.rank, lora_alpha=2 * args.rank, lora_dropout=0.0, target_modules="all-linear")
    timer = StepTimes()
    trainer = SFTTrainer(model=args.model, args=config, train_dataset=data, peft_config=lora, callbacks=[timer])
    output = trainer.train()
    trainer.save_model(str(args.out / "adapter"))  # scored on held-out samples by train_speed.py
    result = {
        "train_runtime": output.metrics["train_runtime"],
        "log": trainer.state.log_history,
        "steps": timer.times,
        "peak_bytes": torch.cuda.max_memory_allocated() if torch.cuda.is_available() else 0,  # bench/gpu_speed.py
        "trainable": sum(p.numel() for p in trainer.model.parameters() if p.requires_grad),
        "gradient_checkpointing": config.gradient_checkpointing,  # the setting the run had, not the flag
        "precision": "bf16" if config.bf16 else "fp16" if config.fp16 else "fp32",
    }
    (args.out / "result.json").write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
