"""The arena's two charts: quality against cost per request (one point per arm), and each metric per arm."""

from __future__ import annotations

from tunesmith.data.charts import png, pyplot


def quality_cost_scatter(report: dict) -> bytes:
    """Primary score (with its 95% interval) against cost per 1,000 requests; arms with unknown cost on the
    left edge, marked as such."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    ok = [a for a in report["arms"] if a["status"] == "ok"]
    known = [a["cost"]["per_1k"]["value"] for a in ok if a["cost"]["per_1k"]["value"] is not None]
    floor = min(known) / 2 if known and min(known) > 0 else 1e-6
    for arm in ok:
        cost = arm["cost"]["per_1k"]["value"]
        p = arm["primary"]
        x = cost if cost is not None else floor
        ax.errorbar([x], [p["mean"]], yerr=[[p["mean"] - p["low"]], [p["high"] - p["mean"]]], fmt="o", capsize=3)
        label = arm["name"] + ("" if cost is not None else " (cost unknown)")
        ax.annotate(label.replace("$", r"\$"), (x, p["mean"]), textcoords="offset points", xytext=(6, 4), fontsize=8)
    if known and min(known) > 0:
        from matplotlib.ticker import FuncFormatter

        ax.set_xscale("log")
        plain = FuncFormatter(lambda value, _: f"{value:g}")
        ax.xaxis.set_major_formatter(plain)
        ax.xaxis.set_minor_formatter(plain)
        ax.tick_params(axis="x", which="both", labelsize=7)
    ax.margins(x=0.25)
    ax.set_xlabel(f"cost per 1,000 requests ({report['cost']['currency']})")
    ax.set_ylabel(report["task"]["primary"])
    ax.set_ylim(-0.05, 1.05)
    ax.grid(alpha=0.3)
    ax.set_title("Quality vs cost (95% bootstrap intervals)", fontsize=10)
    return png(fig)


def metric_bars(report: dict) -> bytes:
    """Every metric of every arm that answered, as grouped horizontal bars."""
    plt = pyplot()
    ok = [a for a in report["arms"] if a["status"] == "ok"]
    names = sorted({m for a in ok for m, v in a["metrics"].items() if isinstance(v, float) and 0 <= v <= 1})
    fig, ax = plt.subplots(figsize=(6.4, max(1.8, 0.35 * len(names) * max(1, len(ok)) / 2 + 1)))
    height = 0.8 / max(1, len(ok))
    for i, arm in enumerate(ok):
        ys = [j + i * height for j in range(len(names))]
        ax.barh(ys, [arm["metrics"].get(m, 0.0) for m in names], height=height, label=arm["name"])
    ax.set_yticks([j + 0.4 - height / 2 for j in range(len(names))], names, fontsize=8)
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=min(4, max(1, len(ok))))
    ax.set_title("Task metrics per arm", fontsize=10)
    return png(fig)
