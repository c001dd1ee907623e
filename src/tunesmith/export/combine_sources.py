"""Which runs can be combined: finished LoRA runs for a causal LM on one base model, with one tokenizer.

Each check names the run and what differs, before any model is loaded or anything written; what PEFT's
`add_weighted_adapter` would get wrong (DoRA magnitudes, modules_to_save copies, PiSSA/OLoRA's rewritten base
weights) is refused here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tunesmith.config import Recipe, load_run_recipe
from tunesmith.errors import InputError
from tunesmith.models.loading import load_tokenizer, source_for
from tunesmith.progress import SILENT, Progress
from tunesmith.runs import RunDir, open_run

COMBINED_LABEL = "combined"  # the combined model's name in reports; a source run of that name is numbered


@dataclass(frozen=True)
class Source:
    """One run to combine: its folder, a label for reports, its recipe, resolved base and adapter's PEFT config."""

    run: Path
    label: str
    recipe: Recipe
    base: str
    config: Any  # peft.LoraConfig

    @property
    def adapter(self) -> Path:
        return RunDir(self.run).final


def check_sources(runs: list[str | Path], equal_rank: bool = False, progress: Progress = SILENT) -> list[Source]:
    """Each run as a Source, refusing (naming the run and what differs) what cannot be combined; `equal_rank`: the
    combination works on A and B separately, so every adapter needs the same r."""
    sources = [_source(Path(run), _label(Path(run), i, runs), progress) for i, run in enumerate(runs)]
    first = sources[0]
    first_tokenizer = load_tokenizer(str(first.adapter))
    for source in sources[1:]:
        where = str(source.run)
        if source.base != first.base:
            raise InputError(
                where,
                f"trained on base '{source.recipe.model}' ({source.base}), but {first.run} on '{first.recipe.model}' "
                f"({first.base}); adapters combine only on the base model they were trained on",
            )
        tokenizer = load_tokenizer(str(source.adapter))
        if len(tokenizer) != len(first_tokenizer) or tokenizer.chat_template != first_tokenizer.chat_template:
            raise InputError(
                where,
                f"its tokenizer or chat template differs from {first.run}'s; combine runs whose "
                "prompts were rendered alike",
            )
        if type(source.config.target_modules) is not type(first.config.target_modules):
            raise InputError(
                where,
                f"its target_modules is {_kind(source)} but {first.run}'s is {_kind(first)}; PEFT combines "
                "adapters whose target_modules are both lists or both patterns",
            )
        if equal_rank and source.config.r != first.config.r:
            raise InputError(
                where,
                f"has r={source.config.r} but {first.run} has r={first.config.r}; this combination needs equal r "
                "(task_arithmetic, svd and the *_svd combinations take any r)",
            )
    return sources


def _source(run_path: Path, label: str, progress: Progress) -> Source:
    """One run, refused unless it holds a plain LoRA adapter for a causal LM that PEFT can combine."""
    from peft import PeftConfig, PeftType, TaskType

    from tunesmith.models.adapter_gate import is_gate_folder
    from tunesmith.models.bottleneck import is_adapter_folder

    run, where = open_run(run_path), str(run_path)
    recipe = load_run_recipe(run.recipe)
    method = recipe.method.name
    if not run.is_adapter():
        raise InputError(
            where,
            f"method '{method}' trains the model itself, so it has no adapter to combine; "
            "combine runs trained with lora or qlora",
        )
    if is_adapter_folder(run.final):
        raise InputError(where, f"method '{method}' adds bottleneck layers; only LoRA adapters (lora, qlora) combine")
    if is_gate_folder(run.final):
        raise InputError(where, f"method '{method}' is a learned gate over other runs; name those runs instead")
    config = PeftConfig.from_pretrained(str(run.final))
    if config.peft_type != PeftType.LORA:
        raise InputError(
            where,
            f"method '{method}' makes a {PeftType(config.peft_type).value} adapter; PEFT combines LoRA adapters "
            "only (runs trained with lora or qlora)",
        )
    if config.task_type != TaskType.CAUSAL_LM:
        task = TaskType(config.task_type).value if config.task_type else "none"
        raise InputError(
            where, f"its adapter's task_type is {task}, not CAUSAL_LM (a reward model?); combine causal LMs"
        )
    if config.use_dora:
        raise InputError(
            where,
            "it is a DoRA adapter (use_dora); PEFT combines LoRA's A and B matrices but not "
            "DoRA's magnitude vectors, so the result would not be the trained adapters",
        )
    if not isinstance(config.init_lora_weights, bool) and config.init_lora_weights != "gaussian":
        raise InputError(
            where,
            f"init_lora_weights '{config.init_lora_weights}' moves part of the base weights "
            "into the adapter when it loads, so it cannot share one base with other adapters",
        )
    if config.modules_to_save:
        raise InputError(
            where,
            f"it also trains whole modules (modules_to_save: {sorted(config.modules_to_save)}), "
            "which PEFT cannot combine",
        )
    return Source(run_path, label, recipe, source_for(run_path, progress).base, config)


def _label(run: Path, i: int, runs: list) -> str:
    """The run's folder name; with its position when two runs share a name (or it is the combined model's label)."""
    names = [Path(r).name for r in runs]
    unique = names.count(run.name) == 1 and run.name != COMBINED_LABEL
    return run.name if unique else f"{run.name} #{i + 1}"


def _kind(source: Source) -> str:
    targets = source.config.target_modules
    return f"the pattern {targets!r}" if isinstance(targets, str) else "a list of modules"
