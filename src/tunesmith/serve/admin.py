"""Admin routes: load and unload adapters while the server runs (a key is needed when keys are configured)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from tunesmith.errors import InputError
from tunesmith.serve.adapters import check_adapter_name
from tunesmith.serve.errors import APIError, invalid
from tunesmith.serve.schemas import AdapterLoad, AdapterStatus

router = APIRouter(prefix="/admin")


@router.post("/adapters", response_model=AdapterStatus)
async def load_adapter(body: AdapterLoad, request: Request) -> AdapterStatus:
    """Attach the adapter of a run directory (or PEFT adapter folder) under `name`."""
    backend = request.app.state.server.backend
    try:
        check_adapter_name(body.name)
        await run_in_threadpool(backend.load_adapter, body.name, body.path)
    except InputError as exc:
        raise invalid(str(exc), "name" if exc.where.startswith("adapter name") else "path") from None
    except NotImplementedError as exc:
        raise APIError(501, str(exc), code="not_supported") from None
    return AdapterStatus(name=body.name, loaded=True)


@router.delete("/adapters/{name}", response_model=AdapterStatus)
async def unload_adapter(name: str, request: Request) -> AdapterStatus:
    """Detach the adapter `name`; requests already queued for it fail with 404."""
    backend = request.app.state.server.backend
    try:
        await run_in_threadpool(backend.unload_adapter, name)
    except NotImplementedError as exc:
        raise APIError(501, str(exc), code="not_supported") from None
    return AdapterStatus(name=name, loaded=False)
