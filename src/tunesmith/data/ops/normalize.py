"""normalize: clean the characters of every text — control characters, Unicode NFKC, custom rules, whitespace.

Steps run in that order. NFKC folds compatibility forms: full-width letters, digits and symbols to ASCII
("３％" → "3%", "ＡＢＣ" → "ABC"), the ideographic space to a space, "①" → "1", "²" → "2", "ﬁ" → "fi", "…" → "...",
"㎏" → "kg". It turns the full-width punctuation Chinese text uses ("，：；！？（）") into ASCII too, but leaves
"。、“”‘’《》【】「」" as they are; since "你好,世界" reads wrong, `keep_cjk_punctuation` (on by default) keeps
those six marks full-width where they touch a CJK character, and folds them elsewhere ("Hello！" → "Hello!").
"""

from __future__ import annotations

import re
import unicodedata
from functools import partial

from datasets import Dataset
from pydantic import ConfigDict, Field, model_validator

from tunesmith.data import records
from tunesmith.data.ops import OpContext, OpResult, map_records
from tunesmith.schema import Strict

_CJK_PUNCT = "，：；！？（）"
_CJK = "\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff" + _CJK_PUNCT
_CJK_PUNCT_IN_CJK = re.compile(f"(?<=[{_CJK}])[{_CJK_PUNCT}]|[{_CJK_PUNCT}](?=[{_CJK}])")
# C0 and C1 control characters except tab and newline; zero-width space, word joiner, byte-order mark, soft hyphen.
# The zero-width joiners (U+200C, U+200D) stay: they carry meaning in emoji sequences and Indic and Persian text.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u2060\ufeff\u00ad]")
_RUNS = re.compile(r"(?<=\S)[^\S\n]+")  # a run of spaces/tabs after a word: indentation at line starts is kept
_TRAILING = re.compile(r"[^\S\n]+$", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{3,}")


class Rule(Strict):
    """One custom replacement: `pattern` (plain text, or a Python regex when `regex` is true) → `with`."""

    model_config = ConfigDict(populate_by_name=True)  # `with` is a keyword: the field is `with_`

    pattern: str = Field(min_length=1)
    with_: str = Field("", alias="with")
    regex: bool = False

    @model_validator(mode="after")
    def _compiles(self) -> Rule:
        if self.regex:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"pattern {self.pattern!r} is not a valid regular expression ({exc})") from None
        return self


class Config(Strict):
    """What to clean; every step is on by default except custom rules."""

    nfkc: bool = True  # Unicode NFKC: full-width → half-width and other compatibility forms
    keep_cjk_punctuation: bool = True  # keep "，：；！？（）" full-width next to CJK text (NFKC would make them ASCII)
    control: bool = True  # drop control characters (not \t, \n), zero-width spaces and BOMs; \r\n and \r → \n
    whitespace: bool = True  # collapse runs of spaces/tabs inside lines, strip line ends and text ends, ≤ 1 blank line
    replace: list[Rule] = Field(default_factory=list)  # custom rules, applied in order after NFKC


def run(dataset: Dataset, cfg: Config, ctx: OpContext) -> OpResult:
    """Normalize every text of every record; records whose text is already clean count as unchanged."""
    return map_records(dataset, partial(_normalize_record, cfg=cfg), ctx, desc="normalize")


def _normalize_record(record: dict, cfg: Config) -> tuple[dict | None, None]:
    """The record's changed text columns, or None when nothing changed."""
    update = records.map_texts(record, partial(normalize_text, cfg=cfg))
    changed = {column: value for column, value in update.items() if value != record.get(column)}
    return (update if changed else None), None


def normalize_text(text: str, cfg: Config) -> str:
    """One text through the enabled steps: control characters, NFKC, custom rules, whitespace."""
    if cfg.control:
        text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if cfg.nfkc:
        text = nfkc(text, cfg.keep_cjk_punctuation)
    for rule in cfg.replace:
        text = re.sub(rule.pattern, rule.with_, text) if rule.regex else text.replace(rule.pattern, rule.with_)
    if cfg.whitespace:
        text = _BLANK_LINES.sub("\n\n", _TRAILING.sub("", _RUNS.sub(" ", text))).strip()
    return text


def nfkc(text: str, keep_cjk_punctuation: bool = True) -> str:
    """NFKC, optionally keeping the full-width punctuation marks that touch CJK characters."""
    if not keep_cjk_punctuation:
        return unicodedata.normalize("NFKC", text)
    parts, start = [], 0
    for match in _CJK_PUNCT_IN_CJK.finditer(text):
        parts += [unicodedata.normalize("NFKC", text[start : match.start()]), match.group()]
        start = match.end()
    parts.append(unicodedata.normalize("NFKC", text[start:]))
    return "".join(parts)
