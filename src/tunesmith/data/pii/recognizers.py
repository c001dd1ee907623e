"""The pattern recognizers behind `find_pii`: Presidio's own where they serve, ours for what it lacks.

Presidio's email, IP, URL and credit-card recognizers bound their patterns with `\\b` or `\\w`, which treat Chinese
characters as word characters: "手机13812345678" has no boundary before the 1, and "邮箱是a@b.com" matches as one
email. So we keep Presidio's recognizer classes (their validation: the offline public-suffix list for emails,
`ipaddress` for IPs, Luhn for cards, `phonenumbers` for phones) and give them patterns bounded by ASCII
look-arounds. Chinese mobile numbers, Chinese resident IDs (GB 11643 checksum) and passport numbers are ours.

Phones: `phonenumbers` only accepts numbers in allocated ranges, but personal data is personal whether or not its
area code is in use ("+1 (555) 010-…", a typo, a number from last year's plan). So numbers *written* like phones
are ours too, by shape alone: NANP (`(NXX) NXX-XXXX`, `NXX-NXX-XXXX`, `+1 …`), any "+country …" number of 8 to 15
digits, and Chinese landlines with a separated area code (`0571-8765 4321`, `(010) 6523 8888`). Bare digit runs
still need a phone word nearby, and not an id word right before them ("invoice 7099300107").
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

import tldextract
from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    EmailRecognizer,
    IpRecognizer,
    PhoneRecognizer,
    UrlRecognizer,
)

CASE_SENSITIVE = re.DOTALL | re.MULTILINE
_NOT_URL = r"\s<>\"'`\u3000-\u303f\uff00-\uffef\u3400-\u4dbf\u4e00-\u9fff"  # URLs end at spaces, CJK and quotes
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_LOCAL = r"[A-Za-z0-9_%+-](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?"
EMAIL = rf"(?<![A-Za-z0-9._%+-]){_LOCAL}@(?:{_LABEL}\.)+[A-Za-z]{{2,24}}(?![A-Za-z0-9-])"
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
IPV4 = rf"(?:(?<=IP)|(?<![0-9A-Za-z.])){_OCTET}(?:\.{_OCTET}){{3}}(?:/(?:3[0-2]|[12]?\d))?(?![0-9A-Za-z]|\.\d)"
URL = rf"(?<![A-Za-z0-9@./])(?:(?:https?|ftp)://|www\.)[^{_NOT_URL}]*[^{_NOT_URL}.,;:!?)\]}}]"
# a host without scheme, followed by a path ("shop.example.com/listing/4471"); its suffix is checked against the list
BARE_URL = rf"(?<![A-Za-z0-9@./_-])(?:{_LABEL}\.)+[A-Za-z]{{2,24}}/[^{_NOT_URL}]*[^{_NOT_URL}.,;:!?)\]}}]"
CN_MOBILE = r"(?<![0-9A-Za-z+])(?:(?:\+|00)86[ -]?|\(\+?86\)[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?![0-9A-Za-z])"
CARD = r"(?<![0-9A-Za-z])(?:3[47]\d\d|[2-6]\d{3})(?:[ -]?\d){11,15}(?![0-9A-Za-z])"
_BIRTH = r"(?:18|19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
CN_ID = rf"(?<![0-9A-Za-z])[1-9]\d{{5}} ?{_BIRTH} ?\d{{3}}[\dXx](?![0-9A-Za-z])"
CN_PASSPORT = r"(?<![0-9A-Za-z])(?:E\d{8}|E[A-HJ-NP-Z]\d{7}|G\d{7,8})(?![0-9A-Za-z])"
PASSPORT_WITH_CONTEXT = r"(?<![0-9A-Za-z])(?:[A-Z]{1,2}\d{6,8}|\d{9})(?![0-9A-Za-z])"
# fmt: off
PHONE_CONTEXT = (
    "phone", "call", "tel", "mobile", "cell", "fax", "contact", "reach", "text me", "whatsapp",
    "电话", "手机", "致电", "拨打", "联系", "座机", "热线", "来电", "微信",
)
# fmt: on
_ID_SHAPE = re.compile(rf"[1-9]\d{{5}}{_BIRTH}\d{{4}}")  # an 18-digit number that reads like a Chinese ID
PASSPORT_CONTEXT = ("passport", "travel document", "护照", "通行证")
_PHONE_LIKE = re.compile(r"[+(]|\d{2,4}[- ]\d{3,4}[- ]?\d{3,4}$|\d{3}\.\d{3}\.\d{4}$")
_END_NUMBER = r"(?![0-9A-Za-z]|[-.]\d)"
NANP = (  # (NXX) NXX-XXXX, NXX-NXX-XXXX, NXX.NXX.XXXX with an optional +1 / 1-, or +1 and ten digits
    r"(?<![0-9A-Za-z+.-])(?:(?:\+?1[ .-]?)?(?:\([2-9]\d\d\)[ .-]?|[2-9]\d\d[ .-])[2-9]\d\d[ .-]\d{4}"
    r"|\+1[2-9]\d\d[2-9]\d{6})" + _END_NUMBER
)
INTERNATIONAL = r"(?<![0-9A-Za-z+])\+[1-9]\d{0,2}(?:[ .-]?(?:\(0\)|\(\d{1,4}\)|\d{1,5})){2,6}(?![0-9A-Za-z])"
CN_LANDLINE = r"(?<![0-9A-Za-z+])(?:\(0\d{2,3}\)[ -]?|0\d{2,3}[ -])[2-9]\d{2,3}[ -]?\d{4}" + _END_NUMBER
# any three-three-four number, whatever its area code and exchange ("1-198-014-4839", "905.014.5690")
NANP_ANY = r"(?<![0-9A-Za-z+.-])(?:(?:\+?1[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4})" + _END_NUMBER
# a bracketed area code, then two groups ("(11) 93062-6116", "(03) 4303 0673", "(0532) 47649755")
BRACKETED = r"(?<![0-9A-Za-z+])\(\d{1,4}\)[ -]?\d{3,5}[ -]?\d{3,4}" + _END_NUMBER
# a national number with its trunk 0 ("03-9959-0294", "0221/595827", "0466 013 282"): its second group 3+ digits
TRUNK = r"(?<![0-9A-Za-z+])0\d{1,4}[ /-]\d{3,8}(?:[ -]\d{3,4}){0,2}" + _END_NUMBER
INDIAN = r"(?<![0-9A-Za-z+-])[6-9]\d{4}[ -]\d{5}" + _END_NUMBER  # an Indian mobile in two fives: "92515 80445"
_GLUED = re.compile(r"(?:[A-Za-z]-|#|[A-Za-z]|\d[ .-]?)$")  # "ORD-", "#", "INV", "8852 ": part of a reference
_DOTTED_QUAD = re.compile(r"\(?\d{1,3}(?:\.\d{1,3}){3}\)?")  # "(23.150.193.32": an IPv4 address, no phone
_YEAR_ID = re.compile(r"(?:19|20)\d\d[ -]\d{5,6}")  # "2023-621097": a year and a serial, an order number
_CARD_BEFORE = re.compile(
    r"(?:订单号?|单号|编号|order|ref|reference|tracking|transfer)\W{0,3}(?:no\.?|#)?\W{0,2}$", re.I
)
_ID_BEFORE = re.compile(
    r"(?:invoice|order|ticket|case|ref|reference|account|acct|sku|tracking|serial|batch|lot|po|订单号?|单号|编号|发票号?)"
    r"\s*(?:no\.?|number|#)?\s*[:：#]?\s*$",
    re.IGNORECASE,
)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def has_context(text: str, start: int, end: int, words: tuple[str, ...], window: int = 40) -> bool:
    """Whether one of `words` occurs within `window` characters before `start` or after `end` (case-insensitive)."""
    around = (text[max(0, start - window) : start] + " " + text[end : end + window]).lower()
    return any(word in around for word in words)


def valid_cn_id(value: str) -> bool:
    """A Chinese resident ID: 18 characters, a real birth date, and the GB 11643-1999 check character."""
    value = value.replace(" ", "").upper()
    if len(value) != 18 or not value[:17].isdigit():
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], ID_WEIGHTS))
    return "10X98765432"[total % 11] == value[17]


# Top-level names reserved for private and test use (RFC 2606, RFC 6761, RFC 8375, ICANN's .internal) or common
# on company networks: not public suffixes, yet an address there is still a person's address.
PRIVATE_TLDS = frozenset(("example", "test", "invalid", "localhost", "local", "internal", "lan", "home", "corp"))


class OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's email recognizer whose domain check reads tldextract's bundled suffix list, never the network,
    and accepts the private-use top-level names too (a company's `name@corp.internal` is personal data)."""

    def validate_result(self, pattern_text: str) -> bool:
        domain = pattern_text.rsplit("@", 1)[-1]
        return _suffixes()(domain).suffix != "" or domain.rsplit(".", 1)[-1].lower() in PRIVATE_TLDS


class BareUrlRecognizer(UrlRecognizer):
    """A URL without scheme or www ("shop.example.com/p/9f3a2c"): kept only when its host ends in a public suffix
    and has a name before it (so "v1.2/docs" and "a.out/x" stay)."""

    def validate_result(self, pattern_text: str) -> bool:
        parts = _suffixes()(pattern_text.split("/", 1)[0])
        return bool(parts.suffix and parts.domain and not parts.domain.isdigit())


class ChineseIdRecognizer(PatternRecognizer):
    """Chinese resident ID numbers, kept only when the birth date and GB 11643 checksum are valid."""

    def validate_result(self, pattern_text: str) -> bool:
        return valid_cn_id(pattern_text)


class CardRecognizer(CreditCardRecognizer):
    """Presidio's Luhn-checked card recognizer, minus 18-digit numbers shaped like a Chinese ID (region, birth date):
    an ID with a typo passes Luhn one time in ten, and is still no card."""

    def validate_result(self, pattern_text: str) -> bool:
        ungrouped = pattern_text.isdigit()  # Amex 15, most cards 16, UnionPay (62…) 19; order numbers 17, 18
        if ungrouped and not (len(pattern_text) in (15, 16) or (len(pattern_text) == 19 and pattern_text[:2] == "62")):
            return False
        return super().validate_result(pattern_text) and not _ID_SHAPE.fullmatch(pattern_text)

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None, regex_flags=None) -> list[RecognizerResult]:
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        return [r for r in results if not _CARD_BEFORE.search(text[max(0, r.start - 16) : r.start])]


def plausible_phone(text: str, start: int, end: int) -> bool:
    """Whether a phone-shaped match may be a phone: not glued to a reference ("ORD-2023-621097", "#2024-…", the
    tail of "8852 0173 8331 2181"), and not a year and a serial ("2023-621097") unless a phone word just precedes."""
    before = text[max(0, start - 16) : start]
    if _GLUED.search(before) or _DOTTED_QUAD.fullmatch(text[start:end]):
        return False
    return not _YEAR_ID.fullmatch(text[start:end]) or has_context(text, start, start, PHONE_CONTEXT, 16)


class ContextPatternRecognizer(PatternRecognizer):
    """A pattern recognizer whose matches count only with a context word nearby (e.g. 'passport')."""

    def __init__(self, *args, required_context: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.required_context = required_context

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None, regex_flags=None) -> list[RecognizerResult]:
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        return [r for r in results if has_context(text, r.start, r.end, self.required_context)]


class PhoneNumberRecognizer(PhoneRecognizer):
    """Presidio's `phonenumbers` recognizer; a number not written like one ("+…", "(…)", "010-6234 5678") counts only
    near a phone word ("call", "电话"), so order numbers and build numbers ("10.0.19041.84") are left alone."""

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        results = super().analyze(text, entities, nlp_artifacts)
        results = [r for r in results if _PHONE_LIKE.match(text[r.start : r.end]) or _bare_phone(text, r.start, r.end)]
        return [r for r in results if plausible_phone(text, r.start, r.end)]


def _bare_phone(text: str, start: int, end: int) -> bool:
    """A digit run without phone formatting is a phone only near a phone word and not right after an id word."""
    return has_context(text, start, end, PHONE_CONTEXT) and not _ID_BEFORE.search(text[max(0, start - 24) : start])


class PhoneShapeRecognizer(PatternRecognizer):
    """Numbers written like phones (NANP, "+country …", Chinese landlines), allocated or not: 8 to 15 digits."""

    def validate_result(self, pattern_text: str) -> bool:
        return 8 <= sum(ch.isdigit() for ch in pattern_text) <= 15

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None, regex_flags=None) -> list[RecognizerResult]:
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        return [r for r in results if plausible_phone(text, r.start, r.end)]


@lru_cache(maxsize=1)
def _suffixes() -> tldextract.TLDExtract:
    """tldextract with its bundled public-suffix snapshot only (the default fetches a fresh list over HTTP)."""
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def pattern_recognizers() -> list[EntityRecognizer]:
    """Every recognizer of structured PII, each reporting one of our type names."""
    from tunesmith.data.pii.names_zh import chinese_name_recognizer

    return [
        OfflineEmailRecognizer(patterns=[Pattern("email", EMAIL, 0.6)], supported_entity="EMAIL"),
        IpRecognizer(patterns=[Pattern("IPv4", IPV4, 0.6), Pattern("IPv6", _ipv6(), 0.6)], supported_entity="IP"),
        UrlRecognizer(patterns=[Pattern("url", URL, 0.6)], supported_entity="URL"),
        BareUrlRecognizer(patterns=[Pattern("host/path", BARE_URL, 0.5)], supported_entity="URL", name="BareUrl"),
        CardRecognizer(patterns=[Pattern("card 15-19 digits", CARD, 0.5)], supported_entity="CARD"),
        ChineseIdRecognizer("CN_ID", name="ChineseIdRecognizer", patterns=[Pattern("cn id", CN_ID, 0.5)]),
        PatternRecognizer("PHONE", name="ChineseMobileRecognizer", patterns=[Pattern("cn mobile", CN_MOBILE, 0.7)]),
        PhoneNumberRecognizer(supported_entity="PHONE", supported_regions=("US", "GB", "CN")),
        PhoneShapeRecognizer(
            "PHONE",
            name="PhoneShapeRecognizer",
            patterns=[
                Pattern("nanp", NANP, 0.6),
                Pattern("+country", INTERNATIONAL, 0.6),
                Pattern("cn landline", CN_LANDLINE, 0.6),
                Pattern("3-3-4, any area code", NANP_ANY, 0.5),
                Pattern("(area) number", BRACKETED, 0.5),
                Pattern("0 trunk national", TRUNK, 0.5),
                Pattern("Indian mobile 5+5", INDIAN, 0.5),
            ],
        ),
        PatternRecognizer(
            "PASSPORT",
            name="ChinesePassportRecognizer",
            patterns=[Pattern("cn passport", CN_PASSPORT, 0.6)],
            global_regex_flags=CASE_SENSITIVE,
        ),
        ContextPatternRecognizer(
            "PASSPORT",
            name="PassportRecognizer",
            patterns=[Pattern("passport near 'passport'", PASSPORT_WITH_CONTEXT, 0.5)],
            global_regex_flags=CASE_SENSITIVE,
            required_context=PASSPORT_CONTEXT,
        ),
        chinese_name_recognizer(),
    ]


def _ipv6() -> str:
    """Presidio's IPv6 pattern with its `\\w` look-arounds narrowed to ASCII (so it also ends next to Chinese), and
    allowed right after "IP" as IPv4 is ("登录IP2001:db8::1")."""
    regex = next(p.regex for p in IpRecognizer.PATTERNS if p.name == "IPv6")
    return regex.replace(r"(?<![\w:])", r"(?:(?<=IP)|(?<![0-9A-Za-z:]))").replace(r"(?![\w:]", r"(?![0-9A-Za-z:]")
