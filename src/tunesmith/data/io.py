"""Read and write record files (JSONL, JSON, CSV, Parquet), naming each record's location for errors."""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Iterator
from pathlib import Path

from tunesmith.atomic import atomic_path
from tunesmith.errors import InputError

SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".parquet": "parquet"}
_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}


def file_kind(path: str | Path) -> str:
    """The file type ('jsonl', 'json', 'csv' or 'parquet') from the suffix, so reader and writer agree."""
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        shown = suffix or "(no suffix)"
        raise InputError(str(path), f"unsupported file type {shown!r}; expected one of {', '.join(SUFFIXES)}")
    return SUFFIXES[suffix]


def read_records(path: str | Path) -> list[tuple[str, dict]]:
    """Read every record with its location ('file:LINE', 'file:[i]', 'file:row N') for error messages."""
    path = Path(path)
    if path.is_dir():
        raise InputError(str(path), "is a folder; expected a data file")
    if not path.is_file():
        raise InputError(str(path), "file not found; expected an existing data file")
    kind = file_kind(path)
    readers = {"jsonl": _read_jsonl, "json": _read_json, "csv": _read_csv, "parquet": _read_parquet}
    records = readers[kind](path)
    if not records:
        raise InputError(str(path), "no records; expected at least one")
    return records


def write_records(path: str | Path, records: list[dict]) -> None:
    """Write records in the format named by the suffix, atomically, keeping non-ASCII text as is."""
    kind = file_kind(path)
    writers = {"jsonl": _write_jsonl, "json": _write_json, "csv": _write_csv, "parquet": _write_parquet}
    with atomic_path(path) as tmp:
        writers[kind](tmp, records, str(path))


def _json_type(value: object) -> str:
    """How JSON calls the type of `value`, for messages like 'is an array, not an object'."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "a number"
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _as_object(value: object, where: str, expected: str) -> dict:
    """Return `value` if it is a JSON object, else an InputError saying what it is."""
    if not isinstance(value, dict):
        raise InputError(where, f"is {_json_type(value)}, not an object; {expected}")
    return value


def _read_text(path: Path) -> str:
    """The whole file as UTF-8 text (a leading byte-order mark is dropped)."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(str(path), f"not UTF-8 text ({e.reason} at byte {e.start}); expected UTF-8") from None


def _read_jsonl(path: Path) -> list[tuple[str, dict]]:
    """One JSON object per line; blank lines are skipped but still counted."""
    return list(iter_jsonl(path))


def iter_jsonl(path: str | Path) -> Iterator[tuple[str, dict]]:
    """Stream (location, record) from a JSON-lines file without holding it in memory."""
    path = Path(path)
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            where = f"{path}:{number}"
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as e:
                raise InputError(where, f"not UTF-8 text ({e.reason}); expected UTF-8 JSON lines") from None
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(
                    where, f"not valid JSON ({e.msg} at column {e.colno}); expected one JSON object per line"
                ) from None
            yield where, _as_object(value, where, "expected one JSON object per line")


def _read_json(path: Path) -> list[tuple[str, dict]]:
    """A JSON list of objects, or an object holding exactly one list of them (e.g. {"data": [...]})."""
    try:
        value = json.loads(_read_text(path))
    except json.JSONDecodeError as e:
        raise InputError(
            f"{path}:{e.lineno}", f"not valid JSON ({e.msg} at column {e.colno}); expected a list of objects"
        ) from None
    if isinstance(value, dict):
        lists = [v for v in value.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise InputError(
                str(path),
                f"top-level object has {len(lists)} list values; "
                "expected a list of objects, or an object holding exactly one list",
            )
        value = lists[0]
    if not isinstance(value, list):
        raise InputError(str(path), f"holds {_json_type(value)}; expected a list of objects")
    expected = "expected a list of JSON objects"
    return [(f"{path}:[{i}]", _as_object(item, f"{path}:[{i}]", expected)) for i, item in enumerate(value)]


def _read_csv(path: Path) -> list[tuple[str, dict]]:
    """A header row then one record per row; cells stay strings, missing trailing cells read as ''."""
    csv.field_size_limit(2**31 - 1)  # long conversations easily pass the 128 KiB default
    records = []
    line = 1  # where the row being read starts: a quoted cell may span lines, so errors name its first
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f, restval="", strict=True)  # strict: a stray quote is an error, not a
            # cell that swallows the rows after it (then reported as a record with no assistant reply)
            columns = len(reader.fieldnames or [])
            for number in itertools.count(1):
                line = reader.line_num + 1
                row = next(reader, None)
                if row is None:
                    break
                where = f"{path}:row {number}"
                if None in row:
                    raise InputError(where, f"has more cells than the {columns} header columns")
                records.append((where, dict(row)))
    except UnicodeDecodeError as e:
        raise InputError(str(path), f"not UTF-8 text ({e.reason}); expected UTF-8 CSV") from None
    except csv.Error as e:
        raise InputError(f"{path}:{line}", _csv_problem(str(e))) from None
    return records


def _csv_problem(error: str) -> str:
    """What a csv module error means for the row that starts on the line an InputError names."""
    quoting = 'write a quote inside a quoted cell as two (""), and close every quoted cell'
    if "unexpected end of data" in error:
        return f"unterminated quote: a quoted cell starting in the row on this line never closes; {quoting}"
    if "expected after" in error:
        return f"unterminated or stray quote: a quoted cell in the row on this line ends before its text; {quoting}"
    return f"not valid CSV ({error}); expected a header row then one row per record"


def _read_parquet(path: Path) -> list[tuple[str, dict]]:
    """Every row of the table as plain Python values (nested lists and structs included)."""
    import pyarrow as pa  # imported here so commands that never touch Parquet start fast
    import pyarrow.parquet as pq

    try:
        rows = pq.read_table(path).to_pylist()
    except (pa.ArrowException, OSError) as e:
        raise InputError(str(path), f"not a readable Parquet file ({e}); expected a Parquet table") from None
    return [(f"{path}:row {number}", row) for number, row in enumerate(rows, start=1)]


def _write_jsonl(tmp: Path, records: list[dict], name: str) -> None:
    """One JSON object per line."""
    with tmp.open("w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


def _write_json(tmp: Path, records: list[dict], name: str) -> None:
    """One indented JSON list."""
    tmp.write_text(json.dumps(records, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _write_csv(tmp: Path, records: list[dict], name: str) -> None:
    """Columns are every key in first-seen order; lists and objects become JSON text, None an empty cell."""
    columns = list(dict.fromkeys(key for record in records for key in record))
    with tmp.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, restval="")
        writer.writeheader()
        for record in records:
            writer.writerow({key: _csv_cell(value) for key, value in record.items()})


def _csv_cell(value: object) -> object:
    """A value as a CSV cell: nested values as JSON text so they can be read back."""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


def _write_parquet(tmp: Path, records: list[dict], name: str) -> None:
    """One Arrow table; each column must hold one type across records."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pa.Table.from_pylist(records)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as e:
        raise InputError(name, f"cannot store records as Parquet ({e}); expected one type per column") from None
    pq.write_table(table, tmp)
