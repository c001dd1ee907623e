"""Training chat templates: a model's own template plus `{% generation %}` markers for assistant-only loss.

Each template lives in its own `<name>.jinja` file here and is used when it renders exactly like the
tokenizer's own template on a probe conversation, so it can never change what the model sees.
"""

from __future__ import annotations

from importlib import resources

from tunesmith.models.tool_calls import for_template

PROBE = [
    {"role": "user", "content": "Hi"},
    {"role": "assistant", "content": "Hello!"},
    {"role": "user", "content": "2+2?"},
    {"role": "assistant", "content": "4"},
]
PROBE_WITH_SYSTEM = [{"role": "system", "content": "Be brief."}, *PROBE]


def has_generation_markers(template: str | None) -> bool:
    """Whether a chat template already marks assistant replies for loss masking."""
    return bool(template) and "{% generation %}" in template.replace("{%- generation", "{% generation")


def shipped_templates() -> dict[str, str]:
    """All training templates shipped with tunesmith, by name."""
    folder = resources.files(__package__)
    return {f.name.removesuffix(".jinja"): f.read_text() for f in folder.iterdir() if f.name.endswith(".jinja")}


def training_template(tokenizer) -> str | None:
    """A shipped training template that renders identically to `tokenizer`'s own, or None if none matches."""
    own = tokenizer.chat_template
    if not own:
        return None
    if has_generation_markers(own):
        return own
    for template in shipped_templates().values():
        if all(_render(tokenizer, own, c) == _render(tokenizer, template, c) for c in (PROBE, PROBE_WITH_SYSTEM)):
            return template
    return None


def _render(tokenizer, template: str, conversation: list[dict]) -> str:
    return tokenizer.apply_chat_template(conversation, chat_template=template, tokenize=False)


def assistant_token_mask(
    tokenizer, messages: list[dict], template: str | None, tools: list[dict] | None = None
) -> tuple[list[int], list[int]]:
    """Token ids of a rendered conversation and a 0/1 mask of the tokens assistant-only loss trains on.

    With no training `template` every token counts, as with `train.loss_on: all`. Tools and tool calls are
    rendered natively when the template knows them, else in the fallback format (models/tool_calls.py), so
    the assistant's calls are trained and tool results are not.
    """
    clean = [{k: v for k, v in m.items() if v is not None} for m in messages]
    clean, tools = for_template(clean, tools, template or tokenizer.chat_template)
    enc = tokenizer.apply_chat_template(
        clean,
        tools=tools,
        chat_template=template,
        tokenize=True,
        return_dict=True,
        return_assistant_tokens_mask=bool(template),
    )
    ids = list(enc["input_ids"])
    return ids, list(enc.get("assistant_masks") or [1] * len(ids))
