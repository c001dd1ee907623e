"""The chat page's datasets: list the JSONL files in the workspace's `data/`, and append one good exchange to one.

An appended record is an OpenAI chat record (`{"messages": [...]}`) checked by the same reader `tunesmith data` and
`tunesmith train` use, so whatever is saved here loads as a chat dataset. The file is rewritten beside itself and
renamed into place (under a lock, so two saves never lose one another), so a crash never leaves a torn line.
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass
from pathlib import Path

from tunesmith.atomic import atomic_path
from tunesmith.data.formats import FormatOptions, to_messages
from tunesmith.data.io import iter_jsonl
from tunesmith.data.loading import detect_chat_format
from tunesmith.errors import InputError
from tunesmith.ui.data.files import count_lines, list_data_files
from tunesmith.ui.workspace import OutsideWorkspace, Workspace

SUFFIX = ".jsonl"
AREA = "data"
_LOCK = threading.Lock()  # one writer at a time: a save reads the file, then replaces it


@dataclass(frozen=True)
class DatasetFile:
    path: str  # workspace-relative: data/<name>.jsonl
    records: int  # non-blank lines


def list_datasets(space: Workspace) -> list[DatasetFile]:
    """Every `*.jsonl` file under `data/` (hidden and temporary files left out), by path: the Data page's listing,
    kept to the files a chat record can be appended to."""
    found = [f for f in list_data_files(space) if Path(f.path).suffix == SUFFIX]
    rows = [
        DatasetFile(f.path, f.records if f.records is not None else count_lines(space.root / f.path)) for f in found
    ]
    return sorted(rows, key=lambda row: row.path)


def target(space: Workspace, relative: str) -> Path:
    """`relative` as a JSONL file inside `data/`; an InputError naming only what was sent otherwise."""
    expected = "expected a file in the workspace's data/ folder, like data/<name>.jsonl"
    try:
        path = space.resolve(relative, must_exist=False)
    except OutsideWorkspace:
        raise InputError(repr(relative), f"is not inside the workspace; {expected}") from None
    if space.area(AREA) not in path.parents:
        raise InputError(relative, f"is not inside data/; {expected}")
    if path.name.startswith("."):
        raise InputError(relative, f"is a hidden file name; {expected}")
    if path.suffix.lower() != SUFFIX:
        raise InputError(relative, f"is not a JSONL file (its suffix is {path.suffix or 'missing'!r}); {expected}")
    if path.is_dir():
        raise InputError(relative, f"is a folder; {expected}")
    return path


def check_record(messages: list[dict], where: str) -> dict:
    """The OpenAI chat record for `messages`: valid as tunesmith's readers read it, ending in an assistant answer."""
    record = {"messages": messages}
    if not messages:
        raise InputError(where, "field 'messages' is empty; expected the conversation, ending with the answer")
    last = len(messages) - 1
    final = messages[last] if isinstance(messages[last], dict) else {}
    if final.get("role") != "assistant":
        raise InputError(where, f"field 'messages[{last}].role' is {final.get('role')!r}; expected 'assistant' last")
    content = final.get("content")
    if not isinstance(content, str) or not content.strip():
        raise InputError(where, f"field 'messages[{last}].content' is empty; expected the assistant's answer")
    to_messages(record, where, "openai", FormatOptions())  # roles, contents, weights: the reader's own checks
    return record


def existing_records(path: Path, relative: str) -> tuple[int, bytes]:
    """The file's record count and bytes, after checking it holds chat records (OpenAI `messages`) to add to."""
    try:
        sample = list(itertools.islice(iter_jsonl(path), 10))
        found = detect_chat_format(sample) if sample else "openai"
    except InputError as exc:  # the reader names the absolute path: show the workspace-relative one
        raise InputError(exc.where.replace(str(path), relative), exc.message) from None
    if found != "openai":
        raise InputError(relative, f"holds {found} records; expected a chat file of OpenAI 'messages' records")
    data = path.read_bytes()
    return sum(1 for line in data.splitlines() if line.strip()), data


def append_chat(space: Workspace, relative: str, messages: list[dict]) -> DatasetFile:
    """Append one chat record to `data/<name>.jsonl` (created if missing), atomically; the file's new count."""
    path = target(space, relative)
    shown = space.relative(path)
    with _LOCK:
        count, data = existing_records(path, shown) if path.exists() else (0, b"")
        record = check_record(messages, f"{shown}:{len(data.splitlines()) + 1}")
        if data and not data.endswith(b"\n"):
            data += b"\n"
        line = json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n"
        with atomic_path(path) as tmp:
            tmp.write_bytes(data + line)
    return DatasetFile(shown, count + 1)
