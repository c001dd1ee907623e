"""The arena file: one task, the arms that answer it, and the prices that turn measurements into cost.

Relative paths are read from the arena file's folder, as in a recipe; the report goes to
`runs/<file stem>-arena` unless `output` says otherwise. An arm is a way to answer the task (a prompt,
demonstrations, retrieval, a fine-tuned run, a hosted teacher); every arm answers the same held-out questions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from tunesmith.config import DEFAULT_MODEL
from tunesmith.config.prices import TokenPrice
from tunesmith.data.teacher import TeacherConfig
from tunesmith.errors import InputError
from tunesmith.eval.judge_config import JudgeConfig
from tunesmith.eval.metrics import METRICS, SCORES
from tunesmith.schema import Strict, unknown_name, validate
from tunesmith.yaml_file import read_mapping


class TaskConfig(Strict):
    """What is asked and how answers are scored: chat records whose last assistant reply is the reference."""

    eval: Path  # the held-out test split every arm answers (never used to tune anything)
    train: Path | None = None  # the few-shot pool, and where the dev split comes from
    dev: Path | None = None  # the dev split optimized prompts are tuned on (default: dev_size records of train)
    dev_size: int = Field(32, ge=4)
    instructions: str | None = None  # a system message for every arm that prompts a model
    knowledge: Path | None = None  # a `rag build` settings file: its index is built or updated before the arms run
    metrics: list[str] = Field(default_factory=lambda: ["exact_match"], min_length=1)
    json_fields: list[str] | None = None
    primary: str | None = None  # the score that decides (default: the first metric's headline score)
    by: str | None = None  # a record field (in `meta`) to break scores down by, e.g. `changed`
    limit: int | None = Field(None, ge=1)
    max_new_tokens: int = Field(128, ge=1)
    batch_size: int = Field(16, ge=1)
    latency_requests: int = Field(8, ge=0)  # local arms: requests answered one at a time for latency p50/p95

    @model_validator(mode="after")
    def _known_metrics(self) -> TaskConfig:
        for name in self.metrics:
            if name not in METRICS:
                raise ValueError(unknown_name("metric", name, METRICS))
        scores = [score for metric in self.metrics for score in SCORES[metric]]
        if self.primary is not None and self.primary not in scores and not self.primary.startswith("field_accuracy/"):
            raise ValueError(unknown_name("primary score", self.primary, scores))
        return self


class CostConfig(Strict):
    """What an hour of this machine costs (local arms) and the currency every price is in."""

    currency: str = "USD"
    hardware: str = "this machine"
    price_per_hour: float | None = Field(None, ge=0.0)  # None: local arms' cost is shown as unknown, not zero


class ArmBase(Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class PromptArm(ArmBase):
    """The base model with the task's instructions, zero-shot."""

    kind: Literal["prompt"]
    model: str = DEFAULT_MODEL


class FewShotArm(ArmBase):
    """`k` demonstrations from the training file before each question: the most similar ones, or a random k."""

    kind: Literal["few_shot"]
    model: str = DEFAULT_MODEL
    k: int = Field(3, ge=1, le=32)
    select: Literal["similar", "random"] = "similar"
    seed: int = 0


class OptimizedPromptArm(ArmBase):
    """A teacher rewrites the instructions from the base model's failures on the dev split, a few rounds; a rewrite
    is kept only if it scores better on the dev split."""

    kind: Literal["optimized_prompt"]
    model: str = DEFAULT_MODEL
    teacher: TeacherConfig
    teacher_price: TokenPrice | None = None  # the rewriting's one-off cost (None: unknown)
    rounds: int = Field(3, ge=1, le=10)
    failures: int = Field(6, ge=1, le=32)  # failed dev examples shown to the teacher per round


class RagArm(ArmBase):
    """The base model with the `k` best chunks of the task's knowledge index in its prompt."""

    kind: Literal["rag"]
    model: str = DEFAULT_MODEL
    k: int = Field(4, ge=1, le=50)
    mode: Literal["lexical", "dense", "hybrid"] = "hybrid"


class SynthesisCost(Strict):
    """What making the arm's training data cost: the teacher's tokens and their price per million."""

    input_tokens: int = Field(ge=0)
    output_tokens: int = Field(ge=0)
    price: TokenPrice


class FineTunedArm(ArmBase):
    """A run directory, adapter folder or model (`run`), or a `recipe` whose run is trained first (resumed if a
    crash cut it short; left alone if complete)."""

    kind: Literal["fine_tuned"]
    run: Path | None = None
    recipe: Path | None = None
    synthesis: SynthesisCost | None = None  # the data synthesis behind the run, priced as a one-off
    one_off_extra: float = Field(0.0, ge=0.0)  # any other one-off spend, in the arena's currency

    @model_validator(mode="after")
    def _run_or_recipe(self) -> FineTunedArm:
        if self.run is None and self.recipe is None:
            raise ValueError("give run (a run directory, adapter folder or model) or recipe (to train it)")
        return self


class FineTunedRagArm(FineTunedArm):
    """A fine-tuned run answering with retrieved chunks (e.g. trained RAFT-style on the same prompt layout)."""

    kind: Literal["fine_tuned_rag"]  # type: ignore[assignment]
    k: int = Field(4, ge=1, le=50)
    mode: Literal["lexical", "dense", "hybrid"] = "hybrid"


class TeacherArm(ArmBase):
    """Any OpenAI-compatible endpoint: a hosted model or a tunesmith server."""

    kind: Literal["teacher"]
    model: str
    base_url: str | None = None
    api_key_env: str | None = "OPENAI_API_KEY"
    price: TokenPrice | None = None  # per million tokens (None: cost unknown)
    concurrency: int = Field(4, ge=1)
    timeout: float = Field(60.0, gt=0)


Arm = Annotated[
    PromptArm | FewShotArm | OptimizedPromptArm | RagArm | FineTunedArm | FineTunedRagArm | TeacherArm,
    Field(discriminator="kind"),
]
ARM_KINDS = ("prompt", "few_shot", "optimized_prompt", "rag", "fine_tuned", "fine_tuned_rag", "teacher")


class ArenaJudge(JudgeConfig):
    """The pairwise judge, comparing every other arm's answers with the `reference` arm's."""

    reference: str


class ArenaConfig(Strict):
    task: TaskConfig
    arms: list[Arm] = Field(min_length=1)
    cost: CostConfig = Field(default_factory=CostConfig)
    judge: ArenaJudge | None = None
    output: Path | None = None  # the report folder (default: runs/<arena file stem>-arena)
    examples: int = Field(6, ge=0)  # answers shown side by side in the report

    @model_validator(mode="after")
    def _consistent(self) -> ArenaConfig:
        names = [arm.name for arm in self.arms]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"arm names must differ; {', '.join(twice)} is used twice")
        if self.judge is not None and self.judge.reference not in names:
            raise ValueError(unknown_name("judge.reference arm", self.judge.reference, names))
        needs_index = [a.name for a in self.arms if a.kind in ("rag", "fine_tuned_rag")]
        if needs_index and self.task.knowledge is None:
            raise ValueError(f"arm {needs_index[0]} retrieves: give task.knowledge (a `rag build` settings file)")
        needs_train = [a.name for a in self.arms if a.kind == "few_shot"]
        if needs_train and self.task.train is None:
            raise ValueError(f"arm {needs_train[0]} takes demonstrations from task.train: give the training file")
        tuned = [a.name for a in self.arms if a.kind == "optimized_prompt"]
        if tuned and self.task.train is None and self.task.dev is None:
            raise ValueError(f"arm {tuned[0]} is tuned on a dev split: give task.dev or task.train")
        return self


def load_arena(path: str | Path) -> ArenaConfig:
    """The validated arena file with its relative paths read from the file's folder."""
    path = Path(path)
    raw = read_mapping(path, "arena", "a mapping with task, arms, cost, judge, output")
    cfg = validate(ArenaConfig, raw, str(path))
    base = path.parent
    task = cfg.task
    fixed = {k: _under(base, getattr(task, k)) for k in ("eval", "train", "dev", "knowledge")}
    cfg.task = task.model_copy(update=fixed)
    cfg.arms = [
        arm.model_copy(update={"run": _under(base, arm.run), "recipe": _under(base, arm.recipe)})
        if isinstance(arm, FineTunedArm)
        else arm
        for arm in cfg.arms
    ]
    if cfg.output is not None:
        cfg.output = _under(base, cfg.output)
    for key in ("eval", "train", "dev", "knowledge"):
        value = getattr(cfg.task, key)
        if value is not None and not value.is_file():
            raise InputError(f"{path}: task.{key}", f"{key} file {value} not found")
    return cfg


def output_folder(cfg: ArenaConfig, arena_file: Path) -> Path:
    """Where the report goes: `output`, else `runs/<arena file stem>-arena` under the current folder."""
    return cfg.output if cfg.output is not None else Path("runs") / f"{Path(arena_file).stem}-arena"


def _under(base: Path, value: Path | None) -> Path | None:
    """`value` as given when absolute (or None), else relative to `base`."""
    if value is None:
        return None
    value = value.expanduser()
    return value if value.is_absolute() else base / value
