"""ONNX export through onnxruntime-genai's model builder, verified in onnxruntime against the PyTorch model.

A LoRA run on a tiny random Llama whose greedy replies vary token by token (init std 0.2, as for GGUF) and whose
head size is 16 (onnxruntime's CPU attention needs a multiple of 16; the shared tiny model's is 8): fp32 is
token-identical to PyTorch, int8/int4 load, run and report metrics; bad input is refused before anything is
written, and a failure mid-export leaves no output folder.
"""

from __future__ import annotations

import json
import re

import pytest
from transformers import AutoTokenizer

from tests.conftest import save_tiny_llama
from tests.export.gguf_runs import train_run
from tunesmith.errors import InputError
from tunesmith.export import onnx_builder
from tunesmith.export.onnx import export_onnx
from tunesmith.export.onnx_runtime import Decoder, OnnxRuntime
from tunesmith.models.loading import load_tokenizer

MESSAGES = [{"role": "user", "content": "What is 2 + 3?"}]


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return tmp_path_factory.mktemp("onnx-runs")


@pytest.fixture(scope="module")
def model_dir(root, smol_tokenizer):
    return save_tiny_llama(root / "tiny-llama-h16", smol_tokenizer, initializer_range=0.2, head_dim=16)


@pytest.fixture(scope="module")
def lora_run(root, model_dir):
    return train_run(root, model_dir, "tiny-lora")


@pytest.fixture(scope="module")
def fp32_export(lora_run, root):
    return export_onnx(lora_run, root / "fp32")


def test_fp32_onnx_replies_as_pytorch_does_and_runs_on_its_own(fp32_export, lora_run, root):
    out = root / "fp32"
    check = fp32_export.check
    assert fp32_export.model == out / "model.onnx" and fp32_export.report == out / "export_report.json"
    assert {"model.onnx", "model.onnx.data", "genai_config.json", "tokenizer.json", "chat_template.jinja"} <= {
        p.name for p in out.iterdir()
    }
    assert not [p for p in root.iterdir() if p.name.startswith(".fp32")]  # no temporary folder left beside it
    assert check.format == "onnx fp32" and check.runtime.startswith("onnxruntime ") and check.artifact == str(out)
    assert check.prompts == 6 and check.identical == 6 and check.mismatches == []
    assert check.metrics == check.pytorch_metrics and set(check.metrics) == {"exact_match", "rouge_l"}
    assert check.size_bytes == sum(p.stat().st_size for p in out.iterdir() if p.name != "export_report.json")
    assert check.load_seconds > 0 and check.tokens_per_second > 0
    report = json.loads(fp32_export.report.read_text())
    assert report["checks"][0]["all_identical"] and report["precision"] == "fp32"
    assert report["exporter"].startswith("onnxruntime-genai ") and "model.onnx.data" in report["files"]

    # the folder alone: its tokenizer renders the run's chat template, and onnxruntime answers from it
    ours, runs = AutoTokenizer.from_pretrained(out), load_tokenizer(str(lora_run / "final"))
    prompt = ours.apply_chat_template(MESSAGES, add_generation_prompt=True, tokenize=False)
    assert prompt == runs.apply_chat_template(MESSAGES, add_generation_prompt=True, tokenize=False)
    reply = OnnxRuntime(out).greedy(ours(prompt)["input_ids"], 8, set())
    assert len(reply) == 8 and len(set(reply)) > 1  # not one token repeated


@pytest.mark.parametrize("precision", ["int8", "int4"])
def test_quantized_onnx_loads_in_onnxruntime_and_reports_metrics_beside_pytorch(lora_run, root, precision):
    result = export_onnx(lora_run, root / precision, precision=precision)
    check = result.check
    assert check.format == f"onnx {precision}" and check.prompts == 6
    assert set(check.metrics) == set(check.pytorch_metrics) == {"exact_match", "rouge_l"}
    assert "MatMulNBits" in (root / precision / "model.onnx").read_bytes().decode("latin-1")  # weights quantized


def test_an_unknown_precision_lists_the_known_ones_and_writes_nothing(lora_run, tmp_path):
    with pytest.raises(InputError, match="unknown precision 'fp8'; known: fp32, int8, int4") as caught:
        export_onnx(lora_run, tmp_path / "out", precision="fp8")
    assert caught.value.where == "--precision"
    assert list(tmp_path.iterdir()) == []


def test_a_prompt_tuning_run_is_refused_naming_the_method(root, model_dir, tmp_path):
    method = {"name": "prompt_tuning", "num_virtual_tokens": 4}
    run = train_run(root, model_dir, "prompt-tuning", steps=1, method=method)
    with pytest.raises(InputError, match="method 'prompt_tuning' adds trained virtual tokens") as caught:
        export_onnx(run, tmp_path / "out")
    assert caught.value.where == str(run) and "use the run directory itself" in caught.value.message
    assert list(tmp_path.iterdir()) == []


def test_a_model_onnxruntime_cannot_run_fails_after_building_and_leaves_no_output_folder(
    root, tiny_model_dir, tmp_path
):
    run = train_run(root, tiny_model_dir, "head-size-8", steps=1)  # the shared tiny Llama: head size 8
    with pytest.raises(InputError, match="head size is 8; onnxruntime's CPU attention kernel") as caught:
        export_onnx(run, tmp_path / "out", verify=False)
    assert caught.value.where == str(run)
    assert list(tmp_path.iterdir()) == []  # neither the output nor its temporary folder


def test_an_architecture_the_builder_does_not_support_is_reported_with_its_words(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2"}))
    with pytest.raises(
        InputError, match="model builder could not export it: NotImplementedError: .* not currently"
    ) as caught:
        onnx_builder.build(tmp_path, tmp_path / "out", "fp32", tmp_path / "cache", 1)
    assert caught.value.where == str(tmp_path) and "builder.py" in caught.value.message  # the end of its log follows


def test_missing_packages_are_named_with_the_extra_that_installs_them(monkeypatch, lora_run, tmp_path):
    monkeypatch.setitem(onnx_builder.REQUIRED, "no_such_module_for_tunesmith", "onnxruntime-genai")
    with pytest.raises(InputError, match=r"exporting to ONNX needs onnxruntime-genai: pip install 'tunesmith\[onnx\]'"):
        export_onnx(lora_run, tmp_path / "out", verify=False)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_without_genai_config_is_not_an_onnx_export(tmp_path):
    with pytest.raises(InputError, match="not an ONNX export folder .no genai_config.json."):
        Decoder.read(tmp_path)


def test_the_cli_prints_the_check_beside_pytorch_and_exits_2_on_bad_input(
    lora_run, fp32_export, tmp_path, monkeypatch, capsys
):
    from tests.cli.test_commands import run_cli

    args = ["export", "onnx", str(lora_run), "--out", str(tmp_path / "o"), "--limit", "2"]
    code, out, _ = run_cli(monkeypatch, capsys, *args)
    assert code == 0
    rows = [line for line in out.splitlines() if "│" in line]
    assert any(re.search(r"identical replies +│ +2/2 +│", row) for row in rows)
    assert re.search(r"onnx fp32 +┃ +PyTorch", out) and max(map(len, out.splitlines())) <= 100
    assert (tmp_path / "o" / "model.onnx").is_file() and "Report:" in out

    code, _, err = run_cli(
        monkeypatch, capsys, "export", "onnx", str(lora_run), "--out", str(tmp_path / "x"), "--precision", "int2"
    )
    assert code == 2 and "error: --precision: unknown precision 'int2'; known: fp32, int8, int4" in err
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
def test_the_default_model_exports_fp32_identical_to_pytorch_and_int4_reports_metrics_beside_it(tmp_path_factory):
    """SmolLM2-135M with a LoRA: fp32 in onnxruntime gives PyTorch's greedy replies token for token; int4 reports
    its task metrics beside PyTorch's (not asserted equal: quantizing changes some replies)."""
    root = tmp_path_factory.mktemp("smol-onnx")
    run = train_run(root, "smollm2-135m", "smol-lora", steps=2, learning_rate=1e-4)
    fp32 = export_onnx(run, root / "fp32")
    assert fp32.check.identical == fp32.check.prompts == 6
    int4 = export_onnx(run, root / "int4", precision="int4").check
    assert set(int4.metrics) == set(int4.pytorch_metrics) == {"exact_match", "rouge_l"}
    assert int4.pytorch_metrics == fp32.check.pytorch_metrics  # the same PyTorch replies, scored alike
    assert int4.size_bytes < fp32.check.size_bytes * 0.25
