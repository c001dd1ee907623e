"""The pairwise judge (tunesmith.eval.judge), against scripted judges served over real HTTP: both orders, the
MT-Bench tie rule, position and length bias measured, agreement with the task metric, and the saved records."""

from __future__ import annotations

import json
import socket
import sys

import pytest
from pydantic import ValidationError

from tests.data.fake_openai import FakeOpenAI
from tunesmith.errors import InputError
from tunesmith.eval.judge import (
    JUDGE_PROMPT,
    JudgeConfig,
    fill,
    final_score,
    judge_line,
    judge_pairs,
    make_judge,
    order_score,
    parse_verdict,
    public_name,
    write_judgement,
)
from tunesmith.eval.length_control import length_controlled

KEY_ENV = "TUNESMITH_TEST_JUDGE_KEY"
KEY = "sk-judge-secret-0123456789"


def answers(body: dict) -> tuple[str, str]:
    """The two answers a judge request shows, as (A, B)."""
    text = body["messages"][-1]["content"]
    a, b = text.split("Answer A:\n", 1)[1].split("\n\nAnswer B:\n", 1)
    return a, b


def endpoint_judge(server: FakeOpenAI, **options) -> object:
    return make_judge(JudgeConfig(base_url=server.base_url, model="judge", api_key_env=None, **options))


def test_verdicts_order_scores_and_the_tie_rule():
    assert [parse_verdict(t) for t in ("A", "b", "Answer B is better.", " tie", "Neither", "[[B]]")] == [
        "A", None, "B", "TIE", None, "B",
    ]  # fmt: skip
    assert (order_score("A", True), order_score("A", False), order_score("TIE", True), order_score(None, True)) == (
        1.0, 0.0, 0.5, None,
    )  # fmt: skip
    # agreement stands; a flip, or a win in one order and a tie in the other, is a tie; one readable order stands
    assert [final_score(*s) for s in ((1, 1), (0, 0), (0.5, 0.5), (1, 0), (1, 0.5), (None, 0), (1, None))] == [
        1, 0, 0.5, 0.5, 0.5, 0, 1,
    ]  # fmt: skip
    assert final_score(None, None) is None


def test_a_judge_that_always_prefers_the_first_position_is_detected_and_ties():
    prompts = [f"q{i}" for i in range(8)]
    candidate = ["right, and longer than the other answer"] * 8
    reference = ["wrong"] * 8
    with FakeOpenAI(lambda body: "A") as server:
        summary, pairs = judge_pairs(endpoint_judge(server), prompts, candidate, reference)
        assert len(server.requests) == 16  # every pair in both orders
    assert summary.first_position_rate == 1.0 and summary.consistency == 0.0
    assert (summary.wins, summary.ties, summary.losses, summary.unparsed) == (0, 8, 0, 0)
    assert summary.win_rate == 0.5 and summary.lc_win_rate == pytest.approx(0.5, abs=1e-6)
    assert all(p.verdicts == ("A", "A") and p.order_scores == (1.0, 0.0) and p.consistent is False for p in pairs)


def test_a_length_biased_judge_wins_raw_but_not_length_controlled():
    """100 pairs of equal quality (the same sentence, padded); the candidate is longer in 70 of them."""
    prompts, candidate, reference = [], [], []
    for i in range(100):
        gap, base = 5 + (i * 37) % 150, 20 + (i * 53) % 100
        longer, shorter = "The answer is 4." + "." * (base + gap), "The answer is 4." + "." * base
        prompts.append(f"question {i}")
        candidate.append(longer if i % 10 < 7 else shorter)
        reference.append(shorter if i % 10 < 7 else longer)

    def longer_wins(body: dict) -> str:
        a, b = answers(body)
        return "A" if len(a) > len(b) else "B"

    with FakeOpenAI(longer_wins) as server:
        summary, _ = judge_pairs(endpoint_judge(server, concurrency=8), prompts, candidate, reference)
    assert summary.win_rate == pytest.approx(0.70) and summary.win_rate > 0.65
    assert summary.consistency == 1.0 and summary.first_position_rate == 0.5  # no position bias to hide behind
    assert abs(summary.lc_win_rate - 0.5) < 0.1, summary.lc_win_rate
    assert summary.length_slope > 1  # the fit puts the preference on length


def test_an_honest_judge_scores_the_right_answers_and_agrees_with_the_metric():
    def prefers_right(body: dict) -> str:
        a, b = answers(body)
        return "A" if "right" in a and "right" not in b else "B" if "right" in b and "right" not in a else "TIE"

    candidate = ["right", "wrong", "right", "wrong", "right", 'right {"json": 1}']
    reference = ["wrong", "right", "right", "wrong", "wrong", "wrong"]
    cand_metric = [1.0, 0.0, 1.0, 0.0, 0.2, 0.5]  # pair 4: the metric prefers the reference; pair 5: a metric tie
    ref_metric = [0.0, 1.0, 1.0, 0.0, 0.8, 0.5]
    with FakeOpenAI(prefers_right) as server:
        summary, pairs = judge_pairs(
            endpoint_judge(server), [f"q{i}" for i in range(6)], candidate, reference, JUDGE_PROMPT,
            cand_metric, ref_metric,
        )  # fmt: skip
    assert [p.score for p in pairs] == [1.0, 0.0, 0.5, 0.5, 1.0, 1.0]
    assert (summary.wins, summary.ties, summary.losses) == (3, 2, 1)
    assert summary.win_rate == pytest.approx(4 / 6)
    assert summary.consistency == 1.0 and summary.first_position_rate == 0.5
    # counted on pairs 0, 1 and 4 (ties on either side left out): agree, agree, disagree
    assert summary.metric_agreement == pytest.approx(2 / 3) and summary.metric_agreement_n == 3
    assert '{"json": 1}' in pairs[5].judge_prompts[0]  # braces inside an answer survive the slot filling
    assert "agrees with the metric on 0.667 of 3" in judge_line(summary)


def test_unreadable_replies_are_counted_unparsed_and_one_readable_order_stands():
    def sometimes_unreadable(body: dict) -> str:
        text = body["messages"][-1]["content"]
        if "garbled" in text:
            return "both are fine, really"
        if "half" in text:  # readable only when the candidate is shown first
            return "A" if answers(body)[0] == "cand" else "hmm, hard to say"
        return "TIE"

    prompts = ["garbled 1", "garbled 2", "half", "plain"]
    with FakeOpenAI(sometimes_unreadable) as server:
        summary, pairs = judge_pairs(endpoint_judge(server), prompts, ["cand"] * 4, ["ref"] * 4)
    assert [p.score for p in pairs] == [None, None, 1.0, 0.5]
    assert pairs[2].verdicts == ("A", None) and pairs[2].consistent is None
    assert (summary.unparsed, summary.wins, summary.ties, summary.losses) == (2, 1, 1, 0)
    assert summary.win_rate == pytest.approx(0.75) and summary.consistency == 1.0  # only "plain" had both orders
    assert "2 unparsed" in judge_line(summary)
    with FakeOpenAI(lambda body: "no idea") as server:
        nothing, _ = judge_pairs(endpoint_judge(server), ["q"], ["a"], ["b"])
    assert nothing.unparsed == 1 and nothing.win_rate is None and nothing.lc_win_rate is None
    assert nothing.consistency is None and nothing.first_position_rate is None


def test_saved_records_hold_prompts_and_raw_replies_but_no_key(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    with FakeOpenAI(lambda body: "Answer B, clearly.") as server:
        cfg = JudgeConfig(base_url=server.base_url, model="judge-1", api_key_env=KEY_ENV)
        summary, pairs = judge_pairs(make_judge(cfg), ["Extract: Ann, Oslo"], ['{"name": "Ann"}'], ["Ann"])
        assert server.requests[0].headers["authorization"] == f"Bearer {KEY}"  # the key was used …
    write_judgement(summary, pairs, tmp_path / "report")
    saved = (tmp_path / "report" / "judge.jsonl").read_text(encoding="utf-8")
    summary_text = (tmp_path / "report" / "judge.json").read_text(encoding="utf-8")
    assert KEY not in saved and KEY not in summary_text  # … and written nowhere
    row = json.loads(saved)
    assert row["replies"] == ["Answer B, clearly.", "Answer B, clearly."] and row["verdicts"] == ["B", "B"]
    assert row["judge_prompts"][0] == fill(JUDGE_PROMPT, "Extract: Ann, Oslo", '{"name": "Ann"}', "Ann")
    assert row["judge_prompts"][1] == fill(JUDGE_PROMPT, "Extract: Ann, Oslo", "Ann", '{"name": "Ann"}')
    assert (row["prompt"], row["candidate"], row["reference"], row["score"]) == (
        "Extract: Ann, Oslo", '{"name": "Ann"}', "Ann", 0.5,
    )  # fmt: skip
    data = json.loads(summary_text)
    assert data["pairs"] == 1 and data["ties"] == 1 and data["length_unit"] == "characters"
    assert data["judge"] == f"openai:judge-1@{server.base_url}"
    assert public_name("openai:j@https://user:pw@host/v1?api-key=s3cret") == "openai:j@https://host/v1"


def test_a_judge_that_is_down_is_a_clear_input_error():
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    judge = make_judge(JudgeConfig(base_url=f"http://127.0.0.1:{port}/v1", model="j", api_key_env=None, max_retries=0))
    with pytest.raises(InputError) as err:
        judge_pairs(judge, ["q"] * 3, ["a"] * 3, ["b"] * 3)
    assert "expected a reachable endpoint" in err.value.message and f"127.0.0.1:{port}" in err.value.where
    failing = (503, {"error": {"message": "judge overloaded", "type": "server_error"}})
    with FakeOpenAI(lambda body: failing) as server:
        with pytest.raises(InputError, match="judge overloaded"):
            judge_pairs(endpoint_judge(server, max_retries=0), ["q"] * 10, ["a"] * 10, ["b"] * 10)
        assert len(server.requests) == 1  # the first request failed: the other 19 were never sent


def test_a_missing_key_variable_is_named_before_any_request(monkeypatch):
    monkeypatch.delenv("TUNESMITH_NO_SUCH_KEY", raising=False)
    with pytest.raises(InputError) as err:
        make_judge(JudgeConfig(base_url="http://127.0.0.1:9/v1", model="j", api_key_env="TUNESMITH_NO_SUCH_KEY"))
    assert err.value.where == "judge.api_key_env" and "TUNESMITH_NO_SUCH_KEY is not set" in err.value.message


def test_a_judge_is_an_endpoint_or_a_local_model():
    local = make_judge(JudgeConfig(kind="local", model="smollm2-135m"))  # no key needed, nothing loaded yet
    assert local.name == "local:smollm2-135m" and local.temperature == 0.0
    with pytest.raises(ValidationError, match="base_url is for kind 'openai'"):
        JudgeConfig(kind="local", model="m", base_url="http://x/v1")
    with pytest.raises(ValidationError, match="a local judge needs no key"):
        JudgeConfig(kind="local", model="m", api_key_env="OPENAI_API_KEY")
    with pytest.raises(ValidationError, match=r"must contain \{b\}"):
        JudgeConfig(model="m", prompt="{prompt} {a}")
    # the flywheel recipe's keys stay valid
    old = JudgeConfig.model_validate({"base_url": "http://j/v1", "model": "j", "api_key_env": None, "max_tokens": 4})
    assert old.kind == "openai" and old.max_tokens == 4


def test_length_control_without_length_effect_keeps_the_raw_rate():
    diffs = [(-1) ** i * (10 + 7 * i) for i in range(60)]  # lengths vary, verdicts do not follow them
    labels = [1.0 if i % 5 else 0.0 for i in range(60)]  # the candidate wins 80%
    fit = length_controlled(labels, diffs)
    assert fit.win_rate == pytest.approx(0.8, abs=0.03) and abs(fit.length_slope) < 0.5
    always = length_controlled([1.0] * 40, [(-1) ** i * (5 + 5 * i) for i in range(40)])  # all wins: finite
    assert 0.9 < always.win_rate < 1.0 and abs(always.length_slope) < 0.1
    # always longer and always winning: length and quality cannot be told apart, and the fit gives length a share
    confounded = length_controlled([1.0] * 40, [5 + 5 * i for i in range(40)])
    assert confounded.win_rate < always.win_rate and confounded.length_slope > 0.5
    assert length_controlled([], []) is None


def run_cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    from tunesmith.cli.main import main

    monkeypatch.setattr(sys, "argv", ["tunesmith", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    captured = capsys.readouterr()
    return exc.value.code or 0, " ".join(captured.out.split()), " ".join(captured.err.split())


def test_eval_cli_judges_the_tuned_replies_against_the_base(make_recipe, tiny_model_dir, tmp_path, monkeypatch, capsys):
    from tunesmith.train.run import train

    recipe = make_recipe(train={"max_steps": 1})
    train(recipe)

    def longer_wins(body: dict) -> str:
        a, b = answers(body)
        return "A" if len(a) > len(b) else "B" if len(b) > len(a) else "TIE"

    monkeypatch.setenv(KEY_ENV, KEY)
    out = tmp_path / "judged"
    with FakeOpenAI(longer_wins) as server:
        code, stdout, err = run_cli(
            monkeypatch, capsys, "eval", str(recipe.run_dir), "--out", str(out),
            "--judge-model", "judge-1", "--judge-url", server.base_url, "--judge-key-env", KEY_ENV,
        )  # fmt: skip
        assert code == 0, err
        assert len(server.requests) == 2 * recipe.eval.limit
        assert server.requests[0].headers["authorization"] == f"Bearer {KEY}" and server.requests[0].body["model"]
    rows = [json.loads(line) for line in (out / "judge.jsonl").read_text(encoding="utf-8").splitlines()]
    base = [json.loads(line) for line in (out / "predictions-0.jsonl").read_text(encoding="utf-8").splitlines()]
    tuned = [json.loads(line) for line in (out / "predictions-1.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["candidate"] for r in rows] == [p["prediction"] for p in tuned]  # the tuned replies, judged …
    assert [r["reference"] for r in rows] == [p["prediction"] for p in base]  # … against the base model's
    summary = json.loads((out / "judge.json").read_text(encoding="utf-8"))
    assert summary["pairs"] == recipe.eval.limit and summary["unparsed"] == 0
    assert summary["consistency"] in (None, 1.0)  # a longer-wins judge never flips with the order
    assert f"Judge openai:judge-1@{server.base_url}: win rate" in stdout and "first-position rate" in stdout
    unwrapped = "".join(stdout.split())  # rich wraps a long path at the terminal's width, wherever it falls
    assert f"Judgerecords:{out / 'judge.jsonl'}" in unwrapped
    assert KEY not in stdout and KEY not in (out / "judge.jsonl").read_text() + (out / "judge.json").read_text()

    local = tmp_path / "judged-local"  # a local judge: a model ref, no endpoint and no key
    code, stdout, err = run_cli(
        monkeypatch, capsys, "eval", str(recipe.run_dir), "--out", str(local), "--judge-model", str(tiny_model_dir)
    )
    assert code == 0, err
    summary = json.loads((local / "judge.json").read_text(encoding="utf-8"))
    assert summary["judge"] == f"local:{tiny_model_dir}" and summary["pairs"] == recipe.eval.limit
    assert len((local / "judge.jsonl").read_text(encoding="utf-8").splitlines()) == recipe.eval.limit


def test_eval_cli_refuses_a_judge_it_cannot_use_before_loading_anything(tmp_path, monkeypatch, capsys):
    run = tmp_path / "runs" / "demo"  # a run folder with no model: every refusal comes before any loading
    run.mkdir(parents=True)
    (run / "recipe.yaml").write_text(f"data: {{train: {tmp_path / 'd.jsonl'}}}\n", encoding="utf-8")
    (tmp_path / "eval.jsonl").write_text('{"prompt": "a", "completion": "b"}\n', encoding="utf-8")
    args = ["eval", str(run), "--data", str(tmp_path / "eval.jsonl"), "--out", str(tmp_path / "out")]
    monkeypatch.delenv("TUNESMITH_NO_SUCH_KEY", raising=False)
    cases = [
        (["--judge-model", "j", "--judge-url", "http://127.0.0.1:9/v1", "--judge-key-env", "TUNESMITH_NO_SUCH_KEY"],
         "error: --judge-key-env: environment variable TUNESMITH_NO_SUCH_KEY is not set"),
        (["--judge-model", "j", "--judge-url", "http://127.0.0.1:9/v1", "--no-baseline"],
         "error: --judge-model: the judge compares a run's replies with its base model's"),
        (["--judge-url", "http://127.0.0.1:9/v1"], "error: --judge-url: give --judge-model too"),
        (["--judge-model", "j", "--judge-key-env", "K"], "error: --judge-key-env: a local judge needs no key"),
    ]  # fmt: skip
    for extra, message in cases:
        code, _, err = run_cli(monkeypatch, capsys, *args, *extra)
        assert code == 2 and message in err, err
        assert "Traceback" not in err and not (tmp_path / "out").exists()
