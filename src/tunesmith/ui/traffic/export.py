"""Export the request log to `data/<name>.jsonl` in the workspace with `tunesmith logs export`'s own function.

`serve.export.export_logs` does the work (corrections replace answers, answers rated down and not corrected are
left out, one atomic write), so a dataset made here is the one the CLI would make from the same filters.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tunesmith.errors import InputError
from tunesmith.serve.export import export_logs
from tunesmith.serve.logfilter import LogFilter
from tunesmith.serve.store import Store
from tunesmith.ui.traffic.log import cli_filter
from tunesmith.ui.workspace import Workspace

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
ONLY = {"all": None, "thumbs_up": "up", "corrected": "corrected"}  # which records → the --feedback filter


class ExportRequest(BaseModel):
    """The CLI's filters, the dataset's name (written as `data/<name>.jsonl`) and which records to take."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="File name in data/, without folders; `.jsonl` is added when missing.")
    only: Literal["all", "thumbs_up", "corrected"] = "all"
    format: Literal["sft", "preference", "kto"] = "sft"
    overwrite: bool = False
    model: str | None = None
    since: str | None = None
    until: str | None = None
    feedback: str | None = None
    tag: str | None = None
    endpoint: str | None = None


class ExportResult(BaseModel):
    path: str  # workspace-relative
    records: int
    format: str


def export_dataset(store: Store, space: Workspace, body: ExportRequest) -> ExportResult:
    """Write the matching logged requests as a dataset in `data/`; InputErrors name the field and the file."""
    relative = dataset_path(body.name)
    out = space.area("data") / relative.removeprefix("data/")
    if out.exists() and not body.overwrite:
        raise InputError(f"name {body.name}", f"{relative} already exists; pick another name or set overwrite")
    where = cli_filter(body)
    where = _only(where, body.only)
    where = _one_endpoint(store, where)
    try:
        count = export_logs(store, where, body.format, out)
    except InputError as exc:  # it names the absolute output file: name the workspace one instead
        where_text = relative if exc.where == str(out) else exc.where
        raise InputError(where_text, exc.message) from None
    return ExportResult(path=relative, records=count, format=body.format)


def dataset_path(name: str) -> str:
    """`data/<name>.jsonl` for a plain file name; anything with a folder, `..` or odd characters is refused."""
    stem = name.strip().removesuffix(".jsonl")
    if not NAME.fullmatch(stem) or ".." in stem:
        expected = "expected a file name of letters, digits, '.', '_' or '-' (no folders), e.g. reviewed-2026-05"
        raise InputError(f"name {name!r}", expected)
    return f"data/{stem}.jsonl"


def _only(where: LogFilter, only: str) -> LogFilter:
    """Narrow to thumbs-up or corrected records (the CLI's --feedback up / corrected); it must agree with a
    feedback filter given beside it."""
    kind = ONLY[only]
    if kind is None:
        return where
    if where.feedback is not None and where.feedback != kind:
        raise InputError(f"only {only}", f"conflicts with feedback {where.feedback}; leave one of them out")
    return replace(where, feedback=kind)  # type: ignore[arg-type]


def _one_endpoint(store: Store, where: LogFilter) -> LogFilter:
    """As `tunesmith logs export` does: one dataset holds one shape, chat unless the log holds only completions."""
    if where.endpoint is not None:
        return where
    served = {entry.endpoint for entry in store.query(replace(where, status="ok"))}
    return replace(where, endpoint="completions" if served == {"completions"} else "chat")
