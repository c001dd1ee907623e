"""Packed (padding-free) batches do not leak attention across examples, through tunesmith's own training path.

With `train.packing: true` TRL flattens a batch's examples into one row, with `position_ids` restarting at 0 at each
example and no attention mask; the model must derive block-diagonal causal attention from those positions. tunesmith
trains that row with its own loss (the labelled-only, chunked LM head) and, on CPU, its lean eager attention for
short rows, so both must keep the examples apart: each example's loss in a packed row is checked against the same
example trained alone.
"""

from __future__ import annotations

import pytest
import torch
from transformers import AutoModelForCausalLM

from tests.conftest import save_tiny_llama
from tunesmith.runs import RunDir, read_jsonl
from tunesmith.train.run import train
from tunesmith.train.speedups import lean_attention
from tunesmith.train.speedups.labelled_head import labelled_loss

IGNORE = -100  # the label of a position with no loss


@pytest.fixture(scope="module")
def sharp_model_dir(tmp_path_factory, smol_tokenizer):
    """The tiny random Llama with weights 5× the usual scale: attention far from uniform, so a sequence that saw
    another one in its row changes its logits and loss well beyond float32 rounding (with the usual scale a leak
    moved the loss by only 4e-5 of itself)."""
    return save_tiny_llama(tmp_path_factory.mktemp("sharp-llama"), smol_tokenizer, initializer_range=0.1)


def _tiny_model(folder, attention: str = "sdpa"):
    """The tiny random Llama in float32 (exact comparisons), eval mode, with the attention kernel `attention`."""
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
    model.set_attn_implementation(attention)
    return model


def _packed(sequences: list[torch.Tensor], prompt_lengths: list[int]) -> dict[str, torch.Tensor]:
    """One padding-free row as TRL's collator makes it: ids and labels joined, positions restarting per sequence,
    no attention mask, the first token of each sequence unlabelled (nothing before it in its own sequence)."""
    labels = []
    for ids, prompt in zip(sequences, prompt_lengths):
        own = ids.clone()
        own[: max(prompt, 1)] = IGNORE
        labels.append(own)
    return {
        "input_ids": torch.cat(sequences).unsqueeze(0),
        "position_ids": torch.cat([torch.arange(len(ids)) for ids in sequences]).unsqueeze(0),
        "labels": torch.cat(labels).unsqueeze(0),
    }


def _summed_cross_entropy(model, ids: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """The plain reference: token-summed next-token cross entropy from the model's full logits, one sequence."""
    logits = model(input_ids=ids.unsqueeze(0), use_cache=False).logits[0]
    return torch.nn.functional.cross_entropy(logits[:-1], labels[1:], ignore_index=IGNORE, reduction="sum")


def _spans(position_ids: torch.Tensor) -> list[tuple[int, int]]:
    """(start, end) of each sequence in a packed row: a sequence starts wherever its position is 0."""
    starts = (position_ids == 0).nonzero().flatten().tolist()
    return list(zip(starts, starts[1:] + [position_ids.numel()]))


def _capture_sft_trainers(monkeypatch) -> list:
    """Every TRL SFTTrainer (tunesmith's subclass of it included) built from now on, in order.

    The one place this file touches a trainer class: it records instances from TRL's own constructor, so it does
    not depend on where, or under which name, tunesmith defines its subclass."""
    from trl import SFTTrainer

    built = []
    construct = SFTTrainer.__init__

    def recording(self, *args, **kwargs):
        construct(self, *args, **kwargs)
        built.append(self)

    monkeypatch.setattr(SFTTrainer, "__init__", recording)
    return built


@pytest.mark.parametrize("attention", ["sdpa", "eager", "lean"])
def test_packed_sequences_see_only_themselves(sharp_model_dir, attention):
    name = lean_attention.register() if attention == "lean" else attention
    model = _tiny_model(sharp_model_dir, name)
    first, second = torch.randint(0, 1000, (1, 7)), torch.randint(0, 1000, (1, 5))
    with torch.inference_mode():
        alone = [model(input_ids=x).logits for x in (first, second)]
        packed = model(
            input_ids=torch.cat([first, second], dim=1),
            position_ids=torch.cat([torch.arange(7), torch.arange(5)]).unsqueeze(0),
            use_cache=False,  # with a cache transformers skips packed-sequence masking: training sets it off
        ).logits
    torch.testing.assert_close(packed[:, :7], alone[0], atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(packed[:, 7:], alone[1], atol=1e-5, rtol=1e-4)


def test_labelled_loss_of_a_packed_row_is_the_sum_of_its_sequences_alone(sharp_model_dir):
    """tunesmith's labelled-only head under its lean eager attention, on a packed row, against full-logit cross
    entropy of each sequence run on its own with transformers' eager attention."""
    torch.manual_seed(0)
    sequences, prompts = [torch.randint(0, 1000, (n,)) for n in (9, 6, 12)], [4, 2, 7]
    batch = _packed(sequences, prompts)
    lean = _tiny_model(sharp_model_dir, lean_attention.register())
    reference = _tiny_model(sharp_model_dir, "eager")
    ids, labels = batch["input_ids"][0], batch["labels"][0]
    with torch.no_grad():
        loss, stats = labelled_loss(lean, batch, num_items_in_batch=1)  # one item: the token-summed loss
        alone = [_summed_cross_entropy(reference, ids[s:e], labels[s:e]) for s, e in _spans(batch["position_ids"][0])]
    assert stats[-1].item() == sum(len(ids) - p for ids, p in zip(sequences, prompts))  # labelled tokens
    torch.testing.assert_close(loss, torch.stack(alone).sum(), atol=1e-5, rtol=1e-5)


def _labelled_spans(batch: dict) -> list[tuple[int, int]]:
    """The spans of a packed training batch's row that carry labels (not the padding at its end)."""
    return [(s, e) for s, e in _spans(batch["position_ids"][0]) if (batch["labels"][0, s:e] != IGNORE).any()]


def _only(batch: dict, span: tuple[int, int]) -> dict:
    """The packed batch with labels on `span` alone: the loss of that one sequence, attending within the row."""
    labels = torch.full_like(batch["labels"], IGNORE)
    labels[:, span[0] : span[1]] = batch["labels"][:, span[0] : span[1]]
    return {**batch, "labels": labels}


def _alone(batch: dict, span: tuple[int, int]) -> dict:
    """The sequence at `span` as an ordinary unpacked batch of one (attention mask, no position ids)."""
    start, end = span
    return {
        "input_ids": batch["input_ids"][:, start:end],
        "attention_mask": torch.ones(1, end - start, dtype=torch.long),
        "labels": batch["labels"][:, start:end],
    }


def _head_input_lengths(model) -> list[int]:
    """Positions the LM head is given at each call from now on (a forward hook; the model is not changed)."""
    lengths: list[int] = []
    model.get_output_embeddings().register_forward_hook(lambda module, args, out: lengths.append(args[0].shape[-2]))
    return lengths


def test_tunesmith_packed_training_scores_each_sequence_as_if_alone(make_recipe, sharp_model_dir, monkeypatch):
    """`train(recipe)` with packing: the trainer's own batches are packed rows, and its own loss (labelled-only head,
    lean eager attention on a short row) gives each sequence in a row the loss it has when trained alone."""
    trainers = _capture_sft_trainers(monkeypatch)
    packed = {"packing": True, "max_steps": 2, "batch_size": 1, "max_length": 128, "precision": "fp32"}
    recipe = make_recipe(model=str(sharp_model_dir), train=packed)
    assert train(recipe).steps == 2
    trainer = trainers[-1]
    batch = next(iter(trainer.get_train_dataloader()))
    spans = _labelled_spans(batch)
    assert "attention_mask" not in batch and len(spans) >= 2  # several examples share the one row
    assert all(batch["position_ids"][0, s:e].tolist() == list(range(e - s)) for s, e in spans)  # restart per example

    model = trainer.model.eval()
    head_inputs = _head_input_lengths(model)
    with torch.no_grad():
        for span in spans:
            in_row = trainer.compute_loss(model, _only(batch, span), num_items_in_batch=1)
            alone = trainer.compute_loss(model, _alone(batch, span), num_items_in_batch=1)
            torch.testing.assert_close(in_row, alone, atol=1e-5, rtol=1e-5)
    assert model.config._attn_implementation == lean_attention.NAME  # short rows: tunesmith's lean eager attention
    scored = (_only(batch, spans[0])["labels"][0, 1:] != IGNORE).sum().item()
    assert head_inputs[:1] == [scored] and scored < batch["input_ids"].shape[1]  # the head saw labelled positions only


def test_training_with_packing_learns(make_recipe):
    recipe = make_recipe(method={"name": "full"}, train={"packing": True, "max_steps": 6, "learning_rate": 5e-3})
    result = train(recipe)
    evals = [r["eval_loss"] for r in read_jsonl(RunDir(recipe.run_dir).metrics) if "eval_loss" in r]
    assert result.steps == 6
    assert evals[-1] < evals[0]
