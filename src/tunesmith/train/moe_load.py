"""Expert load during training: the share of routed tokens each expert of each MoE layer gets, so collapse shows.

A forward pre-hook on every routed-experts module reads the expert indices it is called with (train/moe.py's
`routed_experts`), counts them on the device (no host sync per step), skips padding (the attention mask of the
model's own call) and counts each layer once per model call (activation checkpointing reruns layers in backward),
only in passes that train (not evaluation, generation or a preference stage's no-grad reference pass).
Every training log adds `expert_load_max` (the largest share any expert has in any layer since the last log: from
1/experts, even, to 1/top-k, every token sent to the same k experts) to metrics.jsonl; at the end the run
directory gets `expert_load.json` (counts and shares per layer, over the run and per log) and `expert_load.png`.
"""

from __future__ import annotations

import json
from pathlib import Path

from transformers import TrainerCallback

from tunesmith.atomic import write_text
from tunesmith.train.moe import moe_layers, plain_name, routed_experts

LOAD_JSON = "expert_load.json"
LOAD_PLOT = "expert_load.png"


class ExpertLoad(TrainerCallback):
    """Count routed tokens per expert while training; log the largest share, write the load file and its plot."""

    def __init__(self, model, folder: Path):
        self.model = model
        self.folder = Path(folder)
        self.layers = moe_layers(model)
        self.hooks: list = []
        self.calls = 0  # model calls so far; a layer counts once per call
        self.mask = None
        self.window: dict[str, object] = {}  # layer → counts since the last log (a device tensor)
        self.total: dict[str, list[int]] = {layer.block: [0] * layer.num_experts for layer in self.layers}
        self.history: list[dict] = []
        self.top_k = 0

    def on_train_begin(self, args, state, control, **kwargs):
        modules = dict(self.model.named_modules())
        self.hooks = [self.model.register_forward_pre_hook(self._model_called, with_kwargs=True)]
        for name, module in modules.items():
            layer = self._layer_of(name, module)
            if layer is not None:
                self.hooks.append(module.register_forward_pre_hook(self._counter(layer), with_kwargs=True))
        self._resume(state.global_step)

    def _layer_of(self, name: str, module):
        """The MoE layer whose experts `module` is (the module holding the 3-D weights), or None."""
        if not any(p.dim() == 3 for p in module.parameters(recurse=False)):
            return None
        return next((layer for layer in self.layers if layer.experts == plain_name(name)), None)

    def _model_called(self, module, args, kwargs):
        self.calls += 1
        self.mask = kwargs.get("attention_mask")

    def _counter(self, layer):
        seen = {"call": -1}

        def count(module, args, kwargs):
            import torch

            index = routed_experts(args, kwargs)
            if index is None or not (module.training and torch.is_grad_enabled()) or seen["call"] == self.calls:
                return
            seen["call"] = self.calls
            mask = self.mask
            if mask is not None and mask.dim() == 2 and mask.numel() == index.shape[0]:
                index = index[mask.reshape(-1).to(index.device).bool()]
            self.top_k = index.shape[-1]
            counts = torch.bincount(index.reshape(-1), minlength=layer.num_experts + 1)[: layer.num_experts]
            previous = self.window.get(layer.block)
            self.window[layer.block] = counts if previous is None else previous + counts

        return count

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs is None or "loss" not in logs or not self.window:
            return
        window = {
            block: self.window[block].tolist() if block in self.window else [0] * len(total)
            for block, total in self.total.items()
        }
        self.window = {}
        for block, counts in window.items():
            self.total[block] = [a + b for a, b in zip(self.total[block], counts)]
        self.history.append({"step": state.global_step, "counts": list(window.values())})
        logs["expert_load_max"] = round(max(max(shares(counts)) for counts in window.values()), 4)

    def on_train_end(self, args, state, control, **kwargs):
        for hook in self.hooks:
            hook.remove()
        self.hooks = []
        if state.is_world_process_zero:
            self.save()

    def report(self) -> dict:
        """What `expert_load.json` holds: each layer's share per expert over the run (`load`, each row sums to 1),
        the routed counts behind it, and the counts between training logs (`history`)."""
        return {
            "layers": list(self.total),
            "num_experts": [layer.num_experts for layer in self.layers],
            "top_k": self.top_k,
            "routed": [sum(counts) for counts in self.total.values()],
            "load": [shares(counts) for counts in self.total.values()],
            "counts": list(self.total.values()),
            "history": self.history,
        }

    def save(self) -> None:
        """Write `expert_load.json` and `expert_load.png` into the run directory (atomically)."""
        from tunesmith.train.moe_plot import plot_expert_load

        report = self.report()
        write_text(self.folder / LOAD_JSON, json.dumps(report, indent=1))
        plot_expert_load(report, self.folder / LOAD_PLOT)

    def _resume(self, step: int) -> None:
        """On resume, keep the saved counts logged up to the checkpoint's step (the rest is counted again)."""
        saved = self.folder / LOAD_JSON
        if step == 0 or not saved.is_file():
            return
        report = json.loads(saved.read_text(encoding="utf-8"))
        if report.get("layers") != list(self.total):
            return
        self.history = [h for h in report["history"] if h["step"] <= step]
        for entry in self.history:
            for block, counts in zip(self.total, entry["counts"]):
                self.total[block] = [a + b for a, b in zip(self.total[block], counts)]


def shares(counts: list[int]) -> list[float]:
    """Each expert's share of a layer's routed tokens (sums to 1); zeros when nothing was routed."""
    total = sum(counts)
    return [c / total if total else 0.0 for c in counts]


def expert_load_callback(model, folder: Path) -> ExpertLoad | None:
    """An `ExpertLoad` for a model with MoE layers, None for a dense one."""
    return ExpertLoad(model, folder) if moe_layers(model) else None
