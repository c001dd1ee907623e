"""A fine-tuning job request in OpenAI's vocabulary, its `"auto"` hyperparameters resolved, and the recipe it runs.

`"auto"` resolves through the recipes' own `auto` rules (train/auto.py), from the training file and the base:
- `batch_size`: 8 on CPU, 16 on a GPU, halved to the token budget and to a tenth of the examples;
- `n_epochs`: enough to show the model about 2,000 examples, between 1 and 10;
- `learning_rate_multiplier`: 1, times LoRA's `auto` rate for the served base's size and the job's stage;
- `beta` (dpo): 0.1, the dpo stage's default.
The job object then shows these numbers, as OpenAI's does. Every job trains a LoRA adapter (the recipe defaults:
r 16, alpha 32, all linear layers) on the served base model, with a checkpoint at the end of every epoch.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from tunesmith.config import Recipe, validate_recipe
from tunesmith.config.recipe import Auto
from tunesmith.config.stages import DpoConfig
from tunesmith.models.size import parameter_count
from tunesmith.schema import Strict
from tunesmith.train import auto
from tunesmith.train.precision import has_cuda

METHOD_TYPES = ("supervised", "dpo", "reinforcement")
SUFFIX = re.compile(r"[A-Za-z0-9_-]{1,64}")
STAGES = {"supervised": "sft", "dpo": "dpo", "reinforcement": "grpo"}  # the stage each job type trains
DEFAULT_BETA = DpoConfig.model_fields["beta"].default


class Hyperparameters(Strict):
    """What every method takes; each is a number or "auto"."""

    # the bounds sit on the number alone: on the union, pydantic applies them to "auto" too (a TypeError, a 500)
    n_epochs: Annotated[int, Field(ge=1, le=50)] | Auto = "auto"
    batch_size: Annotated[int, Field(ge=1, le=256)] | Auto = "auto"
    learning_rate_multiplier: Annotated[float, Field(gt=0, le=10)] | Auto = "auto"


class DpoHyperparameters(Hyperparameters):
    beta: Annotated[float, Field(gt=0, le=2)] | Auto = "auto"


class ReinforcementHyperparameters(Hyperparameters):
    compute_multiplier: Annotated[float, Field(gt=0, le=8)] | Auto = "auto"  # scales the completions per prompt (4)
    eval_interval: Annotated[int, Field(ge=1)] | Auto = "auto"
    eval_samples: Annotated[int, Field(ge=1)] | Auto = "auto"
    reasoning_effort: Literal["default", "low", "medium", "high"] = "default"  # no reasoning models here: unused


class Supervised(Strict):
    hyperparameters: Hyperparameters = Field(default_factory=Hyperparameters)


class Dpo(Strict):
    hyperparameters: DpoHyperparameters = Field(default_factory=DpoHyperparameters)


class Reinforcement(Strict):
    grader: dict[str, Any]
    hyperparameters: ReinforcementHyperparameters = Field(default_factory=ReinforcementHyperparameters)
    response_format: dict[str, Any] | None = None


class Method(Strict):
    type: Literal["supervised", "dpo", "reinforcement"]
    supervised: Supervised | None = None
    dpo: Dpo | None = None
    reinforcement: Reinforcement | None = None

    def settings(self) -> Supervised | Dpo | Reinforcement:
        """The section for `type` (its defaults when the request left it out; reinforcement needs its grader)."""
        given = getattr(self, self.type)
        if given is not None:
            return given
        if self.type == "reinforcement":
            raise ValueError("method.reinforcement.grader is required for method type 'reinforcement'")
        return Supervised() if self.type == "supervised" else Dpo()


class JobRequest(Strict):
    """The body of `POST /v1/fine_tuning/jobs`."""

    model: str
    training_file: str
    validation_file: str | None = None
    method: Method | None = None
    hyperparameters: Hyperparameters | None = None  # deprecated by OpenAI: supervised only
    suffix: str | None = None
    seed: int | None = Field(None, ge=0, le=2**31 - 1)
    metadata: dict[str, str] | None = Field(None, max_length=16)
    integrations: list[dict[str, Any]] | None = None

    @field_validator("suffix")
    @classmethod
    def _suffix(cls, value: str | None) -> str | None:
        if value is not None and not SUFFIX.fullmatch(value):
            raise ValueError("expected 1-64 letters, digits, '-' or '_'")
        return value

    @field_validator("integrations")
    @classmethod
    def _no_integrations(cls, value: list | None) -> list | None:
        if value:
            raise ValueError("integrations (e.g. Weights & Biases) are not supported; metrics are in the job's events")
        return value

    def resolved_method(self) -> Method:
        """The method, with the deprecated top-level `hyperparameters` moved into `method.supervised`."""
        if self.hyperparameters is None:
            return self.method or Method(type="supervised")
        if self.method is not None and self.method.type != "supervised":
            raise ValueError("top-level hyperparameters apply to supervised jobs; put them in method.<type>")
        return Method(type="supervised", supervised=Supervised(hyperparameters=self.hyperparameters))


def resolve_hyperparameters(method: Method, examples: int, tokens: int = 0) -> dict[str, Any]:
    """The method's hyperparameters with every "auto" replaced by the number tunesmith will use (`tokens`: the
    training file's, for the batch's token budget)."""
    given = method.settings().hyperparameters
    values = given.model_dump()
    work = job_workload(method.type, 0, examples, tokens)
    if values["batch_size"] == "auto":
        values["batch_size"] = auto.batch_size(work)
    if values["n_epochs"] == "auto":
        values["n_epochs"] = int(auto.epochs(work))
    if values["learning_rate_multiplier"] == "auto":
        values["learning_rate_multiplier"] = 1.0
    if values.get("beta") == "auto":
        values["beta"] = DEFAULT_BETA
    if values.get("compute_multiplier") == "auto":
        values["compute_multiplier"] = 1.0
    if method.type == "reinforcement":  # TRL's batch counts completions, whole groups of them
        values["batch_size"] = math.lcm(values["batch_size"], generations(values))
    return values


def job_workload(kind: str, parameters: int, examples: int, tokens: int = 0) -> auto.Workload:
    """What `auto` resolves from for a job: a LoRA adapter, the job type's stage, on this server's device."""
    mean = tokens / examples if tokens and examples else None
    return auto.Workload("lora", STAGES[kind], parameters, examples, mean, has_cuda())


def base_learning_rate(kind: str, base: str) -> float:
    """The rate `learning_rate_multiplier` multiplies: LoRA's `auto` rate for the served base and the job's stage."""
    return auto.learning_rate(job_workload(kind, parameter_count(base), 1))


def generations(hyperparameters: dict[str, Any]) -> int:
    """Completions sampled per prompt in a reinforcement job: 4, scaled by `compute_multiplier`."""
    return max(2, round(4 * hyperparameters["compute_multiplier"]))


def method_object(method: Method, hyperparameters: dict[str, Any]) -> dict[str, Any]:
    """OpenAI's `method` object for the job, showing the resolved numbers."""
    section = method.settings().model_dump(exclude_none=True)
    section["hyperparameters"] = hyperparameters
    return {"type": method.type, method.type: section}


def steps_per_epoch(method: dict[str, Any], examples: int) -> int:
    """Optimizer steps in one pass over the file (a reinforcement step takes batch_size completions)."""
    hp = method[method["type"]]["hyperparameters"]
    per_example = generations(hp) if method["type"] == "reinforcement" else 1
    return math.ceil(examples * per_example / hp["batch_size"])


def build_recipe(
    method: dict[str, Any],
    base: str,
    train_file: Path,
    examples: int,
    validation_file: Path | None,
    run_dir: Path,
    seed: int,
) -> Recipe:
    """The recipe a job trains: `method` is the job's method object (resolved), `base` the served model's folder,
    `examples` the training file's count (as validation found it)."""
    kind = method["type"]
    hp = method[kind]["hyperparameters"]
    per_epoch = steps_per_epoch(method, examples)
    raw: dict[str, Any] = {
        "model": base,
        "data": {"train": str(train_file), "validation_split": 0.0},
        "method": {"name": "lora"},
        "train": {
            "epochs": hp["n_epochs"],
            "batch_size": hp["batch_size"],
            "learning_rate": float(f"{base_learning_rate(kind, base) * hp['learning_rate_multiplier']:.3g}"),
            "seed": seed,
            "logging_steps": 1,
            "eval_steps": per_epoch,
            "save_steps": per_epoch,
            "keep_best": False,  # OpenAI's model is the last step's
        },
        "eval": {"baseline": False},
        "output": {"dir": str(run_dir.parent), "name": run_dir.name},
    }
    if validation_file is not None:
        raw["data"]["validation"] = str(validation_file)
    if kind == "dpo":
        raw["stage"] = {"name": "dpo", "beta": hp["beta"]}
    elif kind == "reinforcement":
        from tunesmith.jobs.graders import grader_rewards

        rewards = grader_rewards(method[kind]["grader"], item_fields(train_file))
        raw["stage"] = {"name": "grpo", "rewards": rewards, "num_generations": generations(hp)}
    return validate_recipe(raw, "fine-tuning job")


def total_steps(method: dict[str, Any], examples: int) -> int:
    """How many optimizer steps the job will take (the trainer's count: whole epochs of full or partial batches)."""
    return steps_per_epoch(method, examples) * method[method["type"]]["hyperparameters"]["n_epochs"]


def item_fields(path: Path) -> list[str]:
    """The fields graders may read from a reinforcement file: the first example's keys besides `messages`."""
    with path.open(encoding="utf-8") as handle:
        first = next(line for line in handle if line.strip())
    return [key for key in json.loads(first) if key != "messages"]


def recipe_method_object(recipe: Recipe) -> dict[str, Any]:
    """OpenAI's `method` object for a job that runs a whole recipe: `dpo` for the dpo stage, else `supervised`, with
    the recipe's numbers as hyperparameters and its method and stage under `tunesmith` (the recipe says the rest)."""
    kind = "dpo" if recipe.stage.name == "dpo" else "supervised"
    t = recipe.train
    rate = t.learning_rate
    hyperparameters: dict[str, Any] = {  # "auto" stays "auto": the run resolves it and logs the numbers
        "n_epochs": int(t.epochs) if t.epochs != "auto" and float(t.epochs).is_integer() else t.epochs,
        "batch_size": t.batch_size,
        "learning_rate_multiplier": rate if rate == "auto" else rate / base_learning_rate(kind, recipe.model),
    }
    if kind == "dpo":
        hyperparameters["beta"] = recipe.stage.beta
    return {
        "type": kind,
        kind: {"hyperparameters": hyperparameters},
        "tunesmith": {"method": recipe.method.name, "stage": recipe.stage.name, "max_steps": recipe.train.max_steps},
    }


def recipe_total_steps(recipe: Recipe, examples: int) -> int:
    """The optimizer steps a recipe will take on `examples` training records, as the trainer counts them (`max_steps`
    when set, else whole epochs after the validation split); the worker corrects it once training starts."""
    from tunesmith.train.setup import training_plan

    held_out = math.ceil(examples * recipe.data.validation_split) if recipe.data.validation is None else 0
    train_examples = max(examples - held_out, 1)
    resolved, _ = auto.resolve(recipe, auto.workload(recipe, 0, train_examples, None, has_cuda()))  # as training
    return training_plan(resolved, train_examples).total_steps
