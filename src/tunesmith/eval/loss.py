"""Validation loss and perplexity on chat data, counted on the tokens training would learn from."""

from __future__ import annotations

import math

from tunesmith.models.templates import assistant_token_mask, training_template


def validation_loss(
    model,
    tokenizer,
    conversations: list[list[dict]],
    batch_size: int = 8,
    max_length: int = 1024,
    tools: list[list[dict] | None] | None = None,
):
    """Mean next-token loss over assistant tokens (all tokens when the template cannot mark them); `tools`, one
    list or None per conversation, are rendered as training renders them."""
    return loss_scores(*example_losses(model, tokenizer, conversations, batch_size, max_length, tools))


def loss_scores(nll: list[float], tokens: list[int]) -> dict[str, float]:
    """Token-weighted loss (summed loss over summed tokens) and its perplexity, rounded as reports show them."""
    loss = sum(nll) / max(sum(tokens), 1)
    return {"loss": round(loss, 4), "perplexity": round(math.exp(min(loss, 50)), 3)}


def example_losses(
    model,
    tokenizer,
    conversations: list[list[dict]],
    batch_size: int = 8,
    max_length: int = 1024,
    tools: list[list[dict] | None] | None = None,
) -> tuple[list[float], list[int]]:
    """Each conversation's summed next-token loss and the number of tokens it is counted on: the loss's parts per
    example, which its bootstrap interval resamples."""
    import torch

    template = training_template(tokenizer)
    tools = tools or [None] * len(conversations)
    nll, counted = [], []
    for start in range(0, len(conversations), batch_size):
        ids, labels = [], []
        for conv, listed in zip(conversations[start : start + batch_size], tools[start : start + batch_size]):
            tokens, mask = assistant_token_mask(tokenizer, conv, template, listed)
            tokens, mask = tokens[:max_length], mask[:max_length]
            ids.append(tokens)
            labels.append([t if m else -100 for t, m in zip(tokens, mask)])
        width = max(len(x) for x in ids)
        pad = tokenizer.pad_token_id
        input_ids = torch.tensor([x + [pad] * (width - len(x)) for x in ids])
        attention = torch.tensor([[1] * len(x) + [0] * (width - len(x)) for x in ids])
        target = torch.tensor([y + [-100] * (width - len(y)) for y in labels])
        with torch.inference_mode():
            logits = model(input_ids=input_ids.to(model.device), attention_mask=attention.to(model.device)).logits
        logits = logits[:, -input_ids.shape[1] :]  # soft-prompt methods put their virtual tokens' logits first
        shift_logits = logits[:, :-1].float()
        shift_target = target[:, 1:].to(logits.device)
        losses = torch.nn.functional.cross_entropy(
            shift_logits.reshape(-1, shift_logits.size(-1)), shift_target.reshape(-1), reduction="none"
        ).view(shift_target.shape)  # ignored (-100) positions count 0
        nll += losses.sum(dim=1).tolist()
        counted += (shift_target != -100).sum(dim=1).tolist()
    return nll, counted
