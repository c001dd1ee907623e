"""Read documents (txt, md, html, pdf, docx) as plain text, so they enter a pipeline as `text` records.

Paragraphs are kept as blank-line-separated blocks (the chunk op splits on them first). Markdown is kept as
written: its markup is plain text a model reads well. A file that cannot be parsed is an InputError naming it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from tunesmith.errors import InputError

DOCUMENT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx")
_DROPPED_HTML = ("script", "style", "nav", "noscript", "template", "head")
_BLOCK_HTML = (
    "p", "div", "section", "article", "main", "aside", "header", "footer", "blockquote", "pre", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "tr", "table", "ul", "ol", "dl", "hr",
)  # fmt: skip
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def read_document(path: str | Path) -> str:
    """The text of one document, paragraphs separated by blank lines."""
    path = Path(path)
    suffix = path.suffix.lower()
    readers: dict[str, tuple[Callable[[Path], str], str]] = {
        ".txt": (_read_plain, "UTF-8 text"),
        ".md": (_read_plain, "UTF-8 Markdown text"),
        ".markdown": (_read_plain, "UTF-8 Markdown text"),
        ".html": (_read_html, "an HTML page"),
        ".htm": (_read_html, "an HTML page"),
        ".pdf": (_read_pdf, "a readable PDF file"),
        ".docx": (_read_docx, "a Word .docx file"),
    }
    if suffix not in readers:
        expected = ", ".join(DOCUMENT_SUFFIXES)
        raise InputError(
            str(path), f"unsupported document type {suffix or '(no suffix)'!r}; expected one of {expected}"
        )
    if not path.is_file():
        raise InputError(str(path), "not found; expected a document file")
    reader, expected = readers[suffix]
    try:
        return reader(path)
    except InputError:
        raise
    except Exception as exc:  # parsers of untrusted files raise many kinds of errors; all mean "cannot read it"
        raise InputError(str(path), f"could not be read ({type(exc).__name__}: {exc}); expected {expected}") from None


def document_records(path: str | Path) -> list[dict]:
    """Canonical text records for a document file, or for every document under a folder (sorted by path)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES)
        names = [p.relative_to(path).as_posix() for p in files]
    else:
        files, names = [path], [path.name]
    return [
        {"text": read_document(file), "meta": json.dumps({"source": name}, ensure_ascii=False)}
        for file, name in zip(files, names, strict=True)
    ]


def tidy_paragraphs(text: str) -> str:
    """Whitespace inside each paragraph collapsed to single spaces; paragraphs joined by one blank line."""
    paragraphs = (" ".join(block.split()) for block in _PARAGRAPH_BREAK.split(text))
    return "\n\n".join(p for p in paragraphs if p)


def _read_plain(path: Path) -> str:
    """A text or Markdown file as written (a byte-order mark dropped, line ends normalised)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"is not UTF-8 text (byte {exc.start}); expected UTF-8 text") from None
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _read_html(path: Path) -> str:
    """Visible text of an HTML page: scripts, styles and navigation dropped, one paragraph per block element."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_bytes(), "html.parser")  # bytes: BeautifulSoup detects the encoding
    for tag in soup.find_all(_DROPPED_HTML):
        tag.decompose()
    for tag in soup.find_all("br"):
        tag.replace_with("\n")
    for tag in soup.find_all(_BLOCK_HTML):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    return tidy_paragraphs(soup.get_text())


def _read_pdf(path: Path) -> str:
    """The text of every page, pages separated by blank lines ('' for a scanned PDF without a text layer)."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    if reader.is_encrypted and not reader.decrypt(""):
        raise InputError(str(path), "is encrypted with a password; expected an unencrypted PDF")
    pages = (page.extract_text() or "" for page in reader.pages)
    return "\n\n".join(text.strip() for text in pages if text.strip())


def _read_docx(path: Path) -> str:
    """Paragraphs and tables of a Word document in order; a table row is its cells joined by ' | '."""
    import docx
    from docx.table import Table

    blocks = []
    for item in docx.Document(str(path)).iter_inner_content():
        if isinstance(item, Table):
            rows = (" | ".join(cell.text.strip() for cell in row.cells) for row in item.rows)
            blocks.append("\n".join(row for row in rows if row.strip(" |")))
        else:
            blocks.append(item.text.strip())
    return "\n\n".join(block for block in blocks if block)
