"""Precision and recall of `find_pii` on a labelled set, per type, with bootstrap intervals, and its speed.

    python bench/pii_eval.py [--seed 0] [--show 5] [--speed-records 10000]            # bench/pii_data.py's set
    python bench/pii_eval.py --set independent --split test --speed-records 0        # bench/pii_independent.py
    python bench/pii_eval.py --set blind --speed-records 0                            # bench/pii_blind.py
    python bench/pii_eval.py --set blind2 --speed-records 0                           # bench/pii_blind2.py
    python bench/pii_eval.py --set blind3 --speed-records 0                           # bench/pii_blind3.py

Span-level rule: a labelled span counts as found when a finding of the same type overlaps it by at least one
character; a finding counts as correct when it overlaps a labelled span of its type (so findings in the negative
texts are all wrong, and a finding of the wrong type is both a miss and a false positive). The 95% intervals are
percentiles of `--bootstrap` resamples of the texts (with replacement). PERSON is split by script:
"PERSON (en)" for Latin names (spaCy NER, the given-name list, position cues), "PERSON (zh)" for Chinese ones
(jieba's tagger, the surname + cue rules). The speed line times the `pii` op (mask, all types) on short support
chats from bench/data_scale.py's generator (~10% with PII) in one process, after the model is loaded;
bench/data_scale.py runs it on 100,000 records in the pipeline.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from data_scale import make_records  # noqa: E402
from datasets import Dataset  # noqa: E402
from pii_blind import make_set as make_blind  # noqa: E402
from pii_blind2 import make_set as make_blind2  # noqa: E402
from pii_blind3 import make_set as make_blind3  # noqa: E402
from pii_data import make_set  # noqa: E402
from pii_independent import make_set as make_independent  # noqa: E402

from tunesmith.data.ops import OpContext, pii  # noqa: E402
from tunesmith.data.pii import TYPES, find_pii  # noqa: E402
from tunesmith.data.pii.engine import analyzer  # noqa: E402

TARGETS = {"EMAIL": 0.95, "PHONE": 0.95, "CARD": 0.95, "CN_ID": 0.95, "IP": 0.95, "URL": 0.95, "PASSPORT": 0.95}
TARGETS |= {"PERSON (en)": 0.85, "PERSON (zh)": 0.85, "PERSON": 0.85}
_HAN = re.compile(r"[\u4e00-\u9fff]")


def row_type(kind: str, text: str) -> str:
    """The table row of a span: its type, with PERSON split by script."""
    return f"PERSON ({'zh' if _HAN.search(text) else 'en'})" if kind == "PERSON" else kind


def overlaps(a: dict, b: dict) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]


def evaluate(rows: list[dict], show: int) -> dict[str, Counter]:
    """Per row type: planted, planted and found, findings, correct findings; prints up to `show` misses each way."""
    return total(score(rows, show))


def total(per_text: list[dict[str, Counter]]) -> dict[str, Counter]:
    """The per-text counts summed per row type."""
    counts: dict[str, Counter] = {}
    for text_counts in per_text:
        for kind, c in text_counts.items():
            counts.setdefault(kind, Counter()).update(c)
    return counts


def score(rows: list[dict], show: int) -> list[dict[str, Counter]]:
    """Per text, per row type: planted, planted and found, findings, correct findings; prints `show` misses each way."""
    per_text = []
    missed, wrong = [], []
    for row in rows:
        counts: dict[str, Counter] = {}
        per_text.append(counts)
        found = [{"type": f.type, "start": f.start, "end": f.end, "text": f.text} for f in find_pii(row["text"])]
        for span in row["spans"]:
            c = counts.setdefault(row_type(span["type"], span["text"]), Counter())
            c["planted"] += 1
            hit = any(f["type"] == span["type"] and overlaps(f, span) for f in found)
            c["hit"] += hit
            if not hit:
                missed.append((span["type"], span["text"], row["text"]))
        for f in found:
            c = counts.setdefault(row_type(f["type"], f["text"]), Counter())
            c["found"] += 1
            right = any(s["type"] == f["type"] and overlaps(f, s) for s in row["spans"])
            c["correct"] += right
            if not right:
                wrong.append((f["type"], f["text"], row["text"]))
    for title, examples in (("missed", missed), ("false positives", wrong)):
        if show and examples:
            print(f"{title} (first {show} of {len(examples)}):")
            for kind, value, text in examples[:show]:
                print(f"  {kind:8} {value!r:32} in {text!r}")
    return per_text


def interval(per_text: list[dict[str, Counter]], kind: str, part: str, whole: str, rounds: int) -> str:
    """The bootstrap 95% interval of part/whole for `kind` over resampled texts ('' when rounds is 0)."""
    if not rounds:
        return ""
    rng = random.Random(0)
    parts = [t.get(kind, Counter())[part] for t in per_text]
    wholes = [t.get(kind, Counter())[whole] for t in per_text]
    ratios = []
    for _ in range(rounds):
        picks = [rng.randrange(len(per_text)) for _ in per_text]
        denominator = sum(wholes[i] for i in picks)
        if denominator:
            ratios.append(sum(parts[i] for i in picks) / denominator)
    if not ratios:
        return ""
    ratios.sort()
    return f" [{ratios[int(0.025 * len(ratios))]:.3f}, {ratios[int(0.975 * len(ratios)) - 1]:.3f}]"


def speed(count: int) -> tuple[float, dict]:
    """Records per second of the `pii` op (mask, all types) on `count` short support records, one process."""
    dataset = Dataset.from_list(make_records(count))
    started = time.perf_counter()
    result = pii.run(dataset, pii.Config(), OpContext())
    return count / (time.perf_counter() - started), result.stats["found"]


def cpu() -> str:
    """The CPU model (from /proc/cpuinfo on Linux) and how many cores this process sees."""
    info = Path("/proc/cpuinfo")
    names = [line.split(":", 1)[1].strip() for line in info.read_text().splitlines() if line.startswith("model name")]
    return f"{names[0] if names else platform.machine()}, {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--set", choices=("generated", "independent", "blind", "blind2", "blind3"), default="generated", dest="which"
    )
    parser.add_argument(
        "--split", choices=("dev", "test", "final", "final2", "all"), default="test", help="part of the independent set"
    )
    parser.add_argument("--bootstrap", type=int, default=1000, help="resamples for the 95%% intervals (0: none)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated set")
    parser.add_argument("--show", type=int, default=0, help="print this many misses and false positives")
    parser.add_argument("--speed-records", type=int, default=10_000, help="0 skips the speed measurement")
    args = parser.parse_args()
    sets = {
        "independent": (lambda: make_independent(args.split), f"independent set, {args.split} part"),
        "blind": (make_blind, "blind set (written without reading the recognizers)"),
        "blind2": (make_blind2, "second blind set (written without reading the recognizers or the other sets)"),
        "blind3": (make_blind3, "third blind set (written without reading the recognizers or the other sets)"),
        "generated": (lambda: make_set(args.seed), f"generated set, seed {args.seed}"),
    }
    make, about = sets[args.which]
    rows = make()
    started = time.perf_counter()
    analyzer()
    loaded = time.perf_counter() - started
    per_text = score(rows, args.show)
    counts = total(per_text)
    negatives = sum(not r["spans"] for r in rows)
    print(
        f"{len(rows):,} texts ({about}; {negatives} with no PII), {sum(len(r['spans']) for r in rows):,} labelled spans"
    )
    print("| type | labelled | found | findings | precision [95% CI] | recall [95% CI] | target recall |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    order = [t for t in TYPES if t != "PERSON"] + ["PERSON (en)", "PERSON (zh)", "PERSON"]
    counts["PERSON"] = counts.get("PERSON (en)", Counter()) + counts.get("PERSON (zh)", Counter())
    for text_counts in per_text:
        text_counts["PERSON"] = text_counts.get("PERSON (en)", Counter()) + text_counts.get("PERSON (zh)", Counter())
    for kind in order:
        c = counts.get(kind, Counter())
        precision = c["correct"] / c["found"] if c["found"] else float("nan")
        recall = c["hit"] / c["planted"] if c["planted"] else float("nan")
        p_ci = interval(per_text, kind, "correct", "found", args.bootstrap)
        r_ci = interval(per_text, kind, "hit", "planted", args.bootstrap)
        target = f"≥ {TARGETS[kind]:.2f}" if kind in TARGETS else "–"
        print(
            f"| {kind} | {c['planted']} | {c['hit']} | {c['found']} | {precision:.3f}{p_ci} | {recall:.3f}{r_ci} "
            f"| {target} |"
        )
    if args.speed_records:
        rate, found = speed(args.speed_records)
        print(
            f"\nspeed: {rate:,.0f} records/s: the pii op (mask) on {args.speed_records:,} short support records, "
            f"1 process, {cpu()}; found {found}; model load {loaded:.1f} s"
        )


if __name__ == "__main__":
    main()
