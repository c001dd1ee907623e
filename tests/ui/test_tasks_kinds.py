"""Task kinds build argv from validated fields only: unknown keys, paths out of the workspace and anything that
would read as an option are refused with a message naming the field; configs are read by the CLI's loaders."""

from __future__ import annotations

import pytest

from tests.ui.conftest import chat_rows, write_jsonl
from tunesmith.errors import InputError
from tunesmith.ui.tasks.configs import save_config
from tunesmith.ui.tasks.kinds import plan_task
from tunesmith.ui.workspace import Workspace


@pytest.fixture
def root(tmp_path):
    root = Workspace.open(tmp_path / "ws").root
    write_jsonl(root / "data" / "chat.jsonl", chat_rows())
    run = root / "runs" / "tiny"
    (run / "final").mkdir(parents=True)
    (run / "recipe.yaml").write_text("model: smollm2-135m\n")
    (root / "jobs" / "ftjob-abc" / "run" / "final").mkdir(parents=True)
    (root / "jobs" / "ftjob-abc" / "run" / "recipe.yaml").write_text("model: smollm2-135m\n")
    (run.parent / "unfinished").mkdir()
    (run.parent / "unfinished" / "recipe.yaml").write_text("model: smollm2-135m\n")
    (tmp_path / "outside.yaml").write_text("inputs: []\noutput: x\n")
    return root


def refused(root, kind, args) -> str:
    with pytest.raises(InputError) as caught:
        plan_task(root, kind, args, "task-1")
    message = str(caught.value)
    assert str(root) not in message
    return message


def test_each_kind_builds_the_cli_command(root):
    save_config(root, "data_pipeline", "clean", "inputs: [{path: ../data/chat.jsonl}]\noutput: ../data/clean\n")
    _, plan = plan_task(root, "data_run", {"pipeline": "configs/clean.yaml"}, "task-1")
    assert (plan.argv, plan.output) == (["data", "run", "configs/clean.yaml"], "data/clean")
    args, plan = plan_task(root, "eval", {"run": "runs/tiny", "file": "data/chat.jsonl", "limit": 4}, "task-1")
    assert plan.argv == ["eval", "runs/tiny", "--out", "runs/tiny/evals/task-1", "--data", "data/chat.jsonl"] + [
        "--limit",
        "4",
    ]
    assert args == {"run": "runs/tiny", "file": "data/chat.jsonl", "limit": 4}
    _, plan = plan_task(root, "export", {"run": "jobs/ftjob-abc/run", "format": "gguf", "quant": "Q8_0"}, "t")
    assert plan.argv == ["export", "gguf", "jobs/ftjob-abc/run", "--out", "exports/ftjob-abc-gguf", "--quant", "q8_0"]
    _, plan = plan_task(root, "export", {"run": "runs/tiny", "format": "onnx", "quant": "int8"}, "t")
    assert plan.argv[-2:] == ["--precision", "int8"] and plan.output == "exports/tiny-onnx"
    arena = "task: {eval: ../data/chat.jsonl}\narms: [{name: base, kind: prompt}]\n"
    save_config(root, "arena", "quick", arena)
    _, plan = plan_task(root, "arena", {"config": "configs/quick.yaml"}, "t")
    assert (plan.argv, plan.output) == (["arena", "configs/quick.yaml"], "runs/quick-arena")


@pytest.mark.parametrize(
    ("kind", "args", "expected"),
    [
        ("data_run", {"pipeline": "configs/x.yaml", "extra": "--help"}, "args: key 'extra': unknown key"),
        ("data_run", {"pipeline": "../outside.yaml"}, "'..' is not allowed"),
        ("data_run", {"pipeline": "/etc/passwd"}, "expected a path relative to the workspace"),
        ("data_run", {"pipeline": "--help"}, "expected a path relative to the workspace"),
        ("data_run", {"pipeline": "~/x.yaml"}, "expected a path relative to the workspace"),
        ("data_run", {"pipeline": "configs/none.yaml"}, "no such file in the workspace"),
        ("eval", {"run": "runs/tiny", "limit": 0}, "args: key 'limit'"),
        ("eval", {"run": "runs/tiny", "file": "../x.jsonl"}, "args.file: '..' is not allowed"),
        ("eval", {"run": "runs/unfinished"}, "runs/unfinished: run has no final model yet"),
        ("eval", {"run": "data"}, "data: not a run directory (no recipe.yaml)"),
        ("export", {"run": "runs/tiny", "format": "zip"}, "args: key 'format'"),
        ("export", {"run": "runs/tiny", "format": "gguf", "quant": "q4 --out /tmp"}, "unknown quant type"),
        ("export", {"run": "runs/tiny", "format": "merge", "quant": "q8_0"}, "quant is for gguf"),
        ("export", {"run": "runs/tiny", "format": "onnx", "quant": "q8_0"}, "unknown onnx precision 'q8_0'"),
        ("shell", {"cmd": "rm -rf /"}, "kind: unknown task kind 'shell'"),
        ("arena", ["configs/x.yaml"], "args"),
    ],
)
def test_bad_args_are_refused_with_the_field_named(root, kind, args, expected):
    assert expected in refused(root, kind, args)


def test_a_link_out_of_the_workspace_is_outside(root, tmp_path):
    (root / "configs" / "link.yaml").symlink_to(tmp_path / "outside.yaml")
    assert "outside the workspace" in refused(root, "data_run", {"pipeline": "configs/link.yaml"})


def test_paths_inside_a_config_must_stay_in_the_workspace(root):
    (root / "configs" / "out.yaml").write_text("inputs: [{path: ../data/chat.jsonl}]\noutput: ../../elsewhere\n")
    message = refused(root, "data_run", {"pipeline": "configs/out.yaml"})
    assert message == "configs/out.yaml: key 'output': ../../elsewhere is outside the workspace; name a file inside it"
    (root / "configs" / "abs.yaml").write_text("inputs: [{path: /etc/hostname}]\noutput: ../data/x\n")
    assert "key 'inputs[0].path': /etc/hostname is outside" in refused(
        root, "data_run", {"pipeline": "configs/abs.yaml"}
    )
    arena = "task: {eval: ../data/chat.jsonl}\narms: [{name: t, kind: fine_tuned, run: /etc}]\noutput: ../runs/a\n"
    (root / "configs" / "arena.yaml").write_text(arena)
    assert "key 'arms[0].run'" in refused(root, "arena", {"config": "configs/arena.yaml"})


def test_a_config_the_cli_refuses_is_refused_in_its_words(root):
    (root / "configs" / "typo.yaml").write_text("task: {eval: ../data/chat.jsonl}\narm: []\n")
    message = refused(root, "arena", {"config": "configs/typo.yaml"})
    assert message.startswith("configs/typo.yaml: 2 problems:")
    assert "key 'arm': unknown key; did you mean 'arms'?" in message


def test_a_flywheel_turn_is_named_before_it_runs_and_reads_the_workspace_log(root):
    recipe = "model: smollm2-135m\nmethod: lora\ntrain: {max_steps: 2}\n"
    (root / "configs" / "student.yaml").write_text(recipe)
    flywheel = "store: traffic.db\nteacher_model: teacher\ntrain: configs/student.yaml\n"
    save_config(root, "flywheel", "turn", flywheel)
    args, plan = plan_task(root, "flywheel", {"config": "configs/turn.yaml", "dry_run": True}, "t")
    assert args == {"config": "configs/turn.yaml", "dry_run": True}
    name = plan.output.removeprefix("runs/")
    assert name.startswith("flywheel-") and plan.argv == ["flywheel", "configs/turn.yaml", f"output.name={name}"] + [
        "--dry-run"
    ]
    (root / "configs" / "far.yaml").write_text(flywheel.replace("traffic.db", "postgresql://db/log"))
    assert "key 'store': expected the workspace's request log" in refused(
        root, "flywheel", {"config": "configs/far.yaml"}
    )
    (root / "configs" / "gone.yaml").write_text(flywheel.replace("configs/student.yaml", "configs/none.yaml"))
    assert refused(root, "flywheel", {"config": "configs/gone.yaml"}) == "configs/none.yaml: recipe file not found"
