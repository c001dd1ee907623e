"""Every eval score gets a 95% bootstrap interval, and two models a paired test: in report.json and report.md."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tunesmith.eval import metrics as metric_fns
from tunesmith.eval.intervals import intervals, loss_samples, metric_samples, paired, probe_samples
from tunesmith.eval.report import comparison_rows, write_report
from tunesmith.eval.run import EvalResult


def call(name: str, **arguments) -> str:
    return f"<tool_call>\n{json.dumps({'name': name, 'arguments': arguments})}\n</tool_call>"


def cases() -> dict[str, tuple[list[str], list[str]]]:
    """Predictions and references for each metric, 40 examples, a mix of right and wrong."""
    words = ["the", "cat", "sat", "on", "a", "mat", "while", "dogs", "ran", "far", "away"]
    rng = np.random.default_rng(0)
    text_refs = [" ".join(rng.choice(words, 7)) for _ in range(40)]
    text_preds = [r if i % 3 == 0 else " ".join(rng.choice(words, 7)) for i, r in enumerate(text_refs)]
    labels = ["pos", "neg", "mixed"]
    label_refs = [labels[i % 3] for i in range(40)]
    label_preds = [labels[(i * 2) % 3] if i % 4 else "unsure" for i in range(40)]
    json_refs = [json.dumps({"a": i % 2, "b": "x"} if i % 5 else {"a": 1}) for i in range(40)]
    json_preds = [json.dumps({"a": i % 3, "b": "X"}) if i % 7 else "no json" for i in range(40)]
    tool_refs = [call("f", x=i % 3) if i % 4 else "Plain answer." for i in range(40)]
    tool_preds = [call("f", x=i % 2) if i % 3 else "Plain answer." for i in range(40)]
    return {
        "exact_match": (text_preds, text_refs),
        "contains": (text_preds, text_refs),
        "rouge_l": (text_preds, text_refs),
        "bleu": (text_preds, text_refs),
        "classification": (label_preds, label_refs),
        "json": (json_preds, json_refs),
        "tool_call": (tool_preds, tool_refs),
    }


@pytest.mark.parametrize("metric", metric_fns.METRICS)
def test_every_score_of_every_metric_has_an_interval_around_its_value(metric):
    preds, refs = cases()[metric]
    reported = metric_fns.compute([metric], preds, refs)
    samples = metric_samples([metric], preds, refs)
    assert set(samples) == set(reported)  # no score left without one
    found = intervals(samples)
    for name, value in reported.items():
        statistic, n = samples[name]
        assert statistic(np.arange(n)[None, :])[0] == pytest.approx(value, abs=1e-9)  # the same number, all drawn
        assert found[name]["low"] - 1e-4 <= value <= found[name]["high"] + 1e-4, name
        assert found[name]["n"] == 40


def test_a_model_against_itself_ties_on_every_score():
    for metric, (preds, refs) in cases().items():
        samples = metric_samples([metric], preds, refs)
        assert all(test["tie"] and test["delta"] == 0 for test in paired(samples, samples).values()), metric


def test_probe_rows_give_prompt_and_instruction_level_intervals():
    rows = [{"passed": {"a": True, "b": i % 2 == 0}} for i in range(30)] + [{"passed": {"c": False}}] * 10
    found = probe_samples(rows)
    prompt, n = found["probe/if_prompt_strict"]
    instruction, _ = found["probe/if_instruction_strict"]
    everything = np.arange(n)[None, :]
    assert n == 40
    assert prompt(everything)[0] == pytest.approx(15 / 40)  # every instruction passed
    assert instruction(everything)[0] == pytest.approx((30 + 15) / 70)  # passed over all instructions


def test_probe_rows_naming_their_language_get_intervals_per_language():
    rows = [{"passed": {"a": i % 2 == 0}, "language": "en"} for i in range(10)]
    rows += [{"passed": {"a": True, "b": False}, "language": "zh"} for _ in range(6)]
    found = probe_samples(rows)
    statistic, n = found["probe/if_instruction_strict_zh"]
    assert n == 6 and statistic(np.arange(n)[None, :])[0] == pytest.approx(0.5)
    statistic, n = found["probe/if_prompt_strict_en"]
    assert n == 10 and statistic(np.arange(n)[None, :])[0] == pytest.approx(0.5)
    assert found["probe/if_prompt_strict"].n == 16


def test_loss_interval_is_token_weighted_and_perplexity_follows_it():
    nll, tokens = [2.0, 9.0, 4.0, 6.0] * 10, [1, 3, 2, 2] * 10
    found = loss_samples(nll, tokens)
    loss = found["val_loss"].statistic(np.arange(40)[None, :])[0]
    assert loss == pytest.approx(21 / 8)
    spans = intervals(found)
    assert spans["val_perplexity"]["low"] == pytest.approx(np.exp(spans["val_loss"]["low"]), rel=1e-3)


def result(label: str, preds: list[str], refs: list[str]) -> EvalResult:
    samples = metric_samples(["exact_match"], preds, refs)
    scores = metric_fns.compute(["exact_match"], preds, refs)
    rows = [{"prompt": "q", "reference": r, "prediction": p} for p, r in zip(preds, refs)]
    return EvalResult(label, scores, rows, intervals=intervals(samples), samples=samples)


def test_report_shows_intervals_and_a_paired_test(tmp_path):
    refs = [str(i) for i in range(60)]
    base = result("base", ["x"] * 60, refs)
    tuned = result("tuned", [r if i % 5 else "x" for i, r in enumerate(refs)], refs)  # 48 of 60 right
    report = write_report([base, tuned], tmp_path, tmp_path / "eval.jsonl")
    saved = json.loads((tmp_path / "report.json").read_text())
    assert saved == report
    assert [m["metrics"] for m in saved["models"]] == [{"exact_match": 0.0}, {"exact_match": 0.8}]  # unchanged
    span = saved["models"][1]["intervals"]["exact_match"]
    assert span["low"] < 0.8 < span["high"] and span["n"] == 60
    test = saved["paired"]["metrics"]["exact_match"]
    assert saved["paired"]["first"] == "base" and saved["paired"]["last"] == "tuned"
    assert test["delta"] == pytest.approx(0.8) and test["low"] > 0 and test["tie"] is False
    md = (tmp_path / "report.md").read_text()
    assert f"| exact_match | 0.000 (0.000–0.000) | 0.800 ({span['low']:.3f}–{span['high']:.3f}) | +0.800 (" in md
    assert "tie" not in md.split("\n\n")[1]  # the table: a clear win is no tie
    assert "95% interval" in md and "paired" in md


def test_report_marks_a_tie(tmp_path):
    refs = [str(i) for i in range(20)]
    first = result("a", [r if i % 2 else "x" for i, r in enumerate(refs)], refs)
    last = result("b", [r if i % 2 == 0 else "x" for i, r in enumerate(refs)], refs)  # as good, other examples
    row = comparison_rows([first, last])[0]
    assert row[-1].startswith("+0.000") and row[-1].endswith(" tie")
    write_report([first, last], tmp_path, tmp_path / "eval.jsonl")
    assert json.loads((tmp_path / "report.json").read_text())["paired"]["metrics"]["exact_match"]["tie"] is True


def test_one_model_has_intervals_but_no_paired_test(tmp_path):
    refs = [str(i) for i in range(10)]
    report = write_report([result("only", refs, refs)], tmp_path, tmp_path / "eval.jsonl")
    assert "paired" not in report and report["models"][0]["intervals"]["exact_match"]["n"] == 10
    assert "Δ" not in (tmp_path / "report.md").read_text()


def test_probe_intervals_sit_on_the_probes_own_scores():
    from tunesmith.eval.probe import load_probe, score_probe

    items = load_probe()[:60]
    replies = [
        "hello world" if i % 2 else "- one\n- two\n- three\nIs there anything else I can help with?" for i in range(60)
    ]
    scores, rows = score_probe(items, replies)
    found = probe_samples(rows)
    for name, value in scores.items():
        statistic, n = found[f"probe/{name}"]
        assert statistic(np.arange(n)[None, :])[0] == pytest.approx(value), name
