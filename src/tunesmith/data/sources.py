"""Pipeline inputs as canonical datasets: chat files in any supported format, text records, or documents.

JSON-lines inputs are streamed into an on-disk Arrow table, so inputs larger than memory work; other file
types are read whole. Each record keeps its provenance in `meta` (input name, and fields such as category).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

from datasets import Dataset, Features, Value, concatenate_datasets
from datasets.exceptions import DatasetGenerationError
from pydantic import Field

from tunesmith.data.formats import DETECT_SAMPLE, FORMATS, FormatOptions, leftover_keys, record_tools, to_messages
from tunesmith.data.io import SUFFIXES, file_kind, iter_jsonl, read_records
from tunesmith.data.loading import TURN_FIELDS, detect_chat_format
from tunesmith.data.records import dump_meta, get_meta
from tunesmith.errors import InputError
from tunesmith.schema import Strict, unknown_name

TURN = {"role": Value("string"), "content": Value("string"), **TURN_FIELDS}
CHAT = Features({"messages": [TURN], "tools": Value("string"), "meta": Value("string")})
TEXT = Features({"text": Value("string"), "meta": Value("string")})
KINDS = ("auto", "text", "documents", *FORMATS)


class InputSpec(Strict):
    """One pipeline input: a data file (any chat format, or `text` records) or a document file/folder."""

    path: str
    name: str | None = None
    format: str = "auto"
    columns: dict[str, str] = Field(default_factory=dict)
    meta_fields: list[str] = Field(default_factory=lambda: ["id", "category", "date", "label"])


def read_input(spec: InputSpec, base_dir: Path = Path("."), cache_dir: Path | None = None) -> Dataset:
    """The input as a canonical Dataset (messages or text, plus meta)."""
    path = Path(spec.path) if Path(spec.path).is_absolute() else base_dir / spec.path
    name = spec.name or path.stem
    if spec.format not in KINDS:
        raise InputError(str(path), unknown_name("input format", spec.format, KINDS))
    if not path.exists():
        raise InputError(str(path), "not found; expected a data file, a document, or a folder of documents")
    if spec.format == "documents" or (spec.format == "auto" and _is_documents(path)):
        from tunesmith.data.documents import document_records

        rows = [{"text": row["text"], "meta": _document_meta(row, name)} for row in document_records(path)]
        if not rows:
            raise InputError(str(path), "holds no documents; expected .txt, .md, .html, .pdf or .docx files")
        return Dataset.from_list(rows, features=TEXT)
    first = _first_records(path)
    # a tuple, not a list: datasets would shard a list-valued gen_kwarg across generator calls
    kwargs = {"path": str(path), "name": name, "fields": tuple(spec.meta_fields)}
    if spec.format == "text" or (spec.format == "auto" and _is_text(first)):
        gen, features = _text_rows, TEXT
    else:
        options = FormatOptions(columns=spec.columns, require_reply=False)  # empty answers: for `filter`
        fmt = detect_chat_format(first, options) if spec.format == "auto" else spec.format
        gen, features = _chat_rows, CHAT
        kwargs.update(fmt=fmt, options=options)
    cache = str(cache_dir or tempfile.mkdtemp(prefix="tunesmith-data-"))
    try:
        return Dataset.from_generator(gen, features=features, gen_kwargs=kwargs, cache_dir=cache)
    except DatasetGenerationError as exc:  # datasets wraps what the generator raised; a bad record is ours
        if isinstance(exc.__cause__, InputError):
            raise exc.__cause__ from None
        raise


def read_dataset(path: str | Path, fmt: str = "auto", cache_dir: Path | None = None) -> Dataset:
    """One file (or document folder) as a canonical Dataset, for `tunesmith data report FILE`."""
    return read_input(InputSpec(path=str(path), format=fmt), Path("."), cache_dir)


def combine(datasets: list[Dataset]) -> Dataset:
    """Several canonical datasets as one; columns missing from some are filled with nulls."""
    if len(datasets) == 1:
        return datasets[0]
    features = {}
    for dataset in datasets:
        features.update(dataset.features)
    aligned = []
    for dataset in datasets:
        for column, feature in features.items():
            if column not in dataset.column_names:
                dataset = dataset.add_column(column, [None] * len(dataset), feature=feature)
        aligned.append(dataset.select_columns(list(features)))
    return concatenate_datasets(aligned)


def _is_documents(path: Path) -> bool:
    """A folder, or a file that is not a record file (.txt, .md, .html, .pdf, .docx …)."""
    return path.is_dir() or path.suffix.lower() not in SUFFIXES


def _is_text(records: list[tuple[str, dict]]) -> bool:
    """Records of raw text ({"text": ...}) rather than chat data."""
    return all(isinstance(record.get("text"), str) for _, record in records)


def _records(path: str | Path) -> Iterator[tuple[str, dict]]:
    """Stream JSON lines; read other file types whole."""
    if file_kind(path) == "jsonl":
        yield from iter_jsonl(path)
    else:
        yield from read_records(path)


def _first_records(path: Path) -> list[tuple[str, dict]]:
    """The first records, enough to detect the format; an empty file is an error."""
    first = []
    for item in _records(path):
        first.append(item)
        if len(first) == DETECT_SAMPLE:
            break
    if not first:
        raise InputError(str(path), "no records; expected at least one")
    return first


def _meta(meta: object, name: str, record: dict | None = None, fields: tuple[str, ...] = ()) -> str:
    """A record's stored meta: its own `meta` object, chosen top-level fields, and the input's name."""
    found = dict(meta) if isinstance(meta, dict) else {}
    for key in fields:
        if record is not None and record.get(key) is not None:
            found.setdefault(key, record[key])
    return dump_meta({**found, "source": name})


def _document_meta(row: dict, name: str) -> str:
    """A document's meta: the input's name as `source`, the file it came from as `document`."""
    meta = get_meta(row)
    return _meta({**meta, "document": meta.pop("source", None)}, name)


def _chat_rows(path: str, name: str, fields: tuple[str, ...], fmt: str, options: FormatOptions) -> Iterator[dict]:
    """Canonical chat rows from a file in format `fmt`: functions in `tools` (JSON text), and every key the format
    does not read kept in meta."""
    for where, record in _records(path):
        messages = to_messages(record, where, fmt, options)
        turns = [{"role": m["role"], "content": m["content"], **{k: m.get(k) for k in TURN_FIELDS}} for m in messages]
        tools = record_tools(record, where, options)
        kept = leftover_keys(record, where, fmt, options)
        yield {
            "messages": turns,
            "tools": json.dumps(tools, ensure_ascii=False) if tools else None,
            "meta": _meta(kept, name, record, fields),
        }


def _text_rows(path: str, name: str, fields: tuple[str, ...]) -> Iterator[dict]:
    """Canonical text rows ({"text"}) from a file of text records."""
    for where, record in _records(path):
        text = record.get("text")
        if not isinstance(text, str):
            raise InputError(where, "field 'text' is missing or not a string; expected text records throughout")
        yield {"text": text, "meta": _meta(record.get("meta"), name, record, fields)}
