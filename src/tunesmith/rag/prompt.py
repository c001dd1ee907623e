"""The retrieval prompt: retrieved chunks and the question in one user turn, shared by serving and RAFT training.

A model fine-tuned on RAFT data (train/… `rag` data option) learns this exact layout, so serving must put
retrieved chunks into the prompt the same way; both call `with_context`. The template is a Python format string
with `{context}` and `{question}`; each chunk is shown as `[<chunk id>] <text>` so the model can cite the id.
"""

from __future__ import annotations

from collections.abc import Sequence

from tunesmith.errors import InputError

DEFAULT_TEMPLATE = (
    "Answer the question using the documents below. Cite the document id you used in square brackets. "
    "If the documents do not contain the answer, say that they do not.\n\n"
    "Documents:\n{context}\n\nQuestion: {question}"
)
NOT_FOUND = "The documents do not contain the answer."


def check_template(template: str, where: str = "template") -> str:
    """`template` if it has both fields and no others; else an InputError saying what it must hold."""
    import string

    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    if fields != {"context", "question"}:
        shown = ", ".join(sorted(f"{{{f}}}" for f in fields)) or "none"
        expected = "expected a template with {context} and {question} and no other fields"
        raise InputError(where, f"{expected}; found {shown}")
    return template


def format_context(passages: Sequence[tuple[str, str]]) -> str:
    """`[id] text` blocks, one per (chunk id, text), separated by blank lines."""
    return "\n\n".join(f"[{cid}] {' '.join(text.split())}" for cid, text in passages)


def with_context(question: str, passages: Sequence[tuple[str, str]], template: str = DEFAULT_TEMPLATE) -> str:
    """The user turn a retrieval-augmented model sees."""
    return template.format(context=format_context(passages), question=question)
