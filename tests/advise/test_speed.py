"""The FLOP formula: 6N per token for full fine-tuning, 4N for a frozen base, +2N with checkpointing; step time."""

from __future__ import annotations

import pytest

from tunesmith.advise.hardware import Device
from tunesmith.advise.plan import Batch, resolve_setup
from tunesmith.advise.shape import inspect_model
from tunesmith.advise.speed import batch_flops, step_seconds
from tunesmith.config.methods import FullConfig, LoraConfig

N = 4_096 + 2_048 + 2_048 + 4_096 + 3 * 8_192  # one tiny block's matmul weights (tests/advise/conftest.py)
BATCH = Batch(rows=2, length=8, tokens=16, labelled=4)
ATTENTION = 4 * 8 * 64  # QKᵀ and AV per token and block: 4 · s · heads · head_dim


def flops(config, method, **setup):
    shape = inspect_model(config, method)
    plan = resolve_setup("cpu", True, method.name, method.name == "full", **setup)
    return batch_flops(shape, plan, BATCH)


def test_full_fine_tuning_is_6n_per_token_plus_attention_and_head(tiny_config):
    f = flops(tiny_config, FullConfig())
    assert f.forward == 16 * 2 * (2 * N + ATTENTION)
    assert f.backward == 16 * 2 * (4 * N + 2 * ATTENTION)  # input gradients 2N, weight gradients 2N
    assert f.forward + f.backward == 16 * 2 * (6 * N + 3 * ATTENTION)
    assert f.recompute == 0
    assert f.head == 3 * 2 * 100 * 64 * 4  # forward, hidden gradient, (tied, trained) weight gradient × labelled
    assert "2·36,864" in f.formula


def test_frozen_base_is_4n_plus_the_adapters(tiny_config):
    f = flops(tiny_config, LoraConfig(r=4, dropout=0.0))
    adapter = 2 * 4 * (2 * (64 + 64) + 2 * (64 + 32) + 3 * (64 + 128))  # 2·r·(in + out) per adapted layer
    assert f.forward + f.backward == 16 * 2 * (4 * N + 3 * ATTENTION + 3 * adapter)
    assert f.head == 2 * 2 * 100 * 64 * 4  # the head is frozen: no weight gradient


def test_checkpointing_adds_a_forward_of_every_recomputed_block(tiny_config):
    plain = flops(tiny_config, FullConfig())
    ckpt = flops(tiny_config, FullConfig(), checkpointing=True)
    assert ckpt.recompute == 16 * 2 * (2 * N + ATTENTION)
    assert ckpt.total == pytest.approx(plain.total + ckpt.recompute)


def test_step_time_is_flops_over_the_achieved_rate_plus_the_optimizer():
    device = Device("x", "cpu", 2**30, 1e11, 2e11, 0.5, 1e-9, True)
    assert step_seconds(3e11, 2, 1_000_000, device) == pytest.approx(2 * 3e11 / 1e11 + 1e-3)
