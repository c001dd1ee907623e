"""Text for continued pretraining: documents (PDF, DOCX, HTML, text) or JSON/JSONL records with a `text` field."""

from __future__ import annotations

from pathlib import Path

from datasets import Dataset

from tunesmith.errors import InputError


def text_dataset(path: Path, min_characters: int = 1) -> Dataset:
    """A `text` dataset; texts shorter than `min_characters` (stripped) are left out."""
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
