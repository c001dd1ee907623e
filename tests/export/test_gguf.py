"""GGUF export through llama.cpp's converter, verified in llama.cpp against the PyTorch model.

A LoRA run on a tiny random Llama: f32 is token-identical to PyTorch, quantized types load and report metrics,
adapter-only (base GGUF + GGUF LoRA) answers as the merged GGUF does; bad input is refused before anything is
written, and a failure mid-export leaves no output folder.
"""

from __future__ import annotations

import json
import re
import sys

import pytest
from gguf import GGUFReader

from tests.export.gguf_runs import shared_root, train_run, varied_tiny_llama
from tunesmith.config import load_run_recipe
from tunesmith.errors import InputError
from tunesmith.export import verify
from tunesmith.export.gguf import export_gguf
from tunesmith.export.gguf_runtime import LlamaCppRuntime
from tunesmith.export.llama_cpp import QUANTS, fetch_converters, import_llama_cpp
from tunesmith.models.loading import load_model, load_tokenizer


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return shared_root(tmp_path_factory)


@pytest.fixture(scope="module")
def model_dir(root, smol_tokenizer):
    return varied_tiny_llama(root, smol_tokenizer)


@pytest.fixture(scope="module")
def lora_run(root, model_dir):
    return train_run(root, model_dir, "tiny-lora")


@pytest.fixture(scope="module")
def f32_export(lora_run, root):
    return export_gguf(lora_run, root / "f32", quant="f32")


def _field(path, key):
    return GGUFReader(path).fields[key].contents()


def test_f32_gguf_replies_as_pytorch_does_and_carries_the_tokenizer_and_chat_template(f32_export, lora_run, root):
    (check,) = f32_export.checks
    assert f32_export.model == root / "f32" / "tiny-lora-f32.gguf"
    assert sorted(p.name for p in (root / "f32").iterdir()) == ["export_report.json", "tiny-lora-f32.gguf"]
    assert check.prompts == 6 and check.identical == 6 and check.mismatches == []
    assert check.metrics == check.pytorch_metrics and set(check.metrics) == {"exact_match", "rouge_l"}
    assert check.size_bytes == f32_export.model.stat().st_size and check.load_seconds > 0
    report = json.loads(f32_export.report.read_text())
    assert report["checks"][0]["all_identical"] and report["files"] == {"tiny-lora-f32.gguf": check.size_bytes}

    tokenizer = load_tokenizer(str(lora_run / "final"))
    assert _field(f32_export.model, "tokenizer.chat_template") == tokenizer.chat_template
    assert len(_field(f32_export.model, "tokenizer.ggml.tokens")) == len(tokenizer)
    assert _field(f32_export.model, "tokenizer.ggml.eos_token_id") == tokenizer.eos_token_id


def test_the_replies_compared_vary_so_identical_means_the_weights_agree(lora_run, model_dir):
    tokenizer = load_tokenizer(str(model_dir))
    model = load_model(str(model_dir)).eval()
    prompts = _eval_prompts(lora_run, tokenizer)
    replies = verify.pytorch_replies(model, prompts, verify.stop_ids(model, tokenizer))
    assert len({token for reply in replies.tokens for token in reply}) > 20  # not one token repeated


def _eval_prompts(run, tokenizer) -> verify.EvalPrompts:
    return verify.eval_prompts(load_run_recipe(run / "recipe.yaml").eval, tokenizer)


@pytest.mark.parametrize(("quant", "ftype"), [("f16", 1), ("q8_0", 7), ("q4_k_m", 15)])
def test_f16_and_quantized_ggufs_load_in_llama_cpp_and_report_metrics_beside_pytorch(
    lora_run, root, f32_export, quant, ftype
):
    result = export_gguf(lora_run, root / quant, quant=quant)
    (check,) = result.checks
    assert result.model.name == f"tiny-lora-{quant}.gguf"
    assert _field(result.model, "general.file_type") == ftype  # the llama_ftype llama.cpp recorded
    assert check.format == f"gguf {quant}" and check.prompts == 6
    assert set(check.metrics) == set(check.pytorch_metrics) == {"exact_match", "rouge_l"}
    assert check.size_bytes < f32_export.checks[0].size_bytes
    if quant == "q4_k_m":
        # 32-wide rows are not a multiple of the K-quants' 256-value blocks: llama.cpp falls back, per tensor
        types = {t.tensor_type.name for t in GGUFReader(result.model).tensors}
        assert "Q4_K" not in types and types & {"Q5_0", "Q8_0"}


def test_adapter_only_lora_on_the_base_gguf_answers_as_the_merged_gguf(lora_run, root, f32_export):
    result = export_gguf(lora_run, root / "lora", quant="f32", adapter_only=True)
    assert sorted(p.name for p in (root / "lora").iterdir()) == [
        "base-f32.gguf",
        "export_report.json",
        "tiny-lora-lora-f32.gguf",
    ]
    (check,) = result.checks
    assert check.identical == check.prompts == 6  # base + LoRA in llama.cpp vs PyTorch
    assert result.adapter_vs_merged.identical == result.adapter_vs_merged.prompts == 6
    assert result.adapter.stat().st_size < result.model.stat().st_size / 100
    assert _field(result.adapter, "general.type") == "adapter"
    assert json.loads(result.report.read_text())["adapter_vs_merged_gguf"] == {"identical": 6, "prompts": 6}

    ids = _eval_prompts(lora_run, load_tokenizer(str(lora_run / "final"))).ids
    with_lora, alone = LlamaCppRuntime(result.model, result.adapter), LlamaCppRuntime(result.model)
    try:
        assert [with_lora.greedy(i, 8, set()) for i in ids] != [alone.greedy(i, 8, set()) for i in ids]
    finally:
        with_lora.close()
        alone.close()


def test_an_unknown_quant_type_lists_the_known_ones_and_writes_nothing(lora_run, tmp_path):
    with pytest.raises(InputError, match="unknown quant type 'q9_k'; known: f32, f16, bf16, q8_0, q4_0") as caught:
        export_gguf(lora_run, tmp_path / "out", quant="q9_k")
    assert caught.value.where == "--quant" and all(q in caught.value.message for q in QUANTS)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("method", "adapter_only", "message"),
    [
        ({"name": "prompt_tuning", "num_virtual_tokens": 4}, False, "method 'prompt_tuning' adds trained virtual"),
        ({"name": "full"}, True, "method 'full' trains the model itself, so there is no adapter to export alone"),
        ({"name": "lora", "r": 4, "use_dora": True}, True, "method 'lora' trains DoRA magnitude vectors"),
    ],
    ids=["prompt_tuning", "full-adapter-only", "dora-adapter-only"],
)
def test_runs_that_cannot_be_exported_so_are_refused_naming_the_method(
    root, model_dir, tmp_path, method, adapter_only, message
):
    run = train_run(root, model_dir, f"other-{method['name']}-{len(method)}", steps=1, method=method)
    with pytest.raises(InputError, match=message) as caught:
        export_gguf(run, tmp_path / "out", adapter_only=adapter_only)
    assert caught.value.where == str(run)
    assert "cannot be merged" in caught.value.message or "drop --adapter-only" in caught.value.message
    assert list(tmp_path.iterdir()) == []


def test_a_converter_failing_mid_export_leaves_no_output_folder(lora_run, tmp_path):
    checkout = tmp_path / "llama.cpp"
    checkout.mkdir()
    (checkout / "convert_lora_to_gguf.py").write_text("")
    (checkout / "convert_hf_to_gguf.py").write_text(
        "import sys\n"
        "out = sys.argv[sys.argv.index('--outfile') + 1]\n"
        "open(out, 'wb').write(b'GGUF half')\n"
        "sys.exit('converter broke halfway')\n"
    )
    with pytest.raises(InputError, match="convert_hf_to_gguf.py failed:\nconverter broke halfway"):
        export_gguf(lora_run, tmp_path / "out", llama_cpp=checkout)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["llama.cpp"]  # no output, no temporary folder


def test_a_folder_that_is_not_a_llama_cpp_checkout_is_refused(lora_run, tmp_path):
    with pytest.raises(InputError, match="is not a llama.cpp checkout .no convert_hf_to_gguf.py, convert_lora"):
        export_gguf(lora_run, tmp_path / "out", llama_cpp=tmp_path)


def test_a_sdist_pip_cannot_fetch_says_what_to_do(tmp_path):
    with pytest.raises(InputError, match="could not download the llama-cpp-python 0.0.1 sdist.*--llama-cpp DIR"):
        fetch_converters("0.0.1", tmp_path / "converters")
    assert not (tmp_path / "converters").exists()


def test_missing_llama_cpp_python_says_how_to_install_it_whether_it_can_compile_and_suggests_q8_0(
    monkeypatch, lora_run, tmp_path
):
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # `import llama_cpp` now fails, as when it is not installed
    with pytest.raises(InputError, match=r"quantizing to q4_k_m needs llama-cpp-python") as caught:
        export_gguf(lora_run, tmp_path / "out", quant="q4_k_m", verify=False)
    message = caught.value.message
    assert "pip install 'tunesmith[gguf]'" in message and "--quant q8_0" in message
    assert "a C compiler was found" in message
    assert list(tmp_path.iterdir()) == []

    monkeypatch.setenv("PATH", str(tmp_path))  # no cc, gcc or clang to be found
    with pytest.raises(InputError, match="no C compiler .cc, gcc or clang. was found on PATH"):
        import_llama_cpp("quantizing to q4_k_m")


def test_llama_cpp_python_still_has_the_quantizer_api_and_ftypes_tunesmith_uses(capfd, f32_export, tmp_path):
    """The low-level llama-cpp-python names tunesmith relies on (all in export/llama_cpp.py): fails when they change."""
    from tunesmith.export.llama_cpp import QUANTIZER_TYPES, ftype, quantize

    llama_cpp = import_llama_cpp("this test")
    assert [ftype(llama_cpp, name) for name in ("q4_0", "q4_k_m", "q6_k")] == [2, 15, 18]  # llama.h's values
    assert all(isinstance(ftype(llama_cpp, name), int) for name in QUANTIZER_TYPES)
    params = llama_cpp.llama_model_quantize_default_params()
    assert {"ftype", "nthread"} <= {name for name, _ in params._fields_}
    capfd.readouterr()
    quantize(f32_export.model, tmp_path / "q6_k.gguf", "q6_k")
    assert _field(tmp_path / "q6_k.gguf", "general.file_type") == 18
    assert capfd.readouterr() == ("", "")  # llama.cpp's quantize log is kept off stdout and stderr


def test_the_cli_prints_each_check_beside_pytorch_and_exits_2_on_bad_input(lora_run, tmp_path, monkeypatch, capsys):
    from tests.cli.test_commands import run_cli

    code, out, _ = run_cli(
        monkeypatch,
        capsys,
        "export",
        "gguf",
        str(lora_run),
        "--out",
        str(tmp_path / "g"),
        "--quant",
        "f32",
        "--limit",
        "2",
    )
    assert code == 0
    rows = [line for line in out.splitlines() if "│" in line]
    assert any(re.search(r"identical replies +│ +2/2 +│", row) for row in rows)
    assert re.search(r"gguf f32 +┃ +PyTorch", out) and max(map(len, out.splitlines())) <= 100
    assert (tmp_path / "g" / "tiny-lora-f32.gguf").is_file() and "Report:" in out

    code, _, err = run_cli(
        monkeypatch, capsys, "export", "ollama", str(lora_run), "--out", str(tmp_path / "o"), "--quant", "q3"
    )
    assert code == 2 and "error: --quant: unknown quant type 'q3'; known: f32" in err
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_the_default_model_exports_f16_identical_to_pytorch_and_reports_q8_0_and_q4_k_m_beside_it(tmp_path_factory):
    """SmolLM2-135M with a LoRA: f16 in llama.cpp gives PyTorch's greedy replies token for token; the quantized
    exports report their task metrics beside PyTorch's (not asserted equal: quantizing changes some replies)."""
    root = tmp_path_factory.mktemp("smol-gguf")
    run = train_run(root, "smollm2-135m", "smol-lora", steps=2, learning_rate=1e-4)
    f16 = export_gguf(run, root / "f16", quant="f16")
    assert f16.checks[0].identical == f16.checks[0].prompts == 6
    for quant in ("q8_0", "q4_k_m"):
        (check,) = export_gguf(run, root / quant, quant=quant).checks
        assert set(check.metrics) == set(check.pytorch_metrics) == {"exact_match", "rouge_l"}
        assert check.pytorch_metrics == f16.checks[0].pytorch_metrics  # the same PyTorch replies, scored alike
        assert check.size_bytes < f16.checks[0].size_bytes * (0.6 if quant == "q8_0" else 0.45)


def test_llama_cpp_python_still_has_the_c_api_the_serving_backend_uses(f32_export):
    """Logits of the last token and LoRAs switched on a context (all in export/gguf_runtime.py): fails when the
    bindings change. The logits read through the C API pick the token llama.cpp's own greedy sampler picks."""
    import numpy as np

    from tunesmith.export.gguf_runtime import last_logits, load_gguf, load_lora

    llm = load_gguf(f32_export.model, n_ctx=256)
    ids = llm.tokenize(b"hello there", add_bos=False)
    llm.eval(ids)
    logits = last_logits(llm)
    assert logits.shape == (llm.n_vocab(),) and np.isfinite(logits).all()
    assert int(np.argmax(logits)) == next(iter(llm.generate(ids, temp=0.0, repeat_penalty=1.0, reset=True)))
    with pytest.raises(InputError, match="could not load this GGUF LoRA"):
        load_lora(llm, f32_export.model)  # a model is not a LoRA
    llm.close()


@pytest.mark.parametrize("switch", [None, "1"])
def test_a_build_with_amx_kernels_loads_weights_in_plain_buffers_unless_asked(f32_export, monkeypatch, switch):
    """ggml's AMX kernels fault (SIGILL) on this project's VMs, so a build with them loads weights without the
    extra buffer types. `Llama` takes no such argument: tunesmith wraps llama_model_default_params of the
    low-level module while it loads. This fails when llama-cpp-python stops reading params that way."""
    import llama_cpp

    from tunesmith.export import gguf_runtime

    made = []
    real = llama_cpp.llama_cpp.llama_model_default_params

    def spy():
        made.append(real())
        return made[-1]

    monkeypatch.setattr(llama_cpp.llama_cpp, "llama_model_default_params", spy)
    monkeypatch.setattr(gguf_runtime, "amx_kernels_built", lambda _: True)
    monkeypatch.delenv(gguf_runtime.AMX_SWITCH, raising=False)
    if switch:
        monkeypatch.setenv(gguf_runtime.AMX_SWITCH, switch)
    llm = gguf_runtime.load_gguf(f32_export.model, n_ctx=256)
    llm.eval(llm.tokenize(b"hello", add_bos=False))
    llm.close()
    assert [params.use_extra_bufts for params in made] == [switch == "1"]  # read once, while the model loaded
    assert llama_cpp.llama_cpp.llama_model_default_params is spy  # put back afterwards


def test_the_amx_check_reads_system_info_in_the_format_it_expects():
    """amx_kernels_built looks for "AMX_INT8 = 1": the build's feature list must still be written "NAME = 1"."""
    info = import_llama_cpp("a test").llama_print_system_info()
    assert re.search(rb"\b(AVX2?|NEON|SSE3) = 1\b", info), info
