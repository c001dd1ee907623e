"""Make preference pairs for the quickstart task: chosen = the correct JSON, rejected = a plausible mistake.

    python examples/align/make_data.py [--out examples/align/data] [--pairs 400] [--seed 5]

Reads the quickstart training records and writes `pairs.jsonl` (prompt/chosen/rejected as message lists, TRL's
conversational preference form) and `prompts.jsonl` (the prompts with their reference answer, for GRPO). The
mistakes are the ones a small model makes: a wrong field value, a dropped field, prose around the JSON,
invalid JSON, the English field names translated. The same seed gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from tunesmith.atomic import atomic_path

ROOT = Path(__file__).resolve().parents[2]


def mistake(answer: dict, rng: random.Random) -> str:
    """A plausible wrong reply for the correct `answer`."""
    kind = rng.choice(["wrong_value", "dropped_field", "prose", "invalid", "null_all"])
    wrong = dict(answer)
    if kind == "wrong_value":
        field = rng.choice([k for k in wrong if wrong[k] is not None] or list(wrong))
        value = wrong[field]
        wrong[field] = (
            value + rng.choice([-7, 3, 10])
            if isinstance(value, int)
            else {"male": "female", "female": "male"}.get(value, "unknown")
        )
        return json.dumps(wrong, ensure_ascii=False)
    if kind == "dropped_field":
        wrong.pop(rng.choice(list(wrong)))
        return json.dumps(wrong, ensure_ascii=False)
    if kind == "prose":
        return (
            "Here is the extracted information: "
            + json.dumps(answer, ensure_ascii=False)
            + " Let me know if you need more."
        )
    if kind == "invalid":
        return json.dumps(answer, ensure_ascii=False).replace('"', "'").rstrip("}")
    return json.dumps({k: None for k in answer})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "examples" / "align" / "data")
    parser.add_argument("--pairs", type=int, default=400)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    source = ROOT / "examples" / "quickstart" / "data" / "train.jsonl"
    records = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()]
    picked = rng.sample(records, min(args.pairs, len(records)))
    pairs, prompts = [], []
    for record in picked:
        prompt, reply = record["messages"][:-1], record["messages"][-1]["content"]
        rejected = mistake(json.loads(reply), rng)
        pairs.append({"prompt": prompt, "chosen": [{"role": "assistant", "content": reply}],
                      "rejected": [{"role": "assistant", "content": rejected}]})  # fmt: skip
        prompts.append({"prompt": prompt, "answer": reply})
    args.out.mkdir(parents=True, exist_ok=True)
    for name, rows in (("pairs.jsonl", pairs), ("prompts.jsonl", prompts)):
        with atomic_path(args.out / name) as tmp:
            tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


if __name__ == "__main__":
    main()
