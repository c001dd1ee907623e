"""`tunesmith federate` on bad input: one `error:` line naming the file and what is wrong, exit status 2, and no
federation folder written."""

from __future__ import annotations

import sys

import pytest
import yaml

from tests.federate.conftest import write_fed
from tunesmith.cli.main import main


def run_cli(monkeypatch, capsys, *args: str) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["tunesmith", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    return exc.value.code or 0, capsys.readouterr().err


def test_an_adalora_recipe_is_refused_before_anything_is_written(fed_folder, monkeypatch, capsys):
    recipe = yaml.safe_load((fed_folder / "recipe.yaml").read_text())
    (fed_folder / "ada.yaml").write_text(yaml.safe_dump({**recipe, "method": {"name": "adalora"}}))
    path = write_fed(fed_folder, "cli-ada", recipe="ada.yaml")
    code, err = run_cli(monkeypatch, capsys, "federate", str(path))
    assert code == 2 and err.startswith("error: ") and "AdaLoRA" in err and "cannot be averaged" in err
    assert not (fed_folder / "out" / "cli-ada").exists()


def test_a_missing_client_file_stops_the_run_with_its_name(fed_folder, monkeypatch, capsys):
    clients = [{"name": "alpha", "data": "alpha.jsonl"}, {"name": "gone", "data": "gone.jsonl"}]
    path = write_fed(fed_folder, "cli-gone", clients=clients)
    code, err = run_cli(monkeypatch, capsys, "federate", str(path))
    assert code == 2 and "gone.jsonl" in err and "client data file not found" in err
    assert not (fed_folder / "out" / "cli-gone").exists()


def test_a_site_must_be_a_listed_client(fed_folder, monkeypatch, capsys):
    path = write_fed(fed_folder, "cli-site", mode="deployment")
    code, err = run_cli(monkeypatch, capsys, "federate", str(path), "--client", "gamma")
    assert code == 2 and "no client named 'gamma'; listed: alpha, beta" in err
