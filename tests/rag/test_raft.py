"""RAFT data: each SFT prompt rebuilt from retrieved chunks — the gold one among distractors, or distractors only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import write_jsonl
from tunesmith.config.recipe import RaftConfig
from tunesmith.errors import InputError
from tunesmith.rag.build import build_index
from tunesmith.rag.config import load_rag_config
from tunesmith.rag.prompt import NOT_FOUND
from tunesmith.rag.raft import raft_rows
from tunesmith.train.setup import load_stage_data

from .conftest import KNOWLEDGE


@pytest.fixture
def index(settings) -> Path:
    cfg, base = load_rag_config(settings())
    build_index(cfg, base, Path(cfg.index))
    return Path(cfg.index)


def rows(n: int = 12) -> list[dict]:
    """The knowledge task's first training records as the loader reads them (meta holds source and evidence)."""
    records = [json.loads(line) for line in (KNOWLEDGE / "sft_v1.jsonl").read_text().splitlines()[:n]]
    return [
        {
            "where": f"sft_v1.jsonl:{i}",
            "messages": r["messages"],
            "meta": {"source": r["source"], "evidence": r["evidence"]},
        }
        for i, r in enumerate(records, 1)
    ]


def test_gold_among_distractors_and_a_citation(index):
    out = raft_rows(RaftConfig(index=index, distractors=3, p_gold=1.0), seed=1)("f", rows())
    for before, after in zip(rows(), out):
        prompt, answer = after["messages"][-2]["content"], after["messages"][-1]["content"]
        ids = [line[1 : line.index("]")] for line in prompt.split("\n") if line.startswith("[")]
        assert len(ids) == 4 and len(set(ids)) == 4
        cited = answer[answer.rindex("[") + 1 : -1]
        assert cited in ids and answer.startswith(before["messages"][-1]["content"])
        assert before["meta"]["evidence"] in " ".join(prompt.split())
        assert prompt.endswith(f"Question: {before['messages'][-2]['content']}")


def test_without_gold_the_answer_says_the_documents_lack_it(index):
    out = raft_rows(RaftConfig(index=index, distractors=3, p_gold=0.0), seed=1)("f", rows())
    for before, after in zip(rows(), out):
        assert after["messages"][-1]["content"] == NOT_FOUND
        assert before["meta"]["evidence"] not in " ".join(after["messages"][-2]["content"].split())


def test_the_share_with_gold_follows_p_gold_and_the_seed(index):
    make = raft_rows(RaftConfig(index=index, distractors=2, p_gold=0.5), seed=3)
    first, again = make("f", rows(40)), make("f", rows(40))
    assert first == again  # the same seed and file: the same prompts
    with_gold = sum(r["messages"][-1]["content"] != NOT_FOUND for r in first)
    assert 10 <= with_gold <= 30


def test_a_record_without_gold_is_an_error_naming_it(index):
    bad = [{"where": "data.jsonl:3", "messages": rows(1)[0]["messages"], "meta": {}}]
    with pytest.raises(InputError, match="data.jsonl:3: expected `gold`"):
        raft_rows(RaftConfig(index=index), seed=0)("f", bad)


def test_a_recipe_with_data_rag_trains_on_retrieved_prompts(index, make_recipe, tmp_path):
    train = write_jsonl(tmp_path / "train.jsonl", [json.loads(x) for x in (KNOWLEDGE / "sft_v1.jsonl").open()][:8])
    recipe = make_recipe(data={"train": str(train), "validation_split": 0.0, "rag": {"index": str(index), "p_gold": 1}})
    data = load_stage_data(recipe)
    assert len(data.train) == 8
    assert all("Documents:\n[" in row["messages"][-2]["content"] for row in data.train)
    dpo = make_recipe(data={"train": str(train), "rag": {"index": str(index)}}, stage={"name": "dpo"})
    with pytest.raises(InputError, match="data.rag"):
        load_stage_data(dpo)
