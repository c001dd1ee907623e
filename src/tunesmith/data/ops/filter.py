"""filter: drop records that are empty, refusals, too short or long, in other languages, or repetitive.

Rules run in that order and the first that fails names the removal: "empty answer", "refusal",
"too short (< 5 tokens)", "too long (> 2048 tokens)", "language ja", "repetition > 0.3".

- Empty and refusal look at the answer (last assistant turn or `completion`) of chat and prompt/completion records;
  a text record is "empty text" when all its text is blank. Refusals are the phrases in
  `tunesmith/data/wordlists/refusals_{en,zh}.txt` ("I'm sorry, but I can't", "As an AI language model", "我无法提供").
- Tokens are counted over the whole record text (all turns joined by newlines) with `model`'s tokenizer.
- Language is py3langid's best guess for the whole record text, with its Chinese varieties (wuu, yue) folded into
  "zh". A record mixing Chinese and English counts as whichever language dominates (an English instruction over a
  Chinese passage is "en"); list both to keep mixed data. Below `language_confidence` (short texts such as "Hello"
  or "Blue.") the language is undetermined and the record is kept.
- Repetition of a text is the share of its 5-grams that repeat an earlier 5-gram, where a unit is a word, or a
  single CJK character; a record's repetition is the highest over its texts. Natural prose measured at most 0.24
  (reference lists of a technical report, 1,500-character chunks) and short support chats 0.06, while
  looping output scores 0.5 and above ("I think that I think that …" 0.62, "好的好的好的…" 0.83).
"""

from __future__ import annotations

import re
from functools import lru_cache, partial

from datasets import Dataset
from pydantic import Field, field_validator, model_validator

from tunesmith.data import records, wordlists
from tunesmith.data.ops import OpContext, OpResult, map_records
from tunesmith.schema import Strict

CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_UNIT = re.compile(f"[{CJK}]|[^\\s{CJK}]+")  # a CJK character, or a run of other non-space characters
NGRAM = 5
CHINESE_VARIETIES = {"wuu": "zh", "yue": "zh"}  # py3langid labels folded into "zh"


class Config(Strict):
    """Which rules apply; every bound is optional except the on-by-default empty, refusal and repetition rules."""

    min_tokens: int | None = Field(None, ge=1)  # drop records whose whole text has fewer tokens
    max_tokens: int | None = Field(None, ge=1)  # drop records whose whole text has more tokens
    model: str = "smollm2-135m"  # whose tokenizer counts tokens (alias, folder or hub id)
    languages: list[str] | None = None  # ISO 639-1 codes to keep (py3langid's), e.g. ["en", "zh"]; None: any
    language_confidence: float = Field(0.5, ge=0.0, le=1.0)  # below this probability a record's language is unknown
    drop_empty: bool = True  # empty or blank answer (chat, prompt/completion) or text
    drop_refusals: bool = True  # answers that refuse or disclaim ("As an AI language model …")
    max_repetition: float | None = Field(0.3, gt=0.0, le=1.0)  # drop above this share of repeated 5-grams

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str] | None) -> list[str] | None:
        if value is not None:
            known = set(_identifier().labels)
            unknown = [code for code in value if code not in known]
            if unknown or not value:
                expected = "a non-empty list" if not value else "py3langid codes such as en, zh, ja, de, fr, es"
                raise ValueError(f"unknown language code(s) {', '.join(unknown)}; expected {expected}")
        return value

    @model_validator(mode="after")
    def _bounds(self) -> Config:
        if self.min_tokens and self.max_tokens and self.min_tokens > self.max_tokens:
            raise ValueError(f"min_tokens ({self.min_tokens}) is above max_tokens ({self.max_tokens})")
        return self


def run(dataset: Dataset, cfg: Config, ctx: OpContext) -> OpResult:
    """Drop every record that breaks a rule, counted by the first rule it breaks."""
    tokenizer_dir = None
    if cfg.min_tokens or cfg.max_tokens:
        from tunesmith.models.resolve import resolve_model

        tokenizer_dir = resolve_model(cfg.model, ctx.progress)  # converts an alias once, before any worker starts
        _tokenizer(tokenizer_dir)
    return map_records(dataset, partial(_check_record, cfg=cfg, tokenizer_dir=tokenizer_dir), ctx, desc="filter")


def _check_record(record: dict, cfg: Config, tokenizer_dir: str | None) -> tuple[None, str | None]:
    """(None, the first broken rule's reason or None)."""
    return None, removal_reason(record, cfg, tokenizer_dir)


def removal_reason(record: dict, cfg: Config, tokenizer_dir: str | None = None) -> str | None:
    """Why `record` should go under `cfg`, or None to keep it."""
    has_answer = record.get("messages") is not None or record.get("completion") is not None
    answer = records.answer_of(record) if has_answer else ""
    text = records.full_text(record)
    if cfg.drop_empty and not (answer if has_answer else text).strip():
        return "empty answer" if has_answer else "empty text"
    if cfg.drop_refusals and has_answer and is_refusal(answer):
        return "refusal"
    if tokenizer_dir is not None:
        count = len(_tokenizer(tokenizer_dir)(text, add_special_tokens=False)["input_ids"])
        if cfg.min_tokens and count < cfg.min_tokens:
            return f"too short (< {cfg.min_tokens} tokens)"
        if cfg.max_tokens and count > cfg.max_tokens:
            return f"too long (> {cfg.max_tokens} tokens)"
    if cfg.languages is not None:
        language = detect_language(text, cfg.language_confidence)
        if language is not None and language not in cfg.languages:
            return f"language {language}"
    if cfg.max_repetition is not None and max(map(repetition, records.texts(record)), default=0.0) > cfg.max_repetition:
        return f"repetition > {cfg.max_repetition:g}"
    return None


def is_refusal(answer: str) -> bool:
    """Whether the answer contains a refusal or AI-disclaimer phrase (English or Chinese)."""
    return _refusals().search(wordlists.fold(answer)) is not None


def detect_language(text: str, min_confidence: float = 0.5) -> str | None:
    """py3langid's language code for `text` (Chinese varieties as "zh"), or None below `min_confidence`."""
    scores: dict[str, float] = {}
    for code, probability in _identifier().rank(text):
        code = CHINESE_VARIETIES.get(code, code)
        scores[code] = scores.get(code, 0.0) + probability
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] >= min_confidence else None


def repetition(text: str) -> float:
    """Share of the text's 5-grams (of words, or single CJK characters) that repeat an earlier one."""
    units = _UNIT.findall(text.lower())
    grams = [tuple(units[i : i + NGRAM]) for i in range(len(units) - NGRAM + 1)]
    return 1.0 - len(set(grams)) / len(grams) if grams else 0.0


@lru_cache(maxsize=1)
def _refusals() -> re.Pattern:
    return wordlists.term_pattern([*wordlists.load("refusals_en"), *wordlists.load("refusals_zh")])


@lru_cache(maxsize=1)
def _identifier():
    """py3langid's identifier with normalized probabilities (loaded once per process)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@lru_cache(maxsize=2)
def _tokenizer(folder: str):
    from tunesmith.models.loading import load_tokenizer

    return load_tokenizer(folder)
