"""The knowledge task: base, base + RAG, fine-tuned, fine-tuned + RAG (RAFT), before and after the manuals change.

    python bench/rag_knowledge.py [--out runs/bench-rag-knowledge] [--k 4] [--skip-training]

1. Copies examples/knowledge/docs/v1 into OUT/docs and indexes it (examples/knowledge/manuals.yaml's settings).
2. Trains the two fine-tuned arms with their recipes (examples/knowledge/sft.yaml: the v1 facts as Q→A;
   raft.yaml: the same questions with retrieved chunks, RAFT-style), unless --skip-training finds them in OUT.
3. Answers the 48 held-out questions (test.jsonl: the third paraphrase of each fact) with each arm, greedily.
4. Copies docs/v2 over OUT/docs (a third of the facts change), updates the index (`rag build` embeds only the
   changed manuals) and answers again; nothing is retrained.

A reply is correct when it holds the expected value (case, spaces and a final full stop ignored) and, after the
change, not the stale one. Citation accuracy is the share of questions whose reply cites, in [brackets], a
chunk holding the fact's evidence sentence. Intervals are Wilson's 95%; n = 48 (16 changed facts).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TASK = ROOT / "examples" / "knowledge"
CITED = re.compile(r"\[([^\[\]]+#\d+)\]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("runs/bench-rag-knowledge"))
    parser.add_argument("--k", type=int, default=4, help="chunks per question (RAFT trains with 1 + 3 distractors)")
    parser.add_argument("--skip-training", action="store_true", help="reuse OUT/knowledge-sft and knowledge-raft")
    args = parser.parse_args()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    questions = [json.loads(line) for line in (TASK / "test.jsonl").read_text(encoding="utf-8").splitlines()]
    docs = out / "docs"
    shutil.rmtree(docs, ignore_errors=True)
    shutil.copytree(TASK / "docs" / "v1", docs)
    settings = _settings(out, docs)
    builds = {"v1": _build(settings, out / "index")}
    trained = {} if args.skip_training else _train(out)
    results = {"v1": _answer_all(out, questions, "v1", args.k)}
    for path in (TASK / "docs" / "v2").iterdir():
        shutil.copy(path, docs / path.name)
    builds["v2"] = _build(settings, out / "index")
    results["v2"] = _answer_all(out, questions, "v2", args.k)
    report = {"builds": builds, "training_seconds": trained, "k": args.k, "results": results}
    (out / "results.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    table = markdown(results, len(questions), sum(q["changed"] for q in questions))
    (out / "results.md").write_text(table, encoding="utf-8")
    print(table)
    print(f"index v1: {builds['v1']}\nindex v2 (update): {builds['v2']}\ntraining seconds: {trained}")


def _settings(out: Path, docs: Path) -> Path:
    raw = yaml.safe_load((TASK / "manuals.yaml").read_text(encoding="utf-8"))
    raw["sources"] = [str(docs)]
    path = out / "manuals.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def _build(settings: Path, index: Path) -> dict:
    from tunesmith.rag.build import build_index
    from tunesmith.rag.config import load_rag_config

    cfg, base = load_rag_config(settings)
    r = build_index(cfg, base, index)
    counts = {"chunks": r.chunks, "embedded": r.embedded, "reused": r.reused, "changed": r.changed}
    return {**counts, "seconds": round(r.seconds, 1)}


def _train(out: Path) -> dict:
    seconds = {}
    for name, extra in (("sft", []), ("raft", [f"data.rag.index={out / 'index'}"])):
        began = time.perf_counter()
        command = [sys.executable, "-m", "tunesmith", "train", str(TASK / f"{name}.yaml"), f"output.dir={out}", *extra]
        subprocess.run([*command, "--overwrite", "--no-eval"], check=True)
        seconds[name] = round(time.perf_counter() - began)
    return seconds


def _answer_all(out: Path, questions: list[dict], version: str, k: int) -> dict:
    """Every arm's replies and scores on `questions`, against `version`'s facts and the current index."""
    from tunesmith.models.generate import generate
    from tunesmith.models.loading import load_for_inference, source_for
    from tunesmith.rag.evaluate import gold_chunks
    from tunesmith.rag.prompt import with_context
    from tunesmith.rag.retrieve import Retriever

    retriever = Retriever(out / "index")
    field = "evidence" if version == "v1" else "evidence_v2"
    gold = [gold_chunks({"evidence": q[field], "source": q["source"]}, q["id"], retriever.chunks) for q in questions]
    hits = [retriever.search(q["question"], k) for q in questions]
    recall = sum(any(h.chunk.id in g for h in hs) for hs, g in zip(hits, gold)) / len(questions)
    plain = [[{"role": "user", "content": q["question"]}] for q in questions]
    augmented = [
        [{"role": "user", "content": with_context(q["question"], [(h.chunk.id, h.chunk.text) for h in hs])}]
        for q, hs in zip(questions, hits)
    ]
    arms = {
        "base": ("smollm2-135m", plain),
        "base + RAG": ("smollm2-135m", augmented),
        "fine-tuned": (str(out / "knowledge-sft"), plain),
        "fine-tuned + RAG (RAFT)": (str(out / "knowledge-raft"), augmented),
    }
    results = {"retrieval_recall@k": recall}
    loaded: dict[str, tuple] = {}
    for arm, (model, conversations) in arms.items():
        if model not in loaded:
            loaded = {model: load_for_inference(source_for(model))}
        replies = generate(*loaded[model], conversations, max_new_tokens=48, batch_size=8)
        results[arm] = score(questions, replies, gold, version)
    return results


def score(questions: list[dict], replies: list[str], gold: list[set[str]], version: str) -> dict:
    """Answer accuracy (all questions and changed facts), citation accuracy, and each reply."""
    key = "answer" if version == "v1" else "answer_v2"
    correct, cited = [], []
    for q, reply, g in zip(questions, replies, gold):
        said = _norm(reply)
        right = _norm(q[key]) in said and (version == "v1" or not q["changed"] or _norm(q["answer"]) not in said)
        correct.append(right)
        cited.append(any(c in g for c in CITED.findall(reply)))
    changed = [c for c, q in zip(correct, questions) if q["changed"]]
    return {
        "accuracy": sum(correct) / len(correct),
        "changed_accuracy": sum(changed) / len(changed),
        "citation_accuracy": sum(cited) / len(cited),
        "replies": [{"id": q["id"], "reply": r, "correct": c} for q, r, c in zip(questions, replies, correct)],
    }


def markdown(results: dict, n: int, n_changed: int) -> str:
    from tunesmith.rag.evaluate import wilson

    def cell(p: float, count: int) -> str:
        low, high = wilson(round(p * count), count)
        return f"{p:.2f} [{low:.2f}, {high:.2f}]"

    lines = [
        "| arm | answer accuracy (v1) | citation accuracy (v1) | accuracy after the change (v2) "
        "| on the changed facts |",
        "|---|---|---|---|---|",
    ]
    for arm in [a for a in results["v1"] if a != "retrieval_recall@k"]:
        v1, v2 = results["v1"][arm], results["v2"][arm]
        cites = cell(v1["citation_accuracy"], n) if "RAG" in arm else "—"
        lines.append(
            f"| {arm} | {cell(v1['accuracy'], n)} | {cites} | {cell(v2['accuracy'], n)} | "
            f"{cell(v2['changed_accuracy'], n_changed)} |"
        )
    recall = "retrieval recall@k: " + ", ".join(f"{v} {results[v]['retrieval_recall@k']:.2f}" for v in ("v1", "v2"))
    return "\n".join(lines) + f"\n\n{recall}; n = {n} questions ({n_changed} on changed facts), 95% Wilson intervals\n"


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\s。.]+", "", text)


if __name__ == "__main__":
    main()
