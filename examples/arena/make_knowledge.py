"""Write knowledge_test.jsonl: the knowledge task's 48 held-out questions as chat records, answered as of
version 2 of the manuals (a third of the facts changed since the fine-tuned arms learnt version 1).

    python examples/arena/make_knowledge.py        (the file is committed; this rewrites it identically)

Each record's reference is the v2 answer; `changed` and `lang` go to the record's meta, so the arena's
`by: changed` reports changed and unchanged facts apart.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    source = HERE.parent / "knowledge" / "test.jsonl"
    rows = []
    for line in source.read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        messages = [{"role": "user", "content": q["question"]}, {"role": "assistant", "content": q["answer_v2"]}]
        rows.append({"messages": messages, "changed": q["changed"], "lang": q["lang"], "id": q["id"]})
    out = HERE / "knowledge_test.jsonl"
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


if __name__ == "__main__":
    main()
