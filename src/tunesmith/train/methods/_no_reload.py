"""A guard for methods whose checkpoints cannot be loaded back into the model being trained.

PEFT saves reparameterised soft prompts (p-tuning's prompt encoder, prefix tuning's projection MLP) as the encoder's
*output*; loading that into the training model's encoder *input* fails (prefix tuning) or silently gives wrong
prompts (p-tuning) — see huggingface/peft#2256. So keep-best and resume cannot work for them. The run should turn
those off up front (`method_checkpoints_reload`); this callback stops a run that did not, rather than let it
finish with a wrong model.
"""

from __future__ import annotations

from tunesmith.errors import InputError


def no_reload_guard(method: str):
    """A TrainerCallback that raises InputError at train start when the run would reload a checkpoint."""
    from transformers import TrainerCallback

    class NoCheckpointReload(TrainerCallback):
        def on_train_begin(self, args, state, control, **kwargs):
            if args.load_best_model_at_end:
                raise InputError(
                    "train.keep_best",
                    f"method '{method}' cannot load its checkpoints back (PEFT keeps only the encoded prompts); "
                    "set train.keep_best=false",
                )
            if state.global_step > 0:
                raise InputError(
                    "--resume",
                    f"method '{method}' cannot resume from a checkpoint; start the run again with --overwrite",
                )

    return NoCheckpointReload()
