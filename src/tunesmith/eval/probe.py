"""The forgetting probe: general instruction-following prompts whose constraints a program can check.

The prompts (`probes/instruction_following.jsonl`, written by `python -m tunesmith.eval.probes.build`) are everyday
requests in English and Chinese with IFEval's verifiable constraints (N bullets, a title in <<>>, JSON, an exact
ending, lowercase …); IFEval's own checkers, from the `if-verifiable` package, score the replies offline. Scored
before and after fine-tuning, the drop is the general skill the tuned model lost. A model's replies can be cached
(`cache_key`), so the base model answers once and later evals only generate for the tuned model.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tunesmith.atomic import write_text
from tunesmith.errors import InputError
from tunesmith.progress import SILENT, Progress

PROBE_FILE = Path(__file__).parent / "probes" / "instruction_following.jsonl"
MAX_NEW_TOKENS = 128  # on the 40-prompt probe no score moved when replies were cut to 96 tokens


def load_probe(path: Path = PROBE_FILE) -> list[dict]:
    """The probe items: `key`, `language`, `prompt`, `instruction_id_list` and one `kwargs` mapping per instruction."""
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for n, item in enumerate(items, 1):
        if len(item.get("instruction_id_list", [])) != len(item.get("kwargs", [])) or not item.get("prompt"):
            raise InputError(f"{path}:{n}", "expected prompt, instruction_id_list and one kwargs per instruction")
    return items


def score_probe(items: list[dict], replies: list[str]) -> tuple[dict[str, float], list[dict]]:
    """IFEval's prompt-level and instruction-level strict accuracy, overall and per language (`_en`, `_zh`), and a
    row per item saying what passed."""
    from if_verifiable.common import evaluate_instructions
    from langdetect import DetectorFactory

    DetectorFactory.seed = 0  # langdetect samples at random unless seeded; the score must not vary between runs
    registry = _registry()
    rows = []
    for item, reply in zip(items, replies, strict=True):
        ids = item["instruction_id_list"]
        results, _ = evaluate_instructions(reply, ids, item["kwargs"], item["prompt"], registry)
        ok = [r.strict_pass for r in results] or [False] * len(ids)  # [] for an empty reply
        row = {"prompt": item["prompt"], "prediction": reply, "passed": dict(zip(ids, ok))}
        rows.append(row | ({"language": item["language"]} if "language" in item else {}))
    from tunesmith.eval.intervals import probe_samples, value

    # the scores are defined once, with their intervals (eval/intervals.py); here their value on every row
    metrics = {name.removeprefix("probe/"): value(found) for name, found in probe_samples(rows).items()}
    return metrics, rows


def _registry() -> dict:
    """IFEval's checkers, with the response-language one able to ask for Chinese: IFEval's language list has no
    `zh` (building it raises KeyError) and langdetect names Chinese `zh-cn` or `zh-tw`, never `zh`."""
    import langdetect
    from if_verifiable.ifeval.instructions import ResponseLanguageChecker
    from if_verifiable.ifeval.instructions_registry import INSTRUCTION_DICT

    class ResponseLanguage(ResponseLanguageChecker):
        def build_description(self, *, language=None):
            if language != "zh":
                return super().build_description(language=language)
            self._language = language
            return "Your ENTIRE response should be in Chinese language, no other language is allowed."

        def check_following(self, value):
            if self._language != "zh":
                return super().check_following(value)
            try:
                return langdetect.detect(value).startswith("zh")
            except langdetect.LangDetectException:
                return True  # as IFEval: text with no detectable language counts as followed

    return {**INSTRUCTION_DICT, "language:response_language": ResponseLanguage}


def probe_size(limit: int | None, probe_limit: int | None) -> int | None:
    """Probe prompts an eval scores: the fewer of its `limit` (which caps the probe too) and `probe_limit`; None:
    all."""
    caps = [n for n in (limit, probe_limit) if n is not None]
    return min(caps) if caps else None


def run_probe(
    model,
    tokenizer,
    batch_size: int = 16,
    progress: Progress = SILENT,
    limit: int | None = None,
    label: str = "",
    *,
    cache_key: str | None = None,
    cache_dir: Path | None = None,
) -> tuple[dict[str, float], list]:
    """Generate greedy replies to every probe prompt (the first `limit`, as eval's --limit; no system prompt) and
    score them; `label` names the model on the progress bar. With `cache_key` (what identifies the weights, e.g.
    `model_cache_key(source)`), replies are read from and added to a cache file in `cache_dir` (default
    $TUNESMITH_HOME/probe), so only prompts this model has not answered yet are generated."""
    items = load_probe()[:limit] if limit else load_probe()
    cache = None if cache_key is None else _cache_file(cache_key, model, tokenizer, cache_dir)
    known = _read_cache(cache)
    todo = [item for item in items if str(item["key"]) not in known]
    if todo:
        from tunesmith.models.generate import generate

        def keep(batch: dict[int, str]) -> None:  # cached batch by batch: a long probe resumes after a crash
            known.update({str(todo[i]["key"]): reply for i, reply in batch.items()})
            if cache is not None:
                write_text(cache, json.dumps({"cache_key": cache_key, "replies": known}, ensure_ascii=False))

        conversations = [[{"role": "user", "content": item["prompt"]}] for item in todo]
        task = f"{label}: probe replies" if label else "probe replies"
        generate(
            model, tokenizer, conversations, MAX_NEW_TOKENS, batch_size, progress=progress, task=task, on_batch=keep
        )
    elif cache is not None:
        progress.note(f"{label or 'model'}: probe replies from {cache}")
    return score_probe(items, [known[str(item["key"])] for item in items])


def model_cache_key(source) -> str:
    """What a model's replies depend on, for `run_probe(cache_key=…)`: its base folder (or hub id) and, for a PEFT
    run, the adapter folder, each with its weight files' names, sizes and modification times."""
    key = _weights_identity(source.base)
    return key if source.adapter is None else f"{key}+{_weights_identity(str(source.adapter))}"


def _weights_identity(ref: str) -> str:
    folder = Path(ref)
    if not folder.is_dir():
        return ref
    files = sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin"))
    return str(folder.resolve()) + "".join(f"|{f.name}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in files)


def _cache_file(cache_key: str, model, tokenizer, cache_dir: Path | None) -> Path:
    """One file per (weights, dtype and device kind, probe file, reply length, chat template): a change to any of
    them starts afresh."""
    from tunesmith.home import tunesmith_home

    probe = hashlib.sha256(PROBE_FILE.read_bytes()).hexdigest()
    device = getattr(getattr(model, "device", None), "type", None)
    parts = [cache_key, str(getattr(model, "dtype", None)), str(device), probe, str(MAX_NEW_TOKENS)]
    parts.append(str(getattr(tokenizer, "chat_template", None)))
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:20]
    return (cache_dir or tunesmith_home() / "probe") / f"replies-{digest}.json"


def _read_cache(cache: Path | None) -> dict[str, str]:
    """The cached replies by item key ({} when there is no cache, or it cannot be read: it is then rewritten)."""
    if cache is None or not cache.is_file():
        return {}
    try:
        replies = json.loads(cache.read_text(encoding="utf-8"))["replies"]
    except (ValueError, KeyError, TypeError):
        return {}
    return replies if isinstance(replies, dict) else {}
