"""What every UI route shares: the server and UI state, workspace paths turned into API errors."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request

from tunesmith.serve.errors import APIError
from tunesmith.ui.state import UiState
from tunesmith.ui.workspace import OutsideWorkspace

PREFIX = "/ui/api"


def ui_state(request: Request) -> UiState:
    return request.app.state.ui


def server(request: Request):
    """The serving `Server` (backend, store, fine-tuning) the UI sits on."""
    return request.app.state.server


def workspace_path(request: Request, relative: str, param: str, must_exist: bool = True) -> Path:
    """`relative` inside the workspace, or a 404 that names only what the client sent."""
    try:
        return ui_state(request).workspace.resolve(relative, must_exist)
    except OutsideWorkspace:
        raise APIError(
            404, f"No such file in the workspace: {relative!r}.", param=param, code="file_not_found"
        ) from None
