"""Many registered adapters, a few attached: least recently used out first, never one the running batch needs,
and an evicted adapter answers exactly as before once its next request brings it back."""

from __future__ import annotations

import asyncio

import pytest

from tests.serve.conftest import make_adapter_run
from tests.serve.test_mixed_batches import one_by_one, request, texts, together
from tunesmith.serve.adapters import plan
from tunesmith.serve.backends.working_set import WorkingSet

NAMES = ["a0", "a1", "a2", "a3", "a4"]


def test_victims_are_the_least_recently_used_outside_the_batch():
    working = WorkingSet(3)
    for name in ("a", "b", "c"):
        working.use(name)
    working.use("a")  # order now b, c, a
    assert working.victims(["d"]) == ["b"]
    assert working.victims(["d", "e"]) == ["b", "c"]
    assert working.victims(["b", "d"]) == ["c"]  # b is in the batch: c goes instead
    assert working.victims(["a", "b", "c"]) == []  # all attached already
    assert working.victims(["d", "e", "f", "g"]) == ["b", "c", "a"]  # over capacity alone: all that can go
    working.forget("c")
    assert working.names() == ["b", "a"] and working.victims(["d"]) == []
    assert WorkingSet(None).victims(["x"] * 100) == []
    with pytest.raises(ValueError):
        WorkingSet(0)


@pytest.fixture(scope="module")
def many_runs(tmp_path_factory, tiny_model_dir):
    root = tmp_path_factory.mktemp("many")
    return {name: make_adapter_run(root, name, tiny_model_dir, seed=30 + i) for i, name in enumerate(NAMES)}


@pytest.fixture(scope="module")
def reference(many_runs, tiny_model_dir):
    """Each adapter's answer to each prompt with every adapter attached (no working set)."""
    from tunesmith.serve.backends.transformers import TransformersBackend

    backend = TransformersBackend(plan(str(tiny_model_dir), [(n, str(r)) for n, r in many_runs.items()]))
    requests = [request(name, prompt) for name in NAMES for prompt in ("hi", "2 + 3 =")]
    try:
        answers = asyncio.run(together(backend, requests))
    finally:
        backend.close()
    return {(r.model, r.prompt): a for r, a in zip(requests, answers)}


def attached(backend) -> list[str]:
    """The attached adapters' served names, least recently used first."""
    by_slot = {entry.slot: name for name, entry in backend.adapters.items()}
    return [by_slot[slot] for slot in backend.working.names()]


@pytest.fixture
def backend(many_runs, tiny_model_dir):
    from tunesmith.serve.backends.transformers import TransformersBackend

    served = plan(str(tiny_model_dir), [(n, str(r)) for n, r in many_runs.items()])
    backend = TransformersBackend(served, max_loaded=2, max_batch=16)
    yield backend
    backend.close()


def test_adapters_attach_on_first_request_and_the_least_recently_used_goes(backend, reference):
    assert [m.name for m in backend.models()][1:] == NAMES and attached(backend) == []  # all listed, none loaded

    async def scenario():
        backend.start()
        seen = []
        for name in ["a0", "a1", "a0", "a2", "a3", "a1", "a1", "a0"]:
            got = await one_by_one(backend, [request(name, "hi")])
            assert got[0] == reference[(name, "hi")]
            seen.append(attached(backend))
        return seen

    assert asyncio.run(scenario()) == [
        ["a0"],
        ["a0", "a1"],
        ["a1", "a0"],
        ["a0", "a2"],  # a1 was least recently used
        ["a2", "a3"],
        ["a3", "a1"],  # a1 comes back from disk
        ["a3", "a1"],
        ["a1", "a0"],
    ]
    assert len(backend.attached) == 2


def test_a_batch_naming_more_adapters_than_fit_runs_in_parts_each_correct(backend, reference):
    requests = [request(name, prompt) for prompt in ("hi", "2 + 3 =") for name in NAMES]
    answers = asyncio.run(together(backend, requests))
    assert answers == [reference[(r.model, r.prompt)] for r in requests]
    assert len(backend.attached) <= 2


def test_queued_requests_for_an_evicted_adapter_reload_it(backend, reference):
    async def scenario():
        waiting = [backend.submit(request("a4", "hi"))]  # queued while a4 is not attached
        waiting += [backend.submit(request(name, "2 + 3 =")) for name in ("a0", "a1", "a2")]
        waiting.append(backend.submit(request("a4", "2 + 3 =")))
        backend.start()
        return [await texts(g) for g in waiting]

    got = asyncio.run(scenario())
    assert got[0] == reference[("a4", "hi")] and got[-1] == reference[("a4", "2 + 3 =")]
    assert got[1:4] == [reference[(n, "2 + 3 =")] for n in ("a0", "a1", "a2")]


def test_loading_at_run_time_attaches_now_and_unloading_forgets(backend, many_runs, reference):
    backend.load_adapter("extra", str(many_runs["a3"]))
    assert attached(backend) == ["extra"]
    backend.start()
    assert asyncio.run(one_by_one(backend, [request("extra", "hi")]))[0] == reference[("a3", "hi")]
    backend.unload_adapter("extra")
    assert attached(backend) == [] and "extra" not in [m.name for m in backend.models()]
