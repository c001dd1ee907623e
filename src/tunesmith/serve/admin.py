"""Admin routes: load and unload adapters while the server runs (admin keys only: see RequireKey).

An adapter is loaded only from inside the server's adapter roots; a path outside them and a path that does not
exist get the same answer, and no answer quotes a server path or a library's exception text (the log does).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from tunesmith.errors import InputError
from tunesmith.serve.adapters import OutsideRoots, check_adapter_name, confined_adapter
from tunesmith.serve.errors import ERROR_RESPONSES, APIError, invalid
from tunesmith.serve.schemas import AdapterLoad, AdapterStatus

router = APIRouter(prefix="/admin", responses=ERROR_RESPONSES)
log = logging.getLogger("tunesmith.serve")


@router.post("/adapters", response_model=AdapterStatus)
async def load_adapter(body: AdapterLoad, request: Request) -> AdapterStatus:
    """Attach the adapter at `path` (relative to an adapter root, or absolute inside one) under `name`;
    `replace: true` swaps a served adapter for the new one only once the new one has loaded."""
    server = request.app.state.server
    try:
        check_adapter_name(body.name)
    except InputError as exc:
        raise invalid(str(exc), "name") from None
    roots = server.settings.adapter_roots
    if not roots:
        message = "This server loads no adapters at run time: it was started without --adapter-root."
        raise APIError(403, message, param="path", code="no_adapter_roots")
    try:
        folder = await run_in_threadpool(confined_adapter, body.path, roots)
    except OutsideRoots:
        message = "No adapter was found at that path inside the server's adapter roots."
        raise APIError(404, message, param="path", code="adapter_not_found") from None
    try:
        await _in_thread(server.backend.load_adapter, body.name, str(folder), body.replace)
    except InputError as exc:
        if exc.where.startswith("adapter name"):  # the name is taken: nothing about the disk in that
            raise invalid(str(exc), "name", "adapter_exists") from None
        log.warning("adapter %s did not load: %s", body.name, exc)
        message = "The adapter could not be loaded onto the served model; the server's log says why."
        raise invalid(message, "path", "adapter_load_failed") from None
    if server.router is not None:  # `serve --router`: refit on the new adapter's training prompts
        await run_in_threadpool(server.router.add, body.name, folder)
    return AdapterStatus(name=body.name, loaded=True)


@router.delete("/adapters/{name}", response_model=AdapterStatus)
async def unload_adapter(name: str, request: Request) -> AdapterStatus:
    """Detach the adapter `name`; requests already queued for it fail with 404."""
    server = request.app.state.server
    await _in_thread(server.backend.unload_adapter, name)
    if server.router is not None:
        await run_in_threadpool(server.router.remove, name)
    return AdapterStatus(name=name, loaded=False)


async def _in_thread(change: Callable[..., None], *args) -> None:
    """Run a blocking backend change in a worker thread; a backend that cannot make it answers 501."""
    try:
        await run_in_threadpool(change, *args)
    except NotImplementedError as exc:
        raise APIError(501, str(exc), code="not_supported") from None
