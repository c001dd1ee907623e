"""`tunesmith rag …` on the command line: build, query, eval, questions; bad input is one error line and exit 2."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from tests.data.fake_openai import FakeOpenAI
from tunesmith.cli.main import main

from .conftest import KNOWLEDGE


def run_cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["tunesmith", *map(str, args)])
    with pytest.raises(SystemExit) as exc:
        main()
    out, err = capsys.readouterr()
    return (exc.value.code or 0), out, err


@pytest.fixture
def built(settings, tmp_path, monkeypatch, capsys) -> Path:
    code, out, _ = run_cli(monkeypatch, capsys, "rag", "build", settings())
    assert code == 0 and "8 documents (8 new" in " ".join(out.split())
    return tmp_path / "index"


def test_query_and_eval(built, monkeypatch, capsys, tmp_path):
    code, out, _ = run_cli(monkeypatch, capsys, "rag", "query", built, "Quorvia Kettle admin PIN", "-k", "2", "--json")
    hits = _json_blocks(out)
    assert code == 0 and [h["rank"] for h in hits] == [1, 2]
    assert "4719" in hits[0]["text"] and hits[0]["source"] == "quorvia-kettle.md"
    scores = tmp_path / "scores.json"
    code, out, _ = run_cli(
        monkeypatch, capsys, "rag", "eval", built, "--questions", KNOWLEDGE / "test.jsonl", "--out", scores
    )
    assert code == 0 and "recall@5" in out
    result = json.loads(scores.read_text())
    assert set(result) == {"lexical", "dense", "hybrid"} and result["hybrid"]["questions"] == 48
    assert result["hybrid"]["recall@5"] >= result["dense"]["recall@5"]
    code, out, _ = run_cli(
        monkeypatch, capsys, "rag", "eval", built, "--questions", KNOWLEDGE / "test.jsonl", "--modes", "lexical",
        "--by", "lang", "--out", scores,
    )  # fmt: skip
    split = json.loads(scores.read_text())
    assert code == 0 and set(split) == {"all", "lang=en", "lang=zh"} and "lang=zh: 24 questions" in out
    assert split["lang=en"]["lexical"]["questions"] == split["lang=zh"]["lexical"]["questions"] == 24


def _json_blocks(text: str) -> list[dict]:
    """The JSON objects `--json` printed one after another (rich indents each)."""
    decoder, at, found = json.JSONDecoder(), 0, []
    text = text.strip()
    while at < len(text):
        obj, end = decoder.raw_decode(text, at)
        found.append(obj)
        at = end
        while at < len(text) and text[at].isspace():
            at += 1
    return found


def test_bad_inputs_exit_2_with_one_line(built, settings, monkeypatch, capsys, tmp_path):
    cases = [
        (["rag", "build", settings(sources=[str(tmp_path / "missing")])], "sources[0].path"),
        (["rag", "query", built, "q", "--embedding-model", "BAAI/bge-small-en-v1.5"], "built with 'all-minilm-l6-v2'"),
        (["rag", "query", tmp_path / "nowhere", "q"], "expected an index folder"),
    ]
    for args, expected in cases:
        code, _, err = run_cli(monkeypatch, capsys, *args)
        assert code == 2 and err.startswith("error: ") and expected in err, err
    damaged = tmp_path / "damaged"
    shutil.copytree(built, damaged)
    (damaged / "chunks.jsonl").write_text('{"id": "x"\n', encoding="utf-8")
    code, _, err = run_cli(monkeypatch, capsys, "rag", "query", damaged, "q")
    assert code == 2 and "chunks.jsonl:1" in err and "rebuild it" in err
    (damaged / "manifest.json").write_text("{", encoding="utf-8")
    code, _, err = run_cli(monkeypatch, capsys, "rag", "query", damaged, "q")
    assert code == 2 and "manifest.json" in err
    bad_questions = tmp_path / "q.jsonl"
    bad_questions.write_text('{"question": "Where?", "gold": ["nope.md#0"]}\n', encoding="utf-8")
    code, _, err = run_cli(monkeypatch, capsys, "rag", "eval", built, "--questions", bad_questions)
    assert code == 2 and "q.jsonl:1: gold" in err


def test_questions_from_a_teacher_have_their_chunk_as_gold(built, monkeypatch, capsys, tmp_path):
    def reply(body):
        return json.dumps([{"question": "What does the manual say?", "answer": "Something."}])

    out = tmp_path / "questions.jsonl"
    with FakeOpenAI(reply) as server:
        args = ["rag", "questions", built, "--out", out, "--teacher", "t", "--base-url", server.base_url]
        code, _, err = run_cli(monkeypatch, capsys, *args, "--api-key-env", "", "--chunks", "5", "--per-chunk", "1")
        assert code == 0, err
        sent = [r.prompt for r in server.requests]
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 5 and all(len(r["gold"]) == 1 for r in rows)
    chunks = {json.loads(line)["id"]: json.loads(line)["text"] for line in (built / "chunks.jsonl").open()}
    for row in rows:
        assert any(" ".join(chunks[row["gold"][0]].split())[:60] in " ".join(p.split()) for p in sent)
    code, _, _ = run_cli(monkeypatch, capsys, "rag", "eval", built, "--questions", out, "--modes", "hybrid")
    assert code == 0
