"""Mount the UI on a tunesmith server: its static pages at `/ui/` and its routes at `/ui/api/*`.

The pages are static files and carry no data, so they are served without a key; every `/ui/api/*` route needs an
admin key whenever keys are configured (`serve.auth.RequireKey`), since the UI trains, exports and reads traffic.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from tunesmith.ui.headers import SecurityHeaders
from tunesmith.ui.state import UiState
from tunesmith.ui.tasks.service import attach as attach_tasks
from tunesmith.ui.workspace import Workspace

STATIC = Path(__file__).parent / "static"


def mount_ui(app: FastAPI, workspace: Workspace) -> FastAPI:
    """Add the UI to `app` (a `serve.app.create_app` app, usually with fine-tuning on)."""
    from tunesmith.ui.routes import configs, data, datasets, info, recipe, runs, tasks, traffic

    app.state.ui = UiState(workspace)
    attach_tasks(app)  # the task runner starts and stops with the app (running commands killed, marked interrupted)
    app.state.upload_paths["/ui/api/data/upload"] = app.state.server.settings.max_upload_bytes
    for routes in (info, data, recipe, runs, datasets, tasks, configs, traffic):
        app.include_router(routes.router)
    app.mount("/ui", SecurityHeaders(StaticFiles(directory=STATIC, html=True)), name="ui")

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/ui/")

    return app
