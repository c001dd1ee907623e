"""Retrieval speed, embedded store: build time, query latency (p50/p95) and peak memory at 10k and 100k chunks.

    python bench/rag_speed.py [--sizes 10000,100000] [--queries 200]

For each size, a fresh Python process writes that many synthetic manual passages (one JSONL record each, about
60 words: English and Chinese sentences over a few thousand product names, parts and figures, so BM25 sees a
realistic vocabulary), builds the index with `tunesmith rag build`'s library call (the default settings: the
bundled all-MiniLM-L6-v2, BM25 with jieba, the embedded store), and reports the build time and its peak memory.
A second fresh process opens the index and times `Retriever.search(question, k=5)` — hybrid: embedding the
question, BM25 over every chunk, the dense search, rank fusion — for `--queries` questions written like the
passages (after 10 warm-up questions), and reports p50/p95 and its peak memory (VmHWM of /proc/self/status, so
each figure is that process's own). Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PRODUCTS_EN = ["kettle", "lantern", "scooter", "vacuum", "router", "camera", "speaker", "heater", "blender", "drone"]
PRODUCTS_ZH = ["空气净化器", "智能门锁", "投影仪", "电动车", "洗碗机", "扫地机", "加湿器", "电饭煲", "路由器", "摄像头"]
PARTS_EN = ["battery", "filter", "motor", "hinge", "sensor", "charger", "display", "valve", "fan", "button"]
PARTS_ZH = ["电池", "滤网", "电机", "铰链", "传感器", "充电器", "显示屏", "阀门", "风扇", "按键"]
WORDS = ["clean", "replace", "check", "store", "update", "reset", "charge", "tighten", "inspect", "calibrate"]


def passage(rng: random.Random, i: int) -> str:
    """A synthetic manual passage: three English and two Chinese sentences about one numbered model."""
    model = f"{rng.choice(PRODUCTS_EN)} X{i % 5000}"
    en = [
        f"{rng.choice(WORDS).title()} the {rng.choice(PARTS_EN)} of the {model} every {rng.randint(2, 52)} weeks."
        for _ in range(3)
    ]
    zh = [
        f"{rng.choice(PRODUCTS_ZH)}型号{i % 5000}的{rng.choice(PARTS_ZH)}每{rng.randint(2, 52)}周需要检查一次。"
        for _ in range(2)
    ]
    return " ".join(en + zh)


def question(rng: random.Random) -> str:
    if rng.random() < 0.5:
        model = f"{rng.choice(PRODUCTS_EN)} X{rng.randint(0, 4999)}"
        return f"How often should I {rng.choice(WORDS)} the {rng.choice(PARTS_EN)} of the {model}?"
    return f"{rng.choice(PRODUCTS_ZH)}型号{rng.randint(0, 4999)}的{rng.choice(PARTS_ZH)}多久检查一次？"


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def build_child(n: int, folder: Path) -> None:
    from tunesmith.rag.build import build_index
    from tunesmith.rag.config import RagConfig

    rng = random.Random(n)
    source = folder / "passages.jsonl"
    with source.open("w", encoding="utf-8") as out:
        for i in range(n):
            out.write(json.dumps({"id": i, "text": passage(rng, i)}, ensure_ascii=False) + "\n")
    cfg = RagConfig(sources=[{"path": str(source)}])
    began = time.perf_counter()
    result = build_index(cfg, folder, folder / "index")
    seconds = time.perf_counter() - began
    size = sum(p.stat().st_size for p in (folder / "index").rglob("*") if p.is_file())
    print(
        json.dumps({"chunks": result.chunks, "build_s": seconds, "build_peak_mb": peak_mb(), "disk_mb": size / 2**20})
    )


def query_child(folder: Path, queries: int) -> None:
    from tunesmith.rag.retrieve import Retriever

    began = time.perf_counter()
    retriever = Retriever(folder / "index")
    open_s = time.perf_counter() - began
    rng = random.Random(7)
    asked = [question(rng) for _ in range(queries + 10)]
    times = []
    for i, q in enumerate(asked):
        began = time.perf_counter()
        retriever.search(q, k=5)
        if i >= 10:
            times.append((time.perf_counter() - began) * 1000)
    times.sort()
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    print(json.dumps({"open_s": open_s, "p50_ms": statistics.median(times), "p95_ms": p95, "query_peak_mb": peak_mb()}))


def run_child(*args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"child {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--child", choices=["build", "query"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "build":
        return build_child(args.n, args.folder)
    if args.child == "query":
        return query_child(args.folder, args.queries)
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    print(f"{os.cpu_count()} cores, {cpu}; python bench/rag_speed.py --sizes {args.sizes} --queries {args.queries}\n")
    print("| chunks | build | build peak memory | index on disk | query p50 | query p95 | query peak memory |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="rag-speed-") as tmp:
            built = run_child("--child", "build", "--n", str(n), "--folder", tmp)
            asked = run_child("--child", "query", "--folder", tmp, "--queries", str(args.queries))
        print(
            f"| {built['chunks']:,} | {built['build_s']:.0f} s | {built['build_peak_mb']:,.0f} MB | "
            f"{built['disk_mb']:,.0f} MB | {asked['p50_ms']:.1f} ms | {asked['p95_ms']:.1f} ms | "
            f"{asked['query_peak_mb']:,.0f} MB |",
            flush=True,
        )


if __name__ == "__main__":
    main()
