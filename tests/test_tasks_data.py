"""The three task examples (classify, passage_qa, rewrite): generators reproduce the committed data, the splits keep
their promises (sizes, no shared prompt, held-out entities, a Chinese share) and each minimal recipe loads."""

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tunesmith.config import load_recipe

TASKS_DIR = Path(__file__).resolve().parents[1] / "examples" / "tasks"
TASKS = ["classify", "passage_qa", "rewrite"]
SIZES = {"train": 900, "dev": 100, "eval": 200}
CJK = re.compile("[\u4e00-\u9fff]")


def load(task: str, split: str) -> list[tuple[str, str]]:
    """(prompt, answer) pairs of a committed split, checking the chat record shape on the way."""
    pairs = []
    for line in (TASKS_DIR / task / "data" / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
        messages = json.loads(line)["messages"]
        assert [m["role"] for m in messages] == ["user", "assistant"]
        pairs.append((messages[0]["content"], messages[1]["content"]))
    return pairs


def body(prompt: str) -> str:
    """The prompt without its instruction (the first paragraph), so a language check reads the task's own text."""
    return prompt.split("\n\n", 1)[1]


def generator(task: str):
    """The task's make_data.py as a module."""
    spec = importlib.util.spec_from_file_location(f"make_{task}", TASKS_DIR / task / "make_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("task", TASKS)
def test_generator_rewrites_the_committed_files_byte_for_byte(task, tmp_path):
    script = TASKS_DIR / task / "make_data.py"
    subprocess.run([sys.executable, str(script), "--out", str(tmp_path)], check=True, capture_output=True)
    for split in SIZES:
        fresh = (tmp_path / f"{split}.jsonl").read_bytes()
        assert fresh == (TASKS_DIR / task / "data" / f"{split}.jsonl").read_bytes(), f"rerun {script}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dev.jsonl", "eval.jsonl", "train.jsonl"]


@pytest.mark.parametrize("task", TASKS)
def test_splits_have_their_sizes_share_no_prompt_and_are_a_quarter_chinese(task):
    prompts = {}
    for split, size in SIZES.items():
        pairs = load(task, split)
        assert len(pairs) == size
        prompts[split] = {prompt for prompt, _ in pairs}
        assert len(prompts[split]) == size
        chinese = sum(bool(CJK.search(body(prompt))) for prompt, _ in pairs)
        assert 0.25 <= chinese / size <= 0.45, (split, chinese)
        assert all(answer.strip() == answer and answer for _, answer in pairs)
    assert not prompts["train"] & prompts["dev"]
    assert not prompts["train"] & prompts["eval"]
    assert not prompts["dev"] & prompts["eval"]


@pytest.mark.parametrize("task", TASKS)
def test_eval_only_entities_never_reach_train(task):
    module = generator(task)
    train = "\n".join(prompt + "\n" + answer for prompt, answer in load(task, "train"))
    held_out = [
        item.split(":")[0]  # rewrite's Chinese items carry their measure word
        for entities in module.ENTITIES.values()
        for items in entities.values()
        for item in module.pool(items, "eval")
        if len(item.split(":")[0]) >= (2 if CJK.search(item) else 4)  # single letters and characters recur anyway
    ]
    assert len(held_out) >= 20
    assert [item for item in held_out if item in train] == []
    evaluation = "\n".join(prompt for prompt, _ in load(task, "eval"))
    assert sum(item in evaluation for item in held_out) >= len(held_out) // 2  # and eval really uses them


def test_classify_answers_are_bare_labels_in_equal_shares():
    labels = generator("classify").LABELS
    for split, size in SIZES.items():
        answers = [answer for _, answer in load("classify", split)]
        assert {answers.count(label) for label in labels} <= {size // len(labels), size // len(labels) + 1}
        assert all(label in prompt.split("\n\n")[0] for prompt, _ in load("classify", split) for label in labels)


def test_passage_qa_answers_are_copied_from_the_passage():
    for split in SIZES:
        for prompt, answer in load("passage_qa", split):
            passage = re.split("\n\n(?:Question: |问题：)", body(prompt))[0]
            assert answer in passage, (answer, passage)


def test_rewrite_references_are_one_formal_sentence():
    for split in SIZES:
        for _, answer in load("rewrite", split):
            assert answer.endswith((".", "。")) and answer.count(".") + answer.count("。") == 1, answer
            assert not re.search(r"\b(lol|thx|pls|ur|u)\b|[🙏😅😂～]", answer), answer


@pytest.mark.parametrize("task", TASKS)
def test_recipe_is_minimal_and_loads(task):
    path = TASKS_DIR / task / "recipe.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(raw) == {"data", "eval", "output"}
    assert "forgetting_probe" not in raw["eval"]
    recipe = load_recipe(path)
    assert recipe.data.train == TASKS_DIR / task / "data" / "train.jsonl"
    assert recipe.data.validation == TASKS_DIR / task / "data" / "dev.jsonl"
    assert recipe.eval.file == TASKS_DIR / task / "data" / "eval.jsonl"
    assert recipe.eval.max_new_tokens <= 48 and not recipe.eval.forgetting_probe
