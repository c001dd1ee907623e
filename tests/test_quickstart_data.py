"""The quickstart data script is deterministic and its committed output keeps the task's promises."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

QUICKSTART = Path(__file__).resolve().parents[1] / "examples" / "quickstart"
SCRIPT = QUICKSTART / "make_data.py"
KEYS = ["name", "gender", "age", "city", "phone"]
CJK = re.compile("[\u4e00-\u9fff]")
CUES = {
    "en": {
        "female": re.compile(r"\b(she|her|woman|female)\b|\bMs\.", re.IGNORECASE),
        "male": re.compile(r"\b(he|him|his|man|male)\b|\bMr\.", re.IGNORECASE),
    },
    "zh": {"female": re.compile("她|女"), "male": re.compile("他|男|先生")},
}


def run_script(out: Path, *args: str) -> None:
    """Run make_data.py into `out` as a user would."""
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(out), *args], check=True, capture_output=True)


def load(split: str) -> list[tuple[str, str]]:
    """(text, answer) pairs of a committed split, checking the chat record shape on the way."""
    pairs = []
    for line in (QUICKSTART / "data" / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
        messages = json.loads(line)["messages"]
        assert [m["role"] for m in messages] == ["user", "assistant"]
        instruction, text = messages[0]["content"].split("\n\nText: ")
        assert instruction.startswith("Extract the person's name, gender, age, city and phone as JSON")
        pairs.append((text, messages[1]["content"]))
    return pairs


def test_script_is_deterministic_and_matches_committed_data(tmp_path):
    run_script(tmp_path / "a")
    run_script(tmp_path / "b")
    for name in ("train.jsonl", "eval.jsonl"):
        first = (tmp_path / "a" / name).read_bytes()
        assert first == (tmp_path / "b" / name).read_bytes()
        assert first == (QUICKSTART / "data" / name).read_bytes(), f"rerun make_data.py to refresh {name}"


def test_sizes_and_seed_are_honoured(tmp_path):
    run_script(tmp_path, "--train", "30", "--eval", "10", "--seed", "7")
    assert len((tmp_path / "train.jsonl").read_text(encoding="utf-8").splitlines()) == 30
    assert len((tmp_path / "eval.jsonl").read_text(encoding="utf-8").splitlines()) == 10
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("split,size", [("train", 1000), ("eval", 200)])
def test_answers_are_strict_json_grounded_in_the_text(split, size):
    pairs = load(split)
    assert len(pairs) == size
    for text, answer in pairs:
        person = json.loads(answer)
        assert list(person) == KEYS and answer == json.dumps(person, ensure_ascii=False)
        assert person["gender"] in ("male", "female")
        assert type(person["age"]) is int and 18 <= person["age"] <= 80 and str(person["age"]) in text
        assert person["name"] is not None and person["name"] in text
        for key in ("city", "phone"):
            assert person[key] is None or person[key] in text, (key, text)


@pytest.mark.parametrize("split", ["train", "eval"])
def test_gender_is_recoverable_from_the_text(split):
    for text, answer in load(split):
        gender = json.loads(answer)["gender"]
        other = "male" if gender == "female" else "female"
        cues = CUES["zh" if CJK.search(text) else "en"]
        assert cues[gender].search(text) and not cues[other].search(text), text


@pytest.mark.parametrize("split", ["train", "eval"])
def test_mix_of_languages_and_missing_fields(split):
    pairs = load(split)
    people = [json.loads(answer) for _, answer in pairs]
    assert 0.25 <= sum(bool(CJK.search(text)) for text, _ in pairs) / len(pairs) <= 0.45
    assert 0.04 <= sum(p["phone"] is None for p in people) / len(people) <= 0.18
    assert 0.01 <= sum(p["city"] is None for p in people) / len(people) <= 0.10
    assert 0.35 <= sum(p["gender"] == "female" for p in people) / len(people) <= 0.65


def test_train_and_eval_share_no_text():
    train = [text for text, _ in load("train")]
    evaluation = [text for text, _ in load("eval")]
    assert len(set(train)) == len(train) and len(set(evaluation)) == len(evaluation)
    assert not set(train) & set(evaluation)
