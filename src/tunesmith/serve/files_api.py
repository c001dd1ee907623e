"""`/v1/files`: upload, list, read and delete fine-tuning files (OpenAI's routes); each key sees only its own.

The routes are plain functions: FastAPI runs them in its thread pool, so store and disk calls never block the loop.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from tunesmith.errors import InputError
from tunesmith.jobs.files import blob_path, remove_blob, save_blob
from tunesmith.jobs.store import StoredFile, new_id, now
from tunesmith.jobs.validate import check_jsonl
from tunesmith.serve.api import caller
from tunesmith.serve.context import Caller
from tunesmith.serve.errors import ERROR_RESPONSES, APIError, invalid
from tunesmith.serve.finetuning import FineTuning
from tunesmith.serve.ft_schemas import Deleted, FileList, FileObject

router = APIRouter(prefix="/v1/files", responses=ERROR_RESPONSES)


def fine_tuning(request: Request) -> FineTuning:
    """The fine-tuning service; a 404 when this server was started without it."""
    service = request.app.state.server.fine_tuning
    if service is None:
        message = "Fine-tuning is not enabled on this server; start it with `tunesmith serve --fine-tuning DIR`."
        raise APIError(404, message, code="fine_tuning_disabled")
    return service


@router.post("", response_model=FileObject)
def upload(
    request: Request,
    file: UploadFile = File(...),
    purpose: str = Form(...),
    who: Caller = Depends(caller),
) -> FileObject:
    """Store a JSONL file for fine-tuning (purpose `fine-tune`), checked line by line first."""
    service = fine_tuning(request)
    if purpose != "fine-tune":
        raise invalid(f"Invalid purpose '{purpose}': this server accepts 'fine-tune' files only.", "purpose")
    data = file.file.read()
    name = file.filename or "upload.jsonl"
    try:
        examples = check_jsonl(data, name)
    except InputError as exc:
        raise invalid(f"Invalid file format: {exc}", "file", "invalid_file_format") from None
    digest = save_blob(service.trainer.root, data)
    stored = StoredFile(new_id("file-"), who.key_id, now(), name, purpose, len(data), digest, examples)
    return FileObject.of(service.store.add_file(stored))


@router.get("", response_model=FileList)
def list_files(request: Request, purpose: str | None = None, who: Caller = Depends(caller)) -> FileList:
    service = fine_tuning(request)
    return FileList(data=[FileObject.of(f) for f in service.store.list_files(who.key_id, purpose)])


@router.get("/{file_id}", response_model=FileObject)
def get_file(file_id: str, request: Request, who: Caller = Depends(caller)) -> FileObject:
    return FileObject.of(_own(request, file_id, who))


@router.get("/{file_id}/content")
def file_content(file_id: str, request: Request, who: Caller = Depends(caller)) -> Response:
    stored = _own(request, file_id, who)
    data = blob_path(fine_tuning(request).trainer.root, stored.sha256).read_bytes()
    return Response(data, media_type="application/octet-stream")


@router.delete("/{file_id}", response_model=Deleted)
def delete_file(file_id: str, request: Request, who: Caller = Depends(caller)) -> Deleted:
    """Delete a file; one that a job still waiting or training reads is refused (409)."""
    service = fine_tuning(request)
    stored = _own(request, file_id, who)
    active = service.store.jobs_with_status("validating_files", "queued", "running", "paused")
    if any(file_id in (job.training_file, job.validation_file) for job in active):
        raise APIError(409, f"File '{file_id}' is in use by a fine-tuning job that has not ended.", code="file_in_use")
    if service.store.delete_file(stored.id):
        remove_blob(service.trainer.root, stored.sha256)
    return Deleted(id=file_id, object="file")


def _own(request: Request, file_id: str, who: Caller) -> StoredFile:
    stored = fine_tuning(request).store.get_file(file_id, who.key_id)
    if stored is None:
        raise APIError(404, f"No such File object: {file_id}", param="id", code="file_not_found")
    return stored
