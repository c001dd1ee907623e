"""pii hash mode keeps its salt secret: no artifact, log or console line of `tunesmith data run` holds it."""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path

import pytest
import yaml
from datasets import Dataset

from tests.cli.test_errors import run_cli
from tests.conftest import write_jsonl
from tunesmith.data.ops import OpContext
from tunesmith.data.ops.pii import Config, _fingerprint, run
from tunesmith.data.pipeline import load_pipeline
from tunesmith.errors import InputError

SALT = "s3cret-Salt-9f7Qz"  # distinctive, so any copy of it in a file is found
ROWS = [
    {"messages": [{"role": "user", "content": f"Call me at (415) 555-01{i:02d}, Maria Gonzalez"}], "meta": {"i": i}}
    for i in range(6)
]


def pipeline(tmp_path: Path, options: dict) -> Path:
    """A pipeline file hashing PII in a small chat file, writing to tmp_path/out (report PII check on)."""
    write_jsonl(tmp_path / "in.jsonl", ROWS)
    spec = {"inputs": ["in.jsonl"], "output": "out", "ops": [{"pii": {"mode": "hash", **options}}]}
    path = tmp_path / "pipeline.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def holding(folder: Path, secret: str, skip: tuple[Path, ...] = ()) -> list[Path]:
    """Every file under `folder` (but `skip`) whose bytes contain `secret`."""
    needle = secret.encode()
    return [p for p in folder.rglob("*") if p.is_file() and p not in skip and needle in p.read_bytes()]


@pytest.mark.parametrize("where", ["env", "inline"])
def test_data_run_writes_the_salt_nowhere(tmp_path, monkeypatch, capsys, caplog, where):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # the pipeline's working dir and caches
    (tmp_path / "tmp").mkdir()
    if where == "env":
        monkeypatch.setenv("TUNESMITH_PII_SALT", SALT)
        path = pipeline(tmp_path, {"salt_env": "TUNESMITH_PII_SALT"})
    else:
        path = pipeline(tmp_path, {"salt": SALT})
    caplog.set_level(logging.DEBUG)
    code, out, err = run_cli(monkeypatch, capsys, "data", "run", str(path))
    assert code == 0, err
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["data.jsonl", "report.html", "report.json"]
    assert holding(tmp_path, SALT, skip=(path,) if where == "inline" else ()) == []
    assert SALT not in out + err + caplog.text
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    options = report["steps"][0]["options"]
    assert options == (
        {"mode": "hash", "salt_env": "TUNESMITH_PII_SALT"} if where == "env" else {"mode": "hash", "salt": "**********"}
    )
    data = (tmp_path / "out" / "data.jsonl").read_text()
    assert "555-01" not in data and "<PHONE:" in data and "<PERSON:" in data


def test_tokens_are_stable_and_differ_between_salts():
    def tokens(salt: str) -> list[str]:
        result = run(Dataset.from_list(ROWS), Config(mode="hash", salt=salt), OpContext())
        return [row["messages"][0]["content"] for row in result.dataset.to_list()]

    first = tokens("one")
    assert first == tokens("one")
    assert first != tokens("two")
    assert len({text.split("<PERSON:")[1] for text in first}) == 1  # one name, one token: still joinable


def test_salt_from_env_hashes_like_the_same_salt_inline(monkeypatch):
    monkeypatch.setenv("MY_SALT", "one")
    from_env = run(Dataset.from_list(ROWS), Config(mode="hash", salt_env="MY_SALT"), OpContext())
    inline = run(Dataset.from_list(ROWS), Config(mode="hash", salt="one"), OpContext())
    assert from_env.dataset.to_list() == inline.dataset.to_list()


def test_cache_fingerprint_changes_with_the_salt_but_holds_no_salt():
    marked = Dataset.from_list([{"text": "x"}])
    one, two = (_fingerprint(marked, Config(mode="hash", salt=s), s) for s in (SALT, "other"))
    assert one != two and SALT not in one
    assert _fingerprint(marked, Config(mode="hash", salt=SALT), SALT) == one


def test_salt_is_hidden_in_dumps_and_reprs():
    cfg = Config(mode="hash", salt=SALT)
    assert SALT not in repr(cfg) + str(cfg.model_dump()) + cfg.model_dump_json()
    assert cfg.secret() == SALT


@pytest.mark.parametrize(
    ("options", "env", "message"),
    [
        ({"salt_env": "TUNESMITH_TEST_UNSET"}, {}, "TUNESMITH_TEST_UNSET is not set"),
        ({"salt_env": "TUNESMITH_TEST_EMPTY"}, {"TUNESMITH_TEST_EMPTY": ""}, "is not set or empty"),
        ({"salt": "a", "salt_env": "X"}, {"X": "b"}, "not both"),
        ({"salt": 123456}, {}, "quote it"),
    ],
)
def test_bad_salt_settings_are_errors_that_never_echo_the_value(tmp_path, monkeypatch, options, env, message):
    monkeypatch.delenv("TUNESMITH_TEST_UNSET", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(InputError) as err:
        load_pipeline(pipeline(tmp_path, options))
    assert message in str(err.value) and "123456" not in str(err.value)
