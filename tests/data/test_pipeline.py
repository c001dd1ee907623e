"""`tunesmith data run`: pipeline files validate with errors a person can act on, run ops in order, write atomically."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.cli.test_errors import error_line, run_cli
from tests.conftest import write_jsonl
from tunesmith.data.pipeline import Pipeline, load_pipeline, run_pipeline
from tunesmith.errors import InputError
from tunesmith.schema import validate


def chat(user: str, answer: str, **meta) -> dict:
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": answer}], "meta": meta}


ROWS = [chat(f"How do I reset router model {i}?", f"Hold the button on model {i} for {i + 5} s.") for i in range(12)]


def pipeline(tmp_path: Path, ops: list, **extra) -> Path:
    """A pipeline file over a small chat input, writing to tmp_path/out."""
    if not (tmp_path / "in.jsonl").exists():
        write_jsonl(tmp_path / "in.jsonl", ROWS)
    spec = {"inputs": ["in.jsonl"], "output": "out", "ops": ops, "report": {"pii": False}, **extra}
    path = tmp_path / "pipeline.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("ops", "where", "message"),
    [
        (["dedupe"], "ops[0]", "unknown op 'dedupe'; did you mean 'dedup'?"),
        ([{"split": {"validaton": 0.2}}], "ops[0] (split): key 'validaton'", "did you mean 'validation'?"),
        ([{"split": {"validation": 1.5}}], "ops[0] (split): key 'validation'", "less than 1"),
        ([{"split": {}}, {"mix": {"temperature": 2}}], "ops[0]", "split must be the last op"),
        ([{"mix": {}, "split": {}}], "ops[0]", "one-key mapping"),
        ([{"mix": "fast"}], "ops[0] (mix)", "options must be a mapping"),
    ],
)
def test_bad_pipelines_name_the_op_and_key(tmp_path, ops, where, message):
    path = pipeline(tmp_path, ops)
    with pytest.raises(InputError) as err:
        load_pipeline(path)
    assert err.value.where.startswith(f"{path}: {where}")
    assert message in err.value.message


def test_a_bad_list_item_is_named_by_its_position():
    with pytest.raises(InputError) as err:
        validate(Pipeline, {"inputs": ["a.jsonl", 7], "output": "out"}, "p.yaml")
    assert err.value.where == "p.yaml: key 'inputs[1]'" and "InputSpec, got 7" in err.value.message


def test_unknown_top_level_key_and_bad_yaml(tmp_path):
    with pytest.raises(InputError, match="key 'opps': unknown key; did you mean 'ops'"):
        load_pipeline(pipeline(tmp_path, [], opps=[]))
    bad = tmp_path / "bad.yaml"
    bad.write_text("inputs: [a\nops: {", encoding="utf-8")
    with pytest.raises(InputError, match="not valid YAML"):
        load_pipeline(bad)


def test_pipeline_runs_ops_in_order_and_writes_splits_and_report(tmp_path):
    ops = [{"mix": {"temperature": 1, "total": 20}}, {"split": {"validation": 0.25}}]
    result = run_pipeline(pipeline(tmp_path, ops))
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.json", "train.jsonl", "validation.jsonl"]
    train = [json.loads(line) for line in (out / "train.jsonl").read_text(encoding="utf-8").splitlines()]
    validation = (out / "validation.jsonl").read_text(encoding="utf-8").splitlines()
    assert (len(train), len(validation)) == (15, 5) == (result.records["train"], result.records["validation"])
    assert train[0]["meta"]["source"] == "in" and "weight" not in train[0]["messages"][0]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [(s["op"], s["records_in"], s["kept"], s["added"]) for s in report["steps"]] == [
        ("mix", 12, 20, 8),
        ("split", 20, 15, 0),
    ]


def test_a_failing_op_leaves_no_output(tmp_path):
    path = pipeline(tmp_path, [{"mix": {"weights": {"nope": 1}}}])
    with pytest.raises(InputError, match="unknown source"):
        run_pipeline(path)
    assert not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_cli_data_run_exit_status_2_on_bad_pipeline(tmp_path, monkeypatch, capsys):
    path = pipeline(tmp_path, ["dedupe"])
    code, _, err = run_cli(monkeypatch, capsys, "data", "run", str(path))
    assert code == 2
    assert "unknown op 'dedupe'" in error_line(err)
    assert not (tmp_path / "out").exists()


def test_cli_strict_fails_when_a_check_fails(tmp_path, monkeypatch, capsys):
    write_jsonl(tmp_path / "in.jsonl", [*ROWS, chat("Mail me at jane.doe@example.com", "Done.")])
    path = pipeline(tmp_path, [], report={"pii": True})
    code, out, _ = run_cli(monkeypatch, capsys, "data", "run", str(path))
    assert code == 0 and "pii" in out.lower()
    code, out, _ = run_cli(monkeypatch, capsys, "data", "run", str(path), "--strict")
    assert code == 1 and "check(s) failed" in out


EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "data"


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_pipeline_validates_and_its_raw_inputs_exist(path):
    pipeline, steps, _ = load_pipeline(path)
    assert steps
    for spec in pipeline.inputs:
        if not str(spec.path).startswith("out/"):  # outputs of an earlier example pipeline
            assert (EXAMPLES / spec.path).exists(), spec.path
