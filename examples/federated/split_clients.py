"""Split the quickstart data across four sites, non-IID by language and by field mix (a FED.yaml's clients).

    python examples/federated/split_clients.py [--data examples/quickstart/data] [--out DIR]

`gaps` holds every record with a missing (null) phone or city, in both languages; the complete records go to `zh`
(Chinese) or, by the person's gender, to `en_male` and `en_female` (English). So one site never sees English, three
never see a null field, and the English sites each see one value of the gender field. Sizes differ (261, 272, 312,
155 training records), so weighting by examples matters. `--eval` splits the eval file by the same rule, for
scoring each site on records like its own. Same input, same bytes.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from tunesmith.atomic import write_text

HERE = Path(__file__).parent
SITES = ("en_male", "en_female", "zh", "gaps")
CJK = re.compile(r"[\u4e00-\u9fff]")


def site_of(record: dict) -> str:
    """The site a quickstart record belongs to."""
    user = next(m["content"] for m in record["messages"] if m["role"] == "user")
    person = json.loads(next(m["content"] for m in record["messages"] if m["role"] == "assistant"))
    if any(value is None for value in person.values()):
        return "gaps"
    if CJK.search(user.split("Text:", 1)[-1]):
        return "zh"
    return f"en_{person['gender']}"


def split(source: Path, out: Path, suffix: str = "") -> dict[str, int]:
    """Write one JSONL file per site (`<site><suffix>.jsonl`) into `out`; returns the record count per site."""
    sites: dict[str, list[str]] = {name: [] for name in SITES}
    for line in source.read_text(encoding="utf-8").splitlines():
        if line.strip():
            sites[site_of(json.loads(line))].append(line)
    for name, lines in sites.items():
        write_text(out / f"{name}{suffix}.jsonl", "".join(f"{line}\n" for line in lines))
    return {name: len(lines) for name, lines in sites.items()}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=HERE.parent / "quickstart" / "data")
    parser.add_argument("--out", type=Path, default=HERE / "data")
    parser.add_argument("--eval", action="store_true", help="also split eval.jsonl into <site>_eval.jsonl files")
    args = parser.parse_args()
    print(split(args.data / "train.jsonl", args.out))
    if args.eval:
        print(split(args.data / "eval.jsonl", args.out, "_eval"))
