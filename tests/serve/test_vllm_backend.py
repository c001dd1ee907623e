"""`--backend vllm` stops at once, with a clear message, where vLLM or a CUDA GPU is missing; its pure helpers."""

from __future__ import annotations

import json
import sys

import pytest

from tunesmith.cli.main import main
from tunesmith.errors import InputError
from tunesmith.serve.backends import vllm as vllm_backend
from tunesmith.serve.launch import ServeOptions, build


def run_cli(monkeypatch, capsys, *args: str) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["tunesmith", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    return (exc.value.code or 0), capsys.readouterr().err


@pytest.mark.skipif(vllm_backend.vllm_installed(), reason="vLLM is installed here")
def test_cli_without_vllm_exits_2_before_loading_anything(monkeypatch, capsys, tmp_path):
    db = tmp_path / "logs.db"
    code, err = run_cli(
        monkeypatch, capsys, "serve", str(tmp_path / "no-such-model"), "--backend", "vllm", "--store", str(db)
    )
    assert code == 2
    assert "--backend vllm" in err and "vLLM is not installed" in err and "--backend transformers" in err
    assert "no-such-model" not in err  # stopped before the model was even looked up
    assert not db.exists()


def test_vllm_installed_but_no_cuda_gpu_is_an_input_error(monkeypatch, tmp_path):
    import torch

    monkeypatch.setattr(vllm_backend, "vllm_installed", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(InputError) as caught:
        build(ServeOptions(model=str(tmp_path / "no-such-model"), backend="vllm", store=str(tmp_path / "l.db")))
    assert caught.value.where == "--backend vllm" and "needs a CUDA GPU" in caught.value.message
    assert not (tmp_path / "l.db").exists()


def test_unknown_backend_exits_2(monkeypatch, capsys):
    code, err = run_cli(monkeypatch, capsys, "serve", "--backend", "tgi")
    assert code == 2 and "--backend tgi" in err and "expected one of transformers, vllm, llama.cpp" in err


def write_adapter(folder, r: int, rank_pattern: dict | None = None):
    folder.mkdir(parents=True)
    (folder / "adapter_config.json").write_text(json.dumps({"r": r, "rank_pattern": rank_pattern or {}}))
    return folder


def test_lora_rank_is_the_smallest_vllm_rank_that_fits_every_adapter(tmp_path):
    assert vllm_backend.lora_rank([]) == 16
    assert vllm_backend.lora_rank([write_adapter(tmp_path / "a", 4)]) == 16
    assert vllm_backend.lora_rank([write_adapter(tmp_path / "b", 8), write_adapter(tmp_path / "c", 48)]) == 64
    assert vllm_backend.lora_rank([write_adapter(tmp_path / "d", 8, {"q_proj": 300})]) == 320
    with pytest.raises(InputError, match="above vLLM's largest"):
        vllm_backend.lora_rank([write_adapter(tmp_path / "e", 1024)])


def test_plain_text_needs_no_structured_output():
    assert vllm_backend.structured_outputs(None) is None
    assert vllm_backend.structured_outputs({"type": "text"}) is None
