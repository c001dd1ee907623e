"""The rows of one batched `generate` call: decode each row's tokens as they come, stop rows one by one.

Each row is one choice of one request. `RowStreamer` receives the new token of every row at each step (the
transformers streamer hook), turns it into text, cuts at stop strings and sends deltas to the row's request.
`RowStopper` (a stopping criterion) ends a row when it is finished, at its own `max_tokens`, or cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from transformers import StoppingCriteria
from transformers.generation.streamers import BaseStreamer

from tunesmith.serve.backends.base import Delta, Finish, Generation, held_back


@dataclass
class Row:
    """One choice being generated."""

    generation: Generation
    index: int
    limit: int
    tokens: list[int] = field(default_factory=list)
    sent: int = 0  # characters of the text already delivered
    finish: str | None = None

    @property
    def done(self) -> bool:
        return self.finish is not None or self.generation.cancelled.is_set()


class RowStreamer(BaseStreamer):
    """Receives each step's tokens from `generate` and delivers text and finish events per row."""

    def __init__(self, tokenizer, rows: list[Row], eos_ids: set[int], stop: tuple[str, ...] = ()):
        self.tokenizer = tokenizer
        self.rows = rows
        self.eos_ids = eos_ids
        self.stop = stop
        self.prompt_seen = False

    def put(self, value: torch.Tensor) -> None:
        if not self.prompt_seen:  # generate first hands over the prompt itself
            self.prompt_seen = True
            return
        for row, token in zip(self.rows, value.reshape(-1).tolist()):
            if row.done:
                continue
            row.tokens.append(token)
            if token in self.eos_ids:
                self._finish(row, "stop", self._text(row, final=True))
                continue
            text = self._text(row, final=False)
            if _first_stop(text, self.stop) is not None:
                self._finish(row, "stop", text)
            elif len(row.tokens) >= row.limit:
                self._finish(row, "length", self._text(row, final=True))
            else:
                self._send(row, text[: len(text) - held_back(text, self.stop)])

    def end(self) -> None:
        """Generation stopped: every row still open ends here (it reached the batch's token limit)."""
        for row in self.rows:
            if row.finish is None:
                self._finish(row, "length", self._text(row, final=True))

    def _text(self, row: Row, final: bool) -> str:
        text = self.tokenizer.decode(row.tokens, skip_special_tokens=True)
        if not final and text.endswith("\ufffd"):  # half a multi-byte character: wait for the rest
            text = text[:-1]
        return text

    def _send(self, row: Row, text: str) -> None:
        if len(text) > row.sent:
            row.generation.push(Delta(row.index, text[row.sent :]))
            row.sent = len(text)

    def _finish(self, row: Row, reason: str, text: str) -> None:
        """Deliver the rest of the row's text (cut before any stop string) and its finish event."""
        cut = _first_stop(text, self.stop)
        if cut is not None:
            text, reason = text[:cut], "stop"
        self._send(row, text)
        row.finish = reason
        row.generation.push(Finish(row.index, reason, len(row.tokens)))


class RowStopper(StoppingCriteria):
    """Per-row stop flags for `generate`: finished, cancelled, or at the row's own `max_tokens`."""

    def __init__(self, rows: list[Row], prompt_width: int):
        self.rows = rows
        self.prompt_width = prompt_width

    def __call__(self, input_ids: torch.LongTensor, scores, **kwargs) -> torch.BoolTensor:
        generated = input_ids.shape[1] - self.prompt_width
        flags = [row.done or generated >= row.limit for row in self.rows]
        return torch.tensor(flags, dtype=torch.bool, device=input_ids.device)


def _first_stop(text: str, stops: tuple[str, ...]) -> int | None:
    """Where the earliest stop string starts in `text`, if any."""
    found = [i for i in (text.find(s) for s in stops) if i >= 0]
    return min(found) if found else None
