"""Latin-script names by the slot they fill, whether or not the name list knows them (from bench/pii_blind2.py's
misses): the shapes of rosters, attributions and family notices rather than any name.

- "Surname, Given" as a list item ("- Leota, Malia", "2) Farahani, Dariush", "Policyholder: van der Berg, Femke",
  "identified as Ó Briain, Ciarán"): after a bullet or a number the given name may be any word, after a label's
  colon or a semicolon it must be a known given name ("Address: Springfield, Illinois" stays).
- Initials before a surname after a cue or on a sign-off ("— N.J. Casals", "reviewed by E.G. Yıldırım").
- A title and a surname alone ("Dear Dr. Popescu").
- A full name (two or three capitalised words) after a preposition or verb that takes a person: from, by, with,
  for, said, told, called, know to be, survived by, father of … ("Payment received from Adaeze Okafor", "said Nino
  Beridze").
- One capitalised word in a slot that only a person fills: opening a sentence before said / told / showed / added
  ("Tigran said he'd …"); after called / named / name was / husband of; before a bracketed age, role or note in a
  roster ("Bohdan (child, 7)", "Anastasia (parking)", "Femke, 82"); after "approved by" and other verbs of
  sign-off at a sentence's end; after so / and / but before "is covering" ("so Srinivas is covering"); opening an
  action item ("Action items: João to draft …").
- A full name before a bracketed note, on a sign-off with a place ("— Ana Ruiz, Osaka"), two names joined by & on
  their own line (a wedding card), a name line heading contact details (a résumé).
- A known given name in lower case in chat, before just / can you / is … ("lol brianna just pushed …").

Any word that is a field label, stop word or common word is never taken alone (`names_position.is_label`).
"""

from __future__ import annotations

import re

from tunesmith.data.pii.names_en import LOWER, UPPER, plausible
from tunesmith.data.pii.names_gazetteer import is_given
from tunesmith.data.pii.names_position import is_label
from tunesmith.data.pii.span_recognizer import SpanRecognizer

WORD = rf"[{UPPER}][{LOWER}]+(?:['’-][{UPPER}{LOWER}][{LOWER}]+)?"
PARTICLE = (
    r"(?:[Dd]e la|[Dd]e los|[Vv]an der|[Vv]an den|[Vv]an|[Dd]e|[Dd]el|[Dd]a|[Dd]i|[Vv]on|[Bb]in|Al|El|Ó|Ní|Mac|Singh"
    r"|Abu|Le)"
)
_SURNAME = rf"(?:{PARTICLE}[ \t]+)?{WORD}(?:[ \t]+{WORD})?"
_END = rf"(?![{UPPER}{LOWER}'’-])"
_SURNAME_FIRST = re.compile(
    rf"(?:(?P<item>(?:^|\n)[ \t]*(?:[-*•·]|\d{{1,2}}[.)])[ \t]*|(?<=[ \t])\d{{1,2}}\)[ \t]*)"
    rf"|(?P<label>(?:(?P<role>[{UPPER}{LOWER}]+)[ \t]*:|;|(?P<alias>(?i:identified as|known as)))[ \t]*))"
    rf"(?P<name>{_SURNAME},[ \t]+(?P<given>{WORD})){_END}(?![ \t]+[{UPPER}])"  # not "A Brown, Hannah Lee and …"
)
_ROLE = re.compile(r"(?:holder|ant|ent|er|or|ee|ger|ist)$")  # a label naming a person: Tenant, Policyholder, Guarantor
_SIGN = r"(?:(?:^|\n|[.!?)][ \t]+)[ \t]*[—–-]{1,2}[ \t]*)"  # "— N.J. Casals", "… Five stars. — Ana Ruiz, Osaka"
_INITIALS = re.compile(
    rf"(?:{_SIGN}|(?i:\b(?:by|from|with|per|to|cc|attn|signed|reviewed by|adjuster:?)[ \t]+))"
    rf"(?P<name>(?:[A-Z]\.[ \t]?){{1,3}}[ \t]?{WORD}){_END}"
)
_TITLED = re.compile(rf"\b(?:Dr|Prof|Mr|Mrs|Ms|Mx)\.?[ \t]+(?P<name>{WORD}){_END}")
_FULL = rf"{WORD}(?:[ \t]+{PARTICLE})?(?:[ \t]+{WORD}){{1,2}}"
_TAKES_PERSON = (
    r"from|by|with|for|said|says|told|called|named|know to be|known as|survived by|husband of|wife of|son of|"
    r"daughter of|father of|mother of|partner of|spouse|friend|neighbour|neighbor|manager will be|will be"
)
_NOTE = r"\((?:\d{1,3}|[a-z][A-Za-z ,0-9-]{1,24})\)"  # "(34)", "(adult)", "(child, 7)", "(flat 3B)", "(gate)"
# a full name before a bracketed note in a roster, on a sign-off, two names joined by & on their own line (a
# wedding card), and a name line heading contact details (a résumé: "Liban Jama\nliban@… | +86 …")
_FULL_SLOT = re.compile(
    rf"(?:(?:^|\n|[:,;][ \t]*|[—–][ \t]*|[ \t]and[ \t]+)(?P<a>{_FULL})(?=[ \t]*{_NOTE})"
    rf"|{_SIGN}(?P<b>{_FULL})(?=[ \t]*(?:,[ \t]*{WORD}[ \t]*)?(?:$|\n))"
    rf"|(?:^|\n)[ \t]*(?P<c>{_FULL})[ \t]+&[ \t]+(?P<d>{_FULL})[ \t]*(?=$|\n)"
    rf"|^[ \t]*(?P<f>{_FULL})[ \t]*\n(?=[^\n]*(?:@|\+?\d[\d ()-]{{7,}})))"
)
_AFTER_VERB = re.compile(rf"(?i:\b(?:{_TAKES_PERSON}))[ \t,]+(?P<name>{_FULL}){_END}")
_REPORTS = r"said|says|told|showed|added|asked|replied"
_BY = r"coordinated|approved|reviewed|hosted|signed|checked|prepared|written|led|organi[sz]ed|authori[sz]ed|issued"
_CHAT_WORDS = r"ya|yeah|yes|and|but|so|then|because|lol|btw|also|oh|ok"
_LONE = re.compile(
    rf"(?:(?:^|\n|[.!?:][ \t]+|\][ \t]*|(?i:\b(?:{_CHAT_WORDS}))[ \t]+)(?P<a>{WORD})(?=[ \t]+(?:{_REPORTS})\b)"
    rf"|\b(?:{_BY})[ \t]+by[ \t]+(?P<e>{WORD})(?=[.;,!]|$)"
    rf"|(?i:\b(?:so|and|but|while|because|since|ya|lol|btw|also))[ \t]+(?P<f>{WORD})"
    rf"(?=[ \t]+(?:is|was|will|has|had|just|can|could|would|should)[ \t]+[a-z]+ing\b)"
    rf"|(?i:action items?|to-?dos?|next steps?)[ \t]*:[ \t]*(?P<g>{WORD})(?=[ \t]+to[ \t]+[a-z])"
    rf"|(?i:\b(?:called|named|name was|name is|name's|husband of|wife of|son of|daughter of|mother of|father of))"
    rf"[ \t]+(?P<b>{WORD}){_END}"
    rf"|(?:^|\n|[:,;][ \t]*|[—–][ \t]*)(?P<c>{WORD})(?=[ \t]*(?:{_NOTE}|,[ \t]*\d{{1,3}}[ \t]))"
    rf"|(?i:\b(?:and|tell|with)[ \t]+)(?P<d>{WORD})(?=[ \t]+(?:for|to)[ \t]+[a-z]))"
)


# a known given name in lower case opening a chat line or after a chat word, before what a subject or an
# addressee is followed by ("lol brianna just pushed to main", "georgios can you revert it?")
_LOWER_CHAT = re.compile(
    rf"(?:^|\n|[.!?][ \t]+|(?i:\b(?:lol|ya|btw|ok|hey|hi|cc|ping|thanks|thx|and|so))[ \t]+)(?P<name>[{LOWER}]{{3,}})"
    rf"(?=[ \t]+(?:just|can you|could you|pls|please|is|was|will|said|says|did|has)\b)"
)


def may_hold_lower_name(text: str) -> bool:
    """Whether a text without capitals may still hold a name in lower case (a chat line)."""
    return bool(_LOWER_CHAT.search(text))


def names_in(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each name found by its slot."""
    spans = []
    for m in _SURNAME_FIRST.finditer(text):
        role = m.group("alias") or m.group("role") and _ROLE.search(m.group("role").lower())
        known = m.group("item") is not None or role or is_given(m.group("given"))
        if known and plausible(m.group("name")) and not is_label(m.group("given")):
            spans.append(m.span("name"))
    for pattern in (_INITIALS, _TITLED):
        spans += [m.span("name") for m in pattern.finditer(text) if plausible(m.group("name"))]
    for m in _AFTER_VERB.finditer(text):
        words = m.group("name").split()
        if plausible(m.group("name")) and not is_label(words[0]) and not is_label(words[-1]):
            spans.append(m.span("name"))
    for m in _FULL_SLOT.finditer(text):
        for group in "abcdf":
            words = (m.group(group) or "").split()
            if words and plausible(m.group(group)) and not is_label(words[0]) and not is_label(words[-1]):
                spans.append(m.span(group))
    for m in _LONE.finditer(text):
        group = next(g for g in "abcdefg" if m.group(g))
        word = m.group(group)
        if not is_label(word):
            spans.append(m.span(group))
    spans += [m.span("name") for m in _LOWER_CHAT.finditer(text) if is_given(m.group("name").title())]
    return spans


class SlotNameRecognizer(SpanRecognizer):
    """PERSON: Latin names in slots only a person fills (rosters, attributions, titles, family notices)."""

    find = staticmethod(names_in)
    score = 0.9
