"""The shape of a model with a method applied, read without loading a weight.

The model is built from its config on PyTorch's `meta` device (tensors with shapes and no storage) and the
method's own `apply` (tunesmith.train.methods) is run on it, so trainable counts, adapted layers and frozen layers
are exactly what training would make, for any method and architecture transformers can build.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tunesmith.config.methods import LoraConfig, MethodBase
from tunesmith.errors import InputError

NORM_WORDS = ("norm", "ln_")
ADAPTER_PREFIXES = ("lora_", "ia3_", "vera_", "hada_", "lokr_", "oft_", "boft_")  # PEFT's own small layers


@dataclass(frozen=True)
class Adapted:
    """One linear layer of a decoder block that carries an adapter (LoRA, IA³ …)."""

    name: str
    in_features: int
    out_features: int
    kind: str  # "lora", "ia3_out" (scales the output), "ia3_in" (scales the input), "other"
    rank: int = 0  # LoRA r; for "other", the rank of a LoRA with as many parameters
    dropout: float = 0.0
    dora: bool = False
    params: int = 0  # trainable parameters of the adapter


@dataclass(frozen=True)
class Readers:
    """How many linear layers of a block read each of its four inputs and need it kept for backward (their weight
    trains, or an adapter reads the input): q/k/v, the attention output, the MLP input, the MLP product."""

    qkv: int = 0
    out: int = 0
    up: int = 0
    down: int = 0


@dataclass(frozen=True)
class ModelShape:
    """What the estimate needs to know of a model, per token and per layer."""

    hidden: int
    layers: int
    heads: int
    kv_heads: int
    head_dim: int
    ffn: int
    vocab: int
    gated_mlp: bool
    total_params: int  # with the method's added parameters
    trainable_params: int
    layer_linear_params: int  # weights of one decoder block's linear layers (its matmuls), adapters excluded
    quantizable_params: int  # all decoder blocks' linear weights: what a 4-bit (QLoRA) load quantises
    head_params: int  # vocab × hidden: the LM head's matmul
    graph_layers: int  # blocks backward runs through: from the lowest block holding a trainable weight to the top
    trainable_linear_params: int  # trainable weights of one graph block's linear layers (weight gradients)
    norms_train: bool
    head_trains: bool
    prompt_learning: bool
    virtual_tokens: int = 0
    adapters: tuple[Adapted, ...] = field(default_factory=tuple)  # of one decoder block
    dropout: float = 0.0  # the config's attention/hidden dropout
    readers: Readers = field(default_factory=Readers)  # of one graph block: which inputs are kept

    @property
    def adapter_params_per_layer(self) -> int:
        return sum(a.params for a in self.adapters)


def model_config(ref: str):
    """The transformers config of a model ref (alias, folder or hub id: only config.json is read)."""
    from transformers import AutoConfig

    from tunesmith.models.resolve import resolve_model

    source = resolve_model(ref)
    try:
        return AutoConfig.from_pretrained(source)
    except (OSError, ValueError) as exc:
        raise InputError(f"model '{ref}'", f"could not read its config.json ({str(exc).splitlines()[0]})") from None


def inspect_model(config: Any, method: MethodBase) -> ModelShape:
    """The shape of `config`'s causal LM with `method` applied (built on the meta device: no memory, seconds)."""
    import torch
    from transformers import AutoModelForCausalLM

    from tunesmith.models.layers import decoder_layers
    from tunesmith.train.methods import apply_method

    with torch.device("meta"):
        try:
            model = AutoModelForCausalLM.from_config(config)
        except (ValueError, KeyError) as exc:
            raise InputError("model", f"advise knows causal LMs transformers can build ({exc})") from None
        try:
            model = apply_method(model, _buildable(method))
        except InputError:
            raise
        except Exception as exc:  # noqa: BLE001 - a method PEFT cannot build without weights
            message = f"advise cannot build '{method.name}' without loading weights ({exc})"
            raise InputError("method.name", message) from None
    text = config.get_text_config()
    blocks = decoder_layers(model)
    trainable_blocks = [i for i, block in enumerate(blocks) if any(p.requires_grad for p in block.parameters())]
    peft_config = getattr(model, "active_peft_config", None)
    prompt_learning = bool(getattr(peft_config, "is_prompt_learning", False))
    embeddings = model.get_input_embeddings().weight
    head = model.get_output_embeddings()
    from_bottom = prompt_learning or embeddings.requires_grad
    lowest = 0 if from_bottom else (trainable_blocks[0] if trainable_blocks else len(blocks))
    top = blocks[-1]
    linears = _linears(top)
    hidden = _get(text, "hidden_size", "n_embd", "d_model")
    heads = _get(text, "num_attention_heads", "n_head")
    return ModelShape(
        hidden=hidden,
        layers=len(blocks),
        heads=heads,
        kv_heads=_get(text, "num_key_value_heads", default=heads),
        head_dim=_get(text, "head_dim", default=hidden // heads),
        ffn=_get(text, "intermediate_size", "n_inner", "ffn_dim", default=4 * hidden),
        vocab=_get(text, "vocab_size"),
        gated_mlp=any("gate" in name for name, _ in linears),
        total_params=sum(p.numel() for p in model.parameters()),
        trainable_params=sum(p.numel() for p in model.parameters() if p.requires_grad),
        layer_linear_params=sum(lin.weight.numel() for _, lin in linears),
        quantizable_params=sum(lin.weight.numel() for block in blocks for _, lin in _linears(block)),
        head_params=head.weight.numel(),
        graph_layers=len(blocks) - lowest,
        trainable_linear_params=sum(lin.weight.numel() for _, lin in linears if lin.weight.requires_grad),
        norms_train=any(p.requires_grad for n, p in top.named_parameters() if any(w in n for w in NORM_WORDS)),
        head_trains=head.weight.requires_grad,
        prompt_learning=prompt_learning,
        virtual_tokens=int(getattr(peft_config, "num_virtual_tokens", 0) or 0) if prompt_learning else 0,
        adapters=tuple(_adapters(top)),
        dropout=float(_get(text, "attention_dropout", "attn_pdrop", default=0.0) or 0.0),
        readers=_readers(top),
    )


def _buildable(method: MethodBase) -> MethodBase:
    """The method as the meta device can build it, with the same parameter counts: QLoRA as LoRA (its 4-bit base
    is accounted for by the memory model), LoRA initialised plainly (PiSSA/OLoRA need real weights), prompt tuning
    from random vectors (TEXT reads a tokenizer)."""
    if method.name == "qlora":
        keys = set(LoraConfig.model_fields) - {"name", "init_lora_weights"}
        return LoraConfig(**method.model_dump(include=keys))
    if method.name == "lora" and method.init_lora_weights not in (True, False, "gaussian"):
        return method.model_copy(update={"init_lora_weights": True})
    if method.name == "prompt_tuning":
        return method.model_copy(update={"prompt_tuning_init": "RANDOM", "prompt_tuning_init_text": None})
    return method


def _get(config: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        value = getattr(config, name, None)
        if value is not None:
            return value
    if default is None:
        raise InputError("model", f"its config has none of {', '.join(names)}; advise knows decoder-only LMs")
    return default


def _linears(block) -> list[tuple[str, Any]]:
    """The block's own linear layers (a PEFT layer's `base_layer`, not the adapter's small ones); GPT-2's Conv1D
    counts as one."""
    found = []
    for name, module in block.named_modules():
        base = getattr(module, "base_layer", None)
        if base is not None and _is_linear(base):
            found.append((f"{name}.base_layer", base))
        elif _is_linear(module) and not _inside_adapter(name):
            found.append((name, module))
    return found


def _is_linear(module) -> bool:
    import torch

    return isinstance(module, torch.nn.Linear) or type(module).__name__ == "Conv1D"


def _dims(layer) -> tuple[int, int]:
    """(in, out) features of a linear layer (Conv1D keeps its weight as in × out)."""
    rows, cols = layer.weight.shape
    return (rows, cols) if type(layer).__name__ == "Conv1D" else (cols, rows)


def _role(name: str) -> str:
    """Which input of the block a linear layer reads, by the names transformers' decoder models use."""
    name = name.removesuffix(".base_layer")
    leaf = name.split(".")[-1]
    if any(w in leaf for w in ("down", "fc2", "4h_to_h", "w2")) or ("mlp" in name and leaf == "c_proj"):
        return "down"
    if any(w in leaf for w in ("gate", "up", "fc1", "c_fc", "h_to_4h", "w1", "w3")):
        return "up"
    if any(w in leaf for w in ("o_proj", "out_proj", "c_proj", "dense")):
        return "out"
    return "qkv"


def _readers(block) -> Readers:
    """Per input, the linear layers that keep it: a trained weight, or an adapter that reads it (not IA³ on an
    output, which keeps the output instead)."""
    counts = {"qkv": 0, "out": 0, "up": 0, "down": 0}
    for name, linear in _linears(block):
        wrapper = _wrapper(block, name)
        reads = wrapper is not None and ".ia3." not in type(wrapper).__module__
        adapted = reads and any(p.requires_grad for p in wrapper.parameters())
        if linear.weight.requires_grad or adapted:
            counts[_role(name)] += 1
    return Readers(**counts)


def _wrapper(block, name: str):
    """The PEFT layer around the linear layer `name` (or None)."""
    parent = block.get_submodule(name.removesuffix(".base_layer")) if name.endswith("base_layer") else None
    return parent if parent is not None and hasattr(parent, "base_layer") else None


def _inside_adapter(name: str) -> bool:
    parts = name.split(".")
    return "base_layer" in parts or any(p.startswith(ADAPTER_PREFIXES) for p in parts)


def _adapters(block) -> list[Adapted]:
    """Every adapted linear layer of a block, with what its adapter keeps and computes."""
    found = []
    for name, module in block.named_modules():
        base = getattr(module, "base_layer", None)
        if base is None or not _is_linear(base):
            continue
        params = sum(p.numel() for p in module.parameters() if p.requires_grad)
        fin, fout = _dims(base)
        kind_module = type(module).__module__
        if ".lora." in kind_module and "default" in getattr(module, "r", {}):
            dropout = module.lora_dropout["default"]
            rate = float(getattr(dropout, "p", 0.0))
            dora = bool(module.use_dora.get("default", False))
            found.append(Adapted(name, fin, fout, "lora", module.r["default"], rate, dora, params))
        elif ".ia3." in kind_module:
            kind = "ia3_in" if getattr(module, "is_feedforward", False) else "ia3_out"
            found.append(Adapted(name, fin, fout, kind, params=params))
        else:
            found.append(Adapted(name, fin, fout, "other", max(1, round(params / (fin + fout))), params=params))
    return found
