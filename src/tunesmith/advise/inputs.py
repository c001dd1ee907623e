"""The estimate's inputs from what a person has: a recipe (its model, method, train settings and data), a method
named on the command line with its keys, or a data file counted with the model's tokenizer."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from tunesmith.advise.estimate import Request
from tunesmith.advise.workload import Workload, count_rows, from_lengths, packed
from tunesmith.config import METHOD_NAMES, Recipe, validate_recipe
from tunesmith.config.methods import MethodBase
from tunesmith.errors import InputError
from tunesmith.schema import input_error, unknown_name

# Names people use for methods that are another method's setting.
ALIASES = {
    "dora": ("lora", {"use_dora": True}),
    "prefix": ("prefix_tuning", {}),
    "prompt": ("prompt_tuning", {}),
    "ptuning": ("p_tuning", {}),
}


def method_config(name: str, options: list[str] | None = None) -> MethodBase:
    """A method's validated config from its name (or alias: dora, prefix, prompt) and `key=value` options."""
    base, preset = ALIASES.get(name, (name, {}))
    if base not in METHOD_NAMES:
        raise InputError("--method", unknown_name("method", name, [*METHOD_NAMES, *ALIASES]))
    values = dict(preset)
    for item in options or []:
        key, sep, text = item.partition("=")
        if not sep or not key:
            raise InputError(item, "a method option looks like key=value, e.g. r=8 or target_modules=[q_proj,v_proj]")
        values[key] = yaml.safe_load(text) if text else ""
    try:  # validated as a recipe's method section, so errors name the key as a recipe would
        return Recipe.model_validate({"data": {"train": "-"}, "method": {"name": base, **values}}).method
    except ValidationError as exc:
        raise input_error(exc, Recipe, "--method") from None


def recipe_request(recipe: Recipe) -> Request:
    """The Request a recipe describes (its model, method, stage and train settings)."""
    t = recipe.train
    return Request(
        model=recipe.model,
        method=recipe.method,
        stage=recipe.stage.name,
        max_length=t.max_length,
        batch_size=Request.batch_size if t.batch_size == "auto" else t.batch_size,  # auto's CPU batch
        gradient_accumulation=t.gradient_accumulation,
        checkpointing=t.activation_checkpointing,
        precision=t.precision,
        frozen_weights=t.frozen_weights,
        pad_to_multiple_of=t.pad_to_multiple_of,
        epochs=t.epochs,
        max_steps=t.max_steps,
        seed=t.seed,
    )


def recipe_workload(recipe: Recipe, request: Request | None = None) -> Workload:
    """The recipe's training data as the run would see it (validation split out), counted with the tokenizer;
    `request` overrides the batch size and lengths."""
    from tunesmith.models.loading import load_tokenizer
    from tunesmith.models.resolve import resolve_model
    from tunesmith.models.templates import training_template
    from tunesmith.train.setup import check_inputs, load_stage_data

    request = request or recipe_request(recipe)
    check_inputs(recipe)
    data = load_stage_data(recipe).train
    tokenizer = load_tokenizer(resolve_model(request.model))
    template = training_template(tokenizer) if recipe.train.loss_on == "assistant" else None
    rows = count_rows(data, tokenizer, template, request.max_length, request.seed)
    pad = request.pad_to_multiple_of
    if recipe.stage.name == "pretrain" and getattr(recipe.stage, "packing", False):
        rows, pad = packed(rows, len(data), request.max_length), None
    counted = f"{len(rows):,} counted" if len(rows) < len(data) else "all counted"
    source = f"{recipe.data.train}: {len(data):,} training examples ({counted} with the model's tokenizer)"
    return from_lengths(rows, len(data), request.batch_size, pad, request.seed, source)


def data_workload(path: Path, request: Request) -> Workload:
    """A data file (any format training reads) as the training examples of `request`."""
    raw = {"model": request.model, "data": {"train": str(path), "validation_split": 0.0}}
    raw["stage"] = request.stage
    raw["train"] = {"max_length": request.max_length, "batch_size": request.batch_size, "seed": request.seed}
    if request.pad_to_multiple_of is not None:
        raw["train"]["pad_to_multiple_of"] = request.pad_to_multiple_of
    return recipe_workload(validate_recipe(raw, source="--data"), request)
