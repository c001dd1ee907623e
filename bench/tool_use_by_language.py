"""The tool_call metric of an evaluated tool-use run, split by the language of the request (English / Chinese).

    python bench/tool_use_by_language.py runs/tool_use/eval

reads the eval folder's predictions (predictions-0.jsonl is the base model, predictions-1.jsonl the tuned one, as
`tunesmith train examples/tool_use/recipe.yaml` writes them) and prints one row per model and language.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from tunesmith.eval.metrics import tool_call

CJK = re.compile(r"[\u4e00-\u9fff]")
COLUMNS = ("tool_call_accuracy", "tool_name_accuracy", "tool_args_exact", "tool_no_call_accuracy")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("eval_dir", type=Path)
    folder = parser.parse_args().eval_dir
    labels = [m["label"] for m in json.loads((folder / "report.json").read_text())["models"]]
    print("| model | language | requests | " + " | ".join(COLUMNS) + " |")
    print("|---|---|---|" + "---|" * len(COLUMNS))
    for i, label in enumerate(labels):
        rows = [json.loads(line) for line in (folder / f"predictions-{i}.jsonl").read_text().splitlines()]
        for language, chinese in (("en", False), ("zh", True)):
            picked = [r for r in rows if bool(CJK.search(r["prompt"])) == chinese]
            scores = tool_call([r["prediction"] for r in picked], [r["reference"] for r in picked])
            cells = " | ".join(f"{scores[c]:.3f}" for c in COLUMNS)
            print(f"| {label} | {language} | {len(picked)} | {cells} |")


if __name__ == "__main__":
    main()
