"""OpenAI's text_similarity grader: how close the rendered `input` is to `reference`, from 0 to 1.

`fuzzy_match`: difflib's `SequenceMatcher.ratio` (rapidfuzz is not a dependency); `bleu`: sacrebleu's sentence BLEU
/ 100 (its Chinese tokenizer when the reference has CJK); `gleu`: NLTK's sentence GLEU; `rouge_1` … `rouge_5`,
`rouge_l`: rouge-score's F-measure. GLEU and ROUGE split words as the eval metrics do (lower case, CJK by
character). `cosine` and `meteor` are refused when the recipe is validated (see `UNSUPPORTED_METRICS`).
"""

from __future__ import annotations

import difflib
from functools import cache

from tunesmith.config.rewards import TextSimilarityConfig as Config
from tunesmith.data.text import CJK_RE, CjkTokenizer
from tunesmith.train.rewards._templates import render, samples, template_columns
from tunesmith.train.rewards.base import RewardKind


def columns(cfg: Config) -> list[str]:
    return template_columns(cfg.input, cfg.reference)


def similarity(text: str, reference: str, metric: str) -> float:
    """`metric` of `text` against `reference`, in [0, 1]."""
    if metric == "fuzzy_match":
        return difflib.SequenceMatcher(None, text, reference, autojunk=False).ratio()
    if metric == "bleu":
        import sacrebleu

        tokenize = "zh" if CJK_RE.search(reference) else "13a"
        return min(1.0, sacrebleu.sentence_bleu(text, [reference], tokenize=tokenize).score / 100)
    if metric == "gleu":
        from nltk.translate.gleu_score import sentence_gleu

        words = CjkTokenizer().tokenize
        return sentence_gleu([words(reference)], words(text)) if words(reference) and words(text) else 0.0
    key = "rougeL" if metric == "rouge_l" else f"rouge{metric[-1]}"
    return float(_rouge(key).score(reference, text)[key].fmeasure)


@cache
def _rouge(key: str):
    """A rouge-score scorer for one ROUGE variant (built once: it is reused for every completion)."""
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer([key], tokenizer=CjkTokenizer())


def build(cfg: Config):
    fields = columns(cfg)

    def text_similarity(prompts, completions, **kwargs) -> list[float]:
        return [
            similarity(render(cfg.input, s), render(cfg.reference, s), cfg.evaluation_metric)
            for s in samples(prompts, completions, fields, kwargs)
        ]

    return text_similarity


REWARD = RewardKind(build=build, columns=columns)
