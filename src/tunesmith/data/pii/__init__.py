"""Find and mask personal data (emails, phones, IPs, URLs, cards, Chinese IDs, passports, names) in EN and ZH text.

`find_pii` returns typed, non-overlapping spans; `replace` masks, redacts or hashes them. Detection runs Presidio's
AnalyzerEngine over pattern recognizers that work inside Chinese text (see `recognizers`) and spaCy's English NER.
"""

from tunesmith.data.pii.engine import find_pii, find_pii_many
from tunesmith.data.pii.finding import PLACEHOLDER, STRUCTURED, TYPES, Finding
from tunesmith.data.pii.mask import Mode, replace, token

__all__ = ["PLACEHOLDER", "STRUCTURED", "TYPES", "Finding", "Mode", "find_pii", "find_pii_many", "replace", "token"]
