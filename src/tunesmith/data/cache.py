"""Training datasets kept on disk by content hash, so their tokenization is done once, not every run.

`datasets` caches every `map` (TRL's chat templating, tokenization, label building, truncation) in files next to
the dataset's own Arrow file, keyed by the fingerprint of the transform and its arguments (tokenizer and template
included). An in-memory dataset has no such place, so TRL redid all of it on every run. Here the canonical rows are
written once under $TUNESMITH_HOME/datasets/<sha256 of their Arrow data> and read back from there; a second run on
the same rows with the same tokenizer and settings loads the tokenized columns (bench/tokenize_cache.py, 40,000
records: set-up 25.8 s → 7.4 s, start-up included). Anything that changes the transform (tokenizer, template,
max_length) makes a new fingerprint and so new cache files. Delete the folder to reclaim the space.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path


def cache_root() -> Path:
    from tunesmith.home import tunesmith_home

    return tunesmith_home() / "datasets"


def content_hash(dataset) -> str:
    """sha256 of the dataset's rows and schema (its Arrow data in IPC form)."""
    import pyarrow as pa

    table = dataset.with_format(None).data.table
    if dataset._indices is not None:  # a selection (split, shuffle) of a bigger table: hash what it selects
        table = dataset.flatten_indices().data.table
    table = table.combine_chunks().replace_schema_metadata(None)  # rows only: not chunking, not a fingerprint
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    digest = hashlib.sha256(json.dumps(dataset.features.to_dict(), sort_keys=True).encode())
    digest.update(sink.getvalue().to_pybytes())
    return digest.hexdigest()


def on_disk(dataset):
    """`dataset` read back from its content-addressed folder (written there first if new; atomically)."""
    from datasets import load_from_disk

    folder = cache_root() / content_hash(dataset)
    if not (folder / "state.json").exists():
        staging = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
        dataset.save_to_disk(str(staging))
        try:
            staging.rename(folder)
        except OSError:  # another process (a DDP rank) put it there first
            shutil.rmtree(staging, ignore_errors=True)
    return load_from_disk(str(folder))
