"""Adapters of every type on one base: grouped into models PEFT can run, all sharing the base's weight tensors.

PEFT holds many adapters in one PeftModel only when they share a PEFT type ("Cannot combine adapters with different
peft types"), and it injects tuner layers into the model it wraps. So each PEFT type gets its own PeftModel, built on
a *view* of the base: a copy of the module tree whose parameters are the base's own tensors (no weight is copied;
only buffers such as rotary tables are). The plain base itself is never wrapped, so base requests run on it as is.

Two kinds get a group of their own per adapter: tunesmith's bottleneck adapters (forward hooks added to the model
they load into, so one view each), and LoRA adapters whose initialisation rewrites the base weights as they load
(PiSSA, OLoRA, CorDA, LoftQ …: PEFT subtracts the adapter's part from the base layer) — those get a private copy
of the weights, so the rewrite touches nobody else.

Within the LoRA group, plain LoRA adapters (not DoRA) mix in one batch: PEFT's `adapter_names` routes each row
through its own adapter (or through none with "__base__"). Every other group runs one adapter per batch.

Prefix tuning (and P-tuning v2, which is prefix tuning) is generated through its base with the prefix as the cache,
not by `PeftModel.generate`, which drops the prefix (models/prefix.py says why).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tunesmith.models.adapter_gate import is_gate_folder
from tunesmith.models.bottleneck import is_adapter_folder
from tunesmith.models.prefix import PREFIX, prefix_inputs

BASE_ROW = "__base__"  # PEFT's name for "no adapter" in a mixed batch's `adapter_names`
BOTTLENECK = "bottleneck"
GATE = "gate"  # method xlora: several LoRA adapters and the learned gate that mixes them, in a group of its own
# LoRA initialisations that change the base layer's weights when the adapter is loaded (everything but random ones)
_WEIGHTS_KEEPING_INITS = (True, False, "gaussian", "orthogonal", "eva")
_EMBEDDING_PROMPTS = ("PROMPT_TUNING", "P_TUNING", "MULTITASK_PROMPT_TUNING")  # virtual tokens put before the input


@dataclass(frozen=True)
class Kind:
    """How an adapter folder is served: its group `family` (a PEFT type, or "bottleneck"), whether it needs a
    group of its own (`alone`), whether its rows can share a batch with other adapters' (`mixable`), and whether
    only prompts of one length can share a batch (`equal_lengths`: PEFT drops the position ids of prompt tuning and
    P-tuning, which prepend embeddings, so a left-padded row would be shifted and answer differently)."""

    family: str
    alone: bool = False
    mixable: bool = False
    equal_lengths: bool = False


def adapter_kind(folder: str | Path) -> Kind:
    """Read the adapter's config in `folder` (no weights) and say how it is served."""
    if is_adapter_folder(folder):
        return Kind(BOTTLENECK, alone=True)
    if is_gate_folder(folder):
        return Kind(GATE, alone=True)
    config = json.loads((Path(folder) / "adapter_config.json").read_text(encoding="utf-8"))
    family = str(config.get("peft_type", "LORA")).upper()
    if family != "LORA":
        return Kind(family, equal_lengths=family in _EMBEDDING_PROMPTS)
    if config.get("init_lora_weights", True) not in _WEIGHTS_KEEPING_INITS:
        return Kind(family, alone=True)
    return Kind(family, mixable=not config.get("use_dora", False))


def shared_view(model):
    """A copy of `model`'s modules that uses the very same parameter tensors (buffers are copied; they are small)."""
    return copy.deepcopy(model, memo={id(param): param for param in model.parameters()})


@dataclass
class Group:
    """One model holding adapters that run together: a PeftModel, or a base view with a bottleneck adapter."""

    model: Any
    kind: Kind
    names: set[str] = field(default_factory=set)


class AdapterGroups:
    """Attached adapters by internal name, each in the group that can run it, on the plain `base`."""

    def __init__(self, base):
        self.base = base
        self.groups: dict[str, Group] = {}  # group key -> group
        self.key_of: dict[str, str] = {}  # adapter name -> its group key
        self.kinds: dict[str, Kind] = {}  # adapter name -> its kind

    def __contains__(self, name: str) -> bool:
        return name in self.key_of

    def __len__(self) -> int:
        return len(self.key_of)

    def attach(self, name: str, folder: Path, kind: Kind) -> None:
        """Load the adapter in `folder` as `name`; on failure nothing changes (the exception propagates)."""
        key = f"{kind.family}:{name}" if kind.alone else kind.family
        group = self.groups.get(key)
        if group is None:
            group = Group(_first_load(self.base, name, folder, kind), kind)
        else:
            try:
                group.model.load_adapter(folder, adapter_name=name)
            except Exception:
                if name in group.model.peft_config:  # PEFT wraps layers before it reads the weights
                    group.model.delete_adapter(name)
                raise
        group.model.eval()
        group.names.add(name)
        self.groups[key] = group
        self.key_of[name] = key
        self.kinds[name] = kind

    def detach(self, name: str) -> None:
        """Drop adapter `name`; a group left empty is dropped whole (its view goes, the base's weights stay)."""
        key = self.key_of.pop(name)
        del self.kinds[name]
        group = self.groups[key]
        group.names.discard(name)
        if not group.names:
            del self.groups[key]
        else:
            group.model.delete_adapter(name)

    def model_for(self, names: list[str | None], batch: dict) -> tuple[Any, dict]:
        """The model, and the `generate` inputs for the tokenized `batch`, that run row i through adapter
        `names[i]` (None: the base).

        Several names must all be mixable LoRA adapters of one group (the caller batches them so); a single
        adapter is made its group's active one.
        """
        wanted = {n for n in names if n is not None}
        if not wanted:
            return self.base, batch
        groups = {self.key_of[n] for n in wanted}
        if len(groups) != 1:
            raise ValueError(f"adapters {sorted(wanted)} are not in one group")
        group = self.groups[groups.pop()]
        if len(wanted) == 1 and None not in names:
            if group.kind.family in (BOTTLENECK, GATE):
                return group.model, batch
            group.model.set_adapter(next(iter(wanted)))
            if group.kind.family == PREFIX:
                return group.model.base_model, {**batch, **prefix_inputs(group.model, batch)}
            return group.model, batch
        if not all(self.kinds[n].mixable for n in wanted):
            raise ValueError(f"adapters {sorted(wanted)} cannot share a batch")
        return group.model, {**batch, "adapter_names": [BASE_ROW if n is None else n for n in names]}


def _first_load(base, name: str, folder: Path, kind: Kind):
    """A new group's model: a view (or, for `alone` LoRA, a private copy) of `base` with the adapter loaded."""
    if kind.family == BOTTLENECK:
        from tunesmith.models.bottleneck import load_adapter

        return load_adapter(shared_view(base), folder)
    if kind.family == GATE:
        from tunesmith.models.adapter_gate import load_gate

        return load_gate(shared_view(base), folder)
    from peft import PeftModel

    model = copy.deepcopy(base) if kind.alone else shared_view(base)
    return PeftModel.from_pretrained(model, folder, adapter_name=name)
