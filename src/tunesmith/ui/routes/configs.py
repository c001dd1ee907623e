"""`/ui/api/configs`: (placeholder: filled in by its page's owner)."""

from __future__ import annotations

from fastapi import APIRouter

from tunesmith.serve.errors import ERROR_RESPONSES
from tunesmith.ui.routes.common import PREFIX

router = APIRouter(prefix=PREFIX + "/configs", tags=["ui"], responses=ERROR_RESPONSES)
