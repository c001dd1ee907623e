"""chunk: token-bounded, overlapping chunks that end at paragraph or sentence boundaries (SmolLM2's tokenizer)."""

from __future__ import annotations

import json
import random

import pytest
from datasets import Dataset
from pydantic import ValidationError

from tunesmith.data.ops import OpContext
from tunesmith.data.ops.chunk import Config, count_tokens, run, split_text

WORDS = ["the", "quick", "brown", "fox", "jumps", "over", "a", "lazy", "dog", "near", "river", "bank", "while"]
WORDS += ["small", "birds", "sing", "songs", "about", "summer"]
ZH = [
    "人工智能是计算机科学的一个分支。",
    "它试图理解智能的实质，并生产出一种新的能以人类智能相似的方式做出反应的智能机器！",
    "该领域的研究包括机器人、语言识别、图像识别、自然语言处理和专家系统等。",
    "你知道机器学习和深度学习有什么区别吗？",
]


def prose(paragraphs: int, seed: int = 0) -> str:
    """Paragraphs of 1-8 random sentences of 5-25 words."""
    rng = random.Random(seed)

    def sentence() -> str:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 25))).capitalize() + "."

    return "\n\n".join(" ".join(sentence() for _ in range(rng.randint(1, 8))) for _ in range(paragraphs))


def overlap_tokens(tokenizer, first: str, second: str) -> int:
    """Tokens in the longest end of `first` that `second` starts with."""
    shared = max((k for k in range(1, min(len(first), len(second)) + 1) if first[-k:] == second[:k]), default=0)
    return count_tokens(tokenizer, second[:shared]) if shared else 0


def test_english_chunks_fit_end_at_sentences_and_overlap(smol_tokenizer):
    text = prose(40)
    chunks = split_text(text, smol_tokenizer, max_tokens=128, overlap=32, min_tokens=16)
    sizes = [count_tokens(smol_tokenizer, c) for c in chunks]
    assert count_tokens(smol_tokenizer, text) > 2500 and len(chunks) > 25
    assert max(sizes) <= 128 and min(sizes) >= 64  # each ends in the second half of its new text
    assert sum(c.endswith(".") for c in chunks) >= 0.9 * len(chunks)  # sentence (or paragraph) ends
    overlaps = [overlap_tokens(smol_tokenizer, a, b) for a, b in zip(chunks, chunks[1:])]
    assert all(20 <= o <= 36 for o in overlaps), overlaps  # ~32: moved forward to a sentence or word start
    # together the chunks cover the text: every sentence appears in some chunk
    assert all(any(s in c for c in chunks) for s in text.replace("\n\n", " ").split(". ")[:-1])


def test_paragraph_boundaries_win_over_sentences(smol_tokenizer):
    paragraphs = prose(12, seed=1).split("\n\n")
    chunks = split_text("\n\n".join(paragraphs), smol_tokenizer, max_tokens=200, overlap=0)
    assert all(c.endswith(".") for c in chunks)
    ended_at_paragraph = sum(any(c.endswith(p) for p in paragraphs) for c in chunks)
    assert ended_at_paragraph >= len(chunks) - 2  # a paragraph end in the window's second half is preferred


def test_chinese_chunks_end_at_chinese_sentence_marks(smol_tokenizer):
    rng = random.Random(2)
    text = "".join(rng.choice(ZH) for _ in range(60))
    chunks = split_text(text, smol_tokenizer, max_tokens=96, overlap=16, min_tokens=8)
    sizes = [count_tokens(smol_tokenizer, c) for c in chunks]
    assert len(chunks) >= 10 and max(sizes) <= 96
    assert all(c[-1] in "。！？" for c in chunks)
    overlaps = [overlap_tokens(smol_tokenizer, a, b) for a, b in zip(chunks, chunks[1:])]
    assert all(o > 0 for o in overlaps) and sum(overlaps) / len(overlaps) <= 24


def test_text_without_boundaries_falls_back_to_token_windows(smol_tokenizer):
    text = "".join(f"{i:04d}" for i in range(1500))  # one 6000-character "word"
    chunks = split_text(text, smol_tokenizer, max_tokens=100, overlap=10)
    assert max(count_tokens(smol_tokenizer, c) for c in chunks) <= 100
    assert chunks[0].startswith("0000") and chunks[-1].endswith("1499")
    assert len("".join(chunks)) >= len(text)


def test_a_short_remainder_is_absorbed_by_the_last_chunk(smol_tokenizer):
    text = " ".join(["apple"] * 55)
    n = count_tokens(smol_tokenizer, text)
    chunks = split_text(text, smol_tokenizer, max_tokens=50, overlap=10, min_tokens=16)
    assert 50 < n < 50 + 16 and len(chunks) == 2
    assert count_tokens(smol_tokenizer, chunks[-1]) >= 45  # not a 15-token scrap: it starts earlier
    assert split_text("Hi there.", smol_tokenizer, max_tokens=50, min_tokens=16) == []


def test_run_splits_documents_keeps_chat_records_and_counts_honestly(smol_dir):
    chat = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}
    rows = [
        {"text": prose(10, seed=3), "messages": None, "meta": json.dumps({"source": "a.md"})},
        {"text": None, **chat, "meta": json.dumps({"source": "chat"})},
        {"text": "Too short.", "messages": None, "meta": json.dumps({"source": "b.txt"})},
        {"text": prose(4, seed=4), "messages": None, "meta": json.dumps({"source": "c.pdf"})},
    ]
    result = run(Dataset.from_list(rows), Config(max_tokens=96, overlap=16), OpContext())
    out = list(result.dataset)
    metas = [json.loads(r["meta"]) for r in out]
    a_chunks = [m for m in metas if m["source"] == "a.md"]
    c_chunks = [m for m in metas if m["source"] == "c.pdf"]
    assert [m["chunk"] for m in a_chunks] == list(range(len(a_chunks))) and {m["chunks"] for m in a_chunks} == {
        len(a_chunks)
    }
    assert len(a_chunks) > 3 and len(c_chunks) >= 1
    chat_out = [r for r in out if r["messages"]]
    assert chat_out == [{"text": None, **chat, "meta": json.dumps({"source": "chat"})}]
    assert metas.index({"source": "chat"}) == len(a_chunks)  # pass-through records keep their place
    assert result.removed == {"shorter than 16 tokens": 1}
    assert result.changed == 2 and result.added == len(a_chunks) + len(c_chunks) - 2
    assert len(rows) - 1 + result.added == len(out)
    stats = result.stats
    assert stats["documents"] == 3 and stats["chunks"] == len(a_chunks) + len(c_chunks) and stats["passed_through"] == 1
    assert stats["tokens_per_chunk"]["max"] <= 96
    assert len(result.examples["chunks"]) == 3 and result.examples["removed: shorter than 16 tokens"][0]["text"] == (
        "Too short."
    )


def test_options_are_validated():
    with pytest.raises(ValidationError, match="overlap"):
        Config(max_tokens=64, overlap=64)
    with pytest.raises(ValidationError, match="min_tokens"):
        Config(max_tokens=64, overlap=8, min_tokens=100)
    with pytest.raises(ValidationError):
        Config(max_tokens=64, overlap=-1)
