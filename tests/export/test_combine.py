"""Combining two tiny LoRA runs trained on different tasks: weights [1, 0] give back run A exactly (every exact
combination, rsLoRA included), the result is a run directory every reader accepts, and each refusal names the run
and what differs while writing nothing."""

from __future__ import annotations

import json
import shutil
import sys

import pytest

from tests.conftest import QUESTIONS, write_jsonl
from tunesmith.config import load_run_recipe, validate_recipe
from tunesmith.errors import InputError
from tunesmith.eval.compare import compare
from tunesmith.export.combine import COMBINATIONS, COMBINED_FILE, Combination, combine_runs, parse_weights
from tunesmith.export.merge import merge_run
from tunesmith.models.generate import generate
from tunesmith.models.loading import load_for_inference, source_for
from tunesmith.runs import open_run
from tunesmith.train.run import train

SPELLING = [(f"Spell {w} backwards.", w[::-1]) for w in ("cat", "dog", "bird", "fish", "frog", "lion", "wolf", "bear")]
PROMPTS = [[{"role": "user", "content": q}] for q, _ in QUESTIONS + SPELLING[:3]]


def _chat(path, pairs):
    rows = [{"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]} for q, a in pairs]
    return write_jsonl(path, (rows * 6)[:32])


def _train(root, model_dir, run_name, data, steps=8, **method):
    """A tiny run of `method` (LoRA r=4 unless told) on `data`, which is also its eval file."""
    recipe = validate_recipe(
        {
            "model": str(model_dir),
            "data": {"train": str(data), "validation_split": 0.25},
            "method": method or {"name": "lora", "r": 4, "alpha": 8, "dropout": 0.0},
            "train": {"max_steps": steps, "batch_size": 4, "learning_rate": 2e-2, "eval_steps": steps},
            "eval": {"file": str(data), "metrics": ["exact_match"], "max_new_tokens": 6, "limit": 3},
            "output": {"dir": str(root), "name": run_name},
        }
    )
    train(recipe)
    return recipe.run_dir


@pytest.fixture(scope="module")
def runs(tmp_path_factory, tiny_model_dir):
    """Run A (rsLoRA, on questions) and run B (plain LoRA, on spelling), trained until they answer differently."""
    root = tmp_path_factory.mktemp("combine")
    task_a, task_b = _chat(root / "questions.jsonl", QUESTIONS), _chat(root / "spelling.jsonl", SPELLING)
    lora = {"name": "lora", "r": 4, "alpha": 8, "dropout": 0.0}
    a = _train(root / "runs", tiny_model_dir, "a", task_a, **lora, use_rslora=True)
    b = _train(root / "runs", tiny_model_dir, "b", task_b, **lora)
    return a, b


def replies(ref, prompts=PROMPTS, max_new_tokens=10):
    model, tokenizer = load_for_inference(source_for(ref))
    return generate(model, tokenizer, prompts, max_new_tokens=max_new_tokens)


@pytest.fixture(scope="module")
def expected(runs):
    a, b = runs
    alone = {"a": replies(a), "b": replies(b)}
    assert alone["a"] != alone["b"]  # the two adapters really answer differently, so the checks below mean something
    return alone


EXACT = [
    Combination("task_arithmetic", [1.0, 0.0]),
    Combination("svd", [1.0, 0.0]),
    Combination("linear", [1.0, 0.0]),
    Combination("dare_linear", [1.0, 0.0], density=1.0),
    Combination("magnitude_prune_svd", [1.0, 0.0], density=1.0),
]


@pytest.mark.parametrize("how", EXACT, ids=lambda how: how.name)
def test_weights_one_zero_give_back_run_a(runs, expected, tmp_path, how):
    out = combine_runs(list(runs), tmp_path / "ab", how).run_dir
    assert replies(out) == expected["a"]  # run A is rsLoRA: the combined adapter keeps its scaling, not PEFT's √r


@pytest.mark.parametrize(
    "how",
    [Combination("ties", density=1.0), Combination("dare_ties_svd", density=1.0, majority_sign_method="frequency")],
    ids=lambda how: how.name,
)
def test_sign_electing_combinations_of_a_run_with_itself_give_back_the_run(runs, expected, tmp_path, how):
    """TIES elects each entry's sign from every source whatever its weight (a weight of 0 does not leave a source
    out), so its exact case is agreement: a run combined with itself, every sign the same."""
    out = combine_runs([runs[0], runs[0]], tmp_path / "aa", how).run_dir
    assert replies(out) == expected["a"]


def test_weights_zero_one_give_back_run_b(runs, expected, tmp_path):
    out = combine_runs(list(runs), tmp_path / "ab", Combination("task_arithmetic", [0.0, 1.0])).run_dir
    assert replies(out) == expected["b"]


def test_combined_run_is_a_run_every_reader_accepts(runs, expected, tmp_path):
    a, b = runs
    result = combine_runs([a, b], tmp_path / "both")  # task_arithmetic, weights 1 and 1
    assert (result.combination, result.weights, result.r) == ("task_arithmetic", [1.0, 1.0], 8)  # cat: r adds up
    run = open_run(result.run_dir)
    assert run.is_adapter()
    recipe = load_run_recipe(run.recipe)
    assert recipe.model == load_run_recipe(open_run(a).recipe).model
    assert (recipe.method.name, recipe.method.r, recipe.method.alpha, recipe.method.use_rslora) == ("lora", 8, 8, False)
    assert [str(recipe.data.train), *map(str, recipe.data.tasks)] == [
        str(load_run_recipe(open_run(x).recipe).data.train) for x in (a, b)
    ]
    made = json.loads((result.run_dir / COMBINED_FILE).read_text())
    assert made["peft_combination_type"] == "cat" and made["sources"] == [str(a.resolve()), str(b.resolve())]

    both = replies(result.run_dir)
    assert both not in (expected["a"], expected["b"])  # both adapters act
    results, _ = compare(result.run_dir, recipe.eval.file, recipe.eval, tmp_path / "eval", baseline=False)
    first = replies(result.run_dir, PROMPTS[:1], recipe.eval.max_new_tokens)  # the eval file's first question
    assert results[0].predictions[0]["prediction"] == first[0]  # eval loads it as chat does
    merged = merge_run(result.run_dir, tmp_path / "merged")  # merged into its base like any LoRA run
    assert replies(merged) == both


def test_ranks_may_differ_for_task_arithmetic_but_not_linear(runs, tiny_model_dir, tmp_path):
    a, _ = runs
    small = _train(
        tmp_path / "runs", tiny_model_dir, "small", _chat(tmp_path / "s.jsonl", SPELLING), 1, name="lora", r=2, alpha=4
    )
    assert combine_runs([a, small], tmp_path / "cat").r == 6
    with pytest.raises(InputError, match="has r=2 but .* has r=4; this combination needs equal r"):
        combine_runs([a, small], tmp_path / "linear", Combination("linear"))
    assert not (tmp_path / "linear").exists()


def test_evaluation_scores_the_combination_beside_each_source_on_both_tasks(runs, tmp_path):
    a, b = runs
    result = combine_runs([a, b], tmp_path / "ab", Combination("task_arithmetic", [1.0, 0.0]), evaluate=True, limit=2)
    ev = result.evaluation
    assert ev.models == ["a", "b", "combined"]
    assert [(t.run, t.data) for t in ev.tasks] == [
        (label, str(load_run_recipe(open_run(run).recipe).eval.file)) for label, run in (("a", a), ("b", b))
    ]
    for task in ev.tasks:  # weights [1, 0]: the combination is run A, so it scores as A does on each task
        assert task.scores["combined"] == pytest.approx(task.scores["a"])
        assert "exact_match" in task.scores["combined"] and "val_loss" in task.scores["combined"]
    assert set(ev.probe) == {"a", "b", "combined"}
    assert ev.probe["combined"] == ev.probe["a"]
    report = json.loads((result.run_dir / "combine_report.json").read_text())
    assert report["made"]["weights"] == [1.0, 0.0] and report["tasks"][1]["scores"]["b"] == ev.tasks[1].scores["b"]
    markdown = (result.run_dir / "combine_report.md").read_text()
    assert "## a's task (questions.jsonl)" in markdown and "## Forgetting probe" in markdown
    assert "| metric | a | b | combined | Δ vs b |" in markdown


def test_nothing_is_written_when_evaluation_fails(runs, tmp_path, monkeypatch):
    import tunesmith.export.combine_eval as combine_eval

    def broken(*args, **kwargs):
        raise RuntimeError("eval crashed")

    monkeypatch.setattr(combine_eval, "evaluate_combination", broken)
    with pytest.raises(RuntimeError, match="eval crashed"):
        combine_runs(list(runs), tmp_path / "out" / "ab", evaluate=True)
    assert list((tmp_path / "out").iterdir()) == []  # no run directory, no temporary folder left behind


@pytest.mark.parametrize(
    ("how", "where", "message"),
    [
        (Combination("cat"), "--combine", "unknown combination 'cat'.*known: task_arithmetic, svd, linear.*cat' is"),
        (Combination("tie"), "--combine", "did you mean 'ties'"),
        (Combination(weights=[1.0]), "--weights", "expected 2 weights, one per run in order; got 1"),
        (Combination("ties"), "--density", "ties keeps this share"),
        (Combination("linear", density=0.5), "--density", "linear uses no density"),
        (Combination("dare_linear", density=1.5), "--density", r"expected a share in \(0, 1\]"),
        (Combination("dare_linear", density=0.5, majority_sign_method="total"), "--majority-sign-method", "only"),
        (Combination("ties", density=0.5, majority_sign_method="most"), "--majority-sign-method", "total, frequency"),
    ],
)
def test_bad_combination_settings_are_refused_before_any_run_is_read(tmp_path, how, where, message):
    with pytest.raises(InputError, match=message) as caught:
        combine_runs([tmp_path / "missing-a", tmp_path / "missing-b"], tmp_path / "out", how)
    assert caught.value.where == where
    assert not (tmp_path / "out").exists()


def test_one_run_is_not_a_combination(runs, tmp_path):
    with pytest.raises(InputError, match="combining needs two or more runs"):
        combine_runs([runs[0]], tmp_path / "out")


@pytest.mark.parametrize(
    ("method", "message"),
    [
        ({"name": "full"}, "method 'full' trains the model itself, so it has no adapter to combine"),
        ({"name": "prompt_tuning", "num_virtual_tokens": 4}, "makes a PROMPT_TUNING adapter; PEFT combines LoRA"),
        ({"name": "adapter"}, "method 'adapter' adds bottleneck layers"),
        ({"name": "lora", "r": 4, "use_dora": True}, "it is a DoRA adapter"),
    ],
    ids=["full", "prompt_tuning", "bottleneck", "dora"],
)
def test_runs_that_are_not_plain_lora_are_refused(runs, tiny_model_dir, tmp_path, method, message):
    other = _train(tmp_path / "runs", tiny_model_dir, "other", _chat(tmp_path / "s.jsonl", SPELLING), 1, **method)
    with pytest.raises(InputError, match=message) as caught:
        combine_runs([runs[0], other], tmp_path / "out")
    assert caught.value.where == str(other)
    assert not (tmp_path / "out").exists()


def test_a_run_on_another_base_model_is_refused(runs, tiny_model_dir, tmp_path):
    other_base = shutil.copytree(tiny_model_dir, tmp_path / "other-base")
    moved = shutil.copytree(runs[1], tmp_path / "b-elsewhere")
    recipe = moved / "recipe.yaml"
    recipe.write_text(recipe.read_text().replace(str(tiny_model_dir), str(other_base)))
    with pytest.raises(InputError, match="trained on base .*other-base.*adapters combine only on the base") as caught:
        combine_runs([runs[0], moved], tmp_path / "out")
    assert caught.value.where == str(moved)
    assert not (tmp_path / "out").exists()


def test_a_run_with_another_chat_template_is_refused(runs, tmp_path):
    moved = shutil.copytree(runs[1], tmp_path / "b-template")
    (moved / "final" / "chat_template.jinja").write_text("{% for m in messages %}{{ m['content'] }}{% endfor %}")
    with pytest.raises(InputError, match="tokenizer or chat template differs"):
        combine_runs([runs[0], moved], tmp_path / "out")


def test_the_output_may_not_be_a_source_or_replace_a_folder_unasked(runs, tmp_path):
    a, b = runs
    with pytest.raises(InputError, match="is \\(inside\\) the source run"):
        combine_runs([a, b], b, overwrite=True)
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("mine")
    with pytest.raises(InputError, match="already exists; .* --overwrite"):
        combine_runs([a, b], taken)
    assert (taken / "keep.txt").read_text() == "mine"
    combine_runs([a, b], taken, overwrite=True)
    assert not (taken / "keep.txt").exists() and open_run(taken).is_adapter()


def test_weights_parse_from_the_command_line_form():
    assert parse_weights("0.7,0.3") == [0.7, 0.3]
    assert parse_weights("1,-0.5") == [1.0, -0.5]
    with pytest.raises(InputError, match="comma-separated numbers"):
        parse_weights("0.7;0.3")


def test_every_peft_combination_type_is_offered():
    """PEFT's own list (its signature's Literal): a new type in a PEFT release shows up here, not silently missing."""
    import typing

    from peft.tuners.lora.model import LoraModel

    offered = typing.get_args(typing.get_type_hints(LoraModel.add_weighted_adapter)["combination_type"])
    assert set(COMBINATIONS.values()) == set(offered)


def test_cli_combines_and_refuses_like_the_library(runs, tmp_path, monkeypatch, capsys):
    from tunesmith.cli.main import main

    def cli(*args):
        monkeypatch.setattr(sys, "argv", ["tunesmith", "export", "merge", *args])
        try:
            main()
        except SystemExit as exc:
            return exc.code or 0, capsys.readouterr()
        return 0, capsys.readouterr()

    a, b = map(str, runs)
    code, printed = cli(a, b, "--out", str(tmp_path / "ab"), "--weights", "1,0", "--no-eval")
    assert code == 0 and "Combined run (task_arithmetic, r=8)" in " ".join(printed.out.split())
    assert open_run(tmp_path / "ab").is_adapter()
    code, printed = cli(a, b, "--out", str(tmp_path / "x"), "--combine", "avg")
    assert code == 2 and "unknown combination 'avg'" in printed.err
    code, printed = cli(a, "--out", str(tmp_path / "x"), "--weights", "1")
    assert code == 2 and "these combine two or more runs" in " ".join(printed.err.split())
    assert not (tmp_path / "x").exists()
