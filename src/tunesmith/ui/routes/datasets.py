"""The chat page's routes: `/ui/api/datasets` (list, append a good exchange) and `/ui/api/chat/retrieval`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from tunesmith.errors import InputError
from tunesmith.serve.errors import ERROR_RESPONSES, invalid
from tunesmith.ui.chat.datasets import append_chat, list_datasets
from tunesmith.ui.routes.common import PREFIX, server, ui_state

router = APIRouter(prefix=PREFIX, tags=["ui"], responses=ERROR_RESPONSES)


class DatasetInfo(BaseModel):
    path: str = Field(description="workspace-relative, e.g. data/good.jsonl")
    records: int = Field(description="records (non-blank lines) in the file")


class DatasetList(BaseModel):
    data: list[DatasetInfo]


class AppendRequest(BaseModel):
    """One conversation to save: OpenAI chat messages ending with the assistant's answer."""

    model_config = ConfigDict(extra="forbid")
    path: str = Field(min_length=1, max_length=512, description="data/<name>.jsonl (created if missing)")
    messages: list[dict] = Field(max_length=512, description="[{role, content}, ...], the last an assistant turn")


class RetrievalInfo(BaseModel):
    """Which served models answer with retrieval (`serve --rag`): a request may turn it off with `retrieval: false`."""

    models: list[str] = Field(description="served models that retrieve")
    k: int = Field(0, description="chunks retrieved per request")


@router.get("/datasets", response_model=DatasetList)
def datasets(request: Request) -> DatasetList:
    """The JSONL files in the workspace's `data/` folder, with their record counts."""
    found = list_datasets(ui_state(request).workspace)
    return DatasetList(data=[DatasetInfo(path=f.path, records=f.records) for f in found])


@router.post("/datasets/append", response_model=DatasetInfo)
async def append(body: AppendRequest, request: Request) -> DatasetInfo:
    """Append one chat record `{"messages": [...]}` to a JSONL file in `data/`, checked as the data readers check
    it and written atomically; a new file is created."""
    space = ui_state(request).workspace
    try:
        saved = await run_in_threadpool(append_chat, space, body.path, body.messages)
    except InputError as exc:
        param = "messages" if "field 'messages" in exc.message else "path"
        raise invalid(str(exc), param) from None
    return DatasetInfo(path=saved.path, records=saved.records)


@router.get("/chat/retrieval", response_model=RetrievalInfo)
def retrieval(request: Request) -> RetrievalInfo:
    """The served models that answer with retrieved chunks (every model when the server has `--rag INDEX`)."""
    serving = server(request)
    if serving.retrieval is None:
        return RetrievalInfo(models=[])
    names = [m.name for m in serving.backend.models()]
    return RetrievalInfo(models=[n for n in names if serving.retrieval.retriever(n)], k=serving.retrieval.k)
