"""`tunesmith advise`: the quickstart recipe prints every term and the FLOP formula; --json parses; errors exit 2."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tunesmith.cli.main import main

RECIPE = Path(__file__).resolve().parents[2] / "examples" / "quickstart" / "recipe.yaml"


def run(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["tunesmith", "advise", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    out = capsys.readouterr()
    return exc.value.code or 0, out.out, out.err


def test_quickstart_recipe_prints_the_terms_and_formula(monkeypatch, capsys):
    code, out, _ = run(monkeypatch, capsys, str(RECIPE), "--threads", "1", "--price-per-hour", "0.5")
    assert code == 0
    for word in ("weights", "gradients", "optimizer", "activations", "loss head", "framework", "FITS"):
        assert word in out
    assert "B/token/block" in out and "fwd 30 ×" in out and "scored tokens" in out  # the formulas, numbers in
    assert "cost" in out


def test_json_parses_and_agrees_with_its_terms(monkeypatch, capsys):
    code, out, _ = run(monkeypatch, capsys, str(RECIPE), "method={name: full}", "--device", "a10g", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["method"] == "full" and result["device"]["name"] == "A10G"
    by = {t["name"]: t["bytes"] for t in result["terms"]}
    dynamic = by["activations"] + by["loss head"]  # no allocator term on a GPU
    fixed = by["weights"] + by["optimizer"] + by["autocast copies"] + by["framework"]
    assert result["peak_bytes"] == fixed + max(by["gradients"], dynamic)
    assert result["fits"] is True and result["steps"] == 60


def test_a_model_with_numbers_instead_of_a_recipe(monkeypatch, capsys):
    code, out, _ = run(
        monkeypatch, capsys, "smollm2-135m", "--method", "qlora", "--device", "t4", "--examples", "500",
        "--tokens-per-example", "512", "--batch-size", "4", "--checkpointing", "--json",
    )  # fmt: skip
    assert code == 0
    result = json.loads(out)
    assert result["setup"]["storage"] == "nf4" and result["setup"]["precision"] == "fp16"
    assert result["steps"] == 500  # 500 examples / batch 4, four epochs: auto shows the model about 2,000 examples


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--device", "h1000"], "did you mean 'H100-80GB'"),
        (["--method", "ful"], "did you mean 'full'"),
        (["--precision", "fp8"], "expected one of auto, fp32, bf16, fp16"),
    ],
)
def test_bad_input_exits_2_with_a_did_you_mean(monkeypatch, capsys, args, message):
    code, _, err = run(monkeypatch, capsys, "smollm2-135m", *args)
    assert code == 2 and message in err
