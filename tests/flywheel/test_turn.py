"""The flywheel end to end (the issue's Done-when): a fake teacher answers the quickstart task behind a live
server, its traffic is logged, a student is trained on it, compared with the teacher on held-out traffic, and
promoted to a live server (or refused) by the rule."""

from __future__ import annotations

import json

import httpx
import pytest
import yaml

from tests.cli.test_commands import run_cli as run_tunesmith
from tests.flywheel.conftest import KEY, REPEATED, TEACHER, flywheel_raw, served_models
from tests.flywheel.teacher import tokens
from tunesmith.flywheel.plan import plan_flywheel
from tunesmith.flywheel.run import run_flywheel


def read_jsonl(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def first_turn(logged, tiny_model_dir, student_server, tmp_path_factory):
    """One turn with no adapter registered yet and min_score 0, a threshold the tiny student meets."""
    out = tmp_path_factory.mktemp("flywheel")
    raw = flywheel_raw(
        logged, tiny_model_dir, out, "turn-1", student_server.root, adapter_name="extractor", min_score=0
    )
    return run_flywheel(plan_flywheel(raw, "fw.yaml"))


def test_a_turn_registers_the_student_with_the_live_server(first_turn, student_server):
    decision = first_turn.decision
    assert decision.promote and decision.registered, decision.reason
    assert "reaches min_score 0.000" in decision.reason
    assert decision.path == str((first_turn.folder / "run").resolve())
    assert "extractor" in served_models(student_server.root)
    assert "extractor-incoming" not in served_models(student_server.root)
    reply = httpx.post(
        f"{student_server.root}/v1/chat/completions",
        json={"model": "extractor", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 4},
        headers={"Authorization": f"Bearer {KEY}"},
    )
    assert reply.status_code == 200 and reply.json()["model"] == "extractor"
    saved = json.loads((first_turn.folder / "decision.json").read_text())
    assert saved["promote"] and saved["registered"] and not saved["dry_run"]


def test_held_out_prompts_never_reach_training(first_turn, logged):
    folder = first_turn.folder
    held = read_jsonl(folder / "holdout.jsonl")
    exported = read_jsonl(folder / "export.jsonl")
    held_prompts = {row["messages"][-1]["content"] for row in held}
    train_prompts = {row["messages"][0]["content"] for row in exported}
    assert held and exported and not held_prompts & train_prompts
    # every usable request is on one side: 40 logged, 1 rated down without a correction
    assert len(held) + len(exported) == len(logged.ids) - 1
    assert logged.rated_down not in {row["request_id"] for row in held} | {r["meta"]["request_id"] for r in exported}
    assert all(row["reference"] == logged.answers[row["messages"][-1]["content"]] for row in held)
    counts = first_turn.counts
    assert (counts["logged"], counts["train_requests"], counts["exported"]) == (40, len(exported), len(exported))
    assert (counts["held_out"], counts["held_out_skipped"]) == (len(held), 0)


def test_curation_dedups_the_repeated_requests_and_masks_personal_data(first_turn, logged):
    exported = read_jsonl(first_turn.folder / "export.jsonl")
    repeated_in_train = sum(p in {r["messages"][0]["content"] for r in exported} for p in logged.prompts[:REPEATED])
    exact, near, pii = first_turn.curated.ops
    assert (exact["op"], exact["removed"]) == (
        "dedup",
        {"exact duplicate": repeated_in_train} if repeated_in_train else {},
    )
    assert pii["op"] == "pii" and pii["changed"] > 0
    curated = read_jsonl(first_turn.folder / "curated.jsonl")
    assert (
        len(curated) == first_turn.curated.rows_out == len(exported) - repeated_in_train - sum(near["removed"].values())
    )
    text = json.dumps(curated, ensure_ascii=False)
    assert "<PHONE>" in text and "<PERSON>" in text
    # the run trained on exactly the curated file
    assert first_turn.trained.train_examples == len(curated)


def test_the_teacher_is_scored_against_the_correction_feedback_gave(first_turn, logged):
    held = {r["request_id"]: r for r in read_jsonl(first_turn.folder / "holdout.jsonl")}
    assert held[logged.corrected]["correction"] == logged.correction
    assert held[logged.corrected]["reference"] == logged.answers[logged.prompts[5]]  # the teacher's own answer
    comparison = first_turn.comparison
    assert comparison.corrected == 1
    # the teacher got 4 of 5 fields right against the correction (it moved the person's city)
    assert comparison.vs_corrections["teacher"]["field_accuracy"] == pytest.approx(0.8)
    assert set(comparison.vs_corrections) == {"teacher", "student"}


def test_the_comparison_scores_the_student_against_the_teachers_answers(first_turn):
    scores = first_turn.comparison.vs_teacher["student"]
    assert set(scores) >= {"json_valid", "field_accuracy", "field_accuracy/name", "exact_match"}
    assert first_turn.comparison.scored == first_turn.counts["held_out"]
    answers = read_jsonl(first_turn.folder / "answers.jsonl")
    assert len(answers) == first_turn.counts["held_out"] and all("student" in row for row in answers)
    report = json.loads((first_turn.folder / "report.json").read_text())
    assert report["comparison"]["vs_teacher"]["student"] == scores
    markdown = (first_turn.folder / "report.md").read_text()
    assert "## Student vs teacher" in markdown and "**promoted**" in markdown and "## Cost" in markdown


def test_the_cost_table_prices_the_tokens_the_teacher_served(first_turn, logged):
    tokens_in = sum(tokens(p) for p in logged.prompts)
    tokens_out = sum(tokens(logged.answers[p]) for p in logged.prompts)
    costs = first_turn.costs
    assert (costs.teacher.requests, costs.teacher.input_tokens, costs.teacher.output_tokens) == (
        40,
        tokens_in,
        tokens_out,
    )
    assert costs.teacher.model == TEACHER and costs.student.model == "extractor"
    assert costs.teacher.cost == pytest.approx((tokens_in * 2.50 + tokens_out * 10.00) / 1e6)
    assert costs.student.cost == pytest.approx((tokens_in * 0.05 + tokens_out * 0.20) / 1e6)
    assert costs.saving == pytest.approx(costs.teacher.cost - costs.student.cost)


def test_a_student_that_does_not_beat_the_registered_adapter_is_refused(
    first_turn, logged, tiny_model_dir, student_server, tmp_path
):
    raw = flywheel_raw(logged, tiny_model_dir, tmp_path, "turn-2", student_server.root, adapter_name="extractor")
    result = run_flywheel(plan_flywheel(raw, "fw.yaml"))
    decision = result.decision
    assert not decision.promote and not decision.registered
    assert "does not beat the current 'extractor'" in decision.reason
    # the registered adapter's answers came from the server, logged there under the flywheel's tag
    answers = read_jsonl(result.folder / "answers.jsonl")
    assert all("current" in row for row in answers)
    asked = [r for r in student_server.store.query() if r.model == "extractor" and "flywheel" in r.tags]
    assert len(asked) == result.counts["held_out"]
    assert decision.current == result.comparison.vs_teacher["current"]["field_accuracy"]


def test_the_cli_refuses_a_student_below_min_score(
    logged, tiny_model_dir, student_server, tmp_path, monkeypatch, capsys
):
    raw = flywheel_raw(logged, tiny_model_dir, tmp_path, "turn-3", student_server.root, adapter_name="strict")
    recipe = tmp_path / "fw.yaml"
    recipe.write_text(yaml.safe_dump(raw), encoding="utf-8")
    code, out = run_cli(monkeypatch, capsys, "flywheel", str(recipe), "promote.min_score=0.5")
    assert code == 0, out
    assert "Not promoted: student field_accuracy 0.000 is below min_score 0.500" in out
    costs = json.loads((tmp_path / "turn-3" / "report.json").read_text())["costs"]
    teacher, student = costs["teacher"], costs["student"]
    for number in (f"{teacher['input_tokens']:,}", f"{teacher['cost']:.4f}", f"{student['cost']:.4f}", "98.0%"):
        assert number in out  # the cost table
    models = served_models(student_server.root)
    assert "strict" not in models and "strict-incoming" not in models
    decision = json.loads((tmp_path / "turn-3" / "decision.json").read_text())
    assert not decision["promote"] and not decision["registered"] and decision["bar"] == 0.5


def run_cli(monkeypatch, capsys, *args: str) -> tuple[int, str]:
    """`tunesmith ARGS` in-process: (exit status, output with rich's line wrapping undone)."""
    code, out, err = run_tunesmith(monkeypatch, capsys, *args)
    return code, " ".join((out + err).split())


@pytest.mark.parametrize(
    ("promote", "where", "message"),
    [
        ({"adapter_name": "BASE"}, "fw.yaml: key 'promote.adapter_name'", "is the server's base model"),
        ({"server": "http://127.0.0.1:9"}, "fw.yaml: promote.server http://127.0.0.1:9", "not reachable"),
        ({"api_key_env": "TUNESMITH_TEST_UNSET"}, "fw.yaml: promote.api_key_env", "is not set"),
    ],
)
def test_problems_found_before_training_write_nothing(
    promote, where, message, logged, tiny_model_dir, student_server, tmp_path
):
    from tunesmith.errors import InputError

    promote = {k: tiny_model_dir.name if v == "BASE" else v for k, v in promote.items()}
    raw = flywheel_raw(logged, tiny_model_dir, tmp_path, "turn", student_server.root)
    raw["promote"].update(promote)
    with pytest.raises(InputError) as caught:
        run_flywheel(plan_flywheel(raw, "fw.yaml"))
    assert caught.value.where == where and message in caught.value.message
    assert not (tmp_path / "turn").exists()


def test_an_existing_flywheel_folder_is_not_overwritten_unless_asked(first_turn, logged, tiny_model_dir):
    from tunesmith.errors import InputError

    folder = first_turn.folder
    raw = flywheel_raw(logged, tiny_model_dir, folder.parent, folder.name, None)
    with pytest.raises(InputError, match="flywheel folder already exists"):
        run_flywheel(plan_flywheel(raw, "fw.yaml"))
    assert json.loads((folder / "decision.json").read_text())["registered"]


def test_the_flywheel_folder_never_holds_a_curate_ops_salt(logged, tiny_model_dir, tmp_path):
    from tunesmith.data.ops.pii import Config
    from tunesmith.flywheel.run import recipe_yaml

    raw = flywheel_raw(logged, tiny_model_dir, tmp_path, "salted", None)
    raw["curate"] = [{"pii": {"mode": "hash", "salt": "pepper-and-salt-0042"}}, {"dedup": {}}]
    text = recipe_yaml(plan_flywheel(raw, "fw.yaml"))
    assert "pepper-and-salt-0042" not in text and "'**********'" in text and "dedup" in text
    with pytest.raises(ValueError, match="how reports hide a salt"):
        Config(mode="hash", salt="**********")  # the written recipe cannot be re-run with the stars as its salt
