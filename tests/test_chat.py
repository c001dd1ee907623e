"""Streaming chat yields the same reply as batched greedy generation."""

from tunesmith.chat import stream_reply
from tunesmith.models.generate import generate
from tunesmith.models.loading import ModelSource, load_for_inference


def test_streamed_reply_equals_batched_greedy_reply(tiny_model_dir):
    model, tokenizer = load_for_inference(ModelSource(base=str(tiny_model_dir)))
    history = [{"role": "user", "content": "What color is the sky?"}]
    pieces = list(stream_reply(model, tokenizer, history, max_new_tokens=10))
    assert len(pieces) > 1
    assert "".join(pieces).strip() == generate(model, tokenizer, [history], max_new_tokens=10)[0]
