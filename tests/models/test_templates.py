"""The shipped training template renders exactly like the model's own and marks only assistant replies."""

from tunesmith.models.templates import PROBE, has_generation_markers, training_template


def trained_text(tokenizer, messages) -> str:
    template = training_template(tokenizer)
    enc = tokenizer.apply_chat_template(
        messages, chat_template=template, tokenize=True, return_dict=True, return_assistant_tokens_mask=True
    )
    return tokenizer.decode([t for t, m in zip(enc["input_ids"], enc["assistant_masks"]) if m])


def test_smollm2_gets_a_training_template_that_renders_identically(smol_tokenizer):
    template = training_template(smol_tokenizer)
    assert has_generation_markers(template)
    for conv in (PROBE, [{"role": "system", "content": "S"}, {"role": "user", "content": "U"}]):
        for gen in (False, True):
            ours = smol_tokenizer.apply_chat_template(
                conv, chat_template=template, tokenize=False, add_generation_prompt=gen
            )
            own = smol_tokenizer.apply_chat_template(conv, tokenize=False, add_generation_prompt=gen)
            assert ours == own


def test_only_assistant_replies_and_their_end_token_are_trained(smol_tokenizer):
    assert trained_text(smol_tokenizer, PROBE) == "Hello!<|im_end|>4<|im_end|>"


def test_weight_zero_turns_are_not_trained(smol_tokenizer):
    messages = [dict(m) for m in PROBE]
    messages[1]["weight"] = 0
    messages[3]["weight"] = 1
    assert trained_text(smol_tokenizer, messages) == "4<|im_end|>"


def test_unknown_template_gets_none(smol_tokenizer):
    import copy

    tok = copy.deepcopy(smol_tokenizer)
    tok.chat_template = "{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}\n{% endfor %}"
    assert training_template(tok) is None
