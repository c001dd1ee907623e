"""The rewards an online-RL stage (grpo, rloo) sums, under `stage.rewards`: one config class per reward, by `name`.

Their behaviour lives in `tunesmith/train/rewards/<name>.py`; `RewardConfig` is the union, told apart by `name`.
Four of them are OpenAI's reinforcement-fine-tuning graders with OpenAI's keys: an OpenAI grader object becomes a
reward by renaming its `type` to `name` and its own `name` (a label) to `label`.
"""

from __future__ import annotations

import ast
import keyword
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Annotated, Any, Literal, Union, get_args

from pydantic import BaseModel, Field, ValidationError, ValidationInfo, field_validator

from tunesmith.config.section import Section
from tunesmith.schema import did_you_mean, input_error, named_section

DEFAULT_JUDGE_PROMPT = (
    "Rate how well the response answers the request, from 0 (useless or wrong) to 10 (correct and helpful). "
    "Reply with the number only.\n\nRequest:\n{prompt}\n\nResponse:\n{completion}"
)


class RewardBase(Section):
    """Base of every reward's keys: `weight` scales it in the sum of rewards."""

    name: str
    """The reward (or grader) kind: picks which of the keys below apply."""
    weight: float = 1.0
    """This reward's weight in the sum of rewards."""


class ExactAnswerConfig(RewardBase):
    name: Literal["exact_answer"] = "exact_answer"
    """The reward (or grader) kind: picks which of the keys below apply."""
    column: str = "answer"
    """The dataset column holding the expected answer."""
    match: Literal["exact", "contains"] = "exact"
    """Whole answer equal (exact), or containing it (contains)."""


class JsonValidConfig(RewardBase):
    name: Literal["json_valid"] = "json_valid"
    """The reward (or grader) kind: picks which of the keys below apply."""
    fields: list[str] = Field(default_factory=list)
    """Fields the JSON answer must have; empty: any valid JSON object."""


class JudgeConfig(RewardBase):
    name: Literal["judge"] = "judge"
    """The reward (or grader) kind: picks which of the keys below apply."""
    model: str
    """The judge model; the served model's name (openai), or a model ref: alias, folder or run directory (local)."""
    kind: Literal["openai", "local"] = "openai"
    """Where the judge runs: an OpenAI-compatible server, or a local model."""
    base_url: str | None = None
    """The judge server's URL; e.g. http://localhost:8000/v1; None: the OpenAI API."""
    api_key_env: str | None = "OPENAI_API_KEY"
    """Environment variable holding the API key; variable holding the key; None for servers that need none."""
    prompt: str = DEFAULT_JUDGE_PROMPT
    """The judge's prompt, with {prompt} and {completion}."""
    scale: float = Field(10.0, gt=0)
    """The judge's top score; the reward is score / scale."""
    temperature: float = Field(0.0, ge=0, le=2)
    """The judge's sampling temperature."""
    max_tokens: int = Field(16, ge=1)
    """Longest judge reply, in tokens."""
    concurrency: int = Field(8, ge=1)
    """Requests sent at once."""
    timeout: float = Field(60.0, gt=0)
    """Seconds to wait for one reply."""
    max_retries: int = Field(2, ge=0)
    """Retries of a failed request."""

    @field_validator("prompt")
    @classmethod
    def _has_completion(cls, value: str) -> str:
        if "{completion}" not in value:
            raise ValueError("must contain {completion} (and usually {prompt}), where the texts to judge go")
        return value


class LengthConfig(RewardBase):
    name: Literal["length"] = "length"
    """The reward (or grader) kind: picks which of the keys below apply."""
    target: int = Field(ge=1)
    """The length aimed at; the reward falls off away from it."""
    unit: Literal["words", "chars", "tokens"] = "words"
    """What the length counts."""


class RegexConfig(RewardBase):
    name: Literal["regex"] = "regex"
    """The reward (or grader) kind: picks which of the keys below apply."""
    pattern: str
    """The regular expression the completion should match."""
    fullmatch: bool = False
    """The whole completion must match, not just a part of it."""

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression ({exc})") from None
        return value


class RewardModelConfig(RewardBase):
    name: Literal["reward_model"] = "reward_model"
    """The reward (or grader) kind: picks which of the keys below apply."""
    model: str
    """The reward model; a run directory of stage `reward`, or a folder holding a num_labels=1 classification model."""


# OpenAI's grader templates: {{ sample.output_text }} (the completion) and {{ item.<field> }} (a dataset column).
TEMPLATE_VARIABLE = re.compile(r"\{\{(.*?)\}\}")
_SUPPORTED = "templates read {{ sample.output_text }} and {{ item.<field> }}"


def template_fields(template: str) -> list[str]:
    """The `item` fields `template` reads, in first-use order; any other variable is a ValueError saying why."""
    fields: list[str] = []
    """Fields the JSON answer must have; empty: any valid JSON object."""
    for match in TEMPLATE_VARIABLE.finditer(template):
        variable = match.group(1).strip()
        namespace, _, field = variable.partition(".")
        if namespace == "item" and re.fullmatch(r"\w+", field):
            fields += [field] if field not in fields else []
        elif namespace == "item" and field:
            raise ValueError(f"{{{{ {variable} }}}}: nested item fields are not supported; put the value in a column")
        elif namespace == "sample" and re.split(r"[.\[]", field)[0] in {"output_json", "output_tools"}:
            raise ValueError(f"{{{{ {variable} }}}} is not supported yet; {_SUPPORTED}")
        elif variable != "sample.output_text":
            raise ValueError(f"{{{{ {variable} }}}} is no grader variable; {_SUPPORTED}")
    return fields


class GraderBase(RewardBase):
    """Keys every OpenAI grader shares: `label` holds what OpenAI calls the grader's `name`."""

    label: str | None = None
    """OpenAI's `name` of the grader: a label for its scores."""


class ComparisonBase(GraderBase):
    """A grader comparing two rendered templates: `input` (usually {{ sample.output_text }}) and `reference`."""

    input: str
    """Template of the text graded, usually {{ sample.output_text }}."""
    reference: str
    """Template of the reference, e.g. {{ item.answer }}."""

    @field_validator("input", "reference")
    @classmethod
    def _templates(cls, value: str) -> str:
        template_fields(value)
        return value


class StringCheckConfig(ComparisonBase):
    name: Literal["string_check"] = "string_check"
    """The reward (or grader) kind: picks which of the keys below apply."""
    operation: Literal["eq", "ne", "like", "ilike"]
    """eq / ne compare exactly; like / ilike check containment (ilike ignoring case)."""


SimilarityMetric = Literal[
    "fuzzy_match", "bleu", "gleu", "meteor", "cosine", "rouge_1", "rouge_2", "rouge_3", "rouge_4", "rouge_5", "rouge_l",
]  # fmt: skip
UNSUPPORTED_METRICS = {
    "cosine": "it compares embeddings, which need an embeddings endpoint",
    "meteor": "NLTK's METEOR needs its WordNet data, which is not installed and tunesmith does not download",
}
SUPPORTED_METRICS = tuple(m for m in get_args(SimilarityMetric) if m not in UNSUPPORTED_METRICS)


class TextSimilarityConfig(ComparisonBase):
    name: Literal["text_similarity"] = "text_similarity"
    """The reward (or grader) kind: picks which of the keys below apply."""
    evaluation_metric: SimilarityMetric
    """The similarity metric (OpenAI's names)."""
    pass_threshold: float | None = None
    """Score counted as a pass; informational: the reward stays the score itself, 0 to 1."""

    @field_validator("evaluation_metric")
    @classmethod
    def _computable(cls, value: str) -> str:
        if value in UNSUPPORTED_METRICS:
            supported = ", ".join(SUPPORTED_METRICS)
            raise ValueError(f"'{value}' is not supported: {UNSUPPORTED_METRICS[value]}; supported: {supported}")
        return value


class GraderMessage(Section):
    """One chat message of a score_model's `input`; `content` is a template."""

    role: Literal["system", "developer", "user", "assistant"]
    """Who speaks the message."""
    content: str
    """The message's template text ({{ sample.output_text }}, {{ item.<field> }})."""
    type: Literal["message"] | None = None
    """The message's item type; OpenAI's item type, accepted and not sent."""

    @field_validator("content")
    @classmethod
    def _template(cls, value: str) -> str:
        template_fields(value)
        return value


class SamplingParams(Section):
    """OpenAI's score_model sampling keys; temperature and max_completions_tokens are always sent, the rest if set."""

    temperature: float = Field(0.0, ge=0, le=2)
    """Sampling temperature of the grader model."""
    top_p: float | None = Field(None, gt=0, le=1)
    """Nucleus sampling of the grader model; None: the server's default."""
    max_completions_tokens: int = Field(256, ge=1)
    """Longest grader reply, in tokens."""
    seed: int | None = None
    """Sampling seed; None: the server's."""
    reasoning_effort: Literal["none", "minimal", "low", "medium", "high", "xhigh"] | None = None
    """Reasoning effort of a reasoning model; None: its default."""


class ScoreModelConfig(GraderBase):
    name: Literal["score_model"] = "score_model"
    """The reward (or grader) kind: picks which of the keys below apply."""
    model: str
    """The grader model; the served model's name."""
    input: list[GraderMessage] = Field(min_length=1)
    """The messages sent to the grader model."""
    range: tuple[float, float] = (0.0, 1.0)
    """The score range the grader replies in; the reply's scale; the reward is the reply clamped and mapped to 0..1."""
    sampling_params: SamplingParams = Field(default_factory=SamplingParams)
    """How the grader model samples its reply."""
    pass_threshold: float | None = None
    """Score counted as a pass; informational."""
    base_url: str | None = None
    """The grader server's URL; an OpenAI-compatible endpoint, e.g. http://localhost:8000/v1; None: the OpenAI API."""
    api_key_env: str | None = "OPENAI_API_KEY"
    """Environment variable holding the API key; variable holding the key; None for servers that need none."""
    concurrency: int = Field(8, ge=1)
    """Requests sent at once."""
    timeout: float = Field(60.0, gt=0)
    """Seconds to wait for one reply."""
    max_retries: int = Field(2, ge=0)
    """Retries of a failed request."""

    @field_validator("range")
    @classmethod
    def _ordered(cls, value: tuple[float, float]) -> tuple[float, float]:
        if not value[0] < value[1]:
            raise ValueError(f"expected [min, max] with min < max, got {list(value)}")
        return value


GraderConfig = Annotated[Union[StringCheckConfig, TextSimilarityConfig, ScoreModelConfig], Field(discriminator="name")]  # noqa: UP007
_GRADER_CLASSES = {c.model_fields["name"].default: c for c in get_args(get_args(GraderConfig)[0])}
GRADER_NAMES: tuple[str, ...] = tuple(_GRADER_CLASSES)

Formula = Callable[[Mapping[str, float]], float]
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}
_FUNCTIONS = {"min": (min, 2, None), "max": (max, 2, None), "abs": (abs, 1, 1)}  # (function, fewest, most args)
_ALLOWED = "numbers, the graders' names, + - * /, parentheses and min(…), max(…), abs(…)"


def compile_formula(text: str, names: Iterable[str]) -> Formula:
    """`text` as a function of the graders' scores, built from its `ast` node by node (never Python's eval);
    anything but numbers, `names`, + - * /, unary minus, parentheses and min/max/abs is a ValueError naming it."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"{text!r} is not a formula ({exc.msg}); it may hold {_ALLOWED}") from None
    return _compile(tree.body, sorted(names))


def _compile(node: ast.AST, names: list[str]) -> Formula:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return lambda scores, value=float(node.value): value
    if isinstance(node, ast.Name):
        if node.id not in names:
            raise ValueError(f"unknown name '{node.id}'{did_you_mean(node.id, names)}; the graders: {', '.join(names)}")
        return lambda scores, key=node.id: scores[key]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        op, left, right = _BINARY[type(node.op)], _compile(node.left, names), _compile(node.right, names)
        return lambda scores: op(left(scores), right(scores))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        unary, operand = _UNARY[type(node.op)], _compile(node.operand, names)
        return lambda scores: unary(operand(scores))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS:
        func, fewest, most = _FUNCTIONS[node.func.id]
        if node.keywords or len(node.args) < fewest or (most is not None and len(node.args) > most):
            raise ValueError(f"{ast.unparse(node)!r}: {node.func.id} takes {'one value' if most else 'two or more'}")
        args = [_compile(arg, names) for arg in node.args]
        return lambda scores: func(*(arg(scores) for arg in args))
    raise ValueError(f"{ast.unparse(node)!r} is not allowed in a formula; it may hold {_ALLOWED}")


def _grader(key: Any, item: Any) -> RewardBase:
    """One of multi's graders, validated here so that a problem names its key (`'accuracy': key 'operation' …`)."""
    if not (isinstance(key, str) and key.isidentifier() and not keyword.iskeyword(key)):
        raise ValueError(f"grader name {key!r} cannot appear in calculate_output; use letters, digits and _")
    if isinstance(item, dict) and item.get("name") == "python":
        raise ValueError(f"'{key}': a python grader cannot be part of multi; use it alone, or compute the mix in it")
    try:
        item = named_section(item, "grader", GRADER_NAMES, "{name: string_check, …}")
    except ValueError as exc:
        raise ValueError(f"'{key}': {exc}") from None
    model = _GRADER_CLASSES[item.name if isinstance(item, BaseModel) else item["name"]]
    try:
        grader = item if isinstance(item, BaseModel) else model.model_validate(item)
    except ValidationError as exc:
        raise ValueError(str(input_error(exc, model, f"'{key}'"))) from None
    if grader.weight != 1.0:  # the default, as a dumped recipe writes it back
        raise ValueError(f"'{key}': a weight inside multi has no effect; weigh it in calculate_output")
    return grader


class MultiConfig(RewardBase):
    name: Literal["multi"] = "multi"
    """The reward (or grader) kind: picks which of the keys below apply."""
    label: str | None = None
    """A label for the combined score; OpenAI's `name` of the grader."""
    graders: dict[str, GraderConfig] = Field(min_length=1)
    """The graders; by the name calculate_output calls each one."""
    calculate_output: str
    """Formula combining the graders' scores by their names; e.g. "0.5 * accuracy + 0.5 * style"."""

    @field_validator("graders", mode="before")
    @classmethod
    def _graders_by_name(cls, value: Any) -> Any:
        return {key: _grader(key, item) for key, item in value.items()} if isinstance(value, dict) else value

    @field_validator("calculate_output")
    @classmethod
    def _formula(cls, value: str, info: ValidationInfo) -> str:
        if "graders" in info.data:  # else the graders' own error is the one to read
            compile_formula(value, info.data["graders"])
        return value


class PythonConfig(RewardBase):
    """OpenAI's python grader: `source` defines `grade(sample, item) -> float`, run in the training process.

    Only a recipe's author or a server started with `--allow-code-graders` runs one: it is arbitrary code.
    `item_fields` are the dataset columns handed to it as `item` (the jobs API fills them from the file)."""

    name: Literal["python"] = "python"
    """The reward (or grader) kind: picks which of the keys below apply."""
    label: str | None = None
    """OpenAI's `name` of the grader: a label for its scores."""
    source: str
    """Python source defining grade(sample, item) -> float."""
    item_fields: list[str] = Field(default_factory=list)
    """Dataset columns passed to grade() in `item`."""
    image_tag: str | None = None
    """The sandbox image; OpenAI's sandbox image: there is no sandbox here, so it is only recorded."""

    @field_validator("source")
    @classmethod
    def _defines_grade(cls, value: str) -> str:
        try:
            tree = ast.parse(value)
        except SyntaxError as exc:
            raise ValueError(f"is not valid Python (line {exc.lineno}: {exc.msg})") from None
        if not any(isinstance(node, ast.FunctionDef) and node.name == "grade" for node in tree.body):
            raise ValueError("must define `def grade(sample, item) -> float`")
        return value


RewardConfig = Annotated[
    Union[  # noqa: UP007 - one member a line, so the list of rewards reads like one
        ExactAnswerConfig,
        JsonValidConfig,
        JudgeConfig,
        LengthConfig,
        RegexConfig,
        RewardModelConfig,
        StringCheckConfig,
        TextSimilarityConfig,
        ScoreModelConfig,
        MultiConfig,
        PythonConfig,
    ],
    Field(discriminator="name"),
]
REWARD_CLASSES: tuple[type[RewardBase], ...] = get_args(get_args(RewardConfig)[0])
REWARD_NAMES: tuple[str, ...] = tuple(c.model_fields["name"].default for c in REWARD_CLASSES)
