"""The adapter router: training prompts from runs, held-out prompts to the right adapter, fallback, and the cache."""

from __future__ import annotations

import numpy as np
import pytest

from tests.serve.routed import HELD_OUT, make_runs, write_chat
from tunesmith.errors import InputError
from tunesmith.serve.router import AdapterRouter, RouterSettings, fit
from tunesmith.serve.router_prompts import run_of, training_prompts


@pytest.fixture(scope="module")
def runs(tmp_path_factory, tiny_model_dir):
    return make_runs(tmp_path_factory.mktemp("routed"), tiny_model_dir)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """One cache folder for the tests that do not look at it: the prompts are embedded once."""
    return tmp_path_factory.mktemp("router-cache")


def folders(runs) -> dict:
    return {name: run / "final" for name, run in runs.items()}


def test_training_prompts_are_the_runs_distinct_user_turns_sampled_the_same_way_each_time(runs, tmp_path):
    found = training_prompts(runs["extract"] / "final")
    assert len(found) == 36  # 37 rows, one a duplicate; the assistant's "ok" is no prompt
    assert "ok" not in found and found[0].startswith("Extract the person's name")
    assert run_of(runs["extract"] / "final").root == runs["extract"].resolve()
    sample = training_prompts(runs["extract"], limit=10)
    assert sample == training_prompts(runs["extract"], limit=10) and len(sample) == 10
    assert set(sample) < set(found)
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "adapter_config.json").write_text("{}")
    assert training_prompts(bare) == []  # a PEFT folder with no run: nothing to learn, never picked


def test_held_out_prompts_of_both_tasks_go_to_the_adapter_trained_on_that_task(runs, cache):
    router = AdapterRouter("tiny", RouterSettings(cache_dir=cache))
    router.set_adapters(folders(runs))
    fitted = router.router
    assert fitted.names == ["extract", "tools"] and fitted.kind in ("centroid", "logistic")
    assert set(fitted.held_out) == {"centroid", "logistic"} and fitted.held_out[fitted.kind] == 1.0
    picks = {task: [router.route(p).model for p in prompts] for task, prompts in HELD_OUT.items()}
    assert picks == {task: [task] * len(prompts) for task, prompts in HELD_OUT.items()}  # accuracy 1.0 (8/8)
    route = router.route(HELD_OUT["tools"][0])
    assert route.adapter == "tools" and not route.fell_back and 0.5 < route.similarity <= 1.0


def test_a_request_unlike_every_adapter_goes_to_the_fallback_and_an_empty_one_too(runs, cache):
    router = AdapterRouter("tiny", RouterSettings(fallback="tiny", min_similarity=0.5, cache_dir=cache))
    router.set_adapters(folders(runs))
    off_task = router.route("Write a short poem about autumn leaves falling in the park.")
    assert off_task.model == "tiny" and off_task.fell_back and off_task.similarity < 0.5
    assert router.route(HELD_OUT["extract"][0]).model == "extract"
    assert router.route("   ").model == "tiny"
    unloaded = router.route(HELD_OUT["extract"][0], served={"tiny", "tools"})  # picked, but no longer served
    assert unloaded.model == "tiny" and unloaded.adapter == "extract"
    to_tools = AdapterRouter("tiny", RouterSettings(fallback="tools", cache_dir=cache))
    to_tools.set_adapters(folders(runs))
    assert to_tools.route("Write a poem about autumn.").model == "tools"
    assert to_tools.route("Write a poem about autumn.", served={"tiny", "extract"}).model == "tiny"  # tools unloaded
    with pytest.raises(InputError, match="--router-fallback nope"):
        AdapterRouter("tiny", RouterSettings(fallback="nope")).check_fallback({"tiny", "extract"})


def test_the_fitted_router_is_read_back_from_the_cache_and_refitted_when_an_adapters_data_changes(
    runs, tmp_path, tiny_model_dir
):
    cache = tmp_path / "cache"
    first = AdapterRouter("tiny", RouterSettings(cache_dir=cache))
    first.set_adapters(folders(runs))
    files = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert sum(n.startswith("router-") for n in files) == 1 and sum(n.startswith("emb-") for n in files) == 2
    again = AdapterRouter("tiny", RouterSettings(cache_dir=cache))
    again.set_adapters(folders(runs))
    assert again.key == first.key
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == files  # read back, nothing rewritten
    np.testing.assert_array_equal(again.router.weights, first.router.weights)
    assert not list(cache.glob(".*"))  # atomic writes leave no temporary files

    changed = make_runs(tmp_path / "changed", tiny_model_dir)  # the same two tasks; then tools' data gains a prompt
    write_chat(tmp_path / "changed" / "tools.jsonl", [*training_prompts(changed["tools"]), "Weather in Bergen?"])
    third = AdapterRouter("tiny", RouterSettings(cache_dir=cache))
    third.set_adapters(folders(changed))
    assert third.key != first.key
    new = {p.name for p in cache.iterdir()} - set(files)
    assert sum(n.startswith("router-") for n in new) == 1
    assert sum(n.startswith("emb-") for n in new) == 1  # only the changed adapter's prompts were embedded again
    assert third.route("Weather in Bergen?").similarity == pytest.approx(1.0, abs=1e-4)


def test_adding_and_removing_an_adapter_refits_and_one_adapter_alone_is_always_picked(runs, cache):
    router = AdapterRouter("tiny", RouterSettings(cache_dir=cache))
    router.set_adapters({"extract": runs["extract"] / "final"})
    assert router.router.names == ["extract"] and router.router.kind == "centroid"
    assert router.route(HELD_OUT["tools"][0]).model == "extract"
    router.add("tools", runs["tools"])  # as the admin API passes it: the run directory
    assert router.route(HELD_OUT["tools"][0]).model == "tools"
    router.remove("tools")
    router.remove("extract")
    assert router.router is None and router.route(HELD_OUT["tools"][0]).model == "tiny"


def test_fit_keeps_the_classifier_more_accurate_on_held_out_prompts():
    rng = np.random.default_rng(0)
    # adapter a's prompts form two groups, one large; its mean leans to the large one, so b's centroid is nearer the
    # small group: the centroid classifier errs there, logistic regression (b differs along y) does not
    a = np.vstack([np.tile([1.0, 0.0, 0.0], (30, 1)), np.tile([0.0, 0.0, 1.0], (10, 1))])
    b = np.tile([0.6, 0.4, 0.6], (40, 1))
    unit = [v + rng.normal(0, 0.02, v.shape) for v in (a, b)]
    unit = [(v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32) for v in unit]
    router = fit({"a": unit[0], "b": unit[1]})
    assert router.held_out["logistic"] == 1.0 > router.held_out["centroid"]
    assert router.kind == "logistic"
    assert router.predict(np.array([[0.0, 0.0, 1.0]], dtype=np.float32)).tolist() == [0]
