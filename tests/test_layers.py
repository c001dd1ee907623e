"""The architecture's rules, checked: layers import one way, no cycles, and every component is found by name."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tunesmith.config import METHOD_NAMES, STAGE_NAMES
from tunesmith.config.rewards import REWARD_NAMES
from tunesmith.schema import module_names
from tunesmith.train.methods import Method, find_method
from tunesmith.train.rewards import find_reward
from tunesmith.train.rewards.base import RewardKind
from tunesmith.train.stages import Stage, find_stage

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_hold():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is a dev dependency: pip install -e '.[dev]'"
    done = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:]


@pytest.mark.parametrize(
    ("package", "names"),
    [
        ("tunesmith.train.methods", METHOD_NAMES),
        ("tunesmith.train.stages", STAGE_NAMES),
        ("tunesmith.train.rewards", REWARD_NAMES),
    ],
)
def test_every_component_module_has_a_recipe_config_and_back(package, names):
    assert set(module_names(package)) - {"base"} == set(names)  # base.py: the contract itself


def test_every_method_stage_and_reward_module_exposes_its_contract():
    assert all(isinstance(find_method(name), Method) for name in METHOD_NAMES)
    assert all(isinstance(find_stage(name), Stage) for name in STAGE_NAMES)
    assert all(isinstance(find_reward(name), RewardKind) for name in REWARD_NAMES)
