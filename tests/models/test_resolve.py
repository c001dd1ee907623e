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


def test_local_folder_and_hub_id_pass_through(tiny_model_dir):
    assert resolve_model(str(tiny_model_dir)) == str(tiny_model_dir)
    assert resolve_model("HuggingFaceTB/SmolLM2-135M-Instruct") == "HuggingFaceTB/SmolLM2-135M-Instruct"


@pytest.mark.parametrize(
    ("ref", "expected"), [("no-such-model", "not an alias"), ("./missing", "no such model folder")]
)
def test_unresolvable_refs_are_input_errors(ref, expected):
    with pytest.raises(InputError, match=expected):
        resolve_model(ref)


def test_folder_without_config_is_rejected(tmp_path):
    with pytest.raises(InputError, match="no config.json"):
        resolve_model(str(tmp_path))
