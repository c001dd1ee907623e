"""Make an Alpaca-style instruction set whose answers run 150–400 tokens (the long-answer speed workload).

    python bench/long_answers.py [--out bench/data/long_answers.json] [--count 400] [--seed 0]

Answers are explanatory paragraphs assembled from topic-specific sentence banks, so they read like prose and
vary in length and wording; the same seed gives the same bytes. The JSON list (Alpaca keys instruction, input,
output) is read as-is by tunesmith, TRL (via tunesmith's reader) and LLaMA-Factory.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

TOPICS = {
    "composting": ("a compost heap", "microbes", "carbon-rich browns", "nitrogen-rich greens", "the pile"),
    "solar panels": ("a solar panel", "photovoltaic cells", "sunlight", "an inverter", "the roof"),
    "sourdough": ("a sourdough starter", "wild yeast", "flour", "water", "the dough"),
    "bicycle gears": ("a derailleur", "the chain", "the cassette", "the chainring", "the rider"),
    "tides": ("the tide", "the moon", "gravity", "the ocean", "the coast"),
    "vaccines": ("a vaccine", "the immune system", "antigens", "memory cells", "the body"),
    "databases": ("a database index", "queries", "rows", "a B-tree", "the disk"),
    "beekeeping": ("a hive", "worker bees", "nectar", "the queen", "the frames"),
    "glaciers": ("a glacier", "snowfall", "ice", "meltwater", "the valley"),
    "interest rates": ("an interest rate", "central banks", "loans", "inflation", "savers"),
}
VERBS = ["Explain how", "Describe why", "Walk me through how", "Give a detailed account of how", "Teach me how"]
OPENERS = [
    "To understand {a}, it helps to start with {b}.",
    "The short version is that {a} depends on {b} and {c}.",
    "{A} works because of the way {b} interact with {c}.",
]
BODY = [
    "First, {b} respond to changes in {c}, which sets the pace for everything that follows.",
    "When {c} are scarce, {a} slows down, and {e} shows the effect within days.",
    "Adding {d} changes the balance, so small adjustments make a visible difference.",
    "A common mistake is to ignore {d}; without it, {a} becomes unreliable over time.",
    "Experienced people watch {e} closely, because it reveals problems before they grow.",
    "In practice, the relationship between {b} and {d} is what most guides gloss over.",
    "Measurements taken over several weeks show a steady pattern rather than sudden jumps.",
    "It is worth noting that {c} can come from more than one source, and each behaves a little differently.",
    "Over a longer period, {e} adapts, and the whole system settles into a new equilibrium.",
    "If you change only one thing at a time, you can see exactly which factor matters most.",
    "Temperature plays a quiet but important role, speeding some steps and slowing others.",
    "The same principle appears elsewhere, which is why the idea is taught so widely.",
]
CLOSERS = [
    "In short, {a} rewards patience and careful observation.",
    "Put together, these steps explain why {a} behaves the way it does.",
    "With that picture in mind, most of the surprises around {a} stop being surprising.",
]


def make(count: int, seed: int) -> list[dict]:
    """`count` records with answers of roughly 150–400 tokens (about 0.75 words per token)."""
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        topic = rng.choice(sorted(TOPICS))
        a, b, c, d, e = TOPICS[topic]
        fill = {"a": a, "A": a[0].upper() + a[1:], "b": b, "c": c, "d": d, "e": e}
        target_words = rng.randint(115, 290)
        sentences = [rng.choice(OPENERS).format(**fill)]
        while sum(len(s.split()) for s in sentences) < target_words:
            sentences.append(rng.choice(BODY).format(**fill))
        sentences.append(rng.choice(CLOSERS).format(**fill))
        paragraphs = [" ".join(sentences[j : j + 4]) for j in range(0, len(sentences), 4)]
        instruction = f"{rng.choice(VERBS)} {topic} work."
        rows.append({"instruction": instruction, "input": "", "output": "\n\n".join(paragraphs)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("bench/data/long_answers.json"))
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(make(args.count, args.seed), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
