"""Constrained decoding for `response_format` (json_object, json_schema) and required tool calls, with llguidance.

llguidance compiles a JSON schema into a grammar and computes, at each step, the set of tokens that keep the
output valid; a transformers LogitsProcessor masks every other token. Output is compact JSON (no optional
whitespace), so a weak model cannot wander into endless spaces.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import torch
from transformers import LogitsProcessor

from tunesmith.models.tool_calls import CALL_CLOSE, CALL_OPEN
from tunesmith.serve.errors import invalid
from tunesmith.serve.response_format import requested_json

COMPACT = {"whitespace_flexible": False}
# A required call is written as the fallback format writes calls (json.dumps' separators), so the model is held
# to the spacing it was trained on instead of wandering into whitespace.
CALL_SPACING = {"whitespace_flexible": False, "key_separator": ": ", "item_separator": ", "}


def grammar_for(response_format: dict | None) -> str | None:
    """The llguidance grammar for an OpenAI `response_format`, or None for plain text."""
    import llguidance

    kind, schema = requested_json(response_format)
    if kind == "text":
        return None
    if kind == "json_object":
        schema = {"type": "object"}
    try:
        return llguidance.LLMatcher.grammar_from_json_schema(json.dumps(schema), defaults=COMPACT)
    except ValueError as exc:
        raise invalid(f"Invalid JSON schema in response_format: {exc}", "response_format") from None


def call_schema(functions: list[dict]) -> dict:
    """The JSON schema of one call `{"name", "arguments"}` to any of `functions` (their parameters enforced)."""
    options = [
        {
            "type": "object",
            "properties": {"name": {"const": f["name"]}, "arguments": f.get("parameters") or {"type": "object"}},
            "required": ["name", "arguments"],
            "additionalProperties": False,
        }
        for f in functions
    ]
    return options[0] if len(options) == 1 else {"anyOf": options}


def call_grammar(forced_tools: str | None) -> str | None:
    """The llguidance grammar of a required tool call in the fallback format (<tool_call> JSON </tool_call>), for
    the functions in `forced_tools` (JSON); None when the model may answer in text."""
    if forced_tools is None:
        return None
    import llguidance

    schema = json.dumps({**call_schema(json.loads(forced_tools)), "x-guidance": CALL_SPACING})
    lark = f'start: "{CALL_OPEN}\\n" call "\\n{CALL_CLOSE}"\ncall: %json {schema}'
    return llguidance.grammar_from("lark", lark)


class Grammars:
    """Checks grammars and builds processors for one tokenizer (converting it for llguidance once, lazily)."""

    def __init__(self, tokenizer, vocab_size: int):
        self.tokenizer = tokenizer
        self.vocab_size = vocab_size
        self._ll = None

    @property
    def ll_tokenizer(self):
        if self._ll is None:
            import llguidance.hf

            self._ll = llguidance.hf.from_tokenizer(self.tokenizer, n_vocab=self.vocab_size)
        return self._ll

    def check(self, grammar: str) -> None:
        """Raise a 400 APIError when llguidance cannot compile the grammar (e.g. an unsupported schema)."""
        import llguidance

        is_error, messages = llguidance.LLMatcher.validate_grammar_with_warnings(grammar, self.ll_tokenizer)
        if is_error:
            raise invalid(f"Unsupported JSON schema in response_format: {messages[0]}", "response_format")

    def processor(self, grammar: str, rows: int, finished: Callable[[int], bool]) -> GrammarProcessor:
        """A processor for a batch of `rows` rows, each with its own matcher; `finished(i)` frees row i."""
        import llguidance

        matchers = [llguidance.LLMatcher(self.ll_tokenizer, grammar) for _ in range(rows)]
        return GrammarProcessor(matchers, self.vocab_size, finished)


class GrammarProcessor(LogitsProcessor):
    """Masks, row by row, the tokens the row's grammar does not allow next."""

    def __init__(self, matchers: list, vocab_size: int, finished: Callable[[int], bool]):
        from llguidance.numpy import allocate_token_bitmask

        self.matchers = matchers
        self.finished = finished
        self.bitmask = allocate_token_bitmask(len(matchers), vocab_size)
        self.started = False

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        from llguidance.numpy import fill_next_token_bitmask

        for i, matcher in enumerate(self.matchers):
            active = not self.finished(i) and not matcher.is_error()
            if self.started and active and not matcher.is_stopped():
                matcher.consume_token(int(input_ids[i, -1]))
            if active and not matcher.is_error():
                fill_next_token_bitmask(matcher, self.bitmask, i)
            else:
                self.bitmask[i, :] = -1  # a finished row's next token is thrown away: allow all, never NaN
        self.started = True
        allowed = np.unpackbits(self.bitmask.view(np.uint8), axis=1, bitorder="little")
        width = scores.shape[-1]
        allowed = torch.from_numpy(allowed[:, :width].astype(bool)).to(scores.device)
        if allowed.shape[1] < width:  # logits wider than the grammar's vocabulary: the extra ids are never valid
            pad = torch.zeros((allowed.shape[0], width - allowed.shape[1]), dtype=torch.bool, device=scores.device)
            allowed = torch.cat([allowed, pad], dim=1)
        return scores.masked_fill(~allowed, float("-inf"))
