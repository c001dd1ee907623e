"""The transformers backend without HTTP: adapter bookkeeping, plans from run directories, row decoding."""

from __future__ import annotations

import asyncio
import threading

import pytest
import torch
import yaml

from tests.serve.conftest import make_adapter_run
from tunesmith.errors import InputError
from tunesmith.serve.adapters import parse_adapter_option, plan
from tunesmith.serve.backends.base import Delta, Finish, Generation, GenerationRequest, Sampling
from tunesmith.serve.backends.rows import Row, RowStreamer


async def answer(backend, model: str, prompt: str = "hi") -> str:
    generation = backend.submit(GenerationRequest(model, max_tokens=6, prompt=prompt, sampling=Sampling(0.0)))
    return "".join([e.text async for e in generation if isinstance(e, Delta)])


def test_unloading_the_last_adapter_leaves_the_plain_base(tiny_model_dir, adapter_runs):
    from tunesmith.serve.backends.transformers import TransformersBackend

    backend = TransformersBackend(plan(str(tiny_model_dir), [("alpha", str(adapter_runs["alpha"]))]))
    base = backend.base_name
    backend.start()
    try:
        before = asyncio.run(answer(backend, base))
        with_alpha = asyncio.run(answer(backend, "alpha"))
        backend.unload_adapter("alpha")
        assert not backend.attached.groups and [m.name for m in backend.models()] == [base]
        assert not any("lora" in name for name, _ in backend.model.named_modules())
        assert asyncio.run(answer(backend, base)) == before
        backend.load_adapter("again", str(adapter_runs["alpha"]))
        assert asyncio.run(answer(backend, "again")) == with_alpha != before
        with pytest.raises(InputError, match="already taken"):
            backend.load_adapter("again", str(adapter_runs["alpha"]))
    finally:
        backend.close()


def test_plans_from_run_directories(tmp_path, tiny_model_dir, adapter_runs):
    served = plan(None, [("alpha", str(adapter_runs["alpha"]))])
    assert served.base == str(tiny_model_dir) and served.base_name == tiny_model_dir.name
    assert served.adapters == {"alpha": adapter_runs["alpha"] / "final"}

    as_model = plan(str(adapter_runs["beta"]), [])  # a run directory as MODEL: its base, and it as an adapter
    assert as_model.base == str(tiny_model_dir) and list(as_model.adapters) == ["beta"]

    other = tmp_path / "other-base"
    other.mkdir()
    (other / "config.json").write_text("{}")
    with pytest.raises(InputError, match="trained on"):
        plan(str(other), [("alpha", str(adapter_runs["alpha"]))])
    with pytest.raises(InputError, match="already taken"):
        plan(None, [("alpha", str(adapter_runs["alpha"])), ("alpha", str(adapter_runs["beta"]))])
    full = tmp_path / "full-run"
    (full / "final").mkdir(parents=True)
    (full / "recipe.yaml").write_text(yaml.safe_dump({"model": str(tiny_model_dir), "data": {"train": "x.jsonl"}}))
    with pytest.raises(InputError, match="full fine-tune"):
        plan(str(tiny_model_dir), [("full", str(full))])
    assert plan(str(full), []).base == str(full / "final")


@pytest.mark.parametrize("text", ["alpha", "=runs/x", "../x=runs/x", "a b=runs/x"])
def test_adapter_options_are_checked(text):
    with pytest.raises(InputError):
        parse_adapter_option(text)


def test_a_broken_adapter_is_an_input_error_and_leaves_the_model_as_it_was(tmp_path, tiny_model_dir, adapter_runs):
    from tunesmith.serve.backends.transformers import TransformersBackend

    make_adapter_run(tmp_path, "donor", tiny_model_dir, seed=3)  # random LoRA weights: a leftover would show
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "adapter_config.json").write_text((tmp_path / "donor" / "final" / "adapter_config.json").read_text())
    (broken / "adapter_model.safetensors").write_bytes(b"not safetensors")
    with pytest.raises(InputError, match="could not load this adapter"):
        TransformersBackend(plan(str(tiny_model_dir), [("bad", str(broken))]))

    backend = TransformersBackend(plan(str(tiny_model_dir), []))
    backend.start()
    try:
        before = asyncio.run(answer(backend, backend.base_name))
        with pytest.raises(InputError, match="could not load this adapter"):
            backend.load_adapter("bad", str(broken))  # the first adapter: PEFT had already wrapped the base
        assert not backend.attached.groups and asyncio.run(answer(backend, backend.base_name)) == before
        backend.load_adapter("alpha", str(adapter_runs["alpha"]))
        with_alpha = asyncio.run(answer(backend, "alpha"))
        with pytest.raises(InputError, match="could not load this adapter"):
            backend.load_adapter("bad", str(broken))  # a later adapter
        assert len(backend.attached) == 1 and [m.name for m in backend.models()][1:] == ["alpha"]
        assert asyncio.run(answer(backend, "alpha")) == with_alpha
        assert asyncio.run(answer(backend, backend.base_name)) == before
    finally:
        backend.close()


class CharTokenizer:
    """One token per character (id = code point), to test decoding without a real vocabulary."""

    def decode(self, ids, skip_special_tokens=True):
        return "".join(chr(i) for i in ids if i != 0)


def stream_text(text: str, stop: tuple[str, ...], limit: int = 100) -> tuple[list[str], Finish]:
    async def run():
        generation = Generation(1)
        streamer = RowStreamer(CharTokenizer(), [Row(generation, 0, limit)], eos_ids={0}, stop=stop)
        thread = threading.Thread(target=lambda: _feed(streamer, text))
        thread.start()
        events = [e async for e in generation]
        thread.join()
        return [e.text for e in events if isinstance(e, Delta)], events[-1]

    return asyncio.run(run())


def _feed(streamer: RowStreamer, text: str) -> None:
    streamer.put(torch.tensor([[1, 2, 3]]))  # the prompt
    for char in text:
        streamer.put(torch.tensor([ord(char)]))
    streamer.put(torch.tensor([0]))  # EOS
    streamer.end()


def test_stop_strings_are_held_back_until_they_can_be_told_apart():
    deltas, finish = stream_text("abENxyENDzz", stop=("END",))
    assert "".join(deltas) == "abENxy" and finish.reason == "stop"
    assert "EN" not in deltas  # "EN" waited until the next character showed it was not "END"
    deltas, finish = stream_text("hello", stop=("END",))
    assert "".join(deltas) == "hello" and (finish.reason, finish.tokens) == ("stop", 6)  # EOS counts as a token
    deltas, finish = stream_text("hello world", stop=(), limit=4)
    assert "".join(deltas) == "hell" and (finish.reason, finish.tokens) == ("length", 4)


def test_replacing_an_adapter_serves_the_old_or_the_new_never_a_gap(tmp_path, tiny_model_dir, adapter_runs):
    from tunesmith.serve.backends.transformers import TransformersBackend

    alpha, beta = str(adapter_runs["alpha"]), str(adapter_runs["beta"])
    backend = TransformersBackend(plan(str(tiny_model_dir), [("alpha", alpha), ("beta", beta)]))
    backend.start()
    try:
        old, new = asyncio.run(answer(backend, "alpha")), asyncio.run(answer(backend, "beta"))
        assert old != new
        with pytest.raises(InputError, match="already taken"):
            backend.load_adapter("alpha", beta)

        async def hammer() -> list[str]:
            loop, seen = asyncio.get_running_loop(), []
            for folder in (beta, alpha, beta):  # swap back and forth while requests keep coming
                swap = loop.run_in_executor(None, lambda f=folder: backend.load_adapter("alpha", f, replace=True))
                while not swap.done():
                    seen += await asyncio.gather(*(answer(backend, "alpha") for _ in range(3)))
                await swap
            return seen

        seen = asyncio.run(hammer())  # a 404 or a failed generation would raise here
        assert seen and set(seen) <= {old, new}
        assert asyncio.run(answer(backend, "alpha")) == new
        assert [m.name for m in backend.models()] == [backend.base_name, "alpha", "beta"]
        assert len(backend.attached) == 2  # the replaced adapter was dropped

        broken = tmp_path / "broken"
        broken.mkdir()
        config = (adapter_runs["alpha"] / "final" / "adapter_config.json").read_text()
        (broken / "adapter_config.json").write_text(config)
        (broken / "adapter_model.safetensors").write_bytes(b"not safetensors")
        with pytest.raises(InputError, match="could not load this adapter"):
            backend.load_adapter("alpha", str(broken), replace=True)
        assert asyncio.run(answer(backend, "alpha")) == new and len(backend.attached) == 2  # the old one stays
    finally:
        backend.close()


def test_the_default_replacement_attaches_first_then_swaps(tmp_path, tiny_model_dir, adapter_runs):
    """What vLLM and llama.cpp get: LocalBackend attaches under a temporary name, swaps, drops the old."""
    from tunesmith.serve.backends.local import LocalBackend

    class Recording(LocalBackend):
        def submit(self, request):
            raise NotImplementedError

        def _attach(self, name, folder):
            if folder.name == "broken":
                raise InputError(str(folder), "does not load")
            self.adapters[name] = folder

        def _detach(self, name):
            self.dropped.append((name, self.adapters.pop(name)))

    backend = Recording(plan(str(tiny_model_dir), []))
    backend.dropped = []
    backend.load_adapter("alpha", str(adapter_runs["alpha"]))
    backend.load_adapter("alpha", str(adapter_runs["beta"]), replace=True)
    assert backend.adapters == {"alpha": adapter_runs["beta"] / "final"}
    assert [folder for _, folder in backend.dropped] == [adapter_runs["alpha"] / "final"]
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "adapter_config.json").write_text("{}")
    with pytest.raises(InputError, match="does not load"):
        backend.load_adapter("alpha", str(broken), replace=True)
    assert backend.adapters == {"alpha": adapter_runs["beta"] / "final"}
