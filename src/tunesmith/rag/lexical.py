"""Lexical retrieval: BM25 (bm25s) over words, with Chinese cut into words by jieba and English stemmed.

A whitespace tokenizer sees a Chinese sentence as one "word", so BM25 would never match a Chinese question to
its passage; jieba's search mode cuts it into words and their sub-words (保修期 → 保修, 保修期). Latin-script
words are lower-cased, stemmed (Snowball English, through PyStemmer) and stop words dropped; numbers and
version strings are kept whole, since they are what product questions often hinge on.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path

import numpy as np

from tunesmith.errors import InputError

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# a version, model number or figure with separators (v2.3.1, X-200, 3.5) stays whole; other words split
_LATIN_WORD = re.compile(r"[a-z]*[0-9][^\W_]*(?:[./:-][^\W_]+)+|[^\W_]+(?:['’][a-z]+)?", re.IGNORECASE)
_EN_STOP_WORDS = (
    "a an and are as at be by can do does for from has have how i if in is it its of on or that the this to "
    "what when where which who why will with you your"
)
_ZH_STOP_WORDS = "的 了 是 在 和 与 及 或 吗 呢 吧 啊 么 什么 怎么 如何 哪 哪些 多少 几 请 我 你 它 这 那 个 为 有"
_EN_STOP, _ZH_STOP = frozenset(_EN_STOP_WORDS.split()), frozenset(_ZH_STOP_WORDS.split())
FOLDER = "lexical"


def tokenize(text: str) -> list[str]:
    """Index terms of `text`: jieba words for Chinese runs, stemmed lower-case words for the rest."""
    tokens: list[str] = []
    position = 0
    for match in _CJK.finditer(text):
        tokens += _latin_terms(text[position : match.start()])
        tokens += [w for w in _jieba().lcut_for_search(match.group()) if w not in _ZH_STOP]
        position = match.end()
    tokens += _latin_terms(text[position:])
    return tokens


def build(texts: list[str], folder: Path, k1: float, b: float) -> None:
    """A BM25 index of `texts` (rows in order) saved under `folder/lexical`."""
    import bm25s

    model = bm25s.BM25(k1=k1, b=b)
    model.index([tokenize(t) or [""] for t in texts], show_progress=False)
    model.save(str(folder / FOLDER), show_progress=False)


class LexicalIndex:
    """A saved BM25 index, scoring every row for a query."""

    def __init__(self, folder: Path):
        import bm25s

        path = folder / FOLDER
        try:
            self._model = bm25s.BM25.load(str(path), mmap=False, show_progress=False, verbosity=0)
        except Exception as exc:  # a missing or damaged file: any of several numpy/json errors
            raise InputError(
                str(path), f"is missing or damaged ({type(exc).__name__}); rebuild it with `tunesmith rag build`"
            ) from None

    def scores(self, query: str) -> np.ndarray:
        """The BM25 score of every row (0 where no query term occurs)."""
        vocab = self._model.vocab_dict
        terms = [t for t in tokenize(query) if t in vocab]
        if not terms:
            return np.zeros(self._model.scores["num_docs"], dtype=np.float32)
        return np.asarray(self._model.get_scores(terms), dtype=np.float32)


def _latin_terms(text: str) -> list[str]:
    words = [w.lower() for w in _LATIN_WORD.findall(text)]
    words = [w for w in words if w not in _EN_STOP]
    return _stemmer().stemWords(words) if words else []


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)  # it announces building its dictionary on stderr
    return jieba
