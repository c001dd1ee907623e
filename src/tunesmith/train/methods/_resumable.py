"""PEFT models whose training checkpoints load back into the model being trained (keep-best and `--resume`).

PEFT saves some adapters in a form made for inference, not for training on: prefix tuning's projection MLP and
p-tuning's prompt encoder as their *output* (huggingface/peft#2256), AdaLoRA at its pruned ranks without its rank
allocator. The trainer reloads a checkpoint with `load_adapter`, which then fails or loads the wrong thing. So these
models also write the method's training state (`CheckpointState.save`) into each `checkpoint-N` folder, inside
`save_pretrained` (before the trainer marks the checkpoint done), and `load_adapter` of such a folder restores it.
PEFT's own files stay as they are, so the checkpoint and the final adapter load for inference as before.
This is composition in the open (a subclass), not a patch: PEFT has no hook for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from peft import PeftModelForCausalLM, PeftModelForSequenceClassification
from safetensors.torch import load_file, save_file

STATE_FILE = "training_state.safetensors"


@dataclass(frozen=True)
class CheckpointState:
    """What a method keeps beside PEFT's files in a checkpoint: `save(model)` → tensors, `load(model, tensors)`."""

    save: Callable[[object], dict[str, torch.Tensor]]
    load: Callable[[object, dict[str, torch.Tensor]], None]


def is_checkpoint(folder) -> bool:
    """A trainer's `checkpoint-N` folder (the final adapter gets no training state: it is for inference)."""
    from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR

    name = Path(folder).name
    return name.startswith(f"{PREFIX_CHECKPOINT_DIR}-") and name.split("-")[-1].isdigit()


class _Resumable:
    """`save_pretrained` adds the training state to a checkpoint; `load_adapter` of a checkpoint restores it."""

    checkpoint_state: CheckpointState

    def save_pretrained(self, save_directory, *args, is_main_process: bool = True, **kwargs):
        super().save_pretrained(save_directory, *args, is_main_process=is_main_process, **kwargs)
        if is_main_process and is_checkpoint(save_directory):
            tensors = {k: v.detach().contiguous().cpu() for k, v in self.checkpoint_state.save(self).items()}
            save_file(tensors, str(Path(save_directory) / STATE_FILE))

    def load_adapter(self, model_id, adapter_name, *args, **kwargs):
        state = Path(model_id) / STATE_FILE
        if adapter_name in self.peft_config and state.is_file():
            self.checkpoint_state.load(self, load_file(str(state)))
            return None
        return super().load_adapter(model_id, adapter_name, *args, **kwargs)


class ResumableCausalLM(_Resumable, PeftModelForCausalLM):
    """A causal LM PEFT model whose checkpoints carry its training state."""


class ResumableSequenceClassification(_Resumable, PeftModelForSequenceClassification):
    """A sequence-classification (reward) PEFT model whose checkpoints carry its training state."""


def wrap_resumable(model, config, state: CheckpointState):
    """What `get_peft_model(model, config)` builds (config.task_type already set), as a resumable model."""
    config.base_model_name_or_path = model.__dict__.get("name_or_path") or None  # as get_peft_model does
    cls = ResumableSequenceClassification if config.task_type == "SEQ_CLS" else ResumableCausalLM
    peft_model = cls(model, config)
    peft_model.checkpoint_state = state
    return peft_model


def encoder_state(model) -> dict[str, torch.Tensor]:
    """The soft-prompt encoder's own weights (embedding and MLP/LSTM), not PEFT's saved output of it."""
    return dict(model.prompt_encoder[model.active_adapter].state_dict())


def load_encoder_state(model, tensors: dict[str, torch.Tensor]) -> None:
    """Copy saved encoder weights back in place (the optimizer keeps pointing at the same parameters)."""
    encoder = model.prompt_encoder[model.active_adapter]
    with torch.no_grad():
        encoder.load_state_dict({k: v.to(encoder.embedding.weight.device) for k, v in tensors.items()}, strict=True)


ENCODER_STATE = CheckpointState(save=encoder_state, load=load_encoder_state)
