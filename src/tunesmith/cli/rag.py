"""`tunesmith rag build|query|eval|questions`: a retrieval index over documents, searched, scored and benchmarked."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from tunesmith.cli.console import RichProgress, console, number, table

app = typer.Typer(help="Retrieval: build, query and evaluate an index of your documents.", no_args_is_help=True)

INDEX = typer.Argument(..., help="An index folder made by `tunesmith rag build`.")
MODE = typer.Option("hybrid", "--mode", help="hybrid (BM25 + dense, fused by reciprocal rank), dense or lexical.")
RERANKER = typer.Option(None, "--reranker", help="A sentence-transformers cross-encoder (name or folder).")


@app.command("build")
def build_command(
    settings: Path = typer.Argument(..., help="RAG settings YAML: index, sources, chunking, embedding, store."),
    index: Path = typer.Option(None, "--index", help="Write the index here (default: the settings' `index`)."),
) -> None:
    """Build the index, or update it: only documents whose text changed are chunked and embedded again."""
    from tunesmith.rag.build import build_index
    from tunesmith.rag.config import index_folder, load_rag_config

    cfg, base_dir = load_rag_config(settings)
    result = build_index(cfg, base_dir, index or index_folder(cfg, settings), RichProgress())
    for skip in result.skipped:
        console.print(f"[yellow]skipped[/yellow] {skip.path}: {skip.reason}", highlight=False)
    if result.full_rebuild_reason:
        console.print(f"Rebuilt every document: {result.full_rebuild_reason}.", highlight=False)
    console.print(
        f"Index {result.index}: {result.documents} documents ({len(result.added)} new, {len(result.changed)} changed, "
        f"{len(result.removed)} removed, {result.unchanged} unchanged), {result.chunks} chunks "
        f"({result.embedded} embedded, {result.reused} reused), {len(result.skipped)} files skipped, "
        f"{result.seconds:.1f} s",
        highlight=False,
    )


@app.command("query")
def query_command(
    index: Path = INDEX,
    question: str = typer.Argument(..., help="What to search for."),
    k: int = typer.Option(5, "-k", "--top-k", min=1, help="How many chunks to show."),
    mode: str = MODE,
    reranker: str = RERANKER,
    embedding_model: str = typer.Option(
        None, "--embedding-model", help="Check the index was built with this model (it always queries with its own)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the hits as JSON lines instead of a table."),
) -> None:
    """Show the best chunks for a question, with scores and sources."""
    from tunesmith.rag.retrieve import Retriever

    retriever = Retriever(index, embedding_model, reranker)
    hits = retriever.search(question, k, mode)
    if as_json:
        for hit in hits:
            row = {**hit.citation(), "rank": hit.rank, "text": hit.chunk.text}
            console.print_json(json.dumps(row, ensure_ascii=False))
        return
    rows = [[str(h.rank), number(h.score), h.chunk.id, _preview(h.chunk.text)] for h in hits]
    console.print(table(f"{mode} search: {question}", ["#", "score", "chunk", "text"], rows))


@app.command("eval")
def eval_command(
    index: Path = INDEX,
    questions: Path = typer.Option(..., "--questions", help="JSONL: question, and gold (chunk ids) or evidence."),
    k: int = typer.Option(5, "-k", "--top-k", min=1, help="recall@k and nDCG@k cut-off."),
    modes: str = typer.Option("lexical,dense,hybrid", "--modes", help="Comma-separated retrieval modes to compare."),
    reranker: str = RERANKER,
    by: str = typer.Option(None, "--by", help="Also score each value of this question field apart (e.g. lang)."),
    out: Path = typer.Option(None, "--out", help="Also write the scores as JSON here."),
) -> None:
    """Score retrieval against gold chunks: recall@k (95% interval), MRR and nDCG@k for each mode."""
    from tunesmith.atomic import write_text
    from tunesmith.rag.evaluate import evaluate, read_questions
    from tunesmith.rag.retrieve import Retriever

    retriever = Retriever(index, reranker=reranker)
    asked = read_questions(questions, retriever.chunks, group_by=by)
    chosen = [m.strip() for m in modes.split(",") if m.strip()]
    groups = {"all": asked}
    for value in sorted({q.group for q in asked if q.group is not None}):
        groups[f"{by}={value}"] = [q for q in asked if q.group == value]
    scores = {name: evaluate(retriever, subset, k, chosen) for name, subset in groups.items()}
    for name, per_mode in scores.items():
        rows = [
            [mode, f"{s[f'recall@{k}']:.3f} [{s[f'recall@{k}_ci95'][0]:.3f}, {s[f'recall@{k}_ci95'][1]:.3f}]",
             f"{s['mrr']:.3f}", f"{s[f'ndcg@{k}']:.3f}"]
            for mode, s in per_mode.items()
        ]  # fmt: skip
        title = f"{name}: {len(groups[name])} questions"
        console.print(table(title, ["mode", f"recall@{k} [95% CI]", "MRR", f"nDCG@{k}"], rows))
    if out:
        write_text(out, json.dumps(scores if by else scores["all"], indent=1) + "\n")


def _preview(text: str, width: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@app.command("questions")
def questions_command(
    index: Path = INDEX,
    out: Path = typer.Option(..., "--out", help="JSONL file to write: question, answer, gold chunk id, source."),
    teacher: str = typer.Option(..., "--teacher", help="The teacher model: a served model's name, or a model ref."),
    teacher_kind: str = typer.Option("openai", "--teacher-kind", help="openai (an endpoint) or local (this machine)."),
    base_url: str = typer.Option(None, "--base-url", help="openai: the endpoint (default: the OpenAI API)."),
    api_key_env: str = typer.Option(
        "OPENAI_API_KEY", "--api-key-env", help="openai: the variable holding the key ('' for a server without keys)."
    ),
    chunks: int = typer.Option(50, "--chunks", min=1, help="Chunks sampled (seeded) to write questions from."),
    per_chunk: int = typer.Option(2, "--per-chunk", min=1, max=50, help="Questions asked for per chunk."),
    seed: int = typer.Option(0, "--seed", help="Which chunks are sampled."),
) -> None:
    """Write a retrieval benchmark from the index with a teacher: each question's gold is the chunk it came from."""
    from tunesmith.data.io import write_records
    from tunesmith.data.teacher import TeacherConfig
    from tunesmith.errors import InputError
    from tunesmith.rag.questions import write_questions
    from tunesmith.schema import validate

    raw = {"kind": teacher_kind, "model": teacher, "api_key_env": api_key_env or None, "temperature": 0.3}
    if base_url is not None:
        raw["base_url"] = base_url
    cfg = validate(TeacherConfig, raw, "--teacher")
    written = write_questions(index, cfg, chunks, per_chunk, seed, RichProgress())
    if not written:
        raise InputError(f"--teacher {teacher}", "wrote no usable question (its replies held no JSON Q&A pairs)")
    write_records(out, written)
    console.print(f"{len(written)} questions: {out}")
