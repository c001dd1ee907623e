"""What Chinese word segmentation adds to BM25: recall@5 on the knowledge task, tunesmith's tokenizer vs bm25s's own.

    python bench/rag_tokenization.py [--index runs/manuals-index] [--questions examples/knowledge/test.jsonl]

Both rankings are BM25 (bm25s, k1 1.5, b 0.75) over the same chunks of a built index, scored on the same questions
with the same gold chunks (each question's `evidence` sentence): tunesmith's tokenizer (jieba's search mode for
Chinese, stemmed English, rag/lexical.py) against bm25s's default (a regex over word characters, English stop words
and no stemming: a Chinese sentence, having no spaces, becomes one token). Split by the questions' `lang`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, default=Path("runs/manuals-index"))
    parser.add_argument("--questions", type=Path, default=Path("examples/knowledge/test.jsonl"))
    parser.add_argument("-k", type=int, default=5)
    args = parser.parse_args()

    import bm25s

    from tunesmith.rag.evaluate import gold_chunks, wilson
    from tunesmith.rag.lexical import tokenize
    from tunesmith.rag.manifest import read_chunks, read_manifest

    chunks = read_chunks(args.index, read_manifest(args.index)["counts"]["chunks"])
    questions = [json.loads(line) for line in args.questions.read_text(encoding="utf-8").splitlines()]
    texts = [c.text for c in chunks]
    default_tokens = bm25s.tokenize(texts, stopwords="en", show_progress=False, return_ids=False)
    tokenizers = {
        "bm25s default (regex words)": (
            default_tokens,
            lambda q: bm25s.tokenize([q], stopwords="en", show_progress=False, return_ids=False)[0],
        ),
        "tunesmith (jieba + stemming)": ([tokenize(t) or [""] for t in texts], tokenize),
    }
    print(f"BM25 recall@{args.k} on {args.questions} ({len(questions)} questions), index {args.index}\n")
    print("| tokenizer | all | en | zh |\n|---|---|---|---|")
    for name, (corpus, query_tokens) in tokenizers.items():
        model = bm25s.BM25()
        model.index(corpus, show_progress=False)
        found = {"all": [], "en": [], "zh": []}
        for q in questions:
            gold = gold_chunks({"evidence": q["evidence"], "source": q["source"]}, q["id"], chunks)
            terms = [t for t in query_tokens(q["question"]) if t in model.vocab_dict]
            scores = model.get_scores(terms) if terms else np.zeros(len(chunks))
            top = [chunks[i].id for i in np.argsort(-scores, kind="stable")[: args.k] if scores[i] > 0]
            hit = any(cid in gold for cid in top)
            found["all"].append(hit)
            found[q["lang"]].append(hit)
        cells = []
        for hits in found.values():
            low, high = wilson(sum(hits), len(hits))
            cells.append(f"{sum(hits) / len(hits):.3f} [{low:.2f}, {high:.2f}] (n={len(hits)})")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
