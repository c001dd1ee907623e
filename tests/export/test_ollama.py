"""Ollama export: the Modelfile's TEMPLATE, rendered by Go's own text/template, reproduces the Jinja chat template;
templates it cannot express are refused before anything is written; the folder holds what `ollama create` reads."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.export.gguf_runs import shared_root, train_run, varied_tiny_llama
from tunesmith.errors import InputError
from tunesmith.export.ollama import export_ollama, without_added_bos
from tunesmith.export.ollama_template import SAMPLES, go_template, turn_template
from tunesmith.models.loading import load_tokenizer

RENDERER = Path(__file__).with_name("render_go_template.go")
LLAMA3 = (
    "{{ bos_token }}{% for m in messages %}{{ '<|start_header_id|>' + m['role'] + '<|end_header_id|>\n\n'"
    " + m['content'] | trim + '<|eot_id|>' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"
)
ZEPHYR = (
    "{% for m in messages %}{{ '<|' + m['role'] + '|>\n' + m['content'] + eos_token + '\n' }}"
    "{% if loop.last and add_generation_prompt %}{{ '<|assistant|>\n' }}{% endif %}{% endfor %}"
)
CHATML = (
    "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\n' + m['content'] + '<|im_end|>\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
NUMBERED = "{% for m in messages %}{{ loop.index ~ '. ' ~ m['role'] ~ ': ' ~ m['content'] ~ '\n' }}{% endfor %}"
NO_SYSTEM = (
    "{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}" + CHATML
)
EXTRA = [
    [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "Bye"}],
    [{"role": "system", "content": "S"}, {"role": "user", "content": "Multi\n\nline"}],
]


def with_template(tokenizer, template: str | None):
    other = copy.copy(tokenizer)
    other.chat_template = template
    return other


def go_render(template: str, conversations: list[list[dict]]) -> list[str]:
    """Each conversation through Go's text/template, as Ollama executes a Modelfile's TEMPLATE."""
    assert shutil.which("go"), (
        "Go is needed to check the Ollama TEMPLATE with Go's text/template: apt install golang-go"
    )
    payload = json.dumps({"template": template, "conversations": conversations})
    done = subprocess.run(["go", "run", str(RENDERER)], input=payload, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def as_ollama_sends(conversation: list[dict], system: str | None) -> list[dict]:
    """Ollama prepends the Modelfile's SYSTEM to a conversation that has no system message."""
    if system is not None and conversation[0]["role"] != "system":
        return [{"role": "system", "content": system}, *conversation]
    return conversation


@pytest.mark.parametrize("template", [None, LLAMA3, ZEPHYR, CHATML], ids=["smollm2", "llama3", "zephyr", "chatml"])
def test_the_go_template_renders_every_conversation_as_the_jinja_template_does(smol_tokenizer, template):
    tokenizer = with_template(smol_tokenizer, template or smol_tokenizer.chat_template)
    found = turn_template(tokenizer, "model")
    conversations = [*SAMPLES, *EXTRA]
    expected = [tokenizer.apply_chat_template(c, tokenize=False, add_generation_prompt=True) for c in conversations]
    sent = [as_ollama_sends(c, found.default_system) for c in conversations]
    assert go_render(go_template(found), sent) == expected
    if template is None:  # SmolLM2's template adds its own system message when a conversation has none
        assert found.default_system == "You are a helpful AI assistant named SmolLM, trained by Hugging Face"
    else:
        assert found.default_system is None


@pytest.mark.parametrize(
    ("template", "why"),
    [
        (NUMBERED, "a 1-message conversation renders differently|does not"),
        (NO_SYSTEM, "System role not supported"),
        (None, "the tokenizer has no chat template"),
    ],
    ids=["numbered-turns", "no-system-role", "no-template"],
)
def test_a_template_that_is_not_fixed_text_around_messages_is_refused(smol_tokenizer, template, why):
    with pytest.raises(InputError, match=why) as caught:
        turn_template(with_template(smol_tokenizer, template), "run (chat template)")
    assert caught.value.where == "run (chat template)"
    if template is not None:
        assert "write the Modelfile's TEMPLATE by hand" in caught.value.message


@pytest.fixture(scope="module")
def lora_run(tmp_path_factory, smol_tokenizer):
    root = shared_root(tmp_path_factory)
    return train_run(root, varied_tiny_llama(root, smol_tokenizer), "tiny-lora")


def modelfile_values(text: str) -> dict[str, list[str]]:
    """Each Modelfile instruction's values, unquoted as Ollama's parser does (triple quotes keep text exactly)."""
    found: dict[str, list[str]] = {}
    pattern = r'^(FROM|ADAPTER|TEMPLATE|SYSTEM|PARAMETER) ("""(.*?)"""|"([^"\n]*)"|(\S+ "[^"\n]*")|([^\n]*))$'
    for match in re.finditer(pattern, text, flags=re.M | re.S):
        value = next(v for v in match.groups()[2:] if v is not None)
        found.setdefault(match[1], []).append(value)
    return found


@pytest.mark.parametrize("adapter_only", [False, True], ids=["merged", "adapter-only"])
def test_the_folder_holds_the_gguf_and_a_modelfile_ollama_create_reads(lora_run, tmp_path, adapter_only):
    result = export_ollama(lora_run, tmp_path / "ollama", quant="q8_0", adapter_only=adapter_only, limit=2)
    folder = tmp_path / "ollama"
    assert result.modelfile == folder / "Modelfile" and result.gguf.checks[0].prompts == 2
    values = modelfile_values(result.modelfile.read_text())
    tokenizer = load_tokenizer(str(lora_run / "final"))
    if adapter_only:
        assert values["FROM"] == ["./base-q8_0.gguf"] and values["ADAPTER"] == ["./tiny-lora-lora-f16.gguf"]
    else:
        assert values["FROM"] == ["./tiny-lora-q8_0.gguf"] and "ADAPTER" not in values
    assert all((folder / v).is_file() for v in values["FROM"] + values.get("ADAPTER", []))
    assert values["TEMPLATE"] == [go_template(turn_template(tokenizer, "run"))]
    assert values["SYSTEM"] == ["You are a helpful AI assistant named SmolLM, trained by Hugging Face"]
    assert values["PARAMETER"] == ['stop "<|im_end|>"', "temperature 0"]  # greedy: the model sets no sampling


def test_a_chat_template_ollama_cannot_express_is_refused_before_anything_is_written(lora_run, tmp_path):
    moved = shutil.copytree(lora_run, tmp_path / "numbered-run")
    (moved / "final" / "chat_template.jinja").write_text(NUMBERED)
    with pytest.raises(InputError, match="cannot be written as Ollama's TEMPLATE"):
        export_ollama(moved, tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["numbered-run"]


def test_a_template_that_writes_bos_leaves_it_to_the_tokenizer_when_that_adds_bos_itself(smol_tokenizer):
    tokenizer = with_template(copy.deepcopy(smol_tokenizer), LLAMA3)
    tokenizer.add_bos_token = True  # as llama.cpp tokenizes when the GGUF says add_bos_token
    found = without_added_bos(turn_template(tokenizer, "model"), tokenizer)
    assert found.preamble == ""
    conversation = SAMPLES[1]
    (prompt,) = go_render(go_template(found), [conversation])
    jinja = tokenizer.apply_chat_template(conversation, tokenize=False, add_generation_prompt=True)
    assert tokenizer(prompt)["input_ids"] == tokenizer(jinja, add_special_tokens=False)["input_ids"]  # one BOS
