"""chunk: split long `text` records (documents) into token-bounded chunks that overlap, one record per chunk.

Every chunk holds at most `max_tokens` tokens of `model`'s tokenizer, counted on the chunk's own text. A chunk ends
at the best boundary in the second half of its new text: a paragraph (blank line), else a line end, else a sentence
end (. ! ? … or Chinese 。！？；), else a space, else any token. The next chunk starts about `overlap` tokens before
that end (moved forward to a sentence or word start when one is within a quarter of `overlap`), so a passage that
spans a boundary is seen whole in one chunk. A remainder shorter than `min_tokens` is absorbed by starting the last
chunk earlier; a document shorter than `min_tokens` is dropped. Meta gains `chunk` (0-based) and `chunks`; records
without `text` (chat, prompt/completion) pass through unchanged. The op holds the records in memory while it works.

Packages such as semantic-text-splitter bound chunks by tokens too, but their overlap is "at most N tokens" of whole
sentences, which is none for ordinary prose; here the overlap is close to the number asked for.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache
from statistics import mean

from datasets import Dataset, Features, Value
from pydantic import Field, model_validator

from tunesmith.data.ops import EXAMPLES, OpContext, OpResult
from tunesmith.data.records import to_output, with_meta
from tunesmith.schema import Strict

# Boundary kinds, strongest first, with where the break falls: before the match (start) or after it (end).
_PARAGRAPH = (re.compile(r"\n[ \t]*\n"), "start")
_LINE = (re.compile(r"\n"), "start")
_SENTENCE = (re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|[。！？；]+[”’」』）]*"), "end")
_CLAUSE = (re.compile(r"[,;:](?=\s)|[，、；：]"), "end")
_WORD = (re.compile(r"\s+"), "start")
LEVELS = (_PARAGRAPH, _LINE, _SENTENCE, _CLAUSE, _WORD)
_STRONG = 3  # paragraph, line and sentence boundaries; clause and word boundaries are weak


class Config(Strict):
    max_tokens: int = Field(512, ge=8)  # most tokens in one chunk
    overlap: int = Field(64, ge=0)  # tokens a chunk repeats from the end of the one before
    model: str = "smollm2-135m"  # whose tokenizer counts tokens (alias, folder or hub id)
    min_tokens: int = Field(16, ge=0)  # shorter documents are dropped; shorter remainders join the last chunk

    @model_validator(mode="after")
    def _bounds(self) -> Config:
        if self.overlap >= self.max_tokens:
            raise ValueError(f"overlap ({self.overlap}) must be below max_tokens ({self.max_tokens})")
        if self.min_tokens > self.max_tokens:
            raise ValueError(f"min_tokens ({self.min_tokens}) is above max_tokens ({self.max_tokens})")
        return self


def run(dataset: Dataset, cfg: Config, ctx: OpContext) -> OpResult:
    """One record per chunk of every text record; other records unchanged, in their place."""
    from tunesmith.models.resolve import resolve_model

    tokenizer = _tokenizer(resolve_model(cfg.model, ctx.progress))
    rows: list[dict] = []
    sizes: list[int] = []
    documents = dropped = 0
    chunk_examples: list[dict] = []
    dropped_examples: list[dict] = []
    ctx.progress.start("chunk", len(dataset))
    for index, record in enumerate(dataset):
        ctx.progress.update("chunk", index + 1)
        if not isinstance(record.get("text"), str):
            rows.append(record)
            continue
        documents += 1
        chunks = split_text(record["text"], tokenizer, cfg.max_tokens, cfg.overlap, cfg.min_tokens)
        if not chunks:
            dropped += 1
            dropped_examples.append(to_output(record))
        for i, chunk in enumerate(chunks):
            rows.append({**record, "text": chunk, "meta": with_meta(record, chunk=i, chunks=len(chunks))})
            sizes.append(count_tokens(tokenizer, chunk))
            if len(chunk_examples) < EXAMPLES:
                chunk_examples.append(to_output(rows[-1]))
    ctx.progress.finish("chunk")
    features = Features({**dataset.features, "meta": Value("string")})
    result = OpResult(Dataset.from_list(rows, features=features), changed=documents - dropped)
    result.added = len(sizes) - result.changed
    result.stats = {"documents": documents, "chunks": len(sizes), "passed_through": len(dataset) - documents}
    if sizes:
        result.stats["tokens_per_chunk"] = {"min": min(sizes), "mean": round(mean(sizes), 1), "max": max(sizes)}
        result.examples["chunks"] = chunk_examples
    if dropped:
        reason = f"shorter than {cfg.min_tokens} tokens"
        result.removed = {reason: dropped}
        result.examples[f"removed: {reason}"] = dropped_examples[:EXAMPLES]
    return result


def split_text(text: str, tokenizer, max_tokens: int, overlap: int = 0, min_tokens: int = 0) -> list[str]:
    """`text` as chunks of at most `max_tokens` tokens, consecutive ones sharing about `overlap` tokens."""
    encoded = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
    offsets = encoded["offset_mapping"]
    n = len(offsets)
    starts = [s for s, _ in offsets]
    ends = [e for _, e in offsets]
    bounds = [_boundaries(text, pattern, side, ends, n) for pattern, side in LEVELS]
    slack = max(1, overlap // 4)

    def snap(t: int) -> int:
        """The first sentence (else clause or word) start at or just after token `t`, else `t` itself."""
        for level in (bounds[:_STRONG], bounds[_STRONG:]):
            found = [_first_at_or_after(b, t) for b in level]
            found = [f for f in found if f is not None and f <= t + slack]
            if found:
                return min(found)
        return t

    def fit(a: int, b: int) -> tuple[int, str]:
        """The chunk of tokens [a, b) as text, shortened from the end until its own tokens fit."""
        while True:
            chunk = text[starts[a] : ends[b - 1]].strip()
            if b - a <= 1 or count_tokens(tokenizer, chunk) <= max_tokens:
                return b, chunk
            b -= 1

    chunks: list[str] = []
    spans: list[tuple[int, int]] = []
    a = 0
    while a < n:
        if n - a <= max_tokens:
            if spans and n - spans[-1][1] < min_tokens:  # a short remainder: start the last chunk earlier instead
                a = max(spans[-1][0] + 1, snap(max(0, n - max_tokens)))
            b = n
        else:
            b = _best_break(bounds, a + overlap, a + max_tokens)
        b, chunk = fit(a, b)
        spans.append((a, b))
        chunks.append(chunk)
        if b >= n:
            break
        a = max(a + 1, snap(b - overlap)) if overlap else b
    return [c for c in chunks if c and count_tokens(tokenizer, c) >= min_tokens]


def count_tokens(tokenizer, text: str) -> int:
    """Tokens in `text`, without special tokens."""
    return len(tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])


def _boundaries(text: str, pattern: re.Pattern, side: str, ends: list[int], n: int) -> list[int]:
    """Sorted token indices t (0 < t < n) where a boundary of this kind falls between token t-1 and token t."""
    found = {bisect_right(ends, m.start() if side == "start" else m.end()) for m in pattern.finditer(text)}
    return sorted(t for t in found if 0 < t < n)


def _best_break(bounds: list[list[int]], start: int, high: int) -> int:
    """Where a chunk of new text from token `start` ends, at most at `high`.

    The last paragraph, line or sentence end in the second half of the new text, else in its last three
    quarters, else the last clause or word break in its second half, else `high` (a plain token window).
    """
    half, quarter = start + (high - start) // 2, start + (high - start) // 4
    for low, levels in ((half, bounds[:_STRONG]), (quarter, bounds[:_STRONG]), (half, bounds[_STRONG:])):
        for level in levels:
            at = bisect_right(level, high) - 1
            if at >= 0 and level[at] > low:
                return level[at]
    return high


def _first_at_or_after(level: list[int], t: int) -> int | None:
    at = bisect_left(level, t)
    return level[at] if at < len(level) else None


@lru_cache(maxsize=2)
def _tokenizer(folder: str):
    from tunesmith.models.loading import load_tokenizer

    return load_tokenizer(folder)
