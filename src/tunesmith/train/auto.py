"""`auto` hyperparameters: the learning rate, batch size and length of a run whose recipe leaves them to tunesmith.

Resolved from four facts about the run, never from its results:
- learning rate: the method's rate at 135M parameters (REFERENCE_RATES: measured on the quickstart where the
  methods table says so, else the method paper's or PEFT's example rate), times sqrt(135M / the model's
  parameters) (bounded to ×0.05–×2: larger models want smaller steps), times the stage's factor (preference and
  online stages move a trained model, at a fraction of SFT's rate);
- batch size: 8 on CPU, 16 on a GPU, halved while a batch of average records passes the token budget, at most a
  tenth of the training records; rounded up to a multiple of `num_generations` for online stages;
- epochs: enough passes to show the model about 2,000 examples, at least 1 and at most 10 (`max_steps` wins when
  set): two passes over 1,000 records (one was short on examples/tasks/passage_qa's dev split; peers default to 3).
The fine-tuning API's `"auto"` values go through the same functions (jobs/spec.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

REFERENCE_PARAMETERS = 134_515_008  # smollm2-135m, the model the reference rates were measured on
# Method → peak learning rate at 135M parameters for SFT. "measured": docs/recipes.md's methods table (quickstart,
# 30 steps) or the method's own bench; the others follow their paper or PEFT's examples.
REFERENCE_RATES: dict[str, float] = {
    "lora": 1e-3,  # measured: 0.964 field accuracy
    "qlora": 1e-3,  # LoRA on a 4-bit base: LoRA's rate
    "adalora": 1e-3,
    "loha": 1e-3,  # measured
    "lokr": 1e-3,  # measured
    "oft": 1e-3,  # measured: 0.972
    "boft": 1e-3,  # measured: 0.904
    "ln_tuning": 1e-3,  # measured: 0.940
    "adapter": 1e-3,  # bottleneck adapters (Houlsby et al.): 1e-4–1e-3
    "bitfit": 1e-3,  # BitFit (Ben Zaken et al.): 1e-4–1e-3 on biases
    "vera": 5e-3,  # VeRA trains scaling vectors only: an order above LoRA
    "ia3": 1e-2,  # IA3 (Liu et al.): 3e-3 with Adafactor; vectors only
    "prompt_tuning": 3e-2,  # Lester et al.: 0.3 with Adafactor; soft prompts barely move at LoRA's rate
    "p_tuning": 1e-2,
    "prefix_tuning": 1e-4,  # through the MLP one Adam step moves a prefix value ~200× the rate (docs/recipes.md)
    "p_tuning_v2": 1e-2,  # prefixes from real keys and values; 10 dev steps (docs/recipes.md)
    "xlora": 5e-3,  # the learned gate over frozen adapters (bench/lora_mixture.py)
    "freeze": 1e-4,  # measured: the top layers' full weights
    "full": 5e-5,  # measured: 0.976 (134.5M parameters trained)
}
# Stage → factor on the SFT rate (examples/align: DPO at 5e-5 after SFT at 1e-3; GRPO at 2e-4).
STAGE_FACTORS: dict[str, float] = {
    "sft": 1.0,
    "pretrain": 1.0,
    "distill": 1.0,
    "orpo": 0.5,  # SFT and the odds-ratio term in one stage, from the base
    "reward": 0.5,
    "dpo": 0.05,
    "simpo": 0.05,
    "kto": 0.05,
    "spin": 0.05,
    "grpo": 0.2,
    "rloo": 0.2,
}
EXAMPLES_SEEN = 2000  # what auto epochs aim to show the model: two passes over 1,000 records
MAX_EPOCHS = 10
BATCH = {False: 8, True: 16}  # by whether a GPU trains
TOKEN_BUDGET = {False: 4096, True: 16384}  # tokens per batch of average records


@dataclass(frozen=True)
class Workload:
    """What `auto` is resolved from."""

    method: str
    stage: str
    parameters: int  # the base model's
    examples: int  # training records, after the validation split
    mean_tokens: float | None = None  # tokens per training record, where measured
    gpu: bool = False
    group: int = 1  # the batch is a multiple of this (online stages: completions per prompt; KTO: 2)


def learning_rate(work: Workload) -> float:
    """The method's reference rate, scaled by model size and stage (3 significant digits)."""
    size = min(2.0, max(0.05, math.sqrt(REFERENCE_PARAMETERS / max(work.parameters, 1))))
    rate = REFERENCE_RATES[work.method] * size * STAGE_FACTORS[work.stage]
    return float(f"{rate:.3g}")


def batch_size(work: Workload) -> int:
    """Per-device examples per step: the device's default, halved to the token budget and to a tenth of the data."""
    size = BATCH[work.gpu]
    while size > 1 and work.mean_tokens and size * work.mean_tokens > TOKEN_BUDGET[work.gpu]:
        size //= 2
    while size > 1 and size > work.examples // 10:
        size //= 2
    return max(work.group, math.ceil(size / work.group) * work.group)


def epochs(work: Workload) -> float:
    """Passes over the data that show the model about EXAMPLES_SEEN examples (1 to MAX_EPOCHS, whole passes)."""
    return epochs_for(work.examples)


def epochs_for(examples: int) -> float:
    """`epochs` from the training records alone (the only fact it needs)."""
    return float(max(1, min(MAX_EPOCHS, round(EXAMPLES_SEEN / max(examples, 1)))))


def why(work: Workload) -> str:
    """The facts the values came from, for the run's log."""
    tokens = f", {work.mean_tokens:.0f} tokens a record" if work.mean_tokens else ""
    device = "GPU" if work.gpu else "CPU"
    size = f"{work.parameters / 1e6:,.0f}M parameters"
    return f"{work.method}, {work.stage}, {size}, {work.examples:,} records{tokens}, {device}"


def workload(recipe, parameters: int, examples: int, mean_tokens: float | None, gpu: bool) -> Workload:
    """The recipe's Workload: its method and stage, and the batch multiple its stage needs."""
    from tunesmith.config.stages import OnlineConfig

    group = recipe.stage.num_generations if isinstance(recipe.stage, OnlineConfig) else 1
    group = 2 if recipe.stage.name == "kto" else group  # KTO's loss needs two examples a batch (train/stages/kto.py)
    return Workload(recipe.method.name, recipe.stage.name, parameters, examples, mean_tokens, gpu, group)


def resolve(recipe, work: Workload):
    """`recipe` with every `auto` in `train` replaced by its number, and one line per value saying why."""
    t, chosen = recipe.train, {}
    if t.learning_rate == "auto":
        chosen["learning_rate"] = learning_rate(work)
    if t.batch_size == "auto":
        chosen["batch_size"] = batch_size(work)
    if t.epochs == "auto":
        chosen["epochs"] = epochs(work) if t.max_steps < 0 else 1.0  # with max_steps set, epochs is unused
    if not chosen:
        return recipe, []
    notes = [f"auto: train.{key} = {value:g}" for key, value in chosen.items()]
    notes.append(f"auto: from {why(work)}")
    return recipe.model_copy(update={"train": t.model_copy(update=chosen)}), notes
