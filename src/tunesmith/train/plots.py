"""The loss-curve PNG written into every run directory."""

from __future__ import annotations

from pathlib import Path

from tunesmith.atomic import atomic_path


def plot_losses(rows: list[dict], target: Path) -> bool:
    """Plot train and validation loss (and online RL's mean reward) against step; False when there is nothing."""
    train = [(r["step"], r["loss"]) for r in rows if "loss" in r]
    valid = [(r["step"], r["eval_loss"]) for r in rows if "eval_loss" in r]
    reward = [(r["step"], r["reward"]) for r in rows if "reward" in r and "loss" in r]  # online RL
    if not train and not valid:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4), dpi=110)
    if train:
        ax.plot(*zip(*train), label="train loss", color="#3b82f6")
    if valid:
        ax.plot(*zip(*valid), label="validation loss", color="#ef4444", marker="o")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    if reward:
        right = ax.twinx()
        right.plot(*zip(*reward), label="mean reward", color="#16a34a")
        right.set_ylabel("reward")
        right.legend(loc="upper right")
    fig.tight_layout()
    with atomic_path(target) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
    return True
