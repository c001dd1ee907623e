"""The loader of the local-file lm_eval tasks in this folder (`custom_dataset: !function local_files.load`).

lm_eval calls it with the task's `dataset_kwargs` (and `metadata`) as keywords. It reads each split's JSON Lines file
from `data_files`, relative to this folder (not the current one), with the standard library: no request is made.
(`dataset_path: json` works too, but `datasets.load_dataset` then reads relative paths from the current folder and
sends a download-count request to the Hugging Face hub's S3 bucket, which offline costs a timeout.)
"""

from __future__ import annotations

import json
from pathlib import Path

import datasets

HERE = Path(__file__).resolve().parent


def load(data_files: dict[str, str], **_: object) -> datasets.DatasetDict:
    """{split: Dataset} from {split: file}; a relative file is read from this folder."""
    return datasets.DatasetDict({split: _rows(HERE / path) for split, path in data_files.items()})


def _rows(path: Path) -> datasets.Dataset:
    lines = path.read_text(encoding="utf-8").splitlines()
    return datasets.Dataset.from_list([json.loads(line) for line in lines if line.strip()])
