"""`serve --rag`: retrieve for each chat request, answer from the retrieved chunks, and say which they were.

The last user turn's text is the query; its top chunks go into that turn with the same template RAFT training
uses (rag/prompt.py), so a RAFT-trained adapter sees at serving time the layout it learned. The response carries
the chunks as `citations`, and the log row keeps their ids and the index's build id in its meta, so the flywheel
can rebuild the prompt the model saw and learn from which chunks helped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tunesmith.errors import InputError
from tunesmith.rag.prompt import DEFAULT_TEMPLATE, check_template, with_context
from tunesmith.rag.retrieve import Hit, Retriever
from tunesmith.serve.backends.base import GenerationRequest

EVERY_MODEL = "*"


@dataclass
class Retrieval:
    """Which served models answer with retrieved context (an index per model name, or `*` for all), and how."""

    indexes: dict[str, Retriever] = field(default_factory=dict)
    k: int = 4
    template: str = DEFAULT_TEMPLATE

    def retriever(self, model: str) -> Retriever | None:
        return self.indexes.get(model) or self.indexes.get(EVERY_MODEL)

    def close(self) -> None:
        for retriever in {id(r): r for r in self.indexes.values()}.values():
            retriever.close()


def open_retrieval(specs: list[str], k: int, template: str | None, models: set[str]) -> Retrieval | None:
    """`--rag INDEX` (every model) or `--rag MODEL=INDEX` (one served model); None when there are none."""
    if not specs:
        return None
    if k < 1:
        raise InputError("--rag-k", "expected at least 1 chunk per request")
    retrieval = Retrieval(k=k, template=check_template(template, "--rag-template") if template else DEFAULT_TEMPLATE)
    opened: dict[str, Retriever] = {}
    for spec in specs:
        model, _, path = spec.rpartition("=") if "=" in spec else (EVERY_MODEL, "", spec)
        if model != EVERY_MODEL and model not in models:
            served = ", ".join(sorted(models))
            raise InputError(f"--rag {spec}", f"no served model is named {model!r}; served: {served}")
        if model in retrieval.indexes:
            who = "every model" if model == EVERY_MODEL else model
            raise InputError(f"--rag {spec}", f"{who} already has an index")
        if path not in opened:  # two models on one index share one opened copy
            opened[path] = Retriever(path)
        retrieval.indexes[model] = opened[path]
    return retrieval


def augment(retrieval: Retrieval, model: str, request: GenerationRequest) -> list[Hit] | None:
    """Put the top chunks for the last user turn into it; the hits, or None when this model does not retrieve."""
    retriever = retrieval.retriever(model)
    if retriever is None or not request.messages:
        return None
    last = max((i for i, m in enumerate(request.messages) if m.get("role") == "user"), default=None)
    if last is None or not isinstance(request.messages[last].get("content"), str):
        return None
    question = request.messages[last]["content"]
    hits = retriever.search(question, retrieval.k)
    prompt = with_context(question, [(h.chunk.id, h.chunk.text) for h in hits], retrieval.template)
    request.messages[last] = {**request.messages[last], "content": prompt}
    return hits


def log_meta(retriever: Retriever, hits: list[Hit]) -> dict:
    """What the log row keeps of a retrieval: the index's build, and the chunk ids and scores, best first."""
    return {
        "index": retriever.manifest["build_id"],
        "chunks": [h.chunk.id for h in hits],
        "scores": [round(h.score, 6) for h in hits],
    }
