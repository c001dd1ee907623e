"""The tool-use example's bundled data is what its generator writes, and it reads as tool-use data."""

import shutil
import subprocess
import sys
from pathlib import Path

from tunesmith.data.loading import load_messages

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "tool_use"


def test_bundled_data_is_reproduced_by_make_data(tmp_path):
    shutil.copy(EXAMPLE / "make_data.py", tmp_path / "make_data.py")
    subprocess.run([sys.executable, str(tmp_path / "make_data.py")], check=True)
    for name in ("train.jsonl", "test.jsonl"):
        fresh = (tmp_path / "data" / name).read_bytes()
        assert fresh == (EXAMPLE / "data" / name).read_bytes(), f"rerun make_data.py to refresh {name}"


def test_every_test_record_offers_the_three_functions_and_most_expect_a_call():
    fmt, rows = load_messages(EXAMPLE / "data" / "test.jsonl")
    assert fmt == "openai" and len(rows) == 60
    assert all(
        [t["function"]["name"] for t in row["tools"]] == ["get_weather", "convert_currency", "set_reminder"]
        for row in rows
    )
    calls = [row for row in rows if row["messages"][-1].get("tool_calls")]
    assert len(calls) == 47
