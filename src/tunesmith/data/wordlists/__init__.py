"""Curated term lists shipped with tunesmith (toxicity, refusals) and the one way they are matched against text.

A list is UTF-8 text, one term per line, '#' comment lines. Text and terms are folded alike (NFKC, lower case,
curly apostrophes to straight, runs of spaces and commas to one space). A term's ends that are ASCII letters or
digits must sit on a word boundary ("cunt" does not match "Scunthorpe"); CJK ends match anywhere, since Chinese
has no spaces between words, so CJK terms are chosen not to occur inside ordinary words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from importlib.resources import files
from pathlib import Path

from tunesmith.errors import InputError

_SPACES = re.compile(r"[\s,]+")
_ASCII_WORD = re.compile(r"[a-z0-9]")


def parse_terms(text: str) -> list[str]:
    """The terms of a list file: stripped lines, blank lines and '#' comment lines skipped."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@cache
def load(name: str) -> tuple[str, ...]:
    """A shipped list by name (e.g. 'toxic_en'), read once per process."""
    return tuple(parse_terms(files(__name__).joinpath(f"{name}.txt").read_text(encoding="utf-8")))


def read_terms_file(path: Path, option: str) -> list[str]:
    """A user's term file (one term per line); a missing or undecodable file is an InputError naming `option`."""
    try:
        return parse_terms(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(option, f"no such file: {path}") from None
    except (UnicodeDecodeError, IsADirectoryError) as exc:
        raise InputError(option, f"{path} is not a UTF-8 text file ({type(exc).__name__})") from None


def fold(text: str) -> str:
    """Text in the form terms are matched in: NFKC, lower case, straight apostrophes, single spaces."""
    text = unicodedata.normalize("NFKC", text).lower().replace("\u2019", "'").replace("\u2018", "'")
    return _SPACES.sub(" ", text)


def term_pattern(terms: Iterable[str]) -> re.Pattern | None:
    """A regex for any of the terms (folded here) in folded text: longest first, word boundaries at ASCII ends."""
    parts = []
    for term in sorted({fold(t).strip() for t in terms} - {""}, key=lambda t: (-len(t), t)):
        body = re.escape(term).replace(r"\ ", " ")
        head = r"(?<![a-z0-9])" if _ASCII_WORD.match(term[0]) else ""
        tail = r"(?![a-z0-9])" if _ASCII_WORD.match(term[-1]) else ""
        parts.append(head + body + tail)
    return re.compile("|".join(parts)) if parts else None
