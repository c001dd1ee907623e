"""The expert-load PNG of a MoE run: each layer's share per expert over the run, and the largest share over time."""

from __future__ import annotations

from pathlib import Path

from tunesmith.atomic import atomic_path


def plot_expert_load(report: dict, target: Path) -> bool:
    """Heatmap of layers × experts (share of routed tokens) beside the largest expert share of each layer at each
    training log. Shares run from 1/experts (even) to 1/top-k (every token sent to the same k experts: collapse),
    so a collapsing router shows as bright cells and a line rising to the top."""
    if not report["layers"] or not any(report["routed"]):
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    width = max(report["num_experts"])
    collapsed = 1 / max(report["top_k"], 1)
    load = np.full((len(report["layers"]), width), np.nan)
    for row, shares in enumerate(report["load"]):
        load[row, : len(shares)] = shares
    fig, (heat, lines) = plt.subplots(1, 2, figsize=(11, 0.45 * len(load) + 3), dpi=110, width_ratios=[3, 2])
    image = heat.imshow(load, aspect="auto", cmap="viridis", vmin=0, vmax=collapsed)
    heat.set_xticks(range(width))
    heat.set_yticks(range(len(load)), [_short(name) for name in report["layers"]])
    heat.set_xlabel("expert")
    heat.set_title(f"share of routed tokens (even {1 / width:.3f}, collapsed {collapsed:.3f}: top-{report['top_k']})")
    fig.colorbar(image, ax=heat)
    steps = [entry["step"] for entry in report["history"]]
    for row, name in enumerate(report["layers"]):
        largest = [max(_shares(entry["counts"][row]), default=0.0) for entry in report["history"]]
        lines.plot(steps, largest, marker=".", label=_short(name))
    lines.axhline(1 / width, color="grey", linestyle="--", linewidth=1, label="even")
    lines.axhline(collapsed, color="#ef4444", linestyle=":", linewidth=1, label="collapsed")
    lines.set_xlabel("step")
    lines.set_ylabel("largest expert share")
    lines.set_ylim(0, collapsed * 1.05)
    lines.grid(alpha=0.3)
    lines.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    with atomic_path(target) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
    return True


def _shares(counts: list[int]) -> list[float]:
    total = sum(counts)
    return [c / total for c in counts] if total else []


def _short(layer: str) -> str:
    """`model.layers.3.mlp` → `layer 3`."""
    parts = layer.split(".")
    numbers = [p for p in parts if p.isdigit()]
    return f"layer {numbers[-1]}" if numbers else layer
