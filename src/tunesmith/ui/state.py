"""What the UI routes share (found at `app.state.ui`)."""

from __future__ import annotations

from dataclasses import dataclass

from tunesmith.ui.workspace import Workspace


@dataclass
class UiState:
    workspace: Workspace
