"""A second run on the same rows reads its tokenization back (`train.cache_tokenized`): set-up time, cold vs warm.

    python bench/tokenize_cache.py [--copies 40]

Trains 1 step of the default model on the quickstart's training records repeated `--copies` times (each copy
with its own record numbers, so no two rows are equal), three times in fresh processes with a fresh
$TUNESMITH_HOME: cache off, cache on and cold, cache on and warm. Set-up is the process's wall time minus its
training time (summary.json), so it counts start-up, model loading and dataset preparation.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=40)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from tunesmith.models.resolve import resolve_model

    model = resolve_model("smollm2-135m")  # resolved here, so the fresh homes below do not convert it again
    source = (ROOT / "examples" / "quickstart" / "data" / "train.jsonl").read_text(encoding="utf-8").splitlines()
    with tempfile.TemporaryDirectory(prefix="tokenize-cache-") as tmp:
        data = Path(tmp) / "train.jsonl"
        with data.open("w", encoding="utf-8") as out:
            for copy in range(args.copies):
                for line in source:
                    row = json.loads(line)
                    row["messages"][-2]["content"] = f"[{copy}] " + row["messages"][-2]["content"]
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
        rows = args.copies * len(source)
        print(f"{rows:,} records, default model, 1 training step")
        print("| run | cache_tokenized | set-up s |")
        print("|---|---|---:|")
        home = Path(tmp) / "home"
        for name, cached in (("cache off", False), ("first run", True), ("second run", True)):
            recipe = {
                "model": model,
                "data": {"train": str(data), "validation_split": 0.0},
                "train": {"max_steps": 1, "batch_size": 4, "max_length": 256, "cache_tokenized": cached},
                "output": {"dir": str(Path(tmp) / "runs"), "name": name.replace(" ", "-")},
            }
            path = Path(tmp) / f"{name}.json"
            path.write_text(json.dumps(recipe))
            env = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home()), "TUNESMITH_HOME": str(home)}
            start = time.perf_counter()
            command = [str(ROOT / ".venv" / "bin" / "tunesmith"), "train", str(path), "--no-eval"]
            done = subprocess.run(command, env=env, capture_output=True, text=True)
            if done.returncode:
                raise SystemExit(f"{name} failed:\n{done.stderr[-3000:]}")
            wall = time.perf_counter() - start
            trained = json.loads((Path(tmp) / "runs" / name.replace(" ", "-") / "summary.json").read_text())
            print(f"| {name} | {cached} | {wall - trained['train_seconds']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
