"""`/ui/api/configs`: the YAML files tasks read (data pipelines, arena files, flywheel recipes), checked by the
CLI's own loader before they are written to `configs/<name>.yaml`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from tunesmith.serve.errors import ERROR_RESPONSES, APIError
from tunesmith.ui.routes.common import PREFIX, ui_state
from tunesmith.ui.tasks.configs import ConfigFile, ConfigKind, config_name, guess_kind, list_configs, save_config

router = APIRouter(prefix=PREFIX + "/configs", tags=["ui"], responses=ERROR_RESPONSES)


class ConfigRequest(BaseModel):
    kind: ConfigKind
    name: str  # becomes configs/<name>.yaml (letters, digits, _ . -)
    yaml: str


class Saved(BaseModel):
    path: str
    kind: str


class ConfigList(BaseModel):
    data: list[ConfigFile]


class ConfigText(BaseModel):
    path: str
    kind: str | None
    yaml: str


@router.post("", response_model=Saved)
def save(body: ConfigRequest, request: Request) -> Saved:
    """Validate as the CLI would (its message if not) and write atomically."""
    saved = save_config(ui_state(request).workspace.root, body.kind, body.name, body.yaml)
    return Saved(path=saved.path, kind=body.kind)


@router.get("", response_model=ConfigList)
def list_all(request: Request, kind: ConfigKind | None = None) -> ConfigList:
    return ConfigList(data=list_configs(ui_state(request).workspace.root, kind))


@router.get("/{name}", response_model=ConfigText)
def read(name: str, request: Request) -> ConfigText:
    import yaml

    path = ui_state(request).workspace.root / "configs" / f"{_name(name)}.yaml"
    if not path.is_file():
        raise APIError(404, f"No config {name!r} in configs/.", param="name", code="file_not_found")
    text = path.read_text(encoding="utf-8")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError:
        raw = None
    return ConfigText(path=f"configs/{path.name}", kind=guess_kind(raw if isinstance(raw, dict) else {}), yaml=text)


def _name(name: str) -> str:
    try:
        return config_name(name)
    except Exception:  # noqa: BLE001 - any bad name is simply not there
        raise APIError(404, f"No config {name!r} in configs/.", param="name", code="file_not_found") from None
