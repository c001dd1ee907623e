"""An ONNX export loaded in onnxruntime on the CPU: the verifier's `Runtime`, greedy on token ids with the KV cache.

The graph's input and output names, layer count and cache shape are read from the `genai_config.json` the model
builder writes beside `model.onnx` (the file onnxruntime-genai itself runs the model from), not guessed.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from tunesmith.errors import InputError

GENAI_CONFIG = "genai_config.json"
# onnxruntime's CPU GroupQueryAttention kernel (the attention op the builder emits) takes these head sizes only.
HEAD_SIZE_MULTIPLE = 16
CACHE_TYPES = {"tensor(float)": "float32", "tensor(float16)": "float16"}


@dataclass(frozen=True)
class Decoder:
    """The decoder graph as genai_config.json describes it: file, tensor names and KV cache shape."""

    filename: str
    input_ids: str
    attention_mask: str
    position_ids: str | None  # only graphs that apply rotary embeddings outside attention take positions
    past_key: str  # e.g. "past_key_values.%d.key", formatted with the layer index
    past_value: str
    logits: str
    present_key: str
    present_value: str
    layers: int
    kv_heads: int
    head_size: int

    @classmethod
    def read(cls, folder: Path) -> Decoder:
        path = Path(folder) / GENAI_CONFIG
        if not path.is_file():
            raise InputError(str(folder), f"not an ONNX export folder (no {GENAI_CONFIG})")
        decoder = json.loads(path.read_text(encoding="utf-8"))["model"]["decoder"]
        inputs, outputs = decoder["inputs"], decoder["outputs"]
        return cls(
            filename=decoder["filename"],
            input_ids=inputs["input_ids"],
            attention_mask=inputs["attention_mask"],
            position_ids=inputs.get("position_ids"),
            past_key=inputs["past_key_names"],
            past_value=inputs["past_value_names"],
            logits=outputs["logits"],
            present_key=outputs["present_key_names"],
            present_value=outputs["present_value_names"],
            layers=decoder["num_hidden_layers"],
            kv_heads=decoder["num_key_value_heads"],
            head_size=decoder["head_size"],
        )

    def check_cpu_attention(self, where: str) -> None:
        """Refuse a head size onnxruntime's CPU attention cannot run, before the export is reported written."""
        if self.head_size % HEAD_SIZE_MULTIPLE:
            raise InputError(
                where,
                f"the model's attention head size is {self.head_size}; onnxruntime's CPU attention kernel "
                f"(GroupQueryAttention) needs a multiple of {HEAD_SIZE_MULTIPLE}, so this ONNX export could not run",
            )


def import_onnxruntime():
    """onnxruntime's module, or an InputError naming the extra that installs it."""
    try:
        import onnxruntime
    except ImportError as exc:
        raise InputError(
            "onnxruntime", f"loading an ONNX export needs onnxruntime ({exc}): pip install 'tunesmith[onnx]'"
        ) from None
    return onnxruntime


def load_session(folder: Path):
    """An onnxruntime InferenceSession for the export in `folder`, on the CPU provider, logging only errors."""
    ort = import_onnxruntime()
    options = ort.SessionOptions()
    options.log_severity_level = 3  # errors only: the library never prints
    model = Path(folder) / Decoder.read(folder).filename
    try:
        return ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own pybind exception types for bad or unsupported graphs
        raise InputError(str(model), f"onnxruntime could not load it ({exc})") from None


class OnnxRuntime:
    """verify.Runtime in onnxruntime: greedy (argmax, first index on ties, as torch) on token ids, one prompt at a
    time, the prompt in one pass and then one token a step with the cache the graph returns."""

    def __init__(self, folder: Path):
        self.decoder = Decoder.read(folder)
        started = time.perf_counter()
        self.session = load_session(folder)
        self.load_seconds = time.perf_counter() - started
        self.name = f"onnxruntime {import_onnxruntime().__version__} (CPU)"
        inputs = {i.name: i.type for i in self.session.get_inputs()}
        self.cache_type = CACHE_TYPES[inputs[self.decoder.past_key % 0]]
        d = self.decoder
        self.past = [name % i for i in range(d.layers) for name in (d.past_key, d.past_value)]
        self.outputs = [d.logits] + [name % i for i in range(d.layers) for name in (d.present_key, d.present_value)]

    def greedy(self, ids: list[int], max_new_tokens: int, stop_ids: set[int]) -> list[int]:
        """New token ids after `ids`, ending at a stop id or after `max_new_tokens`."""
        import numpy as np

        d = self.decoder
        empty = np.zeros((1, d.kv_heads, 0, d.head_size), dtype=self.cache_type)
        cache = dict.fromkeys(self.past, empty)
        step, seen, tokens = list(ids), 0, []
        while len(tokens) < max_new_tokens:
            total = seen + len(step)
            feed = {d.input_ids: np.array([step], dtype=np.int64), d.attention_mask: np.ones((1, total), np.int64)}
            if d.position_ids:
                feed[d.position_ids] = np.arange(seen, total, dtype=np.int64)[None]
            logits, *present = self.session.run(self.outputs, feed | cache)
            token = int(np.argmax(logits[0, -1]))
            tokens.append(token)
            if token in stop_ids:
                break
            cache = dict(zip(self.past, present))  # present.N.* of this step is past_key_values.N.* of the next
            step, seen = [token], total
        return tokens
