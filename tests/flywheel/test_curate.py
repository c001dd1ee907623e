"""The default curation really dedups (exact and near) and masks personal data in the exported rows."""

from __future__ import annotations

import json

import pytest

from tunesmith.errors import InputError
from tunesmith.flywheel.curate import curate, write_jsonl
from tunesmith.flywheel.plan import plan_flywheel


def row(question: str, answer: str, rid: str) -> dict:
    messages = [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
    return {"messages": messages, "meta": {"request_id": rid, "source": "logged"}}


ROWS = [
    row("My order 1182 arrived broken, what now?", "Sorry! Reply with a photo and we send a new one.", "a"),
    row("My order 1182 arrived broken, what now?", "Sorry! Reply with a photo and we send a new one.", "b"),
    row("My order 1182 arrived brokn, what now?", "Sorry! Reply with a photo and we send a new one.", "c"),
    row("Please call me back on +1 415 555 0142 about the invoice.", "We will call you today.", "d"),
    row("Where do I change my password? Email: jane.doe@example.com", "Settings, then Security.", "e"),
]


def test_default_curation_removes_duplicates_and_masks_pii(tmp_path):
    steps = plan_flywheel({"store": "x.db", "teacher_model": "t"}).steps
    write_jsonl(tmp_path / "export.jsonl", ROWS)
    result = curate(tmp_path / "export.jsonl", steps, tmp_path / "curated.jsonl")
    assert (result.rows_in, result.rows_out) == (5, 3)
    exact, near, pii = result.ops
    assert exact["removed"] == {"exact duplicate": 1} and near["removed"] == {"near duplicate": 1}
    assert pii["changed"] == 2 and pii["stats"]["found"] == {"EMAIL": 1, "PHONE": 1}
    kept = [json.loads(line) for line in (tmp_path / "curated.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["meta"]["request_id"] for r in kept] == ["a", "d", "e"]  # provenance survives
    assert kept[1]["messages"][0]["content"] == "Please call me back on <PHONE> about the invoice."
    assert kept[2]["messages"][0]["content"] == "Where do I change my password? Email: <EMAIL>"


def test_curation_that_removes_everything_stops(tmp_path):
    steps = plan_flywheel({"store": "x.db", "teacher_model": "t", "curate": [{"pii": {"drop": True}}]}).steps
    write_jsonl(tmp_path / "export.jsonl", ROWS[3:])
    with pytest.raises(InputError, match="removed all 2 exported rows"):
        curate(tmp_path / "export.jsonl", steps, tmp_path / "curated.jsonl")
    assert not (tmp_path / "curated.jsonl").exists()
