"""Person names in Latin script that the small English NER model misses, found by where they stand.

spaCy's small model knows mostly Anglo names in running prose; it misses many Vietnamese, Korean, Japanese, Arabic
or Indian names, names alone on a line, and names right after a ticket number. Support and CRM text puts names in a
few telling places, so a run of one to three capitalised words (hyphens, apostrophes, accents and a middle initial
allowed: "Min-jun Park", "Caleb R. Hamilton", "Lucía Ramírez") counts as a name:

- after a cue that introduces a person: a greeting or sign-off (Hi, Dear, Thanks, Thank you, Regards, Signed), a
  label (Name:, Full name:, Cardholder:, Reviewer:, Owner:), a role (customer, patient, driver, agent), or a verb
  that takes a person (spoke with, loop in, assigned to, met, per, cc); one word alone ("Hi Kenji,") only after a
  greeting or "Name:", since "customer Visa card" is no person;
- as two or three words at the start of a line or sentence, or after a ticket number (#4821, Ticket 1234 —,
  [09:14]), when a reporting verb or a bracket follows ("#4821 Maria Gonzalez called about …", "Ana Ruiz (ext …");
  after a ticket number also before is / was / has …, which the number makes a person's, not a product's;
- later names of a list after a cue ("Attendees — A, B and C"), a name on a sign-off line ("— Ana Ruiz");
- after a title (Mr, Dr …) or as an @mention in a chat ("@Kenji thanks");
- in Chinese text, after a Chinese cue (客户 / 联系人 / 发给 …) or before a Chinese reporting verb (打电话 / 反馈 …).

A match made only of words that are not names (field labels, weekdays, "Customer Success", "Thanks Again") is
dropped, and a single word after a cue must not be a common capitalised word ("Hi All", "Dear Customer").
"""

from __future__ import annotations

import re

from presidio_analyzer import Pattern, PatternRecognizer

UPPER = "A-Z" + "".join(chr(c) for c in range(0xC0, 0x250) if chr(c).isupper())  # Latin-1 and Extended-A/B
LOWER = "a-z" + "".join(chr(c) for c in range(0xC0, 0x250) if chr(c).islower())  # "Oğuz", "Łukasz", "Yılmaz"
_WORD = rf"[{UPPER}][{LOWER}]+(?:['’-][{UPPER}{LOWER}][{LOWER}]+)?"
_FULL = rf"(?:{_WORD}(?:[ \t](?:[A-Z]\.[ \t])?{_WORD}){{1,2}}|[A-Z]\.[ \t]{_WORD})"  # "G. Christodoulou" too
GREETINGS = (
    r"hi|hello|hey|dear|thanks|thank you|many thanks|cheers|regards|best regards|kind regards|sincerely|signed|"
    r"good morning|good afternoon|good evening|morning|welcome|congratulations|greetings"
)
CUES = (
    GREETINGS
    + r"|name|full name|first name|last name|cardholder|card holder|account holder|holder|reviewer|owner|lead owner|"
    r"approver|requester|reporter|assignee|contact|emergency contact|attendees?|participants?|traveller|traveler|"
    r"passenger|guest|customer|client|patient|driver|agent|caller|employee|tenant|applicant|"
    r"spoke with|spoke to|talked to|talked with|met with|met|loop in|looped in|ask|asked|assigned to|"
    r"forwarded to|escalated by|escalated to|voicemail for|voicemail left for|per|cc|attn|attention|name is|named|"
    r"it's|it is|this is|i am|i'm|witness|consignee|counsel|manager|supervisor|new hire|booking for|"
    r"prescription for|emergency contact for|pharmacist|physician|nurse|doctor|courier|colleague"
)
TITLES = r"mr|mrs|ms|miss|mx|dr|prof|sir|madam"  # before a name, with or without a full stop
HEADERS = r"from|to|sender|recipient|author|by|user|member|signup|new signup|sign-up"  # cues only with a colon
_LIST = rf"(?:{_FULL}(?:[ \t]*,[ \t]*|[ \t]+and[ \t]+|[ \t]*&[ \t]*))*"  # earlier names of a list: "A, B and C"
_SIGN_OFF = r"(?:^|\n)[ \t]*[—–-]{1,2}"  # "— Ana Ruiz" on a line of its own
_CUE = (
    rf"(?<=(?:(?:^|[^A-Za-z])(?:(?i:{CUES})[ \t]*[,:;—–-]?|(?i:{HEADERS})[ \t]*:|(?:{TITLES}|(?i:{TITLES}))\.?)"
    rf"|{_SIGN_OFF})[ \t]*(?:\n[ \t]*)?"
    rf"{_LIST})"
)
_GREETING = rf"(?<=(?:^|[^A-Za-z])(?:(?i:{GREETINGS})[ \t]*[,:;—–-]?|(?i:name)[ \t]*:)[ \t]*(?:\n[ \t]*)?)"
_OPENING = r"(?<=(?:^|\n|[.!?][ \t]|\][ \t]))"
_STATES = r"(?:still[ \t]+)?(?:waiting|asking|unable|unhappy|upset|requesting|calling|chasing)"
_AFTER_ID = r"(?<=(?:#\d{2,}[ \t]|\d{3,}[ \t]*[—–:-][ \t]))"  # "#4821 ", "Ticket 1234 — ": a name often follows
_REPORTS = (
    r"called|calls|reports?|reported|says|said|wrote|writes|asked|asks|moved|emailed|confirmed|requested|replied|"
    r"mentioned|complained|visited|paid|ordered|wants|needs"
)
AFTER_CUE = rf"{_CUE}{_FULL}(?![A-Za-z])"  # a full name after any cue
AFTER_GREETING = rf"{_GREETING}{_WORD}(?![A-Za-z])"  # a first name alone only after a greeting or "name:"
MENTION = rf"(?<![A-Za-z0-9._%+-])(?<=@){_WORD}(?:[ \t]{_WORD})?(?![A-Za-z@.])"  # "@Kenji thanks", not an e-mail
OPENING = rf"{_OPENING}{_FULL}(?=[ \t]+(?:{_REPORTS})\b|[ \t]*[(<|:])"
AFTER_ID = rf"{_AFTER_ID}{_FULL}(?=[ \t]+(?:{_REPORTS}|(?:is|was|has been)[ \t]+{_STATES})\b|[ \t]*[(<|:])"
# a Latin-script name in Chinese text: after a Chinese cue, or right before a Chinese reporting verb
ZH_CUES = (
    "客户|用户|联系人|收件人|收货人|我叫|我是|姓名|名字|同事|朋友|患者|乘客|旅客|申请人|负责人|经理|刚才|"
    "发给|交给|转给|通知|告诉"
)
ZH_REPORTS = "打电话|来电|说|反馈|表示|发来|询问|投诉|留言|要求|确认"
IN_CHINESE = rf"(?:(?<=(?:{ZH_CUES})[:：\s]{{0,2}}){_FULL}|(?<=[\u3400-\u9fff]){_FULL}(?=\s?(?:{ZH_REPORTS})))"
# capitalised words that are no names, though they stand where names do
# fmt: off
NOT_NAMES = frozenset((
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Today", "Tomorrow",
    "All", "Team", "Everyone", "There", "Folks", "Guys", "Sir", "Madam", "Again", "So", "Very", "Much", "For", "And",
    "The", "This", "That", "You", "Your", "We", "Our", "Please", "Customer", "Client", "Support", "Service", "Success",
    "Name", "Full", "First", "Last", "Email", "Mail", "Phone", "Mobile", "Tel", "Address", "Date", "Birth", "Status",
    "Subject", "Comments", "Passport", "Card", "Number", "Account", "Order", "Invoice", "Ticket", "Case", "Note",
    "Notes", "Priority", "Owner", "Source", "Company", "Title", "Manager", "Nationality", "Exp", "Reply", "From",
    "To", "Cc", "Re", "Fw", "Fwd", "Hi", "Hello", "Dear", "Thanks", "Regards", "Best", "Kind", "Signed", "Inc", "Ltd",
    "Llc", "Corp", "Bank", "Group", "Health", "Logistics", "Traders", "Street", "Square", "Avenue", "Road",
    "Center", "Centre", "University", "Hospital", "Department", "Office", "Store", "Airlines", "Admin", "User",
    "Reference",
))
# fmt: on


def plausible(span: str) -> bool:
    """Whether a matched run of capitalised words may be a name: not made only of words that are no names."""
    words = [w for w in re.split(r"[\s.]+", span) if len(w) > 1]
    return bool(words) and not any(w in NOT_NAMES for w in words)


class LatinNameRecognizer(PatternRecognizer):
    """PERSON in Latin script by position: after a person cue, or opening a line before a reporting verb."""

    def validate_result(self, pattern_text: str) -> bool:
        return plausible(pattern_text)


def latin_name_recognizer() -> LatinNameRecognizer:
    """The recognizer with both patterns, case-sensitive (the cue words alone ignore case)."""
    patterns = [
        Pattern("full name after cue", AFTER_CUE, 0.9),
        Pattern("first name after greeting", AFTER_GREETING, 0.9),
        Pattern("@mention", MENTION, 0.4),
        Pattern("full name opening a line", OPENING, 0.9),
        Pattern("full name after a ticket number", AFTER_ID, 0.9),
        Pattern("full name in Chinese text", IN_CHINESE, 0.9),
    ]
    return LatinNameRecognizer(
        "PERSON", name="LatinNameRecognizer", patterns=patterns, global_regex_flags=re.DOTALL | re.MULTILINE
    )
