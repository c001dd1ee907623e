"""`tunesmith eval … --benchmarks`: lm-evaluation-harness tasks through its own HFLM (with `peft=` a run's adapter),
on the shipped local-file task in examples/benchmarks/, with the network refused."""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

import pytest

from tests.cli.test_commands import run_cli
from tests.conftest import save_tiny_llama
from tunesmith.errors import InputError
from tunesmith.eval.benchmarks import BENCHMARKS_FILE, run_benchmarks

ROOT = Path(__file__).resolve().parents[2]
INCLUDE = ROOT / "examples" / "benchmarks"
TASK = "tunesmith_local_mc"  # 20 questions, read by examples/benchmarks/local_files.py


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, smol_tokenizer) -> tuple[Path, Path]:
    """(a random tiny Llama, a run directory with a LoRA adapter on it). The wide init makes the model's choices
    depend on its weights (at 0.02 every choice scores by its length alone), and the adapter's random B moves them."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    root = tmp_path_factory.mktemp("benchmarks")
    base = save_tiny_llama(root / "base", smol_tokenizer, initializer_range=0.5)
    run = root / "runs" / "lora"
    run.mkdir(parents=True)
    (run / "recipe.yaml").write_text(f"model: {base}\ndata: {{train: {root / 'train.jsonl'}}}\n", encoding="utf-8")
    torch.manual_seed(1)
    lora = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj", "o_proj"], init_lora_weights=False)
    get_peft_model(AutoModelForCausalLM.from_pretrained(base), lora).save_pretrained(run / "final")
    smol_tokenizer.save_pretrained(run / "final")
    return base, run


@pytest.fixture
def offline(monkeypatch) -> list:
    """Refuse (and record) every connection and name lookup."""
    attempts: list = []

    def refuse(*args, **kwargs):
        attempts.append(args[1:] if args and isinstance(args[0], socket.socket) else args)
        raise OSError("the network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def _acc(report: dict) -> dict:
    return report["results"][TASK]["metrics"]["acc"]


def test_local_task_scores_the_base_and_the_runs_adapter_offline(tiny, offline, tmp_path, monkeypatch):
    base, run = tiny
    monkeypatch.chdir(tmp_path)  # any folder: the task reads its file from beside its YAML
    plain = run_benchmarks(base, [TASK], INCLUDE, out_dir=tmp_path)
    tuned = run_benchmarks(run, [TASK], INCLUDE, num_fewshot=1)
    assert offline == []  # a local task needs no hub: nothing tried to connect, not even lm_eval's model lookup

    assert json.loads((tmp_path / BENCHMARKS_FILE).read_text(encoding="utf-8")) == plain
    row = plain["results"][TASK]
    assert row["n_samples"] == 20 and row["n_shot"] == 0 and set(row["metrics"]) == {"acc", "acc_norm"}
    for report in (plain, tuned):
        assert 0 <= _acc(report)["value"] <= 1 and _acc(report)["stderr"] > 0
        assert report["lm_eval_version"].startswith("0.4.") and report["device"] == "cpu"

    assert plain["adapter"] is None and tuned["adapter"] == str(run / "final") and tuned["base"] == str(base)
    assert tuned["num_fewshot"] == 1 and tuned["results"][TASK]["n_shot"] == 1
    # the harness evaluated base + LoRA: its parameter count grew by the adapter's, and its answers changed
    from safetensors.torch import load_file

    lora_params = sum(t.numel() for t in load_file(run / "final" / "adapter_model.safetensors").values())
    assert tuned["model_num_parameters"] - plain["model_num_parameters"] == lora_params
    assert _acc(tuned)["value"] != _acc(plain)["value"]


def test_cli_runs_only_the_benchmarks_and_writes_them_beside_the_runs_report(tiny, offline, monkeypatch, capsys):
    _, run = tiny
    monkeypatch.chdir(ROOT)  # the command as docs/evaluation.md and examples/benchmarks/README.md write it
    args = ["eval", str(run), "--benchmarks", TASK, "--benchmark-include", "examples/benchmarks", "--limit", "8"]
    code, out, err = run_cli(monkeypatch, capsys, *args)
    assert code == 0, err
    assert "Benchmarks (lm-evaluation-harness 0.4." in out and "acc_norm" in out and "±" in out
    assert "not comparable with published numbers" in out
    report = json.loads((run / "eval" / BENCHMARKS_FILE).read_text(encoding="utf-8"))
    assert report["adapter"] == str(run / "final") and report["limit"] == 8
    assert report["results"][TASK]["n_samples"] == 8
    assert not (run / "eval" / "report.json").exists()  # no --data: the task eval did not run
    assert offline == []


def test_an_unknown_task_names_the_closest(tiny, offline):
    with pytest.raises(InputError) as exc:
        run_benchmarks(tiny[0], ["arc_easy", "tunesmith_local_mcq"], INCLUDE)
    assert exc.value.where == "--benchmarks"
    assert "unknown lm_eval task 'tunesmith_local_mcq'; did you mean 'tunesmith_local_mc'?" in exc.value.message
    assert "lm-eval ls tasks" in exc.value.message


def test_a_missing_data_file_is_an_input_error(tiny, tmp_path, monkeypatch):
    """A task in the `dataset_path: json` form reads data_files from the current folder; a miss says so."""
    (tmp_path / "tasks").mkdir()
    (tmp_path / "tasks" / "mine.yaml").write_text(
        "task: mine\ndataset_path: json\ndataset_kwargs: {data_files: {test: mine.jsonl}}\n"
        "output_type: multiple_choice\ntest_split: test\ndoc_to_text: q\ndoc_to_choice: [a, b]\ndoc_to_target: 0\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as exc:
        run_benchmarks(tiny[0], ["mine"], tmp_path / "tasks")
    assert "mine.jsonl" in exc.value.message and "current folder" in exc.value.message


def test_a_missing_include_folder_and_a_missing_lm_eval_are_input_errors(tmp_path, monkeypatch):
    with pytest.raises(InputError, match="expected a folder of lm_eval task YAML files"):
        run_benchmarks("smollm2-135m", [TASK], tmp_path / "nope")
    monkeypatch.setitem(sys.modules, "lm_eval", None)  # as if the extra were not installed
    with pytest.raises(InputError, match=r"pip install 'tunesmith\[benchmarks\]'"):
        run_benchmarks("smollm2-135m", [TASK], INCLUDE)


@pytest.mark.slow
def test_the_default_model_beats_chance_on_the_local_task(offline, tmp_path):
    report = run_benchmarks("smollm2-135m", [TASK], INCLUDE, out_dir=tmp_path)
    assert offline == []
    assert _acc(report)["value"] > 0.25  # four choices; easy sums and capitals
