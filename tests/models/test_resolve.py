"""Model references: aliases convert once to plain safetensors, folders and hub ids pass, others are errors."""

import json
from pathlib import Path

import pytest

from tunesmith.errors import InputError
from tunesmith.models.resolve import resolve_model


def test_alias_is_a_plain_float_safetensors_folder(smol_dir):
    folder = Path(smol_dir)
    assert (folder / "model.safetensors").is_file()
    config = json.loads((folder / "config.json").read_text())
    assert "quantization_config" not in config
    assert resolve_model("smollm2-135m") == smol_dir  # cached: no second conversion


def test_local_folder_and_hub_id_pass_through(tiny_model_dir, monkeypatch):
    import tunesmith.models.resolve as resolve

    monkeypatch.setattr(resolve, "hub_problem", lambda: None)  # the hub reachable, as on a machine with network
    assert resolve_model(str(tiny_model_dir)) == str(tiny_model_dir)
    assert resolve_model("HuggingFaceTB/SmolLM2-135M-Instruct") == "HuggingFaceTB/SmolLM2-135M-Instruct"


def test_an_unreachable_hub_fails_at_once_naming_the_way_out(tmp_path, monkeypatch, capsys):
    import sys

    from tunesmith.cli.main import main

    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens there: as a machine with no route
    data = tmp_path / "d.jsonl"
    data.write_text('{"prompt": "a", "completion": "b"}\n', encoding="utf-8")
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(f"model: some-org/some-model\ndata: {{train: {data}}}\noutput: {{dir: runs}}\n")
    monkeypatch.setattr(sys, "argv", ["tunesmith", "train", str(recipe), "--no-eval"])
    with pytest.raises(SystemExit) as exc:
        main()
    err = " ".join(capsys.readouterr().err.split())
    assert exc.value.code == 2
    assert err.startswith("error: model 'some-org/some-model': the Hugging Face hub could not be reached")
    assert "http://127.0.0.1:9" in err and "local model folder or an alias (smollm2-135m)" in err
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize(
    ("ref", "expected"), [("no-such-model", "not an alias"), ("./missing", "no such model folder")]
)
def test_unresolvable_refs_are_input_errors(ref, expected):
    with pytest.raises(InputError, match=expected):
        resolve_model(ref)


def test_folder_without_config_is_rejected(tmp_path):
    with pytest.raises(InputError, match="no config.json"):
        resolve_model(str(tmp_path))
