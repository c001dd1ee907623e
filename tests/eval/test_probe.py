"""The forgetting probe scores replies with IFEval's checkers and shows up in the before/after report."""

import json

import pytest

from tunesmith.eval.compare import compare
from tunesmith.eval.probe import load_probe, score_probe
from tunesmith.runs import RunDir
from tunesmith.train.run import train


def test_every_shipped_probe_item_builds_with_ifeval_checkers():
    from tunesmith.eval.probe import _registry

    registry = _registry()
    items = load_probe()
    assert len(items) >= 800
    for item in items:
        for instruction_id, kwargs in zip(item["instruction_id_list"], item["kwargs"]):
            checker = registry[instruction_id](instruction_id)
            checker.build_description(**kwargs)  # raises on a kwarg the checker does not take


@pytest.mark.parametrize(
    ("instruction", "kwargs", "good", "bad"),
    [
        ("change_case:english_lowercase", {}, "the sea is calm today.", "The sea is calm today."),
        ("punctuation:no_comma", {}, "Thank you so much.", "Thank you, so much."),
        ("detectable_format:number_bullet_lists", {"num_bullets": 2}, "* one\n* two", "* one\n* two\n* three"),
        ("startend:end_checker", {"end_phrase": "That is all."}, "Mars. That is all.", "That is all. Mars."),
        ("detectable_format:json_format", {}, '{"a": 1}', "a: 1"),
        ("length_constraints:number_words", {"num_words": 5, "relation": "less than"}, "Two words", "a b c d e f"),
        ("language:response_language", {"language": "zh"}, "今天天气很好，我们去公园散步吧。", "The weather is nice."),
        ("language:response_language", {"language": "en"}, "The weather is nice today.", "今天天气很好，我们去散步。"),
        ("keywords:existence", {"keywords": ["花园"]}, "我家的花园很漂亮。", "我家的院子很漂亮。"),
        (
            "startend:end_checker",
            {"end_phrase": "还有其他问题吗？"},
            "好的。还有其他问题吗？",
            "还有其他问题吗？好的。",
        ),
    ],
)
def test_score_probe_passes_what_follows_the_instruction_and_fails_what_does_not(instruction, kwargs, good, bad):
    items = [{"key": 0, "prompt": "p", "instruction_id_list": [instruction], "kwargs": [kwargs]}] * 2
    metrics, rows = score_probe(items, [good, bad])
    assert [row["passed"][instruction] for row in rows] == [True, False]
    assert metrics == {"if_prompt_strict": 0.5, "if_instruction_strict": 0.5}


def test_prompt_level_needs_every_instruction_instruction_level_counts_each():
    item = {"key": 0, "prompt": "p", "instruction_id_list": ["change_case:english_lowercase", "punctuation:no_comma"]}
    item["kwargs"] = [{}, {}]
    replies = [
        "the park is quiet, and the trees are green today",
        "the park is quiet and the trees are green today",
        "",
    ]
    metrics, rows = score_probe([item] * 3, replies)
    assert metrics == {"if_prompt_strict": 1 / 3, "if_instruction_strict": 0.5}
    assert rows[2]["passed"] == {"change_case:english_lowercase": False, "punctuation:no_comma": False}


def test_compare_reports_the_probe_before_and_after(make_recipe):
    recipe = make_recipe(eval={"forgetting_probe": True, "limit": 2, "batch_size": 20})
    train(recipe)
    run = RunDir(recipe.run_dir)
    results, report = compare(run.root, recipe.eval.file, recipe.eval, run.eval_dir)
    for i, result in enumerate(results):
        assert (
            0.0 <= result.metrics["probe/if_prompt_strict"] <= 1
            and 0 <= result.metrics["probe/if_instruction_strict"] <= 1
        )
        rows = [json.loads(line) for line in (run.eval_dir / f"probe-{i}.jsonl").read_text().splitlines()]
        assert len(rows) == recipe.eval.limit and set(rows[0]) == {"prompt", "prediction", "passed", "language"}
    assert "| probe/if_prompt_strict |" in (run.eval_dir / "report.md").read_text()


def test_eval_cli_probe_limit_sets_how_many_probe_prompts_are_scored(tiny_model_dir, tmp_path, monkeypatch, capsys):
    import sys

    from tunesmith.cli.main import main

    data = tmp_path / "eval.jsonl"
    data.write_text('{"prompt": "Say hi.", "completion": "hi"}\n', encoding="utf-8")
    monkeypatch.setenv("TUNESMITH_HOME", str(tmp_path / "home"))
    out = tmp_path / "report"
    argv = ["tunesmith", "eval", str(tiny_model_dir), "--data", str(data), "--metrics", "exact_match"]
    monkeypatch.setattr(
        sys, "argv", [*argv, "--max-new-tokens", "2", "--probe", "--probe-limit", "3", "--out", str(out)]
    )
    with pytest.raises(SystemExit) as exc:
        main()
    assert (exc.value.code or 0) == 0, capsys.readouterr().err
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["models"][0]["intervals"]["probe/if_prompt_strict"]["n"] == 3
    assert len((out / "probe-0.jsonl").read_text(encoding="utf-8").splitlines()) == 3
