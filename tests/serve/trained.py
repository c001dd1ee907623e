"""Briefly trained runs of every method on the tiny model, and the same model loaded directly, for serving tests."""

from __future__ import annotations

from pathlib import Path

import torch
import yaml

from tunesmith.config.methods import (
    AdaloraConfig,
    AdapterConfig,
    BitfitConfig,
    BoftConfig,
    FreezeConfig,
    FullConfig,
    Ia3Config,
    LnTuningConfig,
    LohaConfig,
    LokrConfig,
    LoraConfig,
    OftConfig,
    PrefixTuningConfig,
    PromptTuningConfig,
    PTuningConfig,
    PTuningV2Config,
    VeraConfig,
)

TEXT = "hi there! The capital of France is Paris, and the sky is blue."
PROMPTS = ("The capital of", "hi")  # two, so that each trained method answers at least one unlike the base
PREFIX_METHODS = ("prefix_tuning", "p_tuning_v2")  # PEFT's `generate` drops their prefix (see peft_groups.py)
LEARNING_RATES = {"prompt_tuning": 0.3} | dict.fromkeys(("ln_tuning", "p_tuning", *PREFIX_METHODS), 0.1)  # else 3e-2

# method configs that train as adapters on one base (qlora trains only on CUDA; it saves a plain LoRA adapter)
ADAPTERS = {
    "lora": LoraConfig(r=4, alpha=8, dropout=0.0),
    "dora": LoraConfig(r=4, alpha=8, dropout=0.0, use_dora=True),
    "pissa": LoraConfig(r=4, alpha=8, dropout=0.0, init_lora_weights="pissa"),
    "adalora": AdaloraConfig(init_r=4, target_r=2, dropout=0.0),
    "ia3": Ia3Config(),
    "loha": LohaConfig(r=2),
    "lokr": LokrConfig(r=2),
    "oft": OftConfig(),
    "boft": BoftConfig(),
    "vera": VeraConfig(r=8),
    "ln_tuning": LnTuningConfig(),
    "prompt_tuning": PromptTuningConfig(num_virtual_tokens=4),
    "p_tuning": PTuningConfig(num_virtual_tokens=4),
    "prefix_tuning": PrefixTuningConfig(num_virtual_tokens=4),
    "p_tuning_v2": PTuningV2Config(num_virtual_tokens=4),
    "adapter": AdapterConfig(reduction_factor=4),
}
# methods whose run is a whole model, served as the model itself (bitfit needs biases: a tiny model with them)
MODELS = {"full": FullConfig(), "freeze": FreezeConfig(trainable_layers=1), "bitfit": BitfitConfig()}


def train_run(root: Path, name: str, base: Path, cfg, steps: int = 8, lr: float | None = None) -> Path:
    """A run directory (recipe.yaml + final/) of `cfg` trained `steps` AdamW steps on TEXT, saved as a run saves it."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from tunesmith.train.methods import TrainingPlan, apply_method

    lr = lr or LEARNING_RATES.get(cfg.name, 3e-2)
    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32)
    model = apply_method(model, cfg, TrainingPlan(total_steps=steps, learning_rate=lr))
    ids = tokenizer([TEXT], return_tensors="pt")["input_ids"]
    optim = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)
    model.train()
    for _ in range(steps):
        model(input_ids=ids, labels=ids).loss.backward()
        optim.step()
        optim.zero_grad()
    run = root / name
    model.save_pretrained(run / "final")
    tokenizer.save_pretrained(run / "final")
    recipe = {"model": str(base), "data": {"train": "x.jsonl"}, "method": cfg.model_dump()}
    (run / "recipe.yaml").write_text(yaml.safe_dump(recipe))
    return run


def direct_answer(
    base: str | Path, adapter: Path | None, max_tokens: int = 6, by_forward: bool = False
) -> tuple[str, ...]:
    """Greedy texts for PROMPTS of the trained model loaded directly (PEFT's `from_pretrained`, or the bottleneck
    loader) with `generate`, or, `by_forward`, by calling the model on the whole sequence per new token (no cache)."""
    from tunesmith.models.loading import ModelSource, load_for_inference

    model, tokenizer = load_for_inference(ModelSource(base=str(base), adapter=adapter))
    return tuple(_greedy(model, tokenizer, prompt, max_tokens, by_forward) for prompt in PROMPTS)


def _greedy(model, tokenizer, prompt: str, max_tokens: int, by_forward: bool) -> str:
    ids = tokenizer([prompt], return_tensors="pt")["input_ids"]
    with torch.no_grad():
        if by_forward:
            out = ids
            for _ in range(max_tokens):
                out = torch.cat([out, model(input_ids=out).logits[:, -1:].argmax(-1)], dim=1)
        else:
            mask = torch.ones_like(ids)
            out = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=max_tokens, do_sample=False)
    new = out[0, ids.shape[1] :].tolist()
    eos = {tokenizer.eos_token_id, *_as_list(model.generation_config.eos_token_id)}
    cut = next((i for i, t in enumerate(new) if t in eos), len(new))
    return tokenizer.decode(new[: cut + 1], skip_special_tokens=True)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]
