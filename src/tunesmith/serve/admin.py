"""Admin routes: load and unload adapters while the server runs (a key is needed when keys are configured)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from tunesmith.errors import InputError
from tunesmith.serve.adapters import check_adapter_name
from tunesmith.serve.errors import ERROR_RESPONSES, APIError, invalid
from tunesmith.serve.schemas import AdapterLoad, AdapterStatus

router = APIRouter(prefix="/admin", responses=ERROR_RESPONSES)


@router.post("/adapters", response_model=AdapterStatus)
async def load_adapter(body: AdapterLoad, request: Request) -> AdapterStatus:
    """Attach the adapter of a run directory (or PEFT adapter folder) under `name`."""
    try:
        check_adapter_name(body.name)
        await _in_thread(request.app.state.server.backend.load_adapter, body.name, body.path)
    except InputError as exc:
        raise invalid(str(exc), "name" if exc.where.startswith("adapter name") else "path") from None
    return AdapterStatus(name=body.name, loaded=True)


@router.delete("/adapters/{name}", response_model=AdapterStatus)
async def unload_adapter(name: str, request: Request) -> AdapterStatus:
    """Detach the adapter `name`; requests already queued for it fail with 404."""
    await _in_thread(request.app.state.server.backend.unload_adapter, name)
    return AdapterStatus(name=name, loaded=False)


async def _in_thread(change: Callable[..., None], *args: str) -> None:
    """Run a blocking backend change in a worker thread; a backend that cannot make it answers 501."""
    try:
        await run_in_threadpool(change, *args)
    except NotImplementedError as exc:
        raise APIError(501, str(exc), code="not_supported") from None
