"""Adapter-only GGUF: which adapters llama.cpp can load beside an unchanged base, and the base folder to convert.

llama.cpp applies a GGUF LoRA as W + (alpha / r) * B A on the base weights. A PEFT adapter fits that only when it is
plain LoRA: one alpha, the usual alpha / r scale, nothing but A/B matrices, and a base left as it was (PiSSA-style
initialisations train against a changed base). Anything else is refused with the way that works: export it merged.
"""

from __future__ import annotations

import os
from pathlib import Path

from tunesmith.errors import InputError
from tunesmith.models.loading import ModelSource

# Tokenizer and chat template files: the run's (saved beside its adapter) replace the base model's.
TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "chat_template.jinja",
    "chat_template.json",
    "tokenizer.model",
    "vocab.json",
    "merges.txt",
    "added_tokens.json",
)
PLAIN_INITS = (True, False, "gaussian", "orthogonal")  # initialisations that leave the base weights as they are


def check_lora_only(run_dir: str | Path, source: ModelSource) -> None:
    """Stop, naming the method, when the run's adapter cannot be a GGUF LoRA over the unchanged base."""
    from peft import PeftConfig

    from tunesmith.config import load_run_recipe

    method = load_run_recipe(Path(run_dir) / "recipe.yaml").method.name
    if source.adapter is None:
        raise InputError(
            str(run_dir),
            f"method '{method}' trains the model itself, so there is no adapter to export alone; "
            "drop --adapter-only to export the whole model",
        )
    if not Path(source.base).is_dir():
        raise InputError(
            str(run_dir),
            f"the base model '{source.base}' is not a local folder, which llama.cpp's converter needs; "
            "download it and point the recipe's model at the folder, or drop --adapter-only",
        )
    cfg = PeftConfig.from_pretrained(str(source.adapter))
    why = not_plain_lora(cfg)
    if why:
        raise InputError(
            str(run_dir),
            f"method '{method}' {why}, which llama.cpp's LoRA loader cannot apply over the unchanged base; "
            "drop --adapter-only to export it merged into one GGUF",
        )


def not_plain_lora(cfg) -> str | None:
    """Why a PEFT config is not plain LoRA (None when it is)."""
    from peft import PeftType

    if cfg.peft_type != PeftType.LORA:
        return f"trains a {PeftType(cfg.peft_type).value} adapter rather than plain LoRA matrices"
    if cfg.use_dora:
        return "trains DoRA magnitude vectors beside the LoRA matrices"
    if cfg.use_rslora:
        return "scales LoRA by alpha / sqrt(r) (rsLoRA) rather than alpha / r"
    if cfg.alpha_pattern:
        return "uses a different alpha per module (alpha_pattern)"
    if cfg.modules_to_save:
        return f"also trains whole modules ({', '.join(sorted(cfg.modules_to_save))})"
    if cfg.init_lora_weights not in PLAIN_INITS:
        return f"initialises LoRA with '{cfg.init_lora_weights}', which moves part of the base weights into it"
    return None


def base_with_run_tokenizer(base: Path, adapter: Path, folder: Path) -> Path:
    """`folder` holding links to the base model's files, with the run's tokenizer and chat template in place of the
    base's, so the base GGUF carries the template the adapter was trained with."""
    folder.mkdir(parents=True)
    run_files = {name for name in TOKENIZER_FILES if (adapter / name).is_file()}
    for item in base.iterdir():
        if item.name not in run_files and not (item.name in TOKENIZER_FILES and run_files):
            os.symlink(item.resolve(), folder / item.name)
    for name in run_files:
        os.symlink((adapter / name).resolve(), folder / name)
    return folder
