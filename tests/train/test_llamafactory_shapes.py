"""Every text-only shape of LLaMA-Factory's demo data (`data/` in hiyouga/LLaMA-Factory), written small here:
`data inspect` reads each with nothing ignored, and each trains in the stage its shape implies."""

from __future__ import annotations

import json

import pytest

from tunesmith.data.inspect import inspect_file
from tunesmith.train.run import train

ALPACA = [
    {"instruction": f"Say {w}.", "input": "", "output": f"{w}!"} for w in ("hello", "goodbye", "thanks", "yes")
] + [
    {"instruction": "翻译成英文", "input": "你好", "output": "Hello"},
    {"instruction": "讲个词", "input": "", "output": "猫"},
]
IDENTITY = [
    {"instruction": "hi", "input": "", "output": "Hello! I am {{name}}, an AI assistant developed by {{author}}."},
    {"instruction": "Who are you?", "input": "", "output": "I am {{name}}, an AI assistant developed by {{author}}."},
] * 3
GLAIVE = [
    {
        "conversations": [
            {"from": "human", "value": f"Area of a square with side {n}?"},
            {"from": "function_call", "value": json.dumps({"name": "area", "arguments": {"side": n}})},
            {"from": "observation", "value": json.dumps({"area": n * n})},
            {"from": "gpt", "value": f"The area is {n * n}."},
        ],
        "tools": json.dumps([{"name": "area", "description": "Square area", "parameters": {"type": "object"}}]),
    }
    for n in range(2, 8)
] + [{"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello!"}], "tools": "[]"}]
DPO = [
    {
        "conversations": [{"from": "human", "value": f"Name a colour ({i})."}],
        "chosen": {"from": "gpt", "value": "Blue."},
        "rejected": {"from": "gpt", "value": "I cannot."},
    }
    for i in range(6)
]
KTO = [
    {
        "messages": [{"content": f"Question {i}?", "role": "user"}, {"content": f"Answer {i}.", "role": "assistant"}],
        "label": i % 2 == 0,
    }
    for i in range(6)
]
C4 = [{"text": f"Document {i}. " + "Some words in a row. " * 12} for i in range(6)]
WIKI = "\n".join(f"Line {i} of an encyclopedia article about rivers and mountains." for i in range(40))

SHAPES = {  # file name: (content, what inspect says, the stage it trains in)
    "alpaca_en_demo.json": (ALPACA, "alpaca", "sft"),
    "identity.json": (IDENTITY, "alpaca", "sft"),
    "glaive_toolcall_en_demo.json": (GLAIVE, "sharegpt", "sft"),
    "dpo_en_demo.json": (DPO, "sharegpt_preference", "dpo"),
    "kto_en_demo.json": (KTO, "kto", "kto"),
    "c4_demo.jsonl": (C4, None, "pretrain"),
    "wiki_demo.txt": (WIKI, None, "pretrain"),
}


def write(folder, name: str):
    content = SHAPES[name][0]
    path = folder / name
    if name.endswith(".jsonl"):
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in content), encoding="utf-8")
    elif name.endswith(".json"):
        path.write_text(json.dumps(content, ensure_ascii=False, indent=2), encoding="utf-8")
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", [n for n, (_, fmt, _) in SHAPES.items() if fmt is not None])
def test_inspect_reads_every_demo_shape_with_nothing_ignored(tmp_path, smol_tokenizer, name):
    _, expected, _ = SHAPES[name]
    found = inspect_file(write(tmp_path, name), smol_tokenizer)
    assert found.format == expected
    assert found.keys.get("kept in meta", []) == []  # every key of these files is read (chat data lists them)
    if name.startswith("glaive"):
        assert found.turns["tool"] == 6 and found.keys["read"] == ["conversations", "tools"]
    if name.startswith("kto"):
        assert found.counts == {"desirable": 3, "undesirable": 3}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SHAPES))
def test_each_demo_shape_trains_in_the_stage_it_implies(tmp_path, make_recipe, name):
    _, _, stage = SHAPES[name]
    path = write(tmp_path, name)
    recipe = make_recipe(
        data={"train": str(path), "validation_split": 0.0},
        stage={"name": stage},
        train={"max_steps": 2, "batch_size": 2, "eval_steps": 2, "logging_steps": 1, "max_length": 128},
    )
    result = train(recipe)
    assert result.steps == 2 and result.train_loss is not None and result.train_loss > 0
