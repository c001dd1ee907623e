"""Text: for continued pretraining (documents, or JSON/JSONL records with a `text` field), and CJK-aware words."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from tunesmith.errors import InputError

if TYPE_CHECKING:
    from datasets import Dataset

# CJK ideographs (with extensions and compatibility forms) and Japanese kana: scripts written without spaces.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RE = re.compile(f"[{_CJK}]")
_TOKEN_RE = re.compile(f"[{_CJK}]|[^\\W_{_CJK}]+")


class CjkTokenizer:
    """rouge-score tokenizer: lower-cased word runs, with every CJK character its own token (the eval metrics and
    the synthesizer's near-duplicate check both score with it)."""

    def tokenize(self, text: str) -> list[str]:
        """Split `text` into tokens (rouge-score's default would drop all non-ASCII text)."""
        return _TOKEN_RE.findall(text.lower())


def text_dataset(path: Path, min_characters: int = 1) -> Dataset:
    """A `text` dataset; texts shorter than `min_characters` (stripped) are left out."""
    from datasets import Dataset

    path = Path(path)
    if not path.exists():
        raise InputError(str(path), "training text not found")
    if path.is_file() and path.suffix.lower() in {".jsonl", ".json"}:
        from tunesmith.data.io import read_records

        texts = [_text_field(record, where) for where, record in read_records(path)]
    else:
        from tunesmith.data.documents import document_records

        texts = [record["text"] for record in document_records(path)]
    texts = [t for t in texts if len(t.strip()) >= min_characters]
    if not texts:
        raise InputError(str(path), "no text to train on (documents empty or all below stage.min_characters)")
    return Dataset.from_dict({"text": texts})


def _text_field(record: dict, where: str) -> str:
    if not isinstance(record.get("text"), str):
        raise InputError(where, "expected an object with a 'text' string field")
    return record["text"]
