"""A trained reward model as the reward (RLHF): a run of stage `reward`, or a sequence-classification model folder.

TRL runs the model itself on each prompt + completion conversation and takes its one output as the reward.
"""

from __future__ import annotations

from tunesmith.config.rewards import RewardModelConfig as Config
from tunesmith.errors import InputError
from tunesmith.train.rewards.base import RewardKind


def load_reward_model(ref: str):
    """(model, tokenizer) in eval mode; a LoRA reward run's adapter (and trained score head) is merged in."""
    from tunesmith.models.loading import load_tokenizer, load_with_score_head, source_for

    _check_reward_run(ref)
    source = source_for(ref)
    _check_reward_head(ref, source.base)
    model = load_with_score_head(source.base)
    if source.adapter is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, source.adapter).merge_and_unload()
    tokenizer = load_tokenizer(str(source.adapter or source.base))
    model.config.pad_token_id = tokenizer.pad_token_id  # the score is read at the last non-pad token
    return model.eval(), tokenizer


def _check_reward_run(ref: str) -> None:
    """A run directory must be one of stage reward: other runs have no trained score head."""
    import yaml

    from tunesmith.runs import is_run_dir, open_run

    if is_run_dir(ref):
        stage = (yaml.safe_load(open_run(ref).recipe.read_text(encoding="utf-8")) or {}).get("stage", "sft")
        name = stage.get("name") if isinstance(stage, dict) else stage
        if name != "reward":
            raise InputError(ref, f"is a run of stage {name}; expected a run of stage reward (a trained reward model)")


def _check_reward_head(ref: str, base: str) -> None:
    """A model folder (not a run) must be a sequence-classification model."""
    from transformers import AutoConfig

    from tunesmith.runs import is_run_dir

    if is_run_dir(ref):
        return
    architectures = AutoConfig.from_pretrained(base).architectures or []
    if not any(name.endswith("ForSequenceClassification") for name in architectures):
        raise InputError(
            ref, f"is a {', '.join(architectures) or 'model'} without a reward head; expected a reward run"
        )


def build(cfg: Config):
    return load_reward_model(cfg.model)


REWARD = RewardKind(build=build)
