"""Find and mask personal data (emails, phones, IPs, URLs, cards, Chinese IDs, passports, names) in EN and ZH text.

`find_pii` returns typed, non-overlapping spans; `replace` masks, redacts or hashes them. Detection runs Presidio's
AnalyzerEngine over pattern recognizers that work inside Chinese text (see `recognizers`), spaCy's English NER, a
given-name list for Latin-script names (`names_gazetteer`), position rules for lone given names (`names_position`),
jieba's tagger for Chinese names (`names_jieba`), and repeated mentions of a found name (`names_coref`).
"""

from tunesmith.data.pii.engine import find_pii, find_pii_many
from tunesmith.data.pii.finding import PLACEHOLDER, STRUCTURED, TYPES, Finding
from tunesmith.data.pii.mask import Mode, replace, token

__all__ = ["PLACEHOLDER", "STRUCTURED", "TYPES", "Finding", "Mode", "find_pii", "find_pii_many", "replace", "token"]
