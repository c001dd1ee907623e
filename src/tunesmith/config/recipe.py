"""The recipe: one YAML file that fully describes a run, validated by a typed pydantic schema."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, PrivateAttr, ValidationError, field_validator, model_validator

from tunesmith.config.methods import METHOD_NAMES, LoraConfig, MethodConfig
from tunesmith.config.section import Section
from tunesmith.config.stages import STAGE_NAMES, SftConfig, StageConfig
from tunesmith.errors import InputError
from tunesmith.schema import dump_yaml, input_error, named_section
from tunesmith.yaml_file import read_mapping

DEFAULT_MODEL = "smollm2-135m"


class RaftConfig(Section):
    """Retrieval-augmented fine-tuning (RAFT, Zhang et al. 2024): each SFT prompt is rebuilt from retrieved chunks.

    A record names its gold passage by `gold` (chunk ids) or `evidence` (a sentence the gold chunk holds, with an
    optional `source`), kept in its meta. With probability `p_gold` the prompt holds the gold chunk among
    `distractors` retrieved non-gold chunks and the reply gains the gold chunk's id as a citation; otherwise it holds
    distractors only and the reply becomes "the documents do not contain the answer", so the model learns both to
    answer from context and to say when the context lacks the answer."""

    index: Path
    """The retrieval index folder (`tunesmith rag index`) the prompts' chunks come from."""
    distractors: int = Field(3, ge=0)
    """How many retrieved non-gold chunks each prompt holds."""
    p_gold: float = Field(0.8, ge=0.0, le=1.0)
    """Probability that a prompt also holds the gold chunk."""
    mode: Literal["hybrid", "dense", "lexical"] = "hybrid"
    """How chunks are retrieved: hybrid (lexical + dense), dense or lexical."""
    template: str | None = None
    """Prompt template holding {context} and {question}; {context} and {question}; None: the serving default
    (rag/prompt.py)."""


class DataConfig(Section):
    train: Path
    """The training file (JSONL, JSON, CSV, Parquet or a text folder), in any supported format."""
    validation: Path | None = None
    """A validation file; None: hold out `validation_split` of the training file."""
    validation_split: float = Field(0.1, ge=0.0, lt=1.0)
    """Share of the training file held out for validation when no validation file is given."""
    format: str = "auto"
    """The data format (messages, prompt_completion, preference, kto, text, alpaca, sharegpt …); auto detects it."""
    columns: dict[str, str] = Field(default_factory=dict)
    """Renames of the file's columns to the canonical ones, e.g. {question: prompt}."""
    prompt_separator: str | None = None
    """Text joined between prompt and completion for prompt/completion data; None: the chat template."""
    completion_stop: str | None = None
    """Text appended to every completion (e.g. an end-of-answer marker); None: nothing."""
    tasks: list[Path] = Field(default_factory=list)
    """More task files, mixed with `train` (multi-task SFT)."""
    mix_temperature: float | None = Field(None, gt=0)
    """Temperature of the mix of `train` and `tasks`; file i drawn ∝ size_i^(1/T); None: 1 (natural shares)."""
    mix_weights: dict[str, float] | None = None
    """Fixed mixing weights by file stem, instead of mix_temperature; None: use mix_temperature."""
    kto_labels: Literal["refuse", "desirable_only"] = "refuse"
    """What to do with chat data that carries KTO labels; chat data with KTO's true/false `label`: refuse it (SFT would
    learn the undesirable replies), or train on the records labelled true only."""
    rag: RaftConfig | None = None
    """SFT with retrieved context (RAFT): each prompt holds chunks from this index."""


Attention = Literal["auto", "sdpa", "eager", "flash_attention_2", "flex_attention"]


class ZeroConfig(Section):
    """DeepSpeed ZeRO in recipe form; the batch, accumulation, clipping and precision come from `train`."""

    zero_stage: Literal[2, 3] = 2
    """DeepSpeed ZeRO stage: 2 shards optimizer state and gradients, 3 also the parameters."""
    offload_optimizer: bool = False
    """Offload the optimizer; optimizer state in CPU memory."""
    offload_params: bool = False
    """Offload the parameters; ZeRO-3 only: parameters in CPU memory between uses."""


Auto = Literal["auto"]


class TrainConfig(Section):
    # bounds sit on the number alone: on the union, pydantic would apply them to "auto" too
    epochs: Annotated[float, Field(gt=0)] | Auto = "auto"
    """Passes over the training data (fractions allowed); ignored when max_steps is set; auto: enough to show the model
    about 2,000 examples, at least 1 and at most 10 passes (train/auto.py)."""
    max_steps: int = Field(-1, ge=-1)
    """Optimizer steps to train; -1 trains for `epochs` instead."""
    batch_size: Annotated[int, Field(ge=1)] | Auto = "auto"
    """Examples per device per forward pass; auto: 8 on CPU, 16 on GPU, halved while a batch of average records
    passes the token budget (4,096 CPU, 16,384 GPU) and at most a tenth of the examples (train/auto.py)."""
    gradient_accumulation: int = Field(1, ge=1)
    """Forward passes summed into one optimizer step (effective batch = batch_size × this × devices)."""
    learning_rate: Annotated[float, Field(gt=0)] | Auto = "auto"
    """Peak learning rate of the optimizer (AdamW); auto: the method's rate at 135M parameters, scaled by the model's
    size and the stage (train/auto.py)."""
    scheduler: Literal["linear", "cosine", "constant", "constant_with_warmup", "polynomial"] = "cosine"
    """How the learning rate changes over the run after warmup."""
    warmup_ratio: float = Field(0.05, ge=0, le=1)
    """Share of the steps spent raising the learning rate from 0 to its peak."""
    weight_decay: float = Field(0.0, ge=0)
    """AdamW weight decay."""
    max_grad_norm: float = Field(1.0, gt=0)
    """Gradients are clipped to this norm."""
    max_length: int = Field(1024, ge=8)
    """Longest example in tokens; see `overlong` for longer ones."""
    overlong: Literal["truncate", "drop", "fail"] = "truncate"
    """What happens to longer examples; chat records over max_length tokens: cut (as TRL does; counted and reported),
    left out (counted), or an error naming the first one's line (data/lengths.py)."""
    packing: bool = False
    """Pack several short chat examples into one max_length row (less padding)."""
    group_by_length: bool = False
    """Batch similar lengths together: less padding, but a short run sees longest first."""
    cache_tokenized: bool = True
    """Keep the rows on disk by content hash: a second run reuses their tokenization."""
    pad_to_multiple_of: int | None = Field(8, ge=1)
    """Pad each batch to a multiple of this many tokens; few distinct batch shapes, so the allocator reuses its memory
    (CPU quickstart benchmark peak 2.6 → 1.9 GB) for at most 7 pad tokens a row; None pads to the longest row."""
    activation_checkpointing: bool = False
    """Recompute activations in the backward pass: less memory, about a third slower."""
    fsdp: dict[str, Any] | None = None
    """Fully sharded data parallel (PyTorch FSDP) settings; GPUs: transformers' fsdp_config keys, e.g. {version: 2}
    (train/sharding.py)."""
    deepspeed: ZeroConfig | str | None = None
    """DeepSpeed ZeRO settings; GPUs: {zero_stage: 2|3, offload_optimizer, offload_params} or a path."""
    compile: bool = False
    """torch.compile the model: GPUs only (on CPU it recompiles for every batch length)."""
    return_freed_memory: bool = True
    """Return freed memory to the system; glibc: fix malloc's mmap threshold, so freed activations leave the process
    (train/speedups/allocator.py; long-answers benchmark peak 2,024 → 1,876 MiB); false leaves malloc as it is."""
    kernels: Literal["auto", "lean", "liger", "none"] = "auto"
    """Fused kernels; fused layers: Liger on GPU, lean on CPU."""
    attention: Attention = "auto"
    """Attention implementation; the model's default; SFT on CPU: eager or SDPA per batch (speedups/attention.py)."""
    precision: Literal["auto", "fp32", "bf16", "fp16"] = "auto"
    """Training precision; auto: bf16 where the device supports it, else fp32."""
    frozen_weights: Literal["auto", "fp32", "bf16"] = "auto"
    """Storage dtype of the frozen weights; storage of weights that do not train; auto: bf16 when training in bf16 with
    an adapter method (the matmuls run in bf16 anyway; half the memory, no recasting)."""
    seed: int = 42
    """Random seed for data order, initialisation and the validation split."""
    loss_on: Literal["assistant", "all"] = "assistant"
    """Which tokens the loss is computed on: the assistant's replies only, or every token."""
    logging_steps: int = Field(5, ge=1)
    """Log the training loss (and learning rate) every this many steps."""
    eval_steps: int = Field(50, ge=1)
    """Compute the validation loss every this many steps."""
    save_steps: int | None = Field(None, ge=1)
    """Save a checkpoint every this many steps; None: at every evaluation."""
    early_stopping_patience: int | None = Field(None, ge=1)
    """Stop after this many evaluations without a better validation loss; None: never."""
    keep_best: bool = True
    """At the end, keep the checkpoint with the best validation loss rather than the last."""

    @field_validator("max_steps")
    @classmethod
    def _steps_or_epochs(cls, value: int) -> int:
        if value == 0:
            raise ValueError("expected a positive number of optimizer steps, or -1 to train for `epochs`; got 0")
        return value


class ForgettingConfig(Section):
    """Defences against forgetting general skills while learning the task (see train/replay.py, train/l2sp.py)."""

    replay: float = Field(0.0, ge=0.0, lt=1.0)
    """Share of training examples drawn from general data."""
    replay_data: Path | None = None
    """The general data replayed; a general chat file (any format); None: the base model's own answers."""
    replay_max_new_tokens: int = Field(160, ge=8)
    """Length of the base model's answers when it writes them."""
    l2sp: float = Field(0.0, ge=0.0)
    """L2-SP regularisation strength; pull toward the starting weights per step: θ -= lr·l2sp·(θ - θ₀)."""


class EvalConfig(Section):
    file: Path | None = None
    """The test file to score; None: the validation split."""
    metrics: list[str] = Field(default_factory=lambda: ["exact_match", "rouge_l"])
    """Task metrics to compute (exact_match, rouge_l, json_valid, field_f1 …)."""
    json_fields: list[str] | None = None
    """For JSON answers: the fields compared one by one; None: all of them."""
    max_new_tokens: int = Field(256, ge=1)
    """Longest generated answer, in tokens."""
    batch_size: int = Field(16, ge=1)
    """Prompts generated at once."""
    limit: int | None = Field(None, ge=1)
    """Score only the first this many examples; None: all."""
    baseline: bool = True
    """Also score the base model, to show what training changed."""
    forgetting_probe: bool = False
    """Probe for forgetting; also score general instruction following (tunesmith.eval.probe)."""
    probe_limit: int | None = Field(400, ge=1)
    """Probe prompts scored: the first this many of the 1,200 (English and Chinese alternate); None: all (for
    smollm2-135m on an idle 2-core CPU, 64 prompts took 41 s in batches of 32: about 13 minutes; cached per model)."""


class SearchSpace(Section):
    """One hyperparameter's range: `low`/`high` (optionally `log`, `step`; ints if both are ints) or `choices`."""

    low: float | None = None
    """Lowest value of the range."""
    high: float | None = None
    """Highest value of the range."""
    log: bool = False
    """Sample the range on a log scale (e.g. learning rates)."""
    step: float | None = Field(None, gt=0)
    """Spacing of the values tried; None: continuous."""
    choices: list[Any] | None = Field(None, min_length=1)
    """The values to try, instead of a range."""

    @model_validator(mode="after")
    def _range_or_choices(self) -> SearchSpace:
        if self.choices is None and (self.low is None or self.high is None):
            raise ValueError("give low and high, or choices")
        if self.choices is None and self.low > self.high:
            raise ValueError(f"low ({self.low}) is above high ({self.high})")
        if self.log and self.choices is None and self.low <= 0:
            raise ValueError("a log range needs low > 0")
        return self


class SweepConfig(Section):
    """Hyperparameter search with Optuna (`tunesmith sweep`): dotted recipe keys mapped to their ranges."""

    trials: int = Field(8, ge=1)
    """How many trials (runs) the search makes."""
    space: dict[str, SearchSpace] = Field(min_length=1)
    """Dotted recipe keys mapped to their ranges, e.g. {train.learning_rate: {low: 1e-5, high: 1e-3, log: true}}."""
    pruning: bool = True
    """Prune unpromising trials; stop trials whose validation loss trails the median of earlier trials at the same
    step."""
    seed: int = 0
    """Seed of the search's sampler."""


class OutputConfig(Section):
    dir: Path = Path("runs")
    """Folder that holds the run directories."""
    name: str | None = None
    """The run directory's name under `dir`; None: the training file's stem."""


class Recipe(Section):
    model: str = DEFAULT_MODEL
    """The base model to train: an alias (smollm2-135m), a local folder, or a hub id."""
    data: DataConfig
    """Where the training data comes from and how it is read."""
    stage: StageConfig = Field(default_factory=SftConfig)
    """What objective is trained (sft, dpo, kto, grpo …), chosen by its `name`."""
    method: MethodConfig = Field(default_factory=LoraConfig)
    """How parameters are made trainable (lora, full, freeze, prefix_tuning …), chosen by its `name`."""
    train: TrainConfig = Field(default_factory=TrainConfig)
    """The optimizer, schedule, batch, lengths and logging of the training loop."""
    forgetting: ForgettingConfig = Field(default_factory=ForgettingConfig)
    """Defences against forgetting general skills while learning the task."""
    eval: EvalConfig = Field(default_factory=EvalConfig)
    """The evaluation run after training (`tunesmith eval` with these settings)."""
    output: OutputConfig = Field(default_factory=OutputConfig)
    """Where the run directory is written."""
    sweep: SweepConfig | None = None
    """A hyperparameter search over this recipe (`tunesmith sweep`); None: a single run."""
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
    ("method", "adapters"),  # method xlora: the runs its gate mixes
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
