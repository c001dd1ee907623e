"""A tokenizer's Jinja chat template as an Ollama TEMPLATE (Go `text/template` syntax).

Sentinel conversations are rendered through the Jinja template to read, for each role, the fixed text before and
after a message's content, the generation prompt, any text before the first message and a default system message
the template adds. That shape (ChatML, Llama 3, Zephyr, Phi-3 …) is written as a Go template over Ollama's
`.Messages`; sample conversations rendered both ways must agree, or the template is refused with what to do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from tunesmith.errors import InputError

ROLES = ("system", "user", "assistant")
SENTINEL = {"system": "SYSTEMSENTINEL0", "user": "USERSENTINEL1", "assistant": "ASSISTANTSENTINEL1"}
LATER_USER = "USERSENTINEL2"
# Conversations both renderings must agree on (contents with no edge whitespace: some templates trim it).
SAMPLES = (
    [{"role": "user", "content": "Hello there!"}],
    [{"role": "system", "content": "Answer in one word."}, {"role": "user", "content": "Capital of France?"}],
    [
        {"role": "user", "content": "What is 2 + 3?"},
        {"role": "assistant", "content": "5"},
        {"role": "user", "content": "And 2 + 4?\nShow your work."},
    ],
    [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "中国的首都是哪里？"},
        {"role": "assistant", "content": "北京。"},
        {"role": "user", "content": 'Say "thanks" {{ twice }}'},
    ],
)


@dataclass(frozen=True)
class TurnTemplate:
    """A chat template as fixed text around each message: what Ollama's TEMPLATE can express."""

    preamble: str  # before the first message (e.g. a BOS text)
    prefix: dict[str, str]  # role -> text before its content
    suffix: dict[str, str]  # role -> text after its content
    generation: str  # after a conversation that ends on a user message (add_generation_prompt)
    default_system: str | None = None  # the system message the template adds when a conversation has none


def turn_template(tokenizer, where: str) -> TurnTemplate:
    """The tokenizer's chat template as a TurnTemplate, checked on sample conversations (InputError otherwise)."""
    from jinja2 import TemplateError

    if not tokenizer.chat_template:
        raise InputError(where, "the tokenizer has no chat template to write as Ollama's TEMPLATE")
    try:
        found = _derive(lambda messages, gen: _jinja(tokenizer, messages, gen))
        for messages in SAMPLES:
            if render(found, messages) != _jinja(tokenizer, messages, True):
                raise ValueError(f"a {len(messages)}-message conversation renders differently")
    except (TemplateError, ValueError, KeyError) as exc:  # the template refused, a sentinel lost, samples differ
        raise InputError(
            where,
            "the chat template is not fixed text around each message, so it cannot be written as Ollama's TEMPLATE "
            f"({exc}); write the Modelfile's TEMPLATE by hand",
        ) from None
    return found


def render(template: TurnTemplate, messages: list[dict]) -> str:
    """What Ollama sends the model for `messages` with the Go template of `template` (and SYSTEM, when it has a
    default system message: Ollama then adds it to a conversation without one)."""
    if template.default_system is not None and (not messages or messages[0]["role"] != "system"):
        messages = [{"role": "system", "content": template.default_system}, *messages]
    out = [template.preamble]
    for i, message in enumerate(messages):
        role, last = message["role"], i == len(messages) - 1
        out += [template.prefix[role], message["content"]]
        if not (last and role == "assistant"):  # a last assistant message is continued, as Ollama does
            out.append(template.suffix[role])
        if last and role != "assistant":
            out.append(template.generation)
    return "".join(out)


def go_template(template: TurnTemplate) -> str:
    """The Go `text/template` Ollama runs over `.Messages`; every fixed text is a Go string literal, so no
    whitespace-trimming action can eat a newline of the chat template."""
    p, s = template.prefix, template.suffix
    lines = [
        "{{- /* written by tunesmith from the tokenizer's chat template */ -}}",
        _lit(template.preamble),
        "{{- range $i, $m := .Messages }}",
        "{{- $last := eq (len (slice $.Messages $i)) 1 }}",
        f'{{{{- if eq $m.Role "system" }}}}{_lit(p["system"])}{{{{ $m.Content }}}}{_lit(s["system"])}',
        f'{{{{- else if eq $m.Role "user" }}}}{_lit(p["user"])}{{{{ $m.Content }}}}{_lit(s["user"])}'
        f"{{{{- if $last }}}}{_lit(template.generation)}{{{{ end }}}}",
        f'{{{{- else if eq $m.Role "assistant" }}}}{_lit(p["assistant"])}{{{{ $m.Content }}}}'
        f"{{{{- if not $last }}}}{_lit(s['assistant'])}{{{{ end }}}}",
        "{{- end }}",
        "{{- end }}",
    ]
    return "\n".join(line for line in lines if line)


def _lit(text: str) -> str:
    """`text` as a Go template action printing a Go string literal (JSON's escapes are Go's); "" for no text."""
    return "{{ " + json.dumps(text, ensure_ascii=False) + " }}" if text else ""


def _jinja(tokenizer, messages: list[dict], generation: bool) -> str:
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=generation)


def _derive(jinja) -> TurnTemplate:
    """Read each role's prefix and suffix off sentinel conversations rendered by `jinja(messages, generation)`."""
    sys_, user, assistant = (SENTINEL[r] for r in ROLES)
    one = jinja([_m("user", user)], False)
    two = jinja([_m("user", user), _m("assistant", assistant)], False)
    three = jinja([_m("user", user), _m("assistant", assistant), _m("user", LATER_USER)], False)
    with_system = jinja([_m("system", sys_), _m("user", user)], False)
    user_suffix = _after(one, user)
    assistant_prefix = _strip_start(_between(two, user, assistant), user_suffix)
    assistant_suffix = _after(two, assistant)
    user_prefix = _strip_start(_between(three, assistant, LATER_USER), assistant_suffix)
    system_suffix = _strip_end(_between(with_system, sys_, user), user_prefix)
    before_system = _before(with_system, sys_)
    before_user = _strip_end(_before(one, user), user_prefix)  # preamble, and any default system message
    generation = _strip_start(jinja([_m("user", user)], True), one)
    default = None
    fits = len(before_user) >= len(before_system) + len(system_suffix) > len(before_system)
    if fits and before_user.startswith(before_system) and before_user.endswith(system_suffix):
        default = before_user[len(before_system) : len(before_user) - len(system_suffix)]
        preamble, system_prefix = "", before_system  # Ollama always sends a system message then (SYSTEM)
    else:
        preamble = before_user
        system_prefix = _strip_start(before_system, preamble)
    return TurnTemplate(
        preamble=preamble,
        prefix={"system": system_prefix, "user": user_prefix, "assistant": assistant_prefix},
        suffix={"system": system_suffix, "user": user_suffix, "assistant": assistant_suffix},
        generation=generation,
        default_system=default,
    )


def _m(role: str, content: str) -> dict:
    return {"role": role, "content": content}


def _before(text: str, sentinel: str) -> str:
    if text.count(sentinel) != 1:
        raise ValueError(f"a message's content does not appear once in the rendering ({sentinel})")
    return text.split(sentinel)[0]


def _after(text: str, sentinel: str) -> str:
    _before(text, sentinel)
    return text.split(sentinel)[1]


def _between(text: str, first: str, second: str) -> str:
    return _before(_after(text, first), second)


def _strip_start(text: str, start: str) -> str:
    if not text.startswith(start):
        raise ValueError(f"{text!r} does not start with {start!r}")
    return text[len(start) :]


def _strip_end(text: str, end: str) -> str:
    if not text.endswith(end):
        raise ValueError(f"{text!r} does not end with {end!r}")
    return text[: len(text) - len(end)] if end else text
