"""A Presidio recognizer over a plain function of the text: the name rules are functions, Presidio wants classes."""

from __future__ import annotations

from collections.abc import Callable

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts


class SpanRecognizer(EntityRecognizer):
    """PERSON at each (start, end) that `find` returns, with `score`; a subclass sets both, and its class name is
    the recognizer's name (what Presidio keeps with each result)."""

    find: Callable[[str], list[tuple[int, int]]]
    score: float

    def __init__(self) -> None:
        super().__init__(supported_entities=["PERSON"], name=type(self).__name__, supported_language="en")

    def load(self) -> None:
        """Nothing to load up front: lists and taggers load on first use."""

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None) -> list:
        """The names in `text` as Presidio results."""
        meta = {RecognizerResult.RECOGNIZER_NAME_KEY: self.name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id}
        return [RecognizerResult("PERSON", start, end, self.score, dict(meta)) for start, end in type(self).find(text)]
