"""Continued pretraining on raw text and knowledge distillation from a teacher's logits, on the tiny model."""

import pytest
import torch
from safetensors.torch import load_file

from tests.conftest import write_jsonl
from tunesmith.data.text import text_dataset
from tunesmith.errors import InputError
from tunesmith.runs import RunDir, read_jsonl
from tunesmith.train.run import train

FAST = {"max_steps": 3, "batch_size": 2, "eval_steps": 3, "logging_steps": 1, "precision": "fp32", "max_length": 64}


def lora_b_moved(run: RunDir) -> bool:
    adapter = load_file(str(run.final / "adapter_model.safetensors"))
    return any(v.abs().sum() > 0 for k, v in adapter.items() if "lora_B" in k)


def test_pretrain_reads_documents_and_trains_on_every_token(make_recipe, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(12):
        (docs / f"manual-{i}.md").write_text(f"# Manual {i}\n\nThe thermostat model {i} keeps the room warm. " * 8)
    (docs / "notes.bin").write_bytes(b"\x00\x01")  # not a document: skipped
    assert len(text_dataset(docs)) == 12
    recipe = make_recipe(stage="pretrain", data={"train": str(docs), "validation_split": 0.2}, train=FAST)
    result = train(recipe)
    rows = read_jsonl(RunDir(recipe.run_dir).metrics)
    assert result.train_examples == 9 and any("eval_loss" in r for r in rows)  # 12 documents, 3 held out
    assert all(torch.isfinite(torch.tensor(r["loss"])) for r in rows if "loss" in r)
    assert lora_b_moved(RunDir(recipe.run_dir))


def test_pretrain_text_records_and_their_errors(tmp_path):
    good = write_jsonl(tmp_path / "good.jsonl", [{"text": "alpha beta"}, {"text": "gamma"}])
    assert text_dataset(good)["text"] == ["alpha beta", "gamma"]
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"text": "ok"}, {"body": "no text field"}])
    with pytest.raises(InputError, match="bad.jsonl:2: expected an object with a 'text' string field"):
        text_dataset(bad)
    with pytest.raises(InputError, match="training text not found"):
        text_dataset(tmp_path / "missing")


def test_distill_matches_a_teacher_with_the_same_tokenizer(make_recipe, tiny_model_dir, tmp_path, smol_tokenizer):
    from transformers import AutoModelForCausalLM

    torch.manual_seed(1)
    teacher = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    with torch.no_grad():
        for param in teacher.parameters():
            param.add_(0.05 * torch.randn_like(param))  # a different model over the same vocabulary
    teacher.save_pretrained(tmp_path / "teacher")
    smol_tokenizer.save_pretrained(tmp_path / "teacher")
    recipe = make_recipe(
        stage={"name": "distill", "teacher": str(tmp_path / "teacher"), "max_completion_length": 8},
        train={**FAST, "learning_rate": 1e-2},
    )
    train(recipe)
    rows = read_jsonl(RunDir(recipe.run_dir).metrics)
    losses = [r["loss"] for r in rows if "loss" in r]
    assert losses and all(loss >= 0 for loss in losses)  # a divergence, never negative
    assert lora_b_moved(RunDir(recipe.run_dir))


def test_pretrain_packing_keeps_every_token_of_a_document_longer_than_max_length(make_recipe, tmp_path):
    from transformers import TrainerCallback

    class CountTokens(TrainerCallback):
        tokens = 0

        def on_train_begin(self, args, state, control, train_dataloader=None, **kwargs):
            CountTokens.tokens = sum(len(ids) for ids in train_dataloader.dataset["input_ids"])

    long_doc = " ".join(f"word{i}" for i in range(200))  # several hundred tokens, max_length is 64
    data = write_jsonl(tmp_path / "long.jsonl", [{"text": long_doc}, {"text": "short one"}])
    recipe = make_recipe(
        stage="pretrain", data={"train": str(data), "validation_split": 0.0}, train={**FAST, "max_steps": 1}
    )
    train(recipe, callbacks=[CountTokens()])
    from transformers import AutoTokenizer

    expected = len(AutoTokenizer.from_pretrained(recipe.model)(long_doc)["input_ids"])
    assert CountTokens.tokens >= expected  # TRL's "bfd" would have kept 64 of them
