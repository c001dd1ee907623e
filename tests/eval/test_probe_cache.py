"""A model's probe replies are generated once per cache key and reused; anything that changes them starts afresh."""

from __future__ import annotations

import json

from tunesmith.eval import probe
from tunesmith.eval.probe import model_cache_key, run_probe
from tunesmith.models.loading import ModelSource


class Counting:
    """A stand-in model that answers with its prompts' first token and counts the prompts it was asked."""

    device = "cpu"

    def __init__(self):
        self.prompts = 0

    def generate(self, input_ids, **kwargs):
        import torch

        self.prompts += input_ids.shape[0]
        return torch.cat([input_ids, input_ids[:, :1]], dim=1)


def test_cached_replies_are_reused_and_only_missing_prompts_generated(smol_tokenizer, tmp_path):
    model = Counting()
    first, rows = run_probe(model, smol_tokenizer, 16, limit=6, cache_key="base", cache_dir=tmp_path)
    assert model.prompts == 6 and len(rows) == 6
    again, rows_again = run_probe(model, smol_tokenizer, 16, limit=6, cache_key="base", cache_dir=tmp_path)
    assert model.prompts == 6 and (again, rows_again) == (first, rows)  # all from the cache
    run_probe(model, smol_tokenizer, 16, limit=10, cache_key="base", cache_dir=tmp_path)
    assert model.prompts == 10  # the 4 it had not answered
    [cache] = tmp_path.glob("replies-*.json")
    saved = json.loads(cache.read_text(encoding="utf-8"))
    assert saved["cache_key"] == "base" and sorted(saved["replies"], key=int) == [str(k) for k in range(10)]


class CrashingOnBatch(Counting):
    """Counting, but the `crash_on`-th batch raises, as a killed or out-of-memory run would stop."""

    def __init__(self, crash_on: int):
        super().__init__()
        self.batches, self.crash_on = 0, crash_on

    def generate(self, input_ids, **kwargs):
        self.batches += 1
        if self.batches == self.crash_on:
            raise RuntimeError("killed")
        return super().generate(input_ids, **kwargs)


def test_a_crashed_probe_keeps_the_batches_it_finished(smol_tokenizer, tmp_path):
    import pytest

    crashing = CrashingOnBatch(crash_on=3)
    with pytest.raises(RuntimeError, match="killed"):
        run_probe(crashing, smol_tokenizer, 2, limit=8, cache_key="base", cache_dir=tmp_path)
    assert crashing.prompts == 4  # two batches of 2 finished before the crash
    resumed = Counting()
    _, rows = run_probe(resumed, smol_tokenizer, 2, limit=8, cache_key="base", cache_dir=tmp_path)
    assert resumed.prompts == 4 and len(rows) == 8  # only the 4 the crash left unanswered


def test_another_key_max_new_tokens_or_template_is_another_cache(smol_tokenizer, tmp_path, monkeypatch):
    model = Counting()
    run_probe(model, smol_tokenizer, 16, limit=2, cache_key="base", cache_dir=tmp_path)
    run_probe(model, smol_tokenizer, 16, limit=2, cache_key="tuned", cache_dir=tmp_path)
    assert model.prompts == 4
    monkeypatch.setattr(probe, "MAX_NEW_TOKENS", probe.MAX_NEW_TOKENS + 1)
    run_probe(model, smol_tokenizer, 16, limit=2, cache_key="base", cache_dir=tmp_path)
    assert model.prompts == 6 and len(list(tmp_path.glob("replies-*.json"))) == 3


def test_without_a_key_nothing_is_cached(smol_tokenizer, tmp_path, monkeypatch):
    monkeypatch.setenv("TUNESMITH_HOME", str(tmp_path))
    model = Counting()
    run_probe(model, smol_tokenizer, 16, limit=2)
    run_probe(model, smol_tokenizer, 16, limit=2)
    assert model.prompts == 4 and not list(tmp_path.rglob("*.json"))


def test_the_default_cache_lives_under_tunesmith_home(smol_tokenizer, tmp_path, monkeypatch):
    monkeypatch.setenv("TUNESMITH_HOME", str(tmp_path))
    run_probe(Counting(), smol_tokenizer, 16, limit=1, cache_key="base")
    assert len(list((tmp_path / "probe").glob("replies-*.json"))) == 1


def test_an_unreadable_cache_is_regenerated_and_rewritten(smol_tokenizer, tmp_path):
    model = Counting()
    run_probe(model, smol_tokenizer, 16, limit=2, cache_key="base", cache_dir=tmp_path)
    [cache] = tmp_path.glob("replies-*.json")
    cache.write_text("{not json", encoding="utf-8")
    run_probe(model, smol_tokenizer, 16, limit=2, cache_key="base", cache_dir=tmp_path)
    assert model.prompts == 4 and len(json.loads(cache.read_text(encoding="utf-8"))["replies"]) == 2


def test_model_cache_key_follows_the_weights(tmp_path):
    base = tmp_path / "base"
    base.mkdir()
    weights = base / "model.safetensors"
    weights.write_bytes(b"1234")
    before = model_cache_key(ModelSource(base=str(base)))
    assert model_cache_key(ModelSource(base=str(base))) == before
    weights.write_bytes(b"12345")  # retrained or replaced: another size
    assert model_cache_key(ModelSource(base=str(base))) != before
    adapter = tmp_path / "run"
    adapter.mkdir()
    (adapter / "adapter_model.safetensors").write_bytes(b"a")
    tuned = model_cache_key(ModelSource(base=str(base), adapter=adapter))
    assert tuned != model_cache_key(ModelSource(base=str(base))) and str(adapter.resolve()) in tuned
    assert model_cache_key(ModelSource(base="org/model")) == "org/model"  # a hub id names itself


def test_per_language_scores_come_with_the_overall_ones():
    from tunesmith.eval.probe import score_probe

    items = [
        {"key": k, "language": lang, "prompt": "p", "instruction_id_list": ["detectable_format:title"], "kwargs": [{}]}
        for k, lang in enumerate(["en", "en", "zh", "zh"])
    ]
    scores, rows = score_probe(items, ["<<a>> b", "<<a>> b", "<<甲>> 乙", "乙"])
    assert scores["if_prompt_strict"] == 0.75 and scores["if_prompt_strict_en"] == 1.0
    assert scores["if_instruction_strict_zh"] == 0.5 and [row["language"] for row in rows] == ["en", "en", "zh", "zh"]
