"""Wrap a model with a PEFT config whose task type matches the model: a causal LM, or a reward model's head."""

from __future__ import annotations


def task_type(model) -> str:
    """PEFT's task type for `model`: SEQ_CLS for a sequence-classification model (the reward stage), else CAUSAL_LM."""
    return "SEQ_CLS" if type(model).__name__.endswith("ForSequenceClassification") else "CAUSAL_LM"


def wrap(model, config, state=None):
    """`get_peft_model` with the config's task type set from the model (PEFT then also trains a SEQ_CLS score head).

    With a `state` (a `_resumable.CheckpointState`), checkpoints also keep what the method needs to train on from
    them, where PEFT's own files are not enough (prefix tuning's MLP, p-tuning's encoder, AdaLoRA's allocator)."""
    config.task_type = task_type(model)
    if state is not None:
        from tunesmith.train.methods._resumable import wrap_resumable

        return wrap_resumable(model, config, state)
    from peft import get_peft_model

    return get_peft_model(model, config)


def same_names(peft_config_class: str, what: str):
    """An `apply` for a PEFT method whose recipe keys are exactly the PEFT config's own: every key but `name`
    goes to `peft.<peft_config_class>` (tests/train/test_methods_peft.py checks each one trains and reloads)."""

    def apply(model, cfg, plan=None):
        import peft

        config = getattr(peft, peft_config_class)(**cfg.model_dump(exclude={"name"}), task_type="CAUSAL_LM")
        return wrap(model, config)

    apply.__doc__ = f"Wrap `model` with {what} (`peft.{peft_config_class}`, keys passed as they are)."
    return apply
