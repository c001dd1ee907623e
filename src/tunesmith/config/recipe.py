"""The recipe: one YAML file that fully describes a run, validated by a typed pydantic schema."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, PrivateAttr, ValidationError, field_validator, model_validator

from tunesmith.config.methods import METHOD_NAMES, LoraConfig, MethodConfig
from tunesmith.config.stages import STAGE_NAMES, SftConfig, StageConfig
from tunesmith.errors import InputError
from tunesmith.schema import Strict, dump_yaml, input_error, named_section
from tunesmith.yaml_file import read_mapping

DEFAULT_MODEL = "smollm2-135m"


class RaftConfig(Strict):
    """Retrieval-augmented fine-tuning (RAFT, Zhang et al. 2024): each SFT prompt is rebuilt from retrieved chunks.

    A record names its gold passage by `gold` (chunk ids) or `evidence` (a sentence the gold chunk holds, with an
    optional `source`), kept in its meta. With probability `p_gold` the prompt holds the gold chunk among
    `distractors` retrieved non-gold chunks and the reply gains the gold chunk's id as a citation; otherwise it holds
    distractors only and the reply becomes "the documents do not contain the answer", so the model learns both to
    answer from context and to say when the context lacks the answer."""

    index: Path
    distractors: int = Field(3, ge=0)
    p_gold: float = Field(0.8, ge=0.0, le=1.0)
    mode: Literal["hybrid", "dense", "lexical"] = "hybrid"
    template: str | None = None  # {context} and {question}; None: the serving default (rag/prompt.py)


class DataConfig(Strict):
    train: Path
    validation: Path | None = None
    validation_split: float = Field(0.1, ge=0.0, lt=1.0)
    format: str = "auto"
    columns: dict[str, str] = Field(default_factory=dict)
    prompt_separator: str | None = None
    completion_stop: str | None = None
    tasks: list[Path] = Field(default_factory=list)  # more task files, mixed with `train` (multi-task SFT)
    mix_temperature: float | None = Field(None, gt=0)  # file i drawn ∝ size_i^(1/T); None: 1 (natural shares)
    mix_weights: dict[str, float] | None = None  # or fixed weights by file stem
    kto_labels: Literal["refuse", "desirable_only"] = "refuse"  # chat data with KTO's true/false `label`: refuse
    # it (SFT would learn the undesirable replies), or train on the records labelled true only
    rag: RaftConfig | None = None  # SFT with retrieved context (RAFT): each prompt holds chunks from this index


Attention = Literal["auto", "sdpa", "eager", "flash_attention_2", "flex_attention"]


class ZeroConfig(Strict):
    """DeepSpeed ZeRO in recipe form; the batch, accumulation, clipping and precision come from `train`."""

    zero_stage: Literal[2, 3] = 2
    offload_optimizer: bool = False  # optimizer state in CPU memory
    offload_params: bool = False  # ZeRO-3 only: parameters in CPU memory between uses


class TrainConfig(Strict):
    epochs: float = Field(1.0, gt=0)
    max_steps: int = Field(-1, ge=-1)
    batch_size: int = Field(8, ge=1)
    gradient_accumulation: int = Field(1, ge=1)
    learning_rate: float = Field(2e-4, gt=0)
    scheduler: Literal["linear", "cosine", "constant", "constant_with_warmup", "polynomial"] = "cosine"
    warmup_ratio: float = Field(0.05, ge=0, le=1)
    weight_decay: float = Field(0.0, ge=0)
    max_grad_norm: float = Field(1.0, gt=0)
    max_length: int = Field(1024, ge=8)
    overlong: Literal["truncate", "drop", "fail"] = "truncate"  # chat records over max_length tokens: cut (as TRL
    # does; counted and reported), left out (counted), or an error naming the first one's line (data/lengths.py)
    packing: bool = False
    group_by_length: bool = False  # batch similar lengths together: less padding, but a short run sees longest first
    cache_tokenized: bool = True  # keep the rows on disk by content hash: a second run reuses their tokenization
    pad_to_multiple_of: int | None = Field(8, ge=1)  # few distinct batch shapes, so the allocator reuses its memory
    # (CPU quickstart benchmark peak 2.6 → 1.9 GB) for at most 7 pad tokens a row; None pads to the longest row
    activation_checkpointing: bool = False
    fsdp: dict[str, Any] | None = None  # GPUs: transformers' fsdp_config keys, e.g. {version: 2} (train/sharding.py)
    deepspeed: ZeroConfig | str | None = None  # GPUs: {zero_stage: 2|3, offload_optimizer, offload_params} or a path
    compile: bool = False  # torch.compile the model: GPUs only (on CPU it recompiles for every batch length)
    return_freed_memory: bool = True  # glibc: fix malloc's mmap threshold, so freed activations leave the process
    # (train/speedups/allocator.py; long-answers benchmark peak 2,024 → 1,876 MiB); false leaves malloc as it is
    kernels: Literal["auto", "lean", "liger", "none"] = "auto"  # fused layers: Liger on GPU, lean on CPU
    attention: Attention = "auto"  # the model's default; SFT on CPU: eager or SDPA per batch (speedups/attention.py)
    precision: Literal["auto", "fp32", "bf16", "fp16"] = "auto"
    frozen_weights: Literal["auto", "fp32", "bf16"] = "auto"  # storage of weights that do not train; auto: bf16
    # when training in bf16 with an adapter method (the matmuls run in bf16 anyway; half the memory, no recasting)
    seed: int = 42
    loss_on: Literal["assistant", "all"] = "assistant"
    logging_steps: int = Field(5, ge=1)
    eval_steps: int = Field(50, ge=1)
    save_steps: int | None = Field(None, ge=1)
    early_stopping_patience: int | None = Field(None, ge=1)
    keep_best: bool = True

    @field_validator("max_steps")
    @classmethod
    def _steps_or_epochs(cls, value: int) -> int:
        if value == 0:
            raise ValueError("expected a positive number of optimizer steps, or -1 to train for `epochs`; got 0")
        return value


class ForgettingConfig(Strict):
    """Defences against forgetting general skills while learning the task (see train/replay.py, train/l2sp.py)."""

    replay: float = Field(0.0, ge=0.0, lt=1.0)  # share of training examples drawn from general data
    replay_data: Path | None = None  # a general chat file (any format); None: the base model's own answers
    replay_max_new_tokens: int = Field(160, ge=8)  # length of the base model's answers when it writes them
    l2sp: float = Field(0.0, ge=0.0)  # pull toward the starting weights per step: θ -= lr·l2sp·(θ - θ₀)


class EvalConfig(Strict):
    file: Path | None = None
    metrics: list[str] = Field(default_factory=lambda: ["exact_match", "rouge_l"])
    json_fields: list[str] | None = None
    max_new_tokens: int = Field(256, ge=1)
    batch_size: int = Field(16, ge=1)
    limit: int | None = Field(None, ge=1)
    baseline: bool = True
    forgetting_probe: bool = False  # also score general instruction following (tunesmith.eval.probe)


class SearchSpace(Strict):
    """One hyperparameter's range: `low`/`high` (optionally `log`, `step`; ints if both are ints) or `choices`."""

    low: float | None = None
    high: float | None = None
    log: bool = False
    step: float | None = Field(None, gt=0)
    choices: list[Any] | None = Field(None, min_length=1)

    @model_validator(mode="after")
    def _range_or_choices(self) -> SearchSpace:
        if self.choices is None and (self.low is None or self.high is None):
            raise ValueError("give low and high, or choices")
        if self.choices is None and self.low > self.high:
            raise ValueError(f"low ({self.low}) is above high ({self.high})")
        if self.log and self.choices is None and self.low <= 0:
            raise ValueError("a log range needs low > 0")
        return self


class SweepConfig(Strict):
    """Hyperparameter search with Optuna (`tunesmith sweep`): dotted recipe keys mapped to their ranges."""

    trials: int = Field(8, ge=1)
    space: dict[str, SearchSpace] = Field(min_length=1)
    pruning: bool = True  # stop trials whose validation loss trails the median of earlier trials at the same step
    seed: int = 0


class OutputConfig(Strict):
    dir: Path = Path("runs")
    name: str | None = None


class Recipe(Strict):
    model: str = DEFAULT_MODEL
    data: DataConfig
    stage: StageConfig = Field(default_factory=SftConfig)
    method: MethodConfig = Field(default_factory=LoraConfig)
    train: TrainConfig = Field(default_factory=TrainConfig)
    forgetting: ForgettingConfig = Field(default_factory=ForgettingConfig)
    eval: EvalConfig = Field(default_factory=EvalConfig)
    output: OutputConfig = Field(default_factory=OutputConfig)
    sweep: SweepConfig | None = None
    _source: str = PrivateAttr("recipe")  # the file (or caller) the recipe came from, for errors found later

    @field_validator("method", mode="before")
    @classmethod
    def _method_by_name(cls, value: Any) -> Any:
        return named_section(value, "method", METHOD_NAMES, "{name: lora, r: 16}")

    @field_validator("stage", mode="before")
    @classmethod
    def _stage_by_name(cls, value: Any) -> Any:
        return named_section(value, "stage", STAGE_NAMES, "{name: dpo, beta: 0.1}")

    @model_validator(mode="after")
    def _default_name(self) -> Recipe:
        if self.output.name is None:
            self.output.name = self.data.train.stem
        return self

    @property
    def run_dir(self) -> Path:
        return self.output.dir / str(self.output.name)

    @property
    def source(self) -> str:
        """Where the recipe came from (its file), as errors name it."""
        return self._source


# Keys that hold a file or folder, and keys that hold a model ref (a path only when it looks like one).
PATH_KEYS = (
    ("data", "train"),
    ("data", "validation"),
    ("data", "tasks"),
    ("forgetting", "replay_data"),
    ("eval", "file"),
    ("output", "dir"),
    ("train", "deepspeed"),
    ("data", "rag", "index"),
)
MODEL_KEYS = (("model",), ("stage", "teacher"))


def load_recipe(path: str | Path, overrides: list[str] | None = None) -> Recipe:
    """Read, override (`a.b=value`) and validate a recipe; any problem is an InputError naming file and key.

    Relative paths in the file are read from the file's folder; paths in `overrides` (typed on the command line)
    from the current directory."""
    raw = read_mapping(path, "recipe", "a mapping of recipe sections (model, data, method, train …)")
    resolve_paths(raw, Path(path).parent)
    for item in overrides or []:
        apply_override(raw, item)
    return validate_recipe(raw, source=str(path))


def load_run_recipe(path: str | Path) -> Recipe:
    """A run directory's `recipe.yaml` as training wrote it: its paths are absolute (a run written before they were
    holds them relative to where training ran, so they are read from the current directory, as then)."""
    raw = read_mapping(path, "recipe", "a mapping of recipe sections (model, data, method, train …)")
    return validate_recipe(raw, source=str(path))


def resolve_paths(raw: dict, base: Path) -> dict:
    """Make the relative paths of a raw recipe mapping absolute against `base`, in place (and return it).

    A model ref (`model`, `stage.teacher`) counts as a path when it starts with `.` or `~`, or names a folder
    under `base`; otherwise it stays an alias or hub id."""
    for *sections, key in PATH_KEYS:
        node = raw
        for section in sections:
            node = node.get(section) if isinstance(node, dict) else None
        if isinstance(node, dict) and key in node:
            value = node[key]
            node[key] = [_absolute(v, base) for v in value] if isinstance(value, list) else _absolute(value, base)
    for keys in MODEL_KEYS:
        node = raw if len(keys) == 1 else raw.get(keys[0])
        value = node.get(keys[-1]) if isinstance(node, dict) else None
        if isinstance(value, str) and (value.startswith((".", "~")) or (base / value).is_dir()):
            node[keys[-1]] = _absolute(value, base)
    return raw


def _absolute(value: Any, base: Path) -> Any:
    """`value` (a path string) joined to `base` unless it is absolute, as an absolute path; anything else unchanged."""
    if not isinstance(value, (str, Path)) or not str(value):
        return value
    return os.path.abspath(base / Path(value).expanduser())  # `..` folded away: the path errors show


def apply_override(raw: dict, item: str) -> None:
    """Set a dotted key from a `key=value` string; the value is parsed as YAML (numbers, lists, bools)."""
    key, sep, text = item.partition("=")
    if not sep or not key:
        raise InputError(item, "override must look like section.key=value, e.g. train.learning_rate=1e-4")
    node = raw
    parts = key.split(".")
    for part in parts[:-1]:
        if isinstance(node.get(part), str) and part in {"method", "stage"}:
            node[part] = {"name": node[part]}
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise InputError(key, f"cannot set a key inside '{part}', which is not a section")
    node[parts[-1]] = yaml.safe_load(text) if text else ""


def validate_recipe(raw: dict, source: str = "recipe") -> Recipe:
    """Validate a raw mapping (paths stay relative to the current directory, as on the CLI)."""
    try:
        recipe = Recipe.model_validate(raw)
    except ValidationError as exc:
        raise input_error(exc, Recipe, source) from None
    recipe._source = source
    return recipe


def dump_recipe(recipe: Recipe) -> str:
    """The resolved recipe as YAML, the form written into every run directory: its relative paths made absolute
    (against the current directory), so the file means the same wherever it is read from."""
    raw = yaml.safe_load(dump_yaml(recipe))
    return yaml.safe_dump(resolve_paths(raw, Path.cwd()), sort_keys=False, allow_unicode=True)
