"""`run_arena`: every arm answers the task (or is read from its cache), then scores, cost, judge and verdict.

Each arm's answers are cached in `<output>/arms/<name>.json` under a fingerprint of everything they depend on
(the arm's settings, the eval file, the generation settings, the model or run, the index build), so adding an
arm does not answer again with the others, and a crash loses at most the arm that was answering. An arm that
fails (an endpoint that is down) is reported as failed; the others still finish.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tunesmith.arena.answer import Answers, answer_by_endpoint, answer_locally
from tunesmith.arena.arms import ensure_trained, prepare
from tunesmith.arena.config import ArenaConfig, FewShotArm, FineTunedArm, OptimizedPromptArm, TeacherArm
from tunesmith.arena.task import Examples, file_digest, read_examples
from tunesmith.atomic import write_text
from tunesmith.errors import InputError
from tunesmith.progress import SILENT, Progress

CACHE_VERSION = 1


def run_arena(cfg: ArenaConfig, out: Path, progress: Progress = SILENT) -> dict:
    """Answer with every arm (reusing cached answers), score, price, judge, recommend; write the report."""
    from tunesmith.arena.report import build_report, write_report

    test = read_examples(cfg.task.eval, cfg.task.by, cfg.task.limit)
    if not len(test):
        raise InputError(str(cfg.task.eval), "the eval file has no records; expected chat records to answer")
    check_arms(cfg)
    index = knowledge_index(cfg, progress)
    answered = {}
    models = _ModelCache()
    for arm in cfg.arms:
        answered[arm.name] = answer_arm(arm, cfg, test, index, out, models, progress)
    models.clear()
    judged, judge_error = judge_arms(cfg, test, answered, out, progress) if cfg.judge else ({}, None)
    report = build_report(cfg, test, answered, judged, judge_error)
    write_report(report, test, out)
    return report


def check_arms(cfg: ArenaConfig) -> None:
    """Fail before answering anything when an arm's model, run or recipe cannot be found, or a key is unset."""
    import os

    from tunesmith.models.loading import source_for

    for arm in cfg.arms:
        where = f"arms.{arm.name}"
        if isinstance(arm, TeacherArm):
            if arm.api_key_env and not os.environ.get(arm.api_key_env):
                raise InputError(f"{where}.api_key_env", f"environment variable {arm.api_key_env} is not set")
        elif isinstance(arm, FineTunedArm):
            if arm.recipe is not None and not arm.recipe.is_file():
                raise InputError(f"{where}.recipe", f"recipe {arm.recipe} not found")
            if arm.recipe is None and not arm.run.exists():
                raise InputError(f"{where}.run", f"{arm.run} not found; give its recipe to train it first")
        else:
            try:
                source_for(arm.model)
            except InputError as exc:
                raise InputError(f"{where}.model", exc.message) from None


def knowledge_index(cfg: ArenaConfig, progress: Progress) -> Path | None:
    """The task's index, built or brought up to date (only changed documents are embedded again)."""
    if cfg.task.knowledge is None:
        return None
    from tunesmith.rag.build import build_index
    from tunesmith.rag.config import index_folder, load_rag_config

    settings, base = load_rag_config(cfg.task.knowledge)
    folder = index_folder(settings, cfg.task.knowledge)
    build_index(settings, base, folder, progress)
    return folder


def answer_arm(arm, cfg: ArenaConfig, test: Examples, index: Path | None, out: Path, models, progress) -> dict:
    """The arm's cached record when its fingerprint still matches, else a fresh one (saved unless it failed)."""
    cache = out / "arms" / f"{arm.name}.json"
    try:
        arm = ensure_trained(arm, progress) if isinstance(arm, FineTunedArm) else arm
    except InputError as exc:
        return _failed(arm, exc, progress)
    fingerprint = arm_fingerprint(arm, cfg, index)
    if cache.is_file():
        saved = json.loads(cache.read_text(encoding="utf-8"))
        if saved.get("fingerprint") == fingerprint and saved.get("status") == "ok":
            progress.note(f"{arm.name}: answers reused from {cache}")
            return saved
    progress.note(f"{arm.name}: answering {len(test)} questions")
    record = {"name": arm.name, "kind": arm.kind, "fingerprint": fingerprint, "settings": _public(arm)}
    try:
        prepared = prepare(arm, cfg, test, index, models.get, progress)
        answers = _answer(arm, cfg, prepared, models, progress)
    except InputError as exc:
        return {**record, **_failed(arm, exc, progress)}
    record.update(status="ok", answers=answers.__dict__, details=prepared.details, one_off=prepared.one_off)
    cache.parent.mkdir(parents=True, exist_ok=True)
    write_text(cache, json.dumps(record, ensure_ascii=False, indent=1))
    return record


def _answer(arm, cfg: ArenaConfig, prepared, models, progress) -> Answers:
    task = cfg.task
    if isinstance(arm, TeacherArm):
        import os

        import openai

        key = os.environ.get(arm.api_key_env, "") if arm.api_key_env else "unused"
        client = openai.OpenAI(base_url=arm.base_url, api_key=key, timeout=arm.timeout, max_retries=1)
        name = f"arms.{arm.name} ({arm.model})"
        return answer_by_endpoint(client, arm.model, prepared.conversations, task.max_new_tokens, arm.concurrency, name)
    model, tokenizer = models.get(prepared.source)
    return answer_locally(
        model, tokenizer, prepared.conversations, task.max_new_tokens, task.batch_size, task.latency_requests,
        progress, task=f"{arm.name}: answers",
    )  # fmt: skip


def arm_fingerprint(arm, cfg: ArenaConfig, index: Path | None) -> str:
    """A digest of everything the arm's answers depend on."""
    task = cfg.task
    parts = {
        "version": CACHE_VERSION,
        "arm": arm.model_dump(mode="json"),
        "eval": file_digest(task.eval),
        "limit": task.limit,
        "instructions": task.instructions,
        "generation": [task.max_new_tokens],
    }
    if isinstance(arm, FewShotArm | OptimizedPromptArm):
        parts["train"] = file_digest(task.train) if task.train else None
        parts["dev"] = file_digest(task.dev) if task.dev else task.dev_size
    if isinstance(arm, FineTunedArm):
        summary = Path(arm.run) / "summary.json"
        parts["run"] = file_digest(summary) if summary.is_file() else str(arm.run)
    if arm.kind in ("rag", "fine_tuned_rag") and index is not None:
        parts["index"] = index_content(index)
    return _digest(parts)


def index_content(index: Path) -> dict:
    """What an index holds (documents by digest, chunking, embedding, lexical settings), not when it was built: an
    update that changed nothing keeps the arms' answers."""
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    return {k: manifest[k] for k in ("chunking", "embedding", "lexical", "counts", "documents")}


def judge_arms(
    cfg: ArenaConfig, test: Examples, answered: dict, out: Path, progress: Progress
) -> tuple[dict, str | None]:
    """Every answered arm judged against the reference arm (see eval.judge): ({arm: result}, why the judge could
    not start, or None). A judge that fails on one arm marks that arm's judgement failed."""
    from tunesmith.arena.score import per_example
    from tunesmith.eval.judge import judge_pairs, make_judge, write_judgement

    reference = answered.get(cfg.judge.reference, {})
    if reference.get("status") != "ok":
        return {}, f"reference arm {cfg.judge.reference} has no answers"
    try:
        judge = make_judge(cfg.judge)
    except InputError as exc:
        return {}, f"{exc.where}: {exc.message}"
    questions = test.questions()
    ref_replies = reference["answers"]["replies"]
    ref_scores = per_example(cfg.task, ref_replies, test.references)
    judged = {}
    for name, record in answered.items():
        if name == cfg.judge.reference or record.get("status") != "ok":
            continue
        replies = record["answers"]["replies"]
        folder = out / "judge" / name
        key = _digest([record["fingerprint"], reference["fingerprint"], cfg.judge.model_dump(mode="json")])
        saved = folder / "judge.json"
        if (folder / "key").is_file() and (folder / "key").read_text() == key and saved.is_file():
            judged[name] = {"status": "ok", **json.loads(saved.read_text(encoding="utf-8"))}
            continue
        progress.note(f"judge: {name} against {cfg.judge.reference}")
        try:
            summary, pairs = judge_pairs(
                judge, questions, replies, ref_replies, cfg.judge.prompt,
                per_example(cfg.task, replies, test.references), ref_scores,
            )  # fmt: skip
        except InputError as exc:
            judged[name] = {"status": "failed", "error": f"{exc.where}: {exc.message}"}
            continue
        write_judgement(summary, pairs, folder)
        write_text(folder / "key", key)  # after the verdicts: a crash in between judges again
        judged[name] = {"status": "ok", **summary.__dict__}
    return judged, None


def _digest(parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def _failed(arm, exc: InputError, progress: Progress) -> dict:
    """The record of an arm that could not answer (not cached: the next run tries again)."""
    progress.note(f"{arm.name}: failed: {exc.message}")
    return {"name": arm.name, "kind": arm.kind, "status": "failed", "error": f"{exc.where}: {exc.message}"}


def _public(arm) -> dict:
    """The arm's settings as the report shows them (no key values: only the name of the variable holding one)."""
    return arm.model_dump(mode="json", exclude_none=True)


def merged(model):
    """A LoRA-family adapter merged into its base, as it would be served (same answers, no adapter overhead in
    the measured speed); other models as they are."""
    from peft import PeftModel
    from peft.tuners.tuners_utils import BaseTuner

    if isinstance(model, PeftModel) and isinstance(model.base_model, BaseTuner):
        return model.merge_and_unload()
    return model


class _ModelCache:
    """One loaded model at a time: arms on the same base model share it."""

    def __init__(self):
        self.source, self.loaded = None, None

    def get(self, source):
        from tunesmith.models.loading import load_for_inference

        if source != self.source:
            self.loaded = None  # free the previous model before loading the next
            model, tokenizer = load_for_inference(source)
            self.loaded, self.source = (merged(model), tokenizer), source
        return self.loaded

    def clear(self) -> None:
        self.source, self.loaded = None, None
