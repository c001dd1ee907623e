"""synthesize: Q&A pairs and self-instruct against a fake OpenAI-compatible server, and a local teacher."""

from __future__ import annotations

import json

import pytest
from datasets import Dataset
from pydantic import ValidationError

from tests.data.fake_openai import FakeOpenAI
from tunesmith.data.ops import OpContext
from tunesmith.data.ops.synthesize import QA_PROMPT, Config, most_similar, parse_instructions, parse_pairs, run
from tunesmith.data.teacher import LocalTeacher, TeacherConfig, make_teacher
from tunesmith.errors import InputError

KEY_ENV = "TUNESMITH_TEST_TEACHER_KEY"
KEY = "sk-test-1234"
CHUNKS = [
    "The HomeCam 2K records in 2K resolution and keeps 30 days of video in the cloud.",
    "The SmartPlug Mini switches devices up to 10 A and reports their energy use every minute.",
    "Our shop is closed on public holidays.",
]
SEEDS = ["What color is the sky?", "How do I reset my thermostat?", "Translate 'good morning' into French."]


@pytest.fixture(autouse=True)
def key_and_no_proxy(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)


def teacher(server: FakeOpenAI, **options) -> dict:
    return {"model": "teacher-model", "base_url": server.base_url, "api_key_env": KEY_ENV, "max_retries": 0, **options}


def chat(user: str, answer: str, **meta) -> dict:
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": answer}], **meta}


def documents() -> Dataset:
    rows = [
        {"text": text, "messages": None, "meta": json.dumps({"source": "shop.md", "chunk": i, "chunks": 3})}
        for i, text in enumerate(CHUNKS)
    ]
    rows.insert(1, {"text": None, **chat("Hi", "Hello"), "meta": json.dumps({"source": "chat"})})
    return Dataset.from_list(rows)


def qa_reply(body: dict) -> str:
    prompt = body["messages"][-1]["content"]
    if "HomeCam" in prompt:
        pairs = [
            {"question": "What resolution does the HomeCam 2K record in?", "answer": "2K."},
            {"question": "How long is HomeCam video kept?", "answer": "30 days, in the cloud."},
        ]
        return "Sure! Here they are:\n```json\n" + json.dumps(pairs) + "\n```\nHope this helps."
    if "SmartPlug" in prompt:
        items = [{"Question": "What current can the SmartPlug Mini switch?", "Answer": "Up to 10 A."}, {"q": "?"}]
        return json.dumps({"pairs": items})
    return "Sorry, I cannot write questions about that."


def test_qa_turns_chunks_into_chat_records_with_teacher_and_prompt_in_meta():
    with FakeOpenAI(qa_reply) as server:
        cfg = Config(teacher=teacher(server, temperature=0.2, max_tokens=300), pairs_per_chunk=3)
        result = run(documents(), cfg, OpContext())
    assert len(server.requests) == 3
    for request, text in zip(sorted(server.requests, key=lambda r: r.prompt), sorted(CHUNKS)):
        assert request.path == "/v1/chat/completions"
        assert request.headers["authorization"] == f"Bearer {KEY}"
        assert request.body["model"] == "teacher-model"
        assert request.body["temperature"] == 0.2 and request.body["max_tokens"] == 300
        assert text in request.prompt and "Write 3 question-and-answer pairs" in request.prompt

    out = [dict(r, meta=json.loads(r["meta"])) for r in result.dataset]
    assert out[0]["messages"][1]["content"] == "Hello" and out[0]["meta"] == {"source": "chat"}
    pairs = [(r["messages"][0]["content"], r["messages"][1]["content"]) for r in out[1:]]
    assert pairs == [
        ("What resolution does the HomeCam 2K record in?", "2K."),
        ("How long is HomeCam video kept?", "30 days, in the cloud."),
        ("What current can the SmartPlug Mini switch?", "Up to 10 A."),
    ]
    assert all(r["text"] is None for r in out)
    meta = out[1]["meta"]
    assert meta["teacher"] == f"openai:teacher-model@{server.base_url}"
    assert meta["prompt"]["template"] == "qa" and len(meta["prompt"]["sha256"]) == 12
    assert meta["source"] == "shop.md" and meta["chunk"] == 0 and meta["synthesized"] == "qa"
    assert out[3]["meta"]["chunk"] == 1

    assert result.stats["requests"] == 3 and result.stats["malformed"] == 1 and result.stats["records_added"] == 3
    assert result.stats["prompt"]["text"] == QA_PROMPT
    assert result.removed == {"source text (turned into Q&A)": 3} and result.added == 3
    assert result.examples["malformed replies"][0]["reply"].startswith("Sorry")
    everything = json.dumps([out, result.stats, result.examples], ensure_ascii=False)
    assert KEY not in everything and KEY_ENV not in everything


def test_a_custom_prompt_is_sent_verbatim_and_must_have_its_placeholders():
    with FakeOpenAI(lambda body: '[{"question": "Q?", "answer": "A."}]') as server:
        cfg = Config(teacher=teacher(server), prompt='Write {n} pairs as [{"question", "answer"}] from: {text}')
        result = run(documents().select([0]), cfg.model_copy(update={"pairs_per_chunk": 2}), OpContext())
    assert server.requests[0].prompt == f'Write 2 pairs as [{{"question", "answer"}}] from: {CHUNKS[0]}'
    assert json.loads(result.dataset[0]["meta"])["prompt"]["template"] == "custom"
    with pytest.raises(ValidationError, match=r"lacks \{text\}"):
        Config(teacher={"model": "m"}, prompt="Write {n} pairs")
    with pytest.raises(ValidationError, match=r"lacks \{examples\}"):
        Config(teacher={"model": "m"}, mode="self_instruct", prompt="Write {n} tasks like {text}")


def self_instruct_reply(body: dict, calls: list[str]) -> str:
    prompt = body["messages"][-1]["content"]
    if "new tasks" not in prompt:
        return f"Answer to: {prompt}"
    calls.append(prompt)
    if len(calls) == 1:
        return json.dumps(["What color is the sky today?", "Write a haiku about autumn leaves.", "List uses of salt."])
    return '```\n["Write a haiku about the autumn leaves!", {"instruction": "Explain how rainbows form."}]\n```'


def test_self_instruct_keeps_novel_instructions_and_answers_them():
    calls: list[str] = []
    seeds = Dataset.from_list([chat(q, "…", meta=json.dumps({"source": "seed"})) for q in SEEDS])
    with FakeOpenAI(lambda body: self_instruct_reply(body, calls)) as server:
        cfg = Config(teacher=teacher(server), mode="self_instruct", target=3, new_per_prompt=3, seeds_per_prompt=2)
        result = run(seeds, cfg, OpContext(seed=1))
    assert len(calls) == 2  # one request per round: 2 kept in round 1, the third in round 2
    shown = [line[3:] for line in calls[0].splitlines() if line[:3] in ("1. ", "2. ")]
    assert len(shown) == 2 and set(shown) <= set(SEEDS)
    answered = [r.prompt for r in server.requests if "new tasks" not in r.prompt]
    new = ["Write a haiku about autumn leaves.", "List uses of salt.", "Explain how rainbows form."]
    assert sorted(answered) == sorted(new)  # sent concurrently: any order
    out = list(result.dataset)
    assert [r["messages"][0]["content"] for r in out] == SEEDS + new
    assert out[4]["messages"][1]["content"] == "Answer to: List uses of salt."
    meta = json.loads(out[3]["meta"])
    assert meta["synthesized"] == "self_instruct" and meta["prompt"]["template"] == "self_instruct"
    assert meta["teacher"] == f"openai:teacher-model@{server.base_url}"
    stats = result.stats
    assert stats["rejected_by_novelty"] == 2 and stats["rounds"] == 2 and stats["requests"] == 5
    assert stats["malformed"] == 0 and stats["records_added"] == 3 and result.added == 3
    rejected = result.examples["rejected: ROUGE-L ≥ 0.7"]
    assert rejected[0] == {"candidate": "What color is the sky today?", "closest": SEEDS[0], "rouge_l": 0.91}
    assert rejected[1]["closest"] == "Write a haiku about autumn leaves."


def test_self_instruct_without_seeds_in_the_output_and_without_chat_records():
    seeds = Dataset.from_list([chat(q, "…", meta="{}") for q in SEEDS])
    with FakeOpenAI(
        lambda body: '["Name a prime number."]' if "new tasks" in body["messages"][-1]["content"] else "7"
    ) as server:
        cfg = Config(teacher=teacher(server), mode="self_instruct", target=1, keep_seeds=False)
        result = run(seeds, cfg, OpContext())
        assert [r["messages"][1]["content"] for r in result.dataset] == ["7"]
        assert result.removed == {"seed (keep_seeds: false)": 3}
        with pytest.raises(InputError, match="needs chat records"):
            run(documents().select([0]), cfg, OpContext())


def test_novelty_uses_rouge_l_with_chinese_characters():
    closest, score = most_similar("天空是什么颜色的？", ["天空是什么颜色？", "如何重置恒温器？"])
    assert closest == "天空是什么颜色？" and score > 0.9
    assert most_similar("推荐一部科幻小说。", ["天空是什么颜色？"])[1] < 0.2
    assert most_similar("anything", []) == ("", 0.0)


def test_replies_are_parsed_robustly():
    assert parse_pairs('```json\n[{"question": "Q1", "answer": "A1"}]\n```') == [("Q1", "A1")]
    assert parse_pairs('Here: {"question": "Q", "answer": "A"} done') == [("Q", "A")]
    assert parse_pairs('[{"question": "Q", "answer": ""}, "text", 3]') == []
    assert parse_pairs("[not json") == [] and parse_pairs("") == []
    assert parse_instructions('Ideas: ["One.", "", {"task": "Two."}, 5]') == ["One.", "Two."]


def test_missing_key_and_http_errors_are_input_errors(monkeypatch):
    monkeypatch.delenv(KEY_ENV)
    with pytest.raises(InputError, match=f"{KEY_ENV} is not set") as caught:
        make_teacher(TeacherConfig(model="m", base_url="http://127.0.0.1:9/v1", api_key_env=KEY_ENV))
    assert caught.value.where == "teacher.api_key_env"
    refuse = (401, {"error": {"message": "invalid api key", "type": "invalid_request_error"}})
    with FakeOpenAI(lambda body: refuse) as server:
        keyless = make_teacher(TeacherConfig(model="m", base_url=server.base_url, api_key_env=None, max_retries=0))
        with pytest.raises(InputError, match="request failed: Error code: 401 - invalid api key"):
            keyless.complete(["hi"])
    with pytest.raises(ValidationError, match="base_url is for kind 'openai'"):
        TeacherConfig(kind="local", model="smollm2-135m", base_url="http://x")


def test_local_teacher_generates_with_a_local_model(tiny_model_dir):
    local = make_teacher(TeacherConfig(kind="local", model=str(tiny_model_dir), max_tokens=4, temperature=0.0))
    assert isinstance(local, LocalTeacher) and local.name == f"local:{tiny_model_dir}"
    replies = local.complete(["Hello there", [{"role": "user", "content": "中国的首都是哪里？"}]])
    assert len(replies) == 2 and all(isinstance(r, str) for r in replies)
    cfg = Config(teacher={"kind": "local", "model": str(tiny_model_dir), "max_tokens": 4, "temperature": 0.0})
    result = run(documents().select([0, 1]), cfg, OpContext())  # a random model writes no JSON: all malformed
    assert result.stats["teacher"] == local.name and result.stats["malformed"] == 1 and result.added == 0
    assert [r["messages"][0]["content"] for r in result.dataset] == ["Hi"]
