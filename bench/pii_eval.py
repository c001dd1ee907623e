"""Precision and recall of `find_pii` on the generated labelled set, per type, and its speed on short records.

    python bench/pii_eval.py [--seed 0] [--show 5] [--speed-records 10000]

A planted span counts as found when a finding of the same type overlaps it; a finding counts as correct when it
overlaps a planted span of its type (findings in the hard-negative texts are all wrong). PERSON is split by script:
"PERSON (en)" for Latin names (spaCy NER), "PERSON (zh)" for Chinese ones (the surname + cue recognizer). The speed
line times the `pii` op (mask, all types) on short support chats from bench/data_scale.py's generator (~10% with
PII) in one process, after the model is loaded; bench/data_scale.py runs it on 100,000 records in the pipeline.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from data_scale import make_records  # noqa: E402
from datasets import Dataset  # noqa: E402
from pii_data import make_set  # noqa: E402

from tunesmith.data.ops import OpContext, pii  # noqa: E402
from tunesmith.data.pii import TYPES, find_pii  # noqa: E402
from tunesmith.data.pii.engine import analyzer  # noqa: E402

TARGETS = {"EMAIL": 0.95, "PHONE": 0.95, "CARD": 0.95, "CN_ID": 0.95, "IP": 0.95, "PERSON (en)": 0.80}
_HAN = re.compile(r"[\u4e00-\u9fff]")


def row_type(kind: str, text: str) -> str:
    """The table row of a span: its type, with PERSON split by script."""
    return f"PERSON ({'zh' if _HAN.search(text) else 'en'})" if kind == "PERSON" else kind


def overlaps(a: dict, b: dict) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]


def evaluate(rows: list[dict], show: int) -> dict[str, Counter]:
    """Per row type: planted, planted and found, findings, correct findings; prints up to `show` misses each way."""
    counts: dict[str, Counter] = {}
    missed, wrong = [], []
    for row in rows:
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
    return counts


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
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", type=int, default=0, help="print this many misses and false positives")
    parser.add_argument("--speed-records", type=int, default=10_000, help="0 skips the speed measurement")
    args = parser.parse_args()
    rows = make_set(args.seed)
    started = time.perf_counter()
    analyzer()
    loaded = time.perf_counter() - started
    counts = evaluate(rows, args.show)
    print(f"{len(rows):,} texts (seed {args.seed}), {sum(len(r['spans']) for r in rows):,} planted spans")
    print("| type | planted | found | findings | precision | recall | target recall |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    order = [t for t in TYPES if t != "PERSON"] + ["PERSON (en)", "PERSON (zh)"]
    for kind in order:
        c = counts.get(kind, Counter())
        precision = c["correct"] / c["found"] if c["found"] else float("nan")
        recall = c["hit"] / c["planted"] if c["planted"] else float("nan")
        target = f"≥ {TARGETS[kind]:.2f}" if kind in TARGETS else "–"
        print(f"| {kind} | {c['planted']} | {c['hit']} | {c['found']} | {precision:.3f} | {recall:.3f} | {target} |")
    if args.speed_records:
        rate, found = speed(args.speed_records)
        print(
            f"\nspeed: {rate:,.0f} records/s: the pii op (mask) on {args.speed_records:,} short support records, "
            f"1 process, {cpu()}; found {found}; model load {loaded:.1f} s"
        )


if __name__ == "__main__":
    main()
