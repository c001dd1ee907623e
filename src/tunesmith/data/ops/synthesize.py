"""synthesize: a teacher model writes new chat records, as Q&A pairs from text chunks or by self-instruct from seeds.

- `mode: qa` asks the teacher, for every `text` record (a document chunk), for `pairs_per_chunk` question/answer
  pairs as a JSON array; each pair becomes a chat record and the text record is replaced by them. Replies that hold
  no usable pair are counted as malformed (with examples in the report) and skipped.
- `mode: self_instruct` (Wang et al., 2023) shows the teacher `seeds_per_prompt` user prompts of the dataset's chat
  records and asks for `new_per_prompt` new instructions, in rounds, until `target` are found or `max_rounds` pass.
  A candidate is kept only when its ROUGE-L F1 against every instruction so far (seeds and kept ones) is below
  `novelty` (CJK text compared character by character); the teacher then answers each kept instruction.

Records carry `teacher` (its name, never its key), `prompt` ({template, sha256} of the prompt template; the report
holds the template text) and `synthesized` (the mode) in their meta; Q&A records keep their chunk's meta too.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from functools import lru_cache
from typing import Literal

from datasets import Dataset, Features, Value
from pydantic import Field, model_validator

from tunesmith.data.ops import EXAMPLES, OpContext, OpResult
from tunesmith.data.records import dump_meta, get_meta, to_output
from tunesmith.data.teacher import Teacher, TeacherConfig, make_teacher
from tunesmith.errors import InputError
from tunesmith.schema import Strict

QA_PROMPT = """Write {n} question-and-answer pairs for training an assistant on the text below.
Each question must be answerable from the text alone, and each answer must be complete and correct according to it.
Vary the questions (facts, reasons, steps, comparisons) and write them in the language of the text.
Reply with only a JSON array: [{"question": "...", "answer": "..."}, ...]

Text:
\"\"\"
{text}
\"\"\""""

SELF_INSTRUCT_PROMPT = """Here are tasks that users gave an assistant:
{examples}

Write {n} new tasks of the same kind. Each must be different from the tasks above and from each other, varied in
topic and form, and complete on its own. Write them in the language of the examples.
Reply with only a JSON array of strings: ["...", ...]"""

PLACEHOLDERS = {"qa": ("{text}", "{n}"), "self_instruct": ("{examples}", "{n}")}
BATCH = 32  # prompts sent to the teacher between progress updates
_FENCE = re.compile(r"```[A-Za-z0-9_-]*")


class Config(Strict):
    teacher: TeacherConfig
    mode: Literal["qa", "self_instruct"] = "qa"
    prompt: str | None = None  # template override: {text} and {n} (qa), {examples} and {n} (self_instruct)
    pairs_per_chunk: int = Field(3, ge=1, le=50)  # qa: pairs asked for per text record
    seeds_per_prompt: int = Field(3, ge=1)  # self_instruct: example instructions shown per request
    new_per_prompt: int = Field(5, ge=1, le=50)  # self_instruct: new instructions asked for per request
    target: int = Field(50, ge=1)  # self_instruct: new instructions wanted
    novelty: float = Field(0.7, gt=0.0, le=1.0)  # self_instruct: keep a candidate only below this ROUGE-L F1
    max_rounds: int = Field(10, ge=1)  # self_instruct: rounds of requests before giving up on `target`
    keep_seeds: bool = True  # self_instruct: output the input records too (else only the new ones)

    @model_validator(mode="after")
    def _template_fits_mode(self) -> Config:
        missing = [p for p in PLACEHOLDERS[self.mode] if self.prompt is not None and p not in self.prompt]
        if missing:
            raise ValueError(f"prompt for mode {self.mode!r} lacks {' and '.join(missing)}; expected both placeholders")
        return self


def run(dataset: Dataset, cfg: Config, ctx: OpContext) -> OpResult:
    """Q&A records from text records, or new instructions with answers from the chat records' prompts."""
    teacher = make_teacher(cfg.teacher)
    template = cfg.prompt or (QA_PROMPT if cfg.mode == "qa" else SELF_INSTRUCT_PROMPT)
    prompt_meta = {"template": cfg.mode if cfg.prompt is None else "custom", "sha256": _sha(template)}
    tag = {"teacher": teacher.name, "prompt": prompt_meta, "synthesized": cfg.mode}
    synthesize = _qa if cfg.mode == "qa" else _self_instruct
    result = synthesize(dataset, cfg, ctx, teacher, template, tag)
    result.stats["teacher"] = teacher.name
    result.stats["prompt"] = {**prompt_meta, "text": template}
    return result


def _qa(dataset: Dataset, cfg: Config, ctx: OpContext, teacher: Teacher, template: str, tag: dict) -> OpResult:
    """Every text record replaced by the Q&A pairs the teacher wrote from it; other records kept."""
    column = dataset["text"] if "text" in dataset.column_names else [None] * len(dataset)
    at = [i for i, text in enumerate(column) if isinstance(text, str)]
    if not at:
        raise InputError("synthesize", "mode 'qa' needs text records (documents or chunks); the dataset has none")
    prompts = [_fill(template, text=column[i], n=str(cfg.pairs_per_chunk)) for i in at]
    replies = _ask(teacher, prompts, ctx, "synthesize qa")
    rows, malformed = [], []
    for i, reply in zip(at, replies, strict=True):
        pairs = parse_pairs(reply)[: cfg.pairs_per_chunk]
        if not pairs:
            malformed.append({"reply": reply[:1000], "meta": get_meta(dataset[i])})
        meta = dump_meta({**get_meta(dataset[i]), **tag})
        rows += [_chat(question, answer, meta) for question, answer in pairs]
    kept = set(range(len(dataset))) - set(at)
    result = _combine(dataset.select(sorted(kept)), rows, dataset)
    reason = "source text (turned into Q&A)"
    result.removed = {reason: len(at)}
    result.examples = {
        "added": [to_output(row) for row in rows[:EXAMPLES]],
        f"removed: {reason}": [to_output(dataset[i]) for i in at[:EXAMPLES]],
    }
    if malformed:
        result.examples["malformed replies"] = malformed[:EXAMPLES]
    result.stats.update(requests=len(prompts), malformed=len(malformed), records_added=len(rows))
    return result


def _self_instruct(
    dataset: Dataset, cfg: Config, ctx: OpContext, teacher: Teacher, template: str, tag: dict
) -> OpResult:
    """New instructions, novel by ROUGE-L against all so far, answered by the teacher; seeds kept or not."""
    seeds = [p for p in (_user_prompt(record) for record in dataset) if p]
    if not seeds:
        raise InputError("synthesize", "mode 'self_instruct' needs chat records with user prompts as seeds; found none")
    new, stats, rejected = _new_instructions(seeds, cfg, ctx, teacher, template)
    answers = _ask(teacher, new, ctx, "synthesize answers")
    meta = dump_meta(tag)
    rows = [_chat(instruction, answer.strip(), meta) for instruction, answer in zip(new, answers) if answer.strip()]
    result = _combine(dataset if cfg.keep_seeds else dataset.select([]), rows, dataset)
    result.examples["added"] = [to_output(row) for row in rows[:EXAMPLES]]
    if rejected:
        result.examples[f"rejected: ROUGE-L ≥ {cfg.novelty:g}"] = rejected
    if not cfg.keep_seeds:
        result.removed = {"seed (keep_seeds: false)": len(dataset)}
    stats["requests"] += len(new)
    result.stats.update(stats, empty_answers=len(new) - len(rows), records_added=len(rows), target=cfg.target)
    return result


def _new_instructions(
    seeds: list[str], cfg: Config, ctx: OpContext, teacher: Teacher, template: str
) -> tuple[list[str], dict, list[dict]]:
    """Up to `target` new instructions found in rounds of requests, their counts, and examples of rejections."""
    rng = random.Random(ctx.seed)
    pool = list(dict.fromkeys(seeds))  # every instruction so far: a candidate must differ from all of them
    new: list[str] = []
    stats = {"requests": 0, "rounds": 0, "malformed": 0, "rejected_by_novelty": 0}
    rejected: list[dict] = []
    while len(new) < cfg.target and stats["rounds"] < cfg.max_rounds:
        stats["rounds"] += 1
        wanted = -(-(cfg.target - len(new)) // cfg.new_per_prompt)  # requests, rounding up
        examples = (rng.sample(pool, min(cfg.seeds_per_prompt, len(pool))) for _ in range(wanted))
        prompts = [_fill(template, examples=_numbered(shown), n=str(cfg.new_per_prompt)) for shown in examples]
        stats["requests"] += len(prompts)
        for reply in _ask(teacher, prompts, ctx, f"synthesize self_instruct round {stats['rounds']}"):
            candidates = parse_instructions(reply)
            stats["malformed"] += not candidates
            for candidate in candidates:
                if len(new) == cfg.target:
                    break
                closest, score = most_similar(candidate, pool)
                if score < cfg.novelty:
                    pool.append(candidate)
                    new.append(candidate)
                    continue
                stats["rejected_by_novelty"] += 1
                if len(rejected) < EXAMPLES:
                    rejected.append({"candidate": candidate, "closest": closest, "rouge_l": round(score, 2)})
    return new, stats, rejected


def parse_pairs(reply: str) -> list[tuple[str, str]]:
    """The (question, answer) pairs in a reply's JSON; items without both as non-empty strings are skipped."""
    pairs = []
    for item in _json_list(reply):
        if isinstance(item, dict):
            fields = {str(k).lower(): v for k, v in item.items()}
            question, answer = fields.get("question"), fields.get("answer")
            if isinstance(question, str) and isinstance(answer, str) and question.strip() and answer.strip():
                pairs.append((question.strip(), answer.strip()))
    return pairs


def parse_instructions(reply: str) -> list[str]:
    """The non-empty instruction strings in a reply's JSON array (items may be {"instruction": ...} objects)."""
    found = []
    for item in _json_list(reply):
        if isinstance(item, dict):
            item = item.get("instruction") or item.get("task")
        if isinstance(item, str) and item.strip():
            found.append(item.strip())
    return found


def most_similar(candidate: str, pool: list[str]) -> tuple[str, float]:
    """The instruction in `pool` closest to `candidate` by ROUGE-L F1, and that score (0.0 for an empty pool)."""
    scorer = _scorer()
    scored = ((other, scorer.score(other, candidate)["rougeL"].fmeasure) for other in pool)
    return max(scored, key=lambda pair: pair[1], default=("", 0.0))


def _json_list(reply: str) -> list:
    """The first JSON array in a reply, ignoring ``` fences and text around it; an object's list value, or [obj]."""
    text = _FENCE.sub(" ", reply)
    decoder = json.JSONDecoder()
    for match in re.finditer(r"[\[{]", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except json.JSONDecodeError:
            continue
        if isinstance(value, list):
            return value
        if isinstance(value, dict):
            lists = [v for v in value.values() if isinstance(v, list)]
            return lists[0] if lists else [value]
    return []


def _ask(teacher: Teacher, prompts: list, ctx: OpContext, task: str) -> list[str]:
    """The teacher's replies, sent in batches so progress moves."""
    replies: list[str] = []
    ctx.progress.start(task, len(prompts))
    for start in range(0, len(prompts), BATCH):
        replies += teacher.complete(prompts[start : start + BATCH])
        ctx.progress.update(task, len(replies))
    ctx.progress.finish(task)
    return replies


def _fill(template: str, **values: str) -> str:
    """`template` with each {name} replaced literally (other braces, as in JSON examples, stay)."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


def _numbered(instructions: list[str]) -> str:
    return "\n".join(f"{i}. {text}" for i, text in enumerate(instructions, start=1))


def _user_prompt(record: dict) -> str:
    """The first user turn of a chat record ('' for other records)."""
    turns = record.get("messages") or []
    return next((t.get("content") or "" for t in turns if isinstance(t, dict) and t.get("role") == "user"), "").strip()


def _chat(question: str, answer: str, meta: str) -> dict:
    return {"messages": [{"role": "user", "content": question}, {"role": "assistant", "content": answer}], "meta": meta}


def _combine(base: Dataset, rows: list[dict], like: Dataset) -> OpResult:
    """`base` followed by the new chat `rows`, whose columns take the input's types."""
    from tunesmith.data.sources import CHAT, combine

    turns = like.features.get("messages", CHAT["messages"])
    columns = {"messages": [row["messages"] for row in rows], "meta": [row["meta"] for row in rows]}
    added = Dataset.from_dict(columns, features=Features({"messages": turns, "meta": Value("string")}))
    dataset = combine([base, added]) if len(base) else added
    return OpResult(dataset, added=len(rows))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


@lru_cache(maxsize=1)
def _scorer():
    """rouge-score's ROUGE-L with the CJK-aware tokenizer the eval metrics use."""
    from rouge_score import rouge_scorer

    from tunesmith.data.text import CjkTokenizer

    return rouge_scorer.RougeScorer(["rougeL"], tokenizer=CjkTokenizer())
