"""`/ui/api/data`: upload a data file into the workspace, list the data files, inspect one as the CLI does."""

from __future__ import annotations

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from pydantic import BaseModel

from tunesmith.errors import InputError
from tunesmith.serve.errors import ERROR_RESPONSES, APIError, invalid
from tunesmith.ui.data.files import AlreadyThere, TooLarge, list_data_files, save_upload
from tunesmith.ui.data.inspect import InspectOut, inspect_data
from tunesmith.ui.routes.common import PREFIX, server, ui_state, workspace_path

router = APIRouter(prefix=PREFIX + "/data", tags=["ui"], responses=ERROR_RESPONSES)


class Saved(BaseModel):
    path: str  # workspace-relative: data/<name>
    bytes: int


class DataFileOut(BaseModel):
    path: str
    bytes: int
    modified: int  # unix seconds
    records: int | None = None  # JSONL and Parquet only (cheap to count); None otherwise


class DataFileList(BaseModel):
    data: list[DataFileOut]


@router.post("/upload", response_model=Saved)
def upload(request: Request, file: UploadFile = File(...), overwrite: bool = Form(False)) -> Saved:
    """Save a data file into the workspace's `data/` as is (inspect it to check it); an existing name is refused
    unless `overwrite` is true (409), a body over the server's `--max-upload` with 413."""
    limit = server(request).settings.max_upload_bytes
    try:
        saved = save_upload(ui_state(request).workspace, file.filename, file.file, limit, overwrite)
    except TooLarge as exc:
        raise APIError(413, str(exc), param="file", code="request_too_large") from None
    except AlreadyThere as exc:
        raise APIError(409, str(exc), param="file", code="file_exists") from None
    except InputError as exc:
        raise invalid(str(exc), "file", "invalid_file_name") from None
    return Saved(path=saved.path, bytes=saved.bytes)


@router.get("/files", response_model=DataFileList)
def files(request: Request) -> DataFileList:
    """The data files (JSONL, JSON, CSV, Parquet) under the workspace's `data/`, subfolders included."""
    found = list_data_files(ui_state(request).workspace)
    return DataFileList(data=[DataFileOut(**vars(f)) for f in found])


@router.get("/inspect", response_model=InspectOut)
def inspect(
    request: Request,
    path: str = Query(..., description="workspace-relative, e.g. data/train.jsonl"),
    format: str = Query("auto", description="as `tunesmith data inspect --format`"),
    max_length: int = Query(1024, ge=1, description="count records longer than this many tokens"),
) -> InspectOut:
    """What `tunesmith data inspect` shows, measured with the served base model's tokenizer; bad data is a 400
    with the CLI's own message (file:line, field, what was expected)."""
    target = workspace_path(request, path, "path")
    space = ui_state(request).workspace
    tuning = server(request).fine_tuning
    if tuning is None:
        raise APIError(409, "Inspecting data needs the served model's tokenizer; start the server with fine-tuning.")
    try:
        return inspect_data(
            space, space.relative(target), tuning.trainer.tokenizer, tuning.trainer.base_name, format, max_length
        )
    except InputError as exc:
        raise invalid(str(exc), "path", "invalid_data") from None
