"""Later mentions of a person already found: coreference by string, within one text.

Once a full name is found ("Jean-Baptiste Girard", "HOSSEINI, NILOUFAR", "王建国"), the same string elsewhere in the
text is the same person, and so is each of its Latin-script parts alone ("Jean-Baptiste asked …", a sign-off
"Eleni" under "From: Eleni Karagiannis"): they are masked too, capitalised (or in capitals) and word-bounded, and
never inside an e-mail address or URL. A part that is a stop word, field label, particle or common word ("Van",
"May", "Grant") is not searched for alone. Chinese names are repeated whole only: their given names alone (建国, 海燕)
are too often ordinary words.
"""

from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult

from tunesmith.data.pii.names_en import LOWER, UPPER
from tunesmith.data.pii.names_gazetteer import ORGANISATIONS, PARTICLES
from tunesmith.data.pii.names_position import is_label

_PART = re.compile(rf"[{UPPER}][^\s,.;:()<>\"|]*")
_LETTER = f"0-9_{UPPER}{LOWER}"
_HAN = re.compile(r"[\u3400-\u9fff]")
META = {RecognizerResult.RECOGNIZER_NAME_KEY: "RepeatedMention", RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: "repeat"}


def mention_strings(name: str) -> set[str]:
    """The strings that mention the person called `name`: the name itself, and for a Latin name each usable part
    as written, in title case and in capitals."""
    strings = {name.strip()}
    if _HAN.search(name):
        return strings if len(name.strip()) >= 2 else set()
    for part in _PART.findall(name):
        part = re.sub(r"['’]s?$", "", part)
        if part in PARTICLES or is_label(part) or not part[1:2].isalpha():
            continue
        strings |= {part, part.title() if "-" not in part else part, part.upper()}
    return {s for s in strings if len(s) >= 2}


def repeated_mentions(text: str, found: list[RecognizerResult]) -> list[RecognizerResult]:
    """PERSON results for the other mentions, in `text`, of the names in `found` (which are not repeated)."""
    strings = set()
    for result in found:
        if result.entity_type == "PERSON":
            strings |= mention_strings(text[result.start : result.end])
    if not strings:
        return []
    latin = [re.escape(s) for s in sorted(strings, key=len, reverse=True) if not _HAN.search(s)]
    han = [re.escape(s) for s in sorted(strings, key=len, reverse=True) if _HAN.search(s)]
    parts = [rf"(?<![{_LETTER}@./+-])(?:{'|'.join(latin)})(?![{_LETTER}@-]|\.[{_LETTER}])"] if latin else []
    pattern = re.compile("|".join(parts + ([f"(?:{'|'.join(han)})"] if han else [])))
    taken = [(r.start, r.end) for r in found]
    extra = []
    for m in pattern.finditer(text):
        after = text[m.end() : m.end() + 24].split()
        if after and after[0].strip(".,;:)") in ORGANISATIONS:  # "(Oliveira Imports)": the company, not the person
            continue
        if all(m.end() <= start or m.start() >= end for start, end in taken):
            extra.append(RecognizerResult("PERSON", m.start(), m.end(), 0.4, dict(META)))
    return extra
