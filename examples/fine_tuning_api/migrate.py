"""The same fine-tuning script for OpenAI and for a tunesmith server: only the base URL (and the model) differ.

    # against OpenAI
    OPENAI_API_KEY=sk-... python examples/fine_tuning_api/migrate.py --model gpt-4.1-mini-2025-04-14
    # against tunesmith: `tunesmith serve --fine-tuning ft-data` running, then
    OPENAI_BASE_URL=http://127.0.0.1:8000/v1 OPENAI_API_KEY=none python examples/fine_tuning_api/migrate.py

It uploads the first --examples records of the quickstart data, fine-tunes, follows the job's events, and asks
the fine-tuned model one held-out question; it prints the wall time from upload to the model's first answer.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import time
from pathlib import Path

from openai import OpenAI

DATA = Path(__file__).resolve().parents[1] / "quickstart" / "data"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()

    client = OpenAI()  # reads OPENAI_BASE_URL and OPENAI_API_KEY
    started = time.monotonic()
    with (DATA / "train.jsonl").open(encoding="utf-8") as handle:
        lines = "".join(itertools.islice(handle, args.examples))
    upload = client.files.create(file=("train.jsonl", io.BytesIO(lines.encode("utf-8"))), purpose="fine-tune")
    job = client.fine_tuning.jobs.create(
        model=args.model,
        training_file=upload.id,
        suffix="extract",
        seed=42,
        method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": args.epochs}}},
    )
    print(f"{job.id}: {job.status}")

    seen: set[str] = set()
    while job.status not in ("succeeded", "failed", "cancelled"):
        time.sleep(5)
        for event in reversed(client.fine_tuning.jobs.list_events(job.id, limit=50).data):
            if event.id not in seen:
                seen.add(event.id)
                print(f"  {event.message}")
        job = client.fine_tuning.jobs.retrieve(job.id)
    if job.status != "succeeded":
        raise SystemExit(f"{job.id} {job.status}: {job.error}")

    question = json.loads((DATA / "eval.jsonl").open(encoding="utf-8").readline())["messages"][:-1]
    reply = client.chat.completions.create(model=job.fine_tuned_model, messages=question, max_tokens=64, temperature=0)
    print(f"{job.fine_tuned_model} answers: {reply.choices[0].message.content}")
    print(f"upload to first answer: {time.monotonic() - started:.0f} s, {job.trained_tokens} trained tokens")


if __name__ == "__main__":
    main()
