"""Continued pretraining on raw text (domain adaptation): next-token loss on every token, packed by default.

`data.train` is a document file or folder (txt, md, html, pdf, docx, read by the data studio's readers) or a
JSON/JSONL file of records with a `text` field. Packing concatenates the texts into `train.max_length`
windows with per-document attention, so no compute is spent on padding.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import Field

from tunesmith.config import Recipe, StageConfig
from tunesmith.errors import InputError
from tunesmith.runs import RunDir
from tunesmith.train.stages._common import make_trainer, train_and_validation, training_args


class Config(StageConfig):
    name: Literal["pretrain"] = "pretrain"
    packing: bool = True  # pack documents into max_length windows (train.packing is for chat SFT)
    min_characters: int = Field(1, ge=1)  # texts shorter than this are skipped


def load_datasets(recipe: Recipe):
    """(train, validation or None) as `text` datasets."""
    return train_and_validation(recipe, lambda path: text_dataset(path, recipe.stage.min_characters))


def text_dataset(path: Path, min_characters: int = 1):
    """A `text` dataset from documents, or from JSON/JSONL records with a `text` field."""
    from datasets import Dataset

    path = Path(path)
    if not path.exists():
        raise InputError(str(path), "training text not found")
    if path.is_file() and path.suffix.lower() in {".jsonl", ".json"}:
        texts = [_text_field(record, path, n) for n, record in enumerate(_records(path), 1)]
    else:
        from tunesmith.data.documents import document_records

        texts = [record["text"] for record in document_records(path)]
    texts = [t for t in texts if len(t.strip()) >= min_characters]
    if not texts:
        raise InputError(str(path), "no text to train on (documents empty or all below stage.min_characters)")
    return Dataset.from_dict({"text": texts})


def build_trainer(
    model, tokenizer, train_ds, eval_ds, recipe: Recipe, run: RunDir, precision: str, callbacks, optimizer=None
):
    """TRL's SFTTrainer in language-modelling mode: the `text` column, loss on every token."""
    from trl import SFTConfig, SFTTrainer

    args = SFTConfig(
        **training_args(recipe, run, precision, eval_ds is not None, SFTConfig),
        max_length=recipe.train.max_length,
        packing=recipe.stage.packing,
        packing_strategy="bfd",
        dataset_text_field="text",
    )
    model.config.use_cache = False
    return make_trainer(SFTTrainer, model, tokenizer, args, (train_ds, eval_ds), recipe, callbacks, optimizer)


def _records(path: Path) -> list:
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        data = json.loads(text)
        return data if isinstance(data, list) else [data]
    records = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{n}", f"not valid JSON ({exc.msg})") from None
    return records


def _text_field(record, path: Path, n: int) -> str:
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise InputError(f"{path}: record {n}", "expected an object with a 'text' string field")
    return record["text"]
