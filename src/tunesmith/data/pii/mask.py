"""Replace found personal data: a typed placeholder (mask), nothing (redact) or a salted hash token (hash).

Redact removes the span and leaves no marker (an empty string): use mask to keep a trace of what was there. Hash
writes `<TYPE:12 hex>`, the start of HMAC-SHA256(salt, value): the same value under the same salt gives the same
token, so joins and counts across records survive while the value does not. Values are compared in a canonical form
(digits only for numbers, without a +86 prefix for phones; lower case for emails, URLs and names), so "138 1234 5678"
and "+86 13812345678" hash alike.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Literal

from tunesmith.data.pii.finding import Finding

Mode = Literal["mask", "redact", "hash"]
HASH_CHARS = 12  # 48 bits: collisions are negligible at dataset scale, and the token stays short
_NOT_DIGIT = re.compile(r"[^0-9X]")


def replace(text: str, findings: list[Finding], mode: Mode = "mask", salt: str | None = None) -> str:
    """`text` with every finding (sorted, non-overlapping, as `find_pii` returns them) replaced per `mode`."""
    pieces, cut = [], 0
    for finding in findings:
        pieces += [text[cut : finding.start], token(finding, mode, salt)]
        cut = finding.end
    return "".join(pieces) + text[cut:]


def token(finding: Finding, mode: Mode = "mask", salt: str | None = None) -> str:
    """What replaces one finding: `<TYPE>`, '' or `<TYPE:hash>`."""
    if mode == "mask":
        return f"<{finding.type}>"
    if mode == "redact":
        return ""
    if not salt:
        raise ValueError("hash mode needs a salt")
    digest = hmac.new(salt.encode(), canonical(finding).encode(), hashlib.sha256).hexdigest()
    return f"<{finding.type}:{digest[:HASH_CHARS]}>"


def salt_id(salt: str) -> str:
    """A keyed hash standing for the salt where something must change with it (a cache fingerprint): HMAC-SHA256
    keyed by the salt over a fixed label. It tells salts apart without holding or revealing one."""
    return hmac.new(salt.encode(), b"tunesmith pii salt id", hashlib.sha256).hexdigest()


def canonical(finding: Finding) -> str:
    """The finding's value in a form where formatting differences vanish."""
    value = finding.text.strip()
    if finding.type in ("PHONE", "CARD", "CN_ID"):
        value = _NOT_DIGIT.sub("", value.upper())
        if finding.type == "PHONE" and len(value) in (13, 15) and value.startswith(("86", "0086")):
            value = value[-11:]
        return value
    if finding.type in ("EMAIL", "URL", "PERSON"):
        return " ".join(value.casefold().split())
    return value
