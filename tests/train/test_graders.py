"""OpenAI's RFT graders as rewards: exact scores on known strings, safe formulas, the model grader over HTTP, and
OpenAI grader objects validating once `type` is renamed `name` and their own `name` is moved to `label`."""

from __future__ import annotations

import re

import pytest
import yaml
from pydantic import TypeAdapter

from tests.data.fake_openai import FakeOpenAI
from tunesmith.config import dump_recipe, validate_recipe
from tunesmith.config.rewards import MultiConfig, RewardConfig, ScoreModelConfig, StringCheckConfig, template_fields
from tunesmith.errors import InputError
from tunesmith.train.rewards import build_rewards, required_columns, score_model, text_similarity
from tunesmith.train.rewards._templates import Sample, render

OUT = "{{ sample.output_text }}"


def rewards_of(*entries) -> list:
    """The `stage.rewards` entries as a grpo recipe validates them."""
    recipe = {"data": {"train": "x.jsonl"}, "stage": {"name": "grpo", "rewards": list(entries)}}
    return validate_recipe(recipe).stage.rewards


def run(config: dict, completions: list[str], **columns) -> list:
    """Build one reward from its recipe entry and score `completions`, conversational as TRL passes them."""
    (reward,) = build_rewards(rewards_of(config))
    prompts = [[{"role": "user", "content": f"q{i}"}] for i in range(len(completions))]
    return reward.func(prompts, [[{"role": "assistant", "content": c}] for c in completions], **columns)


def refused(config: dict, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        rewards_of(config)


def from_openai(grader: dict) -> dict:
    """An OpenAI grader object as a tunesmith reward: `type` becomes `name`, OpenAI's `name` becomes `label`."""
    out = {k: v for k, v in grader.items() if k not in {"type", "name"}}
    out = {"name": grader["type"], **({"label": grader["name"]} if "name" in grader else {}), **out}
    if "graders" in out:
        out["graders"] = {key: from_openai(inner) for key, inner in out["graders"].items()}
    return out


# --- templates


def test_templates_name_the_columns_they_read():
    template = "Q: {{item.question}} A: {{ sample.output_text }} gold {{ item.answer }} {{item.answer}}"
    assert template_fields(template) == ["question", "answer"]
    config = {"name": "string_check", "input": OUT, "reference": "{{ item.gold }} {{ item.prompt }}", "operation": "eq"}
    assert required_columns(rewards_of(config)) == ["gold"]  # the prompt is passed apart from the columns
    sample = Sample("out", {"prompt": "q", "gold": "G", "n": 3, "tags": ["a"], "none": None})
    template = "{{item.prompt}}|{{ sample.output_text }}|{{ item.gold }}|{{item.n}}|{{item.tags}}|{{item.none}}|{x}"
    assert render(template, sample) == 'q|out|G|3|["a"]||{x}'  # JSON for non-strings, '' for None


@pytest.mark.parametrize(
    "template, message",
    [
        ("{{ sample.output_json.name }}", "{{ sample.output_json.name }} is not supported yet"),
        ("{{ sample.output_tools }}", "{{ sample.output_tools }} is not supported yet"),
        ("{{ item.a.b }}", "{{ item.a.b }}: nested item fields are not supported"),
        ("{{ item.a[0] }}", "{{ item.a[0] }}: nested item fields are not supported"),
        ("{{ answer }}", "{{ answer }} is no grader variable; templates read {{ sample.output_text }}"),
        ("{{ sample.text }}", "{{ sample.text }} is no grader variable"),
    ],
)
def test_unsupported_template_variables_are_refused(template, message):
    refused({"name": "string_check", "input": template, "reference": "x", "operation": "eq"}, message)
    score = {"name": "score_model", "model": "m", "input": [{"role": "user", "content": template}]}
    refused(score, "key 'stage.rewards[0].input[0].content': " + message)


# --- string_check and text_similarity


def test_string_check_operations():
    completions, gold = ["Paris", "paris", "It is Paris.", "Lyon"], ["Paris"] * 4

    def check(operation: str) -> list:
        config = {"name": "string_check", "input": OUT, "reference": "{{ item.gold }}", "operation": operation}
        return run(config, completions, gold=gold)

    assert check("eq") == [1.0, 0.0, 0.0, 0.0]
    assert check("ne") == [0.0, 1.0, 1.0, 1.0]
    assert check("like") == [1.0, 0.0, 1.0, 0.0]
    assert check("ilike") == [1.0, 1.0, 1.0, 0.0]


def test_string_check_reads_the_prompt_and_literal_text():
    config = {"name": "string_check", "input": "{{ item.prompt }}: {{ sample.output_text }}", "reference": "q0: yes"}
    assert run({**config, "operation": "eq"}, ["yes", "yes"]) == [1.0, 0.0]  # the prompts are q0 and q1


@pytest.mark.parametrize(
    "metric, expected",
    [
        ("fuzzy_match", 19 / 21),  # difflib: 2 × 19 matching characters / 42
        ("rouge_1", 5 / 6),  # 5 of 6 unigrams shared
        ("rouge_2", 3 / 5),  # 3 of 5 bigrams shared
        ("rouge_3", 2 / 4),
        ("rouge_l", 5 / 6),
        ("rouge_5", 0.0),
        ("gleu", 11 / 18),  # NLTK: min(precision, recall) over 1–4-grams, 11 of 18 shared
    ],
)
def test_text_similarity_metrics(metric, expected):
    config = {"name": "text_similarity", "input": OUT, "reference": "{{ item.ref }}", "evaluation_metric": metric}
    (score,) = run(config, ["the cat sat on a mat"], ref=["the cat sat on the mat"])
    assert score == pytest.approx(expected)


def test_text_similarity_bleu_and_identical_texts():
    assert text_similarity.similarity("the cat sat on a mat", "the cat sat on the mat", "bleu") == pytest.approx(
        0.537284965911771
    )  # sacrebleu's sentence BLEU, exp smoothing, / 100
    for metric in ("fuzzy_match", "bleu", "gleu", "rouge_1", "rouge_l"):
        assert text_similarity.similarity("same words here", "same words here", metric) == pytest.approx(1.0)
        assert text_similarity.similarity("", "reference", metric) == 0.0
    cjk = "猫坐在垫子上"  # ROUGE splits CJK by character (rouge-score alone would drop it)
    assert text_similarity.similarity(cjk, cjk, "rouge_2") == pytest.approx(1.0)


@pytest.mark.parametrize(
    "metric, why",
    [("cosine", "need an embeddings endpoint"), ("meteor", "WordNet data")],
)
def test_metrics_that_cannot_run_offline_are_refused(metric, why):
    config = {"name": "text_similarity", "input": OUT, "reference": "x", "evaluation_metric": metric}
    refused(config, f"key 'stage.rewards[0].evaluation_metric': '{metric}' is not supported: ")
    refused(config, why)
    refused(config, "supported: fuzzy_match, bleu, gleu, rouge_1")


# --- score_model


def test_score_model_reply_parsing():
    assert score_model.parse_score("7", 0, 10) == 0.7
    assert score_model.parse_score(' {"result": 0.25, "steps": []} ', 0, 1) == 0.25
    assert score_model.parse_score('```json\n{"score": 3}\n```', 1, 5) == 0.5
    assert score_model.parse_score("12", 0, 10) == 1.0 and score_model.parse_score("-1", 0, 10) == 0.0
    for reply in ("Score: 7", "", "true", '{"result": "high"}', "NaN", "Infinity", "[1]"):
        assert score_model.parse_score(reply, 0, 10) is None


def test_score_model_calls_an_openai_compatible_endpoint(monkeypatch):
    monkeypatch.setenv("GRADER_KEY", "k-9")
    replies = {"good": '{"result": 9}', "fair": "5", "odd": "no idea"}

    def reply(body: dict) -> str:
        return replies[body["messages"][-1]["content"].rsplit("Answer: ", 1)[1]]

    with FakeOpenAI(reply) as server:
        config = {
            "name": "score_model",
            "model": "grader-m",
            "base_url": server.base_url,
            "api_key_env": "GRADER_KEY",
            "range": [0, 10],
            "input": [
                {"role": "system", "content": "Score 0 to 10 against {{ item.ref }}."},
                {"role": "user", "content": "Answer: {{ sample.output_text }}", "type": "message"},
            ],
            "sampling_params": {"temperature": 0.5, "top_p": 0.9, "seed": 7, "max_completions_tokens": 20},
        }
        assert run(config, ["good", "fair", "odd"], ref=["R1", "R2", "R3"]) == [0.9, 0.5, None]
    assert {r.headers["authorization"] for r in server.requests} == {"Bearer k-9"}
    first = next(r for r in server.requests if r.messages[-1]["content"] == "Answer: good")
    assert first.messages == [
        {"role": "system", "content": "Score 0 to 10 against R1."},
        {"role": "user", "content": "Answer: good"},
    ]
    assert first.body["model"] == "grader-m"
    assert (first.body["temperature"], first.body["top_p"], first.body["seed"], first.body["max_tokens"]) == (
        0.5,
        0.9,
        7,
        20,
    )
    assert "reasoning_effort" not in first.body  # unset sampling keys are not sent


def test_score_model_range_must_be_ordered():
    config = {"name": "score_model", "model": "m", "input": [{"role": "user", "content": OUT}], "range": [5, 5]}
    refused(config, "key 'stage.rewards[0].range': expected [min, max] with min < max")


# --- multi


def exact(column: str = "gold") -> dict:
    return {"name": "string_check", "input": OUT, "reference": f"{{{{ item.{column} }}}}", "operation": "eq"}


def similar(column: str = "gold") -> dict:
    reference = f"{{{{ item.{column} }}}}"
    return {"name": "text_similarity", "input": OUT, "reference": reference, "evaluation_metric": "rouge_1"}


def test_multi_combines_its_graders_by_formula():
    config = {
        "name": "multi",
        "graders": {"accuracy": exact(), "overlap": similar("ref")},
        "calculate_output": "0.5 * accuracy + 0.5 * overlap",
    }
    scores = run(config, ["a b", "a c", "x y"], gold=["a b"] * 3, ref=["a b c d"] * 3)
    assert scores == pytest.approx([0.5 + 0.5 * 2 / 3, 0.5 * 2 / 3, 0.0])  # rouge_1 F of "a b" vs "a b c d": 2/3
    assert required_columns(rewards_of(config)) == ["gold", "ref"]
    others = {**config, "calculate_output": "max(accuracy, overlap) - min(accuracy, overlap) + abs(-1) * -(2 / 4)"}
    assert run(others, ["a b"], gold=["a b"], ref=["a b c d"]) == pytest.approx([1 - 2 / 3 - 0.5])


def test_multi_scores_none_when_it_cannot_compute():
    config = {"name": "multi", "graders": {"a": exact(), "b": exact("other")}, "calculate_output": "a / b"}
    assert run(config, ["x", "x"], gold=["x", "x"], other=["x", "y"]) == [1.0, None]  # x / 0: no score


@pytest.mark.parametrize(
    "formula, message",
    [
        ("__import__('os')", "\"__import__('os')\" is not allowed in a formula; it may hold numbers"),
        ("a.__class__", "'a.__class__' is not allowed in a formula"),
        ("a ** 2", "'a ** 2' is not allowed in a formula"),
        ("[a][0]", "is not allowed in a formula"),
        ("a if a else 0", "is not allowed in a formula"),
        ("(lambda: 1)()", "is not allowed in a formula"),
        ("'a'", "\"'a'\" is not allowed in a formula"),
        ("True", "'True' is not allowed in a formula"),
        ("accuracy + 1", "unknown name 'accuracy'; the graders: a"),
        ("min(a)", "'min(a)': min takes two or more"),
        ("abs(a, a)", "'abs(a, a)': abs takes one value"),
        ("max(a, key=a)", "max takes two or more"),
        ("a +", "'a +' is not a formula (invalid syntax)"),
    ],
)
def test_unsafe_or_unknown_formulas_are_refused_at_validation(formula, message):
    refused({"name": "multi", "graders": {"a": exact()}, "calculate_output": formula}, message)
    with pytest.raises(ValueError, match=re.escape(message)):
        MultiConfig(graders={"a": StringCheckConfig(**exact())}, calculate_output=formula)


@pytest.mark.parametrize(
    "graders, message",
    [
        (
            {"a": {"name": "python", "source": "def grade(s, i): return 1"}},
            "'a': a python grader cannot be part of multi",
        ),
        ({"a": {"name": "multi"}}, "'a': unknown grader 'multi'; known: string_check, text_similarity, score_model"),
        ({"a": {**exact(), "weight": 2}}, "'a': a weight inside multi has no effect"),
        ({"a-b": exact()}, "grader name 'a-b' cannot appear in calculate_output"),
        ({"a": {**exact(), "opration": "eq"}}, "'a': key 'opration': unknown key; did you mean 'operation'?"),
        ({"a": {**exact(), "input": "{{ item.x.y }}"}}, "'a': key 'input': {{ item.x.y }}: nested item fields"),
        ({}, "at least 1 item"),
    ],
)
def test_bad_inner_graders_are_refused(graders, message):
    refused({"name": "multi", "graders": graders, "calculate_output": "a"}, "key 'stage.rewards[0].graders': ")
    refused({"name": "multi", "graders": graders, "calculate_output": "a"}, message)


def test_python_graders_stand_alone_and_define_grade():
    refused({"name": "python", "source": "x = 1"}, "def grade")


# --- OpenAI's grader objects, mapped


OPENAI_GRADERS = [
    {
        "type": "string_check",
        "name": "Example string check grader",
        "input": "{{sample.output_text}}",
        "reference": "{{item.label}}",
        "operation": "eq",
    },
    {
        "type": "text_similarity",
        "name": "Example text similarity grader",
        "input": "{{sample.output_text}}",
        "reference": "{{item.reference_answer}}",
        "evaluation_metric": "fuzzy_match",
    },
    {
        "type": "score_model",
        "name": "Example score model grader",
        "input": [
            {
                "role": "user",
                "content": "Score how close the reference answer is to the model answer. Score 1.0 if they are the "
                "same and 0.0 if they are different. Return just a floating point score\n\nReference answer: "
                "{{item.reference_answer}}\n\nModel answer: {{sample.output_text}}",
            }
        ],
        "model": "o4-mini-2025-04-16",
        "sampling_params": {
            "temperature": 1,
            "top_p": 1,
            "seed": 42,
            "max_completions_tokens": 32768,
            "reasoning_effort": "medium",
        },
    },
    {
        "type": "multi",
        "name": "Example multigrader",
        "graders": {
            "name": {
                "type": "text_similarity",
                "name": "name_grader",
                "input": "{{sample.output_text}}",
                "reference": "{{item.name}}",
                "evaluation_metric": "fuzzy_match",
            },
            "email": {
                "type": "string_check",
                "name": "email_grader",
                "input": "{{sample.output_text}}",
                "reference": "{{item.email}}",
                "operation": "ilike",
            },
        },
        "calculate_output": "(name + email) / 2",
    },
]


@pytest.mark.parametrize("grader", OPENAI_GRADERS, ids=[g["type"] for g in OPENAI_GRADERS])
def test_openai_grader_objects_validate_into_the_union(grader):
    cfg = TypeAdapter(RewardConfig).validate_python(from_openai(grader))
    assert cfg.name == grader["type"] and cfg.label == grader["name"]
    if isinstance(cfg, MultiConfig):
        assert {k: g.label for k, g in cfg.graders.items()} == {"name": "name_grader", "email": "email_grader"}
    if isinstance(cfg, ScoreModelConfig):
        assert cfg.sampling_params.max_completions_tokens == 32768 and cfg.range == (0.0, 1.0)
    again = rewards_of(yaml.safe_load(yaml.safe_dump(cfg.model_dump(mode="json"))))
    assert again == [cfg]


def test_graders_round_trip_through_the_run_recipe():
    raw = {
        "data": {"train": "x.jsonl"},
        "stage": {"name": "grpo", "rewards": [from_openai(g) for g in OPENAI_GRADERS]},
    }
    recipe = validate_recipe(raw)
    assert validate_recipe(yaml.safe_load(dump_recipe(recipe))).stage.rewards == recipe.stage.rewards
    assert required_columns(recipe.stage.rewards) == ["label", "reference_answer", "name", "email"]
