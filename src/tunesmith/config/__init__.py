"""The recipe: one YAML file that fully describes a run, validated by a typed pydantic schema.

`recipe.py` holds the sections and loading; `methods.py`, `stages.py` and `rewards.py` hold one config class per
method, stage and reward, each a discriminated union on `name`, so `recipe.method` is the concrete class.
"""

from tunesmith.config.methods import METHOD_NAMES, MethodBase, MethodConfig
from tunesmith.config.recipe import (
    DEFAULT_MODEL,
    DataConfig,
    EvalConfig,
    ForgettingConfig,
    OutputConfig,
    Recipe,
    SearchSpace,
    SweepConfig,
    TrainConfig,
    ZeroConfig,
    apply_override,
    dump_recipe,
    load_recipe,
    load_run_recipe,
    resolve_paths,
    validate_recipe,
)
from tunesmith.config.stages import STAGE_NAMES, StageBase, StageConfig

__all__ = [
    "DEFAULT_MODEL",
    "METHOD_NAMES",
    "STAGE_NAMES",
    "DataConfig",
    "EvalConfig",
    "ForgettingConfig",
    "MethodBase",
    "MethodConfig",
    "OutputConfig",
    "Recipe",
    "SearchSpace",
    "StageBase",
    "StageConfig",
    "SweepConfig",
    "TrainConfig",
    "ZeroConfig",
    "apply_override",
    "dump_recipe",
    "load_recipe",
    "load_run_recipe",
    "resolve_paths",
    "validate_recipe",
]
