"""What `find_pii` returns: a typed span of personal data, and the placeholder tokens written in its place."""

from __future__ import annotations

import re
from dataclasses import dataclass

TYPES = ("EMAIL", "PHONE", "IP", "URL", "CARD", "CN_ID", "PASSPORT", "PERSON")
STRUCTURED = ("EMAIL", "PHONE", "IP", "URL", "CARD", "CN_ID", "PASSPORT")
PLACEHOLDER = re.compile(r"<(?:" + "|".join(TYPES) + r")(?::[0-9a-f]+)?>")  # <PHONE>, <EMAIL:9f2c1a3b4d5e>


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: its type (also its placeholder name), its span in the text and the text itself."""

    type: str
    start: int
    end: int
    text: str
