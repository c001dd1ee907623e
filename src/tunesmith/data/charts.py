"""The data report's charts as small PNGs (matplotlib, Agg), drawn from the JSON report alone."""

from __future__ import annotations

import io

BLUE, RED, GREY = "#3b82f6", "#ef4444", "#9ca3af"
TOP = 25  # categories drawn; the rest are summed into one bar


def charts(report: dict) -> list[dict]:
    """Every chart the report can support: {"title", "caption", "png"} (PNG bytes)."""
    drawn = [
        ("Lengths", *length_histogram(report.get("lengths") or {})),
        ("Categories", *category_chart(report.get("categories") or {})),
        ("Records per step", *steps_chart(report.get("steps") or [])),
        ("Removed, by reason", *removed_chart(report.get("steps") or [])),
    ]
    return [{"title": title, "caption": caption, "png": png} for title, png, caption in drawn if png]


def length_histogram(lengths: dict) -> tuple[bytes | None, str]:
    """Histograms of prompt and answer lengths in characters (from the report's precomputed bins)."""
    parts = [(name, lengths[name]) for name in ("prompt", "answer") if lengths.get(name, {}).get("max")]
    if not parts:
        return None, ""
    plt = pyplot()
    fig, axes = plt.subplots(1, len(parts), figsize=(6, 3), dpi=100, squeeze=False)
    for ax, (name, summary), color in zip(axes[0], parts, (BLUE, RED)):
        edges, counts = summary["edges"], summary["counts"]
        ax.bar(edges[:-1], counts, width=[b - a for a, b in zip(edges, edges[1:])], align="edge", color=color)
        ax.axvline(summary["median"], color="black", linestyle="--", linewidth=1)
        ax.set_title(f"{name} (median {summary['median']:,.0f})", fontsize=9)
        ax.set_xlabel("characters", fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0][0].set_ylabel("records", fontsize=8)
    caption = "Characters per prompt and answer; the dashed line is the median"
    clipped = any(summary["max"] >= summary["edges"][-1] for _, summary in parts)
    return png(fig), caption + ("; the last bar holds everything longer." if clipped else ".")


def category_chart(categories: dict) -> tuple[bytes | None, str]:
    """Records per task category (or per embedding cluster), largest first."""
    counts = categories.get("counts") or {}
    if not counts:
        return None, ""
    items = list(counts.items())
    if len(items) > TOP:
        rest = items[TOP - 1 :]
        items = [*items[: TOP - 1], (f"{len(rest)} others", sum(n for _, n in rest))]
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 3), dpi=100)
    labels = [_short(label) for label, _ in items]
    ax.bar(range(len(items)), [n for _, n in items], color=BLUE)
    ax.set_xticks(range(len(items)), labels, rotation=60, ha="right", fontsize=7)
    ax.set_ylabel("records", fontsize=8)
    ax.tick_params(axis="y", labelsize=7)
    clusters = categories.get("source") == "embedding clusters"
    what = f"k-means clusters of prompt embeddings (k = {categories.get('k')})" if clusters else categories["source"]
    return png(fig), f"Records per {what}."


def steps_chart(steps: list[dict]) -> tuple[bytes | None, str]:
    """Records kept and removed by each pipeline step."""
    if not steps:
        return None, ""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, _height(len(steps))), dpi=100)
    names = [f"{i}. {_short(step['op'], 14)}" for i, step in enumerate(steps, start=1)]
    kept = [step["kept"] for step in steps]
    removed = [sum(step["removed"].values()) for step in steps]
    ax.barh(names, kept, color=BLUE, label="kept")
    ax.barh(names, removed, left=kept, color=RED, label="removed")
    ax.invert_yaxis()
    ax.set_xlabel("records", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7)
    return png(fig), "Records each step kept and removed, in pipeline order."


def removed_chart(steps: list[dict]) -> tuple[bytes | None, str]:
    """Records removed per step and reason (duplicates found, off-domain, PII …)."""
    bars = [(f"{step['op']}: {reason}", n) for step in steps for reason, n in step["removed"].items() if n]
    if not bars:
        return None, ""
    bars = sorted(bars, key=lambda bar: -bar[1])[:TOP]
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, _height(len(bars))), dpi=100)
    ax.barh([_short(label, 36) for label, _ in bars], [n for _, n in bars], color=RED)
    ax.invert_yaxis()
    ax.set_xlabel("records removed", fontsize=8)
    ax.tick_params(labelsize=7)
    return png(fig), "Records removed, by step and reason."


def _height(bars: int) -> float:
    """Inches of height for a horizontal bar chart: thin bars when there are few, at most 3 inches."""
    return max(1.6, min(3.0, 0.3 * bars + 0.9))


def pyplot():
    """matplotlib.pyplot on the Agg backend (no display needed); shared with the arena's charts."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def png(fig) -> bytes:
    """The figure as PNG bytes (tight layout), and the figure closed."""
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png")
    pyplot().close(fig)
    return buffer.getvalue()


def _short(label: str, width: int = 24) -> str:
    """A label cut to `width` characters, with `$` escaped so matplotlib does not read it as math."""
    label = label if len(label) <= width else label[: width - 1] + "…"
    return label.replace("$", r"\$")
