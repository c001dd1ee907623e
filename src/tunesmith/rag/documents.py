"""The documents an index is built from: every source read with the data studio's readers, unreadable files skipped.

A folder source yields one document per .txt/.md/.html/.pdf/.docx file, named by its path inside the folder; a
record file (JSONL, JSON, CSV, Parquet) yields one document per record's `text`, named by its `id` (else its
line). A document that cannot be read (a corrupt PDF, a file in another encoding) is skipped and reported with the
reason, so one bad file does not stop an index of thousands; a source that is missing or holds nothing is an error.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from tunesmith.data.documents import DOCUMENT_SUFFIXES, read_document
from tunesmith.data.io import SUFFIXES as RECORD_SUFFIXES
from tunesmith.data.io import read_records
from tunesmith.errors import InputError
from tunesmith.rag.config import SourceSpec, resolve


@dataclass(frozen=True)
class Document:
    """One document's text, its name (the prefix of its chunk ids, shown as the citation source) and digest."""

    name: str
    text: str

    @cached_property  # compared with the previous build's and written to the manifest: hashed once
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Skipped:
    """A file left out of the index, and why."""

    path: str
    reason: str


def read_sources(sources: list[SourceSpec], base_dir: Path) -> tuple[list[Document], list[Skipped]]:
    """Every source's documents (names unique across sources) and the files that could not be read."""
    documents: list[Document] = []
    skipped: list[Skipped] = []
    for index, spec in enumerate(sources):
        path = resolve(base_dir, spec.path)
        where = f"sources[{index}].path: {path}"
        if not path.exists():
            raise InputError(where, "not found; expected a document, a folder of documents, or a JSONL file of text")
        found, bad = _read_source(path, spec.name)
        if not found and not bad:
            raise InputError(where, f"holds no documents; expected {', '.join(DOCUMENT_SUFFIXES)} files")
        documents += found
        skipped += bad
    seen: dict[str, int] = {}
    for doc in documents:
        seen[doc.name] = seen.get(doc.name, 0) + 1
    twice = sorted(name for name, count in seen.items() if count > 1)
    if twice:
        raise InputError("sources", f"two documents are both named {twice[0]!r}; give the sources distinct `name`s")
    return documents, skipped


def _read_source(path: Path, prefix: str | None) -> tuple[list[Document], list[Skipped]]:
    if path.is_file() and path.suffix.lower() in RECORD_SUFFIXES:
        return _record_documents(path, prefix or path.name), []
    if path.is_file():
        files, root = [path], path.parent
    else:
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES)
        root = path
    documents, skipped = [], []
    for file in files:
        name = file.relative_to(root).as_posix()
        name = f"{prefix}/{name}" if prefix else name
        try:
            text = read_document(file)
        except InputError as exc:
            skipped.append(Skipped(str(file), exc.message))
            continue
        if text.strip():
            documents.append(Document(name, text))
        else:
            skipped.append(Skipped(str(file), "has no text (a scanned PDF without a text layer?)"))
    return documents, skipped


def _record_documents(path: Path, prefix: str) -> list[Document]:
    """One document per record's `text`; a record without a string `text` is an error naming its line."""
    documents = []
    for where, record in read_records(path):
        text = record.get("text")
        if not isinstance(text, str):
            raise InputError(f"{where}: text", "missing or not a string; expected each record to hold a `text`")
        key = record.get("id")
        line = where.rsplit(":", 1)[-1]
        documents.append(Document(f"{prefix}:{key if key is not None else line}", text))
    return [doc for doc in documents if doc.text.strip()]
