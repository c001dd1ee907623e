"""`GET /ui/api/info`: what the shell needs to draw itself: the served base model, the models, what is on."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from tunesmith.serve.errors import ERROR_RESPONSES
from tunesmith.ui.routes.common import PREFIX, server
from tunesmith.ui.workspace import AREAS

router = APIRouter(prefix=PREFIX, tags=["ui"], responses=ERROR_RESPONSES)


class Info(BaseModel):
    base_model: str
    models: list[str]
    fine_tuning: bool
    retrieval: bool
    keys_required: bool
    areas: list[str]


@router.get("/info", response_model=Info)
def info(request: Request) -> Info:
    serving = server(request)

    models = [m.name for m in serving.backend.models()]
    tuning = serving.fine_tuning
    return Info(
        base_model=tuning.trainer.base_name if tuning is not None else (models[0] if models else ""),
        models=models,
        fine_tuning=serving.fine_tuning is not None,
        retrieval=serving.retrieval is not None,
        keys_required=bool(serving.settings.keys()),
        areas=list(AREAS),
    )
