"""Lone given names found by the structural position they stand in, whether or not a name list knows them.

A given name alone is hard to tell from a capitalised word, but some places in support and chat text hold only
people: a speaker label in a transcript ("Kenji: could you …", "[13:45] kanya: can someone …"), a self-introduction
("this is Thanawat from billing", "It's Agus", "Haruto here"), the last line of a message after a closing or a blank
line ("Best,\\nEleni", "Thanks! - Somchai"), a label that takes a person ("Owner: Pooja", "Witness: …"), a chat
handle after "ping", "cc", "user" or "quoted from" (lower case too), a list of given names ("Eleni, Kavya and
Haoran"), and a known given name with a possessive ("Dieter's out sick") or after a role or verb that takes a
person ("pharmacist Alessandro", "call Chiara on …", "sit with Oleksandr and Yousef"). A word that is a field label,
stop word or common word (`is_label`) is never taken; the weaker positions also want a known given name.
"""

from __future__ import annotations

import re

from spacy.lang.en.stop_words import STOP_WORDS

from tunesmith.data.pii.names_en import LOWER, NOT_NAMES, UPPER
from tunesmith.data.pii.names_gazetteer import COMMON, ORGANISATIONS, is_given
from tunesmith.data.pii.span_recognizer import SpanRecognizer

WORD = rf"[{UPPER}][{LOWER}]+(?:['’-][{UPPER}{LOWER}][{LOWER}]+)?"  # "Oğuz", "Jean-Baptiste", "Seo-yeon"
LOWER_WORD = rf"[{LOWER}]{{3,}}"
CAPS = rf"[{UPPER}]{{2,}}(?:-[{UPPER}]{{2,}})?"  # "ADEYEMI", "SOO-AH" on a form
# fmt: off
# words that stand where a speaker or a person would, but are roles, field labels or headings
LABELS = frozenset((
    "Agent", "Customer", "Visitor", "Bot", "System", "Assistant", "Rep", "Operator", "Caller", "Host", "Guest",
    "Moderator", "Admin", "Staff", "Nurse", "Doctor", "Patient", "Driver", "Manager", "Lead", "Team", "Note", "Notes",
    "Ref", "Tel", "Weight", "Consignee", "Witness", "Cardholder", "Attendees", "Minutes", "Reminder", "Action",
    "Items", "Questions", "Question", "Answer", "Contact", "Item", "Clause", "Case", "Traveller", "Status", "Result",
    "Error", "Warning", "Info", "Debug", "Step", "Steps", "Summary", "Input", "Output", "Example", "Tip", "Update",
    "Edit", "Fix", "Bug", "Issue", "Reason", "Total", "Amount", "Balance", "Price", "Cost", "Tax", "Fee", "Discount",
    "Location", "Address", "City", "Country", "Region", "State", "Zip", "Postcode", "Time", "Duration", "Start",
    "Deadline", "Role", "Position", "Level", "Type", "Category", "Tag", "Tags", "Label", "Severity", "Comment",
    "Description", "Details", "Message", "Body", "Content", "Text", "Header", "Link", "Url", "Website", "Web", "Id",
    "Username", "Password", "Login", "Receipt", "Shipping", "Billing", "Payment", "Method", "Branch", "Product",
    "Plan", "Package", "Version", "Build", "Release", "Platform", "Device", "Browser", "Model", "Serial", "Sku",
    "Qty", "Quantity", "Unit", "Size", "Color", "Colour", "Height", "Width", "Length", "Rating", "Score", "Review",
    "Feedback", "Request", "Response", "Resolution", "Outcome", "Next", "Agenda", "Present", "Absent", "Apologies",
    "Decision", "Decisions", "Risks", "Blockers", "Yesterday", "Goal", "Goals", "Objective", "Scope", "Background",
    "Context", "Problem", "Solution", "Impact", "Cause", "Symptoms", "Workaround", "Environment", "Expected",
    "Actual", "Observed", "Repro", "Attachment", "Attachments", "Destination", "Bcc", "Sent", "Received",
    "Important", "Urgent", "Caution", "Disclaimer", "Hint", "Translation", "Original", "Conclusion", "Overview",
    "Introduction", "Reference", "Bill", "Ship", "Sold", "Invoice", "Due", "Memo", "Purpose", "Remarks", "Remark",
    "Signature", "Approved", "Prepared", "Checked", "Reviewed", "Position", "Office", "Store", "Thanks", "Best",
    "Regards", "Cheers", "Sincerely", "Love", "Later", "Bye", "Welcome", "Congrats", "Congratulations", "Sorry",
    "Okay", "Yes", "No", "Done", "Noted", "Sure", "Great", "Perfect", "Confirmed", "Ticket", "Order", "Phone",
))
# fmt: on
SCORE = 0.9  # above spaCy's 0.85: Presidio drops a result inside an equal or higher one, and NER spans may be dropped
_CLOSINGS = (
    r"best|best regards|kind regards|warm regards|regards|thanks|thank you|many thanks|cheers|sincerely|yours|"
    r"yours sincerely|yours truly|take care|talk soon|br|rgds|thx|ta"
)
_SPEAKER = re.compile(
    rf"^[ \t]*(?P<stamp>\[[^\]\n]{{1,24}}\][ \t]*)?(?:(?:Agent|Rep|Advisor|Operator|Nurse|Dr\.?)[ \t]+)?"
    rf"(?P<name>{WORD}|{LOWER_WORD})[ \t]*:[ \t]+(?P<said>\S)",
    re.MULTILINE,
)
_SPEECH = re.compile(rf"[{LOWER}]|I\b|[{UPPER}][{LOWER}]+ ")  # what a speaker says starts like a sentence
_ROLE_LINE = re.compile(r"^[ \t]*(?:\[[^\]\n]*\][ \t]*)?(?:Agent|Customer|Visitor|Caller|User|Rep|Bot)[ \t]*:", re.M)
_STRONG = re.compile(
    rf"(?:(?i:\bthis is|\bit's|\bit is|\bmy name is|\bname's|\bi am|\bi'm)[ \t]+(?P<a>{WORD})(?=[ \t]*(?:from|at|with|"
    rf"here|speaking|[,.!;]|$))"
    rf"|(?:^|\n|[.!?][ \t]+)(?P<b>{WORD})[ \t]+here\b"
    rf"|(?i:\b(?:owner|assignee|reporter|requester|approver|witness|consignee|cardholder|attn|signed|author|"
    rf"submitted by|prepared by|approved by|contact person|emergency contact|manager|supervisor|new hire|guest|"
    rf"passenger|traveller|traveler|counsel|physician|patient))[ \t]*:[ \t]*"
    rf"(?P<c>(?:{WORD}|{CAPS})(?:[ \t]+(?:{WORD}|{CAPS})){{0,2}})(?=[ \t]*(?:$|[|,;.(]))"
    rf"|(?i:\b(?:call|text|message|contact|ask|ping|reach))[ \t]+(?P<e>{WORD})(?=[ \t]+(?:on|at)\b)"
    rf"|(?:^|\n|[.!?)][ \t]+|[ \t])[-—–]{{1,2}}[ \t]*(?P<d>{WORD})[ \t]*$)",
    re.MULTILINE,
)
_HANDLE = re.compile(rf"(?i:\b(?:ping|cc|user|quoted from))[ \t]+(?P<name>{WORD}|{LOWER_WORD})(?![\w@.-])")
_WEAK = re.compile(
    rf"(?i:\b(?:pharmacist|driver|courier|nurse|doctor|technician|agent|colleague|manager|call|text|with|and|"
    rf"by|for|to|you|ask|tell|thank|thanks|congrats))[ \t]+(?P<name>{WORD})(?![\w@-])"
)
_POSSESSIVE = re.compile(rf"(?<![\w@.-])(?P<name>{WORD})['’]s\b")
_LIST = re.compile(rf"(?<![\w@.-]){WORD}(?:[ \t]*,[ \t]*{WORD})*,?[ \t]+(?:and|&)[ \t]+{WORD}(?![\w@-])")
_LIST_WORD = re.compile(WORD)
_SIGN_OFF = re.compile(  # a name on its own line after a closing line, or last after a blank line
    rf"(?:(?i:(?:^|\n)[ \t]*(?:{_CLOSINGS})[ \t]*[,.!]*[ \t]*\n)[ \t]*(?P<a>{WORD}(?:[ \t]+{WORD}){{0,2}})"
    rf"[ \t]*(?:\n|$)"
    rf"|\n[ \t]*\n[ \t]*(?P<b>{WORD}(?:[ \t]+{WORD}){{0,2}})[ \t]*\n?[ \t]*$)"
)


_NAME_COLUMN = re.compile(
    r"(?:full[ _]?name|name|first[ _]?name|last[ _]?name|customer|contact|employee|patient|owner|姓名|名字)", re.I
)
_CONTACT_COLUMN = re.compile(r"(?:e-?mail|phone|mobile|tel|cell|电话|手机|邮箱)(?:[ _]?(?:address|number|no))?", re.I)
_CELL = re.compile(rf"[{UPPER}{LOWER}'’. -]+")
_HAN = re.compile(r"[\u3400-\u9fff]")
_HAN_NAME = re.compile(r"[\u3400-\u9fff]{2,4}")
_IN_CHINESE = re.compile(rf"(?<![{UPPER}{LOWER}@.-])(?P<name>{WORD})(?![{UPPER}{LOWER}@-])")


def is_label(word: str) -> bool:
    """Whether a capitalised word is a role, field label, stop word or common word: never a name alone."""
    plain = word.title() if word.islower() or word.isupper() else word
    return (
        plain in LABELS
        or plain in NOT_NAMES
        or plain in COMMON
        or plain in ORGANISATIONS
        or plain.lower() in STOP_WORDS
        or len(plain) < 3
    )


def names_in(text: str) -> list[tuple[int, int]]:
    """The (start, end) spans of the lone names `text` holds by position."""
    spans = _speakers(text)
    for m in _STRONG.finditer(text):
        group = next(g for g in "abcde" if m.group(g))
        if not any(is_label(word) for word in m.group(group).split()):
            spans.append(m.span(group))
    for m in _HANDLE.finditer(text):
        if not is_label(m.group("name")):
            spans.append(m.span("name"))
    for pattern in (_WEAK, _POSSESSIVE):
        spans += [m.span("name") for m in pattern.finditer(text) if _known(m.group("name"))]
    for m in _LIST.finditer(text):
        words = list(_LIST_WORD.finditer(m.group()))
        known = sum(is_given(w.group()) for w in words)  # two known names, or one in a list of three or more
        if all(not is_label(w.group()) for w in words) and known >= (2 if len(words) == 2 else 1):
            spans += [(m.start() + w.start(), m.start() + w.end()) for w in words]
    spans += _name_column(text)
    if _HAN.search(text):  # a known given name alone in Chinese text ("Ioanna 和 卢家豪 都会 join")
        spans += [m.span("name") for m in _IN_CHINESE.finditer(text) if _known(m.group("name"))]
    for m in _SIGN_OFF.finditer(text):
        group = "a" if m.group("a") else "b"
        if not any(is_label(word) for word in m.group(group).split()):
            spans.append(m.span(group))
    return spans


def may_hold_lone_name(text: str) -> bool:
    """Whether a text without capitals may still hold a name here: a chat speaker label or handle ("kanya: …")."""
    return bool(_SPEAKER.search(text) or _HANDLE.search(text))


def _known(word: str) -> bool:
    """A known given name that is no label or common word."""
    return not is_label(word) and is_given(word)


def _name_column(text: str) -> list[tuple[int, int]]:
    """The cells under a name column ("full_name", "Customer", "姓名") of a comma, semicolon, tab or pipe table."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    spans: list[tuple[int, int]] = []
    column, separator, width = None, "", 0
    for line, at in zip(lines, offsets):
        fields = next(((sep, line.split(sep)) for sep in (",", ";", "\t", "|") if line.count(sep) >= 2), None)
        if fields is None:
            column = None
            continue
        sep, cells = fields
        heads = [cell.strip(" \"'") for cell in cells]
        personal = any(_CONTACT_COLUMN.fullmatch(h) for h in heads)  # a bare "name" is a person's beside an e-mail
        named = [i for i, h in enumerate(heads) if _NAME_COLUMN.fullmatch(h) and (personal or h.lower() != "name")]
        if named and not any("@" in c for c in cells):  # a header row
            column, separator, width = named[0], sep, len(cells)
            continue
        if column is None or sep != separator or len(cells) != width:
            continue
        start = at + sum(len(c) + 1 for c in cells[:column])
        cell = cells[column]
        value = cell.strip(" \"'")
        if _HAN_NAME.fullmatch(value) or (_CELL.fullmatch(value) and not is_label(value.split()[0])):
            begin = start + cell.index(value)
            spans.append((begin, begin + len(value)))
    return spans


def _speakers(text: str) -> list[tuple[int, int]]:
    """Speaker labels: a name opening a line before ':' and speech; an unknown word only in a transcript (a role
    label such as "Agent:" or "Visitor:" elsewhere, or two speech lines) or after a chat time stamp."""
    found = [m for m in _SPEAKER.finditer(text) if _SPEECH.match(m.group("said") + text[m.end() : m.end() + 2])]
    transcript = bool(_ROLE_LINE.search(text)) or len(found) >= 2
    spans = []
    for m in found:
        name = m.group("name")
        if is_label(name) or (name.islower() and not m.group("stamp")):
            continue
        if is_given(name.title()) or transcript or m.group("stamp"):
            spans.append(m.span("name"))
    return spans


class PositionNameRecognizer(SpanRecognizer):
    """PERSON: lone given names in positions that hold people (speaker labels, sign-offs, introductions)."""

    find = staticmethod(names_in)
    score = SCORE
