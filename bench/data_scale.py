"""Throughput and peak memory of the data studio on many short records (normalize, exact + near dedup, pii).

    python bench/data_scale.py [--records 100000] [--num-proc 2]

Generates short support messages (about 5% exact and 5% near duplicates, 10% with personal data), streams
them through the pipeline's input reader and ops exactly as `tunesmith data run` does, writes the output,
and prints one row per step plus the total: records/s and peak resident memory (this process and its workers).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import tempfile
import time
from pathlib import Path

from tunesmith.data.ops import OpContext
from tunesmith.data.pipeline import Step, apply_steps, write_dataset
from tunesmith.data.sources import InputSpec, read_input

TOPICS = ["order", "refund", "delivery", "invoice", "password", "warranty", "firmware", "battery", "Wi-Fi", "app"]
VERBS = ["is late", "failed", "is missing", "looks wrong", "keeps resetting", "was charged twice", "stopped working"]
PII = ["my email is {u}@example.com", "call me on +1 415 555 {d:04d}", "手机号13{d:09d}", "card 4111 1111 1111 1111"]


def make_records(count: int, seed: int = 0) -> list[dict]:
    """Short chat records: ~5% exact copies, ~5% one-character edits, ~10% with planted personal data."""
    rng = random.Random(seed)
    records: list[dict] = []
    for i in range(count):
        roll = rng.random()
        if records and roll < 0.05:
            records.append(json.loads(json.dumps(rng.choice(records))))
            continue
        if records and roll < 0.10:
            copy = json.loads(json.dumps(rng.choice(records)))
            text = copy["messages"][0]["content"]
            at = rng.randrange(len(text))
            copy["messages"][0]["content"] = text[:at] + text[at + 1 :]
            records.append(copy)
            continue
        question = f"Ticket {i}: my {rng.choice(TOPICS)} {rng.choice(VERBS)} since {rng.randint(1, 28)} May"
        if roll < 0.20:
            question += ", " + rng.choice(PII).format(u=f"user{i}", d=rng.randint(0, 9999))
        answer = f"Sorry about the {rng.choice(TOPICS)}; reference {rng.randint(100000, 999999)} is now open."
        records.append({"messages": [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]})
    return records


def peak_mib() -> tuple[float, float]:
    """Peak resident memory so far of this process and of its largest finished worker, in MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, workers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--num-proc", type=int, default=2)
    args = parser.parse_args()
    from tunesmith.data.ops import dedup, normalize, pii

    steps = [
        Step("normalize", normalize.Config()),
        Step("dedup", dedup.Config(method="exact")),
        Step("dedup", dedup.Config(method="near")),
        Step("pii", pii.Config()),
    ]
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        source = work / "tickets.jsonl"
        source.write_text("".join(json.dumps(r) + "\n" for r in make_records(args.records)), encoding="utf-8")
        started = time.perf_counter()
        dataset = read_input(InputSpec(path=str(source)), work, work / "cache")
        read_seconds = time.perf_counter() - started
        outputs, summaries = apply_steps(dataset, steps, OpContext(num_proc=args.num_proc))
        write_started = time.perf_counter()
        write_dataset(outputs["data"], work / "out.jsonl")
        write_seconds = time.perf_counter() - write_started
        total = time.perf_counter() - started
    own, workers = peak_mib()
    print(f"{args.records:,} records, num_proc {args.num_proc}, {platform.processor() or platform.machine()}")
    print("| step | records in | kept | seconds | records/s |\n|---|---:|---:|---:|---:|")
    print(f"| read (stream JSONL → Arrow) | {args.records:,} | {len(dataset):,} | {read_seconds:.1f} | "
          f"{args.records / read_seconds:,.0f} |")  # fmt: skip
    for s in summaries:
        label = s["op"] + (f" ({s['options'].get('method', 'near')})" if s["op"] == "dedup" else "")
        rate = s["records_in"] / max(s["seconds"], 1e-9)
        print(f"| {label} | {s['records_in']:,} | {s['kept']:,} | {s['seconds']:.1f} | {rate:,.0f} |")
    print(f"| write JSONL | {len(outputs['data']):,} | {len(outputs['data']):,} | {write_seconds:.1f} | "
          f"{len(outputs['data']) / write_seconds:,.0f} |")  # fmt: skip
    print(f"| **total** | {args.records:,} | {len(outputs['data']):,} | {total:.1f} | {args.records / total:,.0f} |")
    print(f"\npeak RSS: main process {own:,.0f} MiB, largest worker {workers:,.0f} MiB")


if __name__ == "__main__":
    main()
