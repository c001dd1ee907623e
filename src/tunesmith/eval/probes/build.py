"""Build the forgetting probe: everyday requests × IFEval's checkable constraints, in English and Chinese.

Deterministic (seeded by item), so `python -m tunesmith.eval.probes.build` rewrites the shipped file byte for byte.
Each template says what to ask in both languages and how a reply that follows it (and one that does not) looks;
the tests score those replies with IFEval's checkers for every shipped item. Chinese items use only checkers that
read Chinese text correctly: not lowercase/capitals, commas (they miss "，"), word or sentence counts (they split
on spaces and English punctuation) or forbidden words (they need `\\b`, which Chinese characters do not give).
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tunesmith.atomic import write_text
from tunesmith.eval.probes.topics import END_PHRASES, FILLER, QUESTIONS, TASKS, WORDS

OUT = Path(__file__).parent / "instruction_following.jsonl"
PER_LANGUAGE = 600  # 1,200 items: a 95% interval of ±0.03 or tighter whatever the pass rate
BOTH = ("en", "zh")
TITLE = {"en": "My Answer", "zh": "我的回答"}
OTHER = {"en": "Another answer: ", "zh": "另一个回答："}
MODIFIERS = ("detectable_format:title", "startend:end_checker")  # added to some items as a second instruction
MODIFIER_SHARE = 0.25


@dataclass(frozen=True)
class Template:
    """One IFEval instruction: its kwargs for an item, the sentence asking for it, a reply that follows it (good)
    and one that does not (bad). Every callable takes (kwargs, language); `kwargs` takes (rng, language, task)."""

    instruction_id: str
    languages: tuple[str, ...]
    kwargs: Callable[[random.Random, str, str], dict]
    text: Callable[[dict, str], str]
    good: Callable[[dict, str], str]
    bad: Callable[[dict, str], str]
    modifiable: bool = True  # may a title or an ending be added to it


def _none(rng, lang, task) -> dict:
    return {}


def _say(en: str, zh: str) -> Callable[[dict, str], str]:
    return lambda kw, lang: (en if lang == "en" else zh).format(**kw)


def _f(lang: str) -> str:
    return FILLER[lang]


def _sep(lang: str) -> str:
    return " " if lang == "en" else ""


def _pick(**options: list) -> Callable[[random.Random, str, str], dict]:
    """kwargs drawing each named value from its options."""
    return lambda rng, lang, task: {name: rng.choice(values) for name, values in options.items()}


def _two_words(rng, lang, task) -> dict:
    return {"keywords": rng.sample(WORDS[lang], 2)}


def _bullets(n: int, lang: str) -> str:
    return "\n".join(f"* {_f(lang)}" for _ in range(n))


TEMPLATES = [
    Template(
        "keywords:existence", BOTH, _two_words,
        lambda kw, lang: (
            'Include the words "{}" and "{}" in your reply.' if lang == "en" else "回答中必须包含词语“{}”和“{}”。"
        ).format(*kw["keywords"]),
        lambda kw, lang: _f(lang) + _sep(lang) + _sep(lang).join(kw["keywords"]),
        lambda kw, lang: _f(lang),
    ),
    Template(
        "keywords:frequency", BOTH,
        lambda rng, lang, task: {"keyword": rng.choice(WORDS[lang]), "frequency": rng.choice([2, 3]),
                                 "relation": "at least"},
        _say('Use the word "{keyword}" at least {frequency} times.', "“{keyword}”这个词至少要出现 {frequency} 次。"),
        lambda kw, lang: _f(lang) + (_sep(lang) + kw["keyword"]) * kw["frequency"],
        lambda kw, lang: _f(lang) + _sep(lang) + kw["keyword"],
    ),
    Template(
        "keywords:forbidden_words", ("en",), lambda rng, lang, task: {"forbidden_words": rng.sample(WORDS[lang], 2)},
        lambda kw, lang: 'Do not use the words "{}" or "{}" anywhere in your reply.'.format(*kw["forbidden_words"]),
        lambda kw, lang: _f(lang),
        lambda kw, lang: f"{_f(lang)} {kw['forbidden_words'][0]}",
    ),
    Template(
        "language:response_language", BOTH,
        lambda rng, lang, task: {"language": "zh" if lang == "en" else rng.choice(["zh", "en"])},
        lambda kw, lang: {
            ("en", "zh"): "Your entire reply must be in Chinese; no other language is allowed.",
            ("zh", "zh"): "请全部用中文回答，不要使用其他语言。",
            ("zh", "en"): "请全部用英文回答，不要使用其他语言。",
        }[lang, kw["language"]],
        lambda kw, lang: _f(kw["language"]),
        lambda kw, lang: _f("en" if kw["language"] == "zh" else "zh"),
        modifiable=False,
    ),
    Template(
        "length_constraints:number_paragraphs", BOTH, lambda rng, lang, task: {"num_paragraphs": rng.choice([2, 3, 4])},
        _say(
            "Write exactly {num_paragraphs} paragraphs, separated from each other by the markdown divider ***.",
            "正好写 {num_paragraphs} 段，段与段之间用 markdown 分隔线 *** 隔开。",
        ),
        lambda kw, lang: "\n***\n".join([_f(lang)] * kw["num_paragraphs"]),
        lambda kw, lang: _f(lang),
    ),
    Template(
        "length_constraints:number_words", ("en",),
        lambda rng, lang, task: {"num_words": rng.choice([20, 40, 60]), "relation": "less than"},
        _say("Answer in fewer than {num_words} words.", ""),
        lambda kw, lang: _f(lang),
        lambda kw, lang: " ".join([_f(lang)] * (kw["num_words"] // 10)),
        modifiable=False,
    ),
    Template(
        "detectable_content:number_placeholders", BOTH, _pick(num_placeholders=[1, 2, 3]),
        _say(
            "Include at least {num_placeholders} placeholders in square brackets, such as [name].",
            "回答中至少包含 {num_placeholders} 个用方括号表示的占位符，例如 [姓名]。",
        ),
        lambda kw, lang: _f(lang) + "".join(f" [item {i}]" for i in range(kw["num_placeholders"])),
        lambda kw, lang: _f(lang),
    ),
    Template(
        "detectable_content:postscript", BOTH, _pick(postscript_marker=["P.S.", "P.P.S"]),
        _say(
            "At the end of your reply, add a postscript starting with {postscript_marker}",
            "在回答的最后加一段以 {postscript_marker} 开头的附言。",
        ),
        lambda kw, lang: f"{_f(lang)}\n{kw['postscript_marker']} {_f(lang)}",
        lambda kw, lang: _f(lang),
    ),
    Template(
        "detectable_format:number_bullet_lists", BOTH, _pick(num_bullets=[2, 3, 4, 5]),
        _say(
            "Use exactly {num_bullets} markdown bullet points, like:\n* first point\n* second point",
            "用正好 {num_bullets} 个 markdown 列表项回答，格式如：\n* 第一点\n* 第二点",
        ),
        lambda kw, lang: _bullets(kw["num_bullets"], lang),
        lambda kw, lang: _bullets(kw["num_bullets"] + 1, lang),
    ),
    Template(
        "detectable_format:constrained_response", BOTH, _none,
        _say(
            'Answer with one of the following options: ("My answer is yes.", "My answer is no.", '
            '"My answer is maybe.")',
            "请从以下选项中选一个作答：（“My answer is yes.”、“My answer is no.”、“My answer is maybe.”）",
        ),
        lambda kw, lang: "My answer is yes.",
        lambda kw, lang: _f(lang),
        modifiable=False,
    ),
    Template(
        "detectable_format:number_highlighted_sections", BOTH,
        lambda rng, lang, task: {"num_highlights": rng.choice([1, 2, 3])},
        _say(
            "Highlight at least {num_highlights} sections of your reply with markdown, i.e. *highlighted section*.",
            "用 markdown 至少突出显示 {num_highlights} 处内容，例如 *重点内容*。",
        ),
        lambda kw, lang: _f(lang) + "".join(f" *point {i}*" for i in range(kw["num_highlights"])),
        lambda kw, lang: _f(lang),
    ),
    Template(
        "detectable_format:multiple_sections", BOTH,
        _pick(section_spliter=["Section", "SECTION"], num_sections=[2, 3]),
        _say(
            "Your reply must have {num_sections} sections. Mark the beginning of each section with "
            "{section_spliter} X, such as:\n{section_spliter} 1\n[content of section 1]\n{section_spliter} 2\n"
            "[content of section 2]",
            "回答要分成 {num_sections} 个部分，每部分开头用 {section_spliter} X 标出，例如：\n{section_spliter} 1\n"
            "[第一部分的内容]\n{section_spliter} 2\n[第二部分的内容]",
        ),
        lambda kw, lang: "\n".join(f"{kw['section_spliter']} {i + 1}\n{_f(lang)}" for i in range(kw["num_sections"])),
        lambda kw, lang: _f(lang),
    ),
    Template(
        "detectable_format:json_format", BOTH, _none,
        _say(
            "Wrap your entire reply in JSON format. You can use markdown ticks such as ```.",
            "整个回答必须是 JSON 格式，可以用 markdown 的 ``` 包起来。",
        ),
        lambda kw, lang: json.dumps({"answer": _f(lang)}, ensure_ascii=False),
        lambda kw, lang: _f(lang),
        modifiable=False,
    ),
    Template(
        "detectable_format:title", BOTH, _none,
        _say(
            "Your reply must have a title wrapped in double angular brackets, such as <<poem of joy>>.",
            "回答要有一个用双尖括号括起来的标题，例如 <<快乐之歌>>。",
        ),
        lambda kw, lang: f"<<{TITLE[lang]}>>\n{_f(lang)}",
        lambda kw, lang: _f(lang),
    ),
    Template(
        "combination:two_responses", BOTH, _none,
        _say(
            "Give two different responses, separated by 6 asterisk symbols: ******.",
            "给出两个不同的回答，中间用六个星号 ****** 隔开。",
        ),
        lambda kw, lang: f"{_f(lang)}\n******\n{OTHER[lang]}{_f(lang)}",
        lambda kw, lang: _f(lang),
        modifiable=False,
    ),
    Template(
        "combination:repeat_prompt", BOTH, lambda rng, lang, task: {"prompt_to_repeat": task},
        _say(
            "First repeat the request above word for word without change, then give your answer (do not say "
            "anything before repeating the request; the request to repeat does not include this sentence).",
            "先一字不差地重复上面的请求，然后再回答（重复之前不要说任何话；要重复的请求不包括这句话）。",
        ),
        lambda kw, lang: kw["prompt_to_repeat"] + _sep(lang) + _f(lang),
        lambda kw, lang: _f(lang),
        modifiable=False,
    ),
    Template(
        "startend:end_checker", BOTH, lambda rng, lang, task: {"end_phrase": rng.choice(END_PHRASES[lang])},
        _say(
            'End your reply with the exact phrase "{end_phrase}", with no other words after it.',
            "回答必须以“{end_phrase}”这句话结尾，后面不能再有任何内容。",
        ),
        lambda kw, lang: _f(lang) + _sep(lang) + kw["end_phrase"],
        lambda kw, lang: kw["end_phrase"] + _sep(lang) + _f(lang),
    ),
    Template(
        "change_case:english_lowercase", ("en",), _none,
        _say("Your entire reply must be in English and in lowercase letters; no capital letters are allowed.", ""),
        lambda kw, lang: _f(lang).lower(),
        lambda kw, lang: _f(lang),
        modifiable=False,
    ),
    Template(
        "change_case:english_capital", ("en",), _none,
        _say("Your entire reply must be in English and in capital letters only.", ""),
        lambda kw, lang: _f(lang).upper(),
        lambda kw, lang: _f(lang),
        modifiable=False,
    ),
    Template(
        "punctuation:no_comma", ("en",), _none,
        _say("Do not use any commas in your reply.", ""),
        lambda kw, lang: _f(lang),
        lambda kw, lang: "Yes, " + _f(lang),
    ),
    Template(
        "startend:quotation", BOTH, _none,
        _say(
            "Wrap your entire reply in double quotation marks.",
            '整个回答要用英文双引号 " 包起来（开头和结尾各一个 "）。',
        ),
        lambda kw, lang: f'"{_f(lang)}"',
        lambda kw, lang: _f(lang),
        modifiable=False,
    ),
]  # fmt: skip
BY_ID = {t.instruction_id: t for t in TEMPLATES}


def build_items(per_language: int = PER_LANGUAGE) -> list[dict]:
    """`per_language` items per language, templates in turn over the everyday requests, languages alternating."""
    by_language = {lang: _language_items(lang, per_language) for lang in BOTH}
    items = [by_language[lang][i] for i in range(per_language) for lang in BOTH]
    return [{"key": key, **item} for key, item in enumerate(items)]


def _language_items(lang: str, count: int) -> list[dict]:
    templates = [t for t in TEMPLATES if lang in t.languages]
    items = []
    for i in range(count):
        rng = random.Random(f"{lang}:{i}")
        template = templates[i % len(templates)]
        pool = QUESTIONS[lang] if template.instruction_id.endswith("constrained_response") else TASKS[lang]
        task = pool[(i // len(templates) + 7 * (i % len(templates))) % len(pool)]
        ids, kwargs = [template.instruction_id], [template.kwargs(rng, lang, task)]
        for modifier in MODIFIERS:
            if template.modifiable and modifier not in ids and rng.random() < MODIFIER_SHARE:
                ids.append(modifier)
                kwargs.append(BY_ID[modifier].kwargs(rng, lang, task))
        texts = [BY_ID[i].text(kw, lang) for i, kw in zip(ids, kwargs)]
        items.append({"language": lang, "prompt": _join([task, *texts], lang), "instruction_id_list": ids,
                      "kwargs": kwargs})  # fmt: skip
    random.Random(f"order:{lang}").shuffle(items)
    return items


def _join(parts: list[str], lang: str) -> str:
    """The request and its instructions as one prompt; after an instruction that shows a layout over several
    lines, the next starts on a line of its own."""
    prompt = parts[0]
    for before, part in zip(parts, parts[1:]):
        prompt += ("\n" if "\n" in before else _sep(lang)) + part
    return prompt


def example_reply(item: dict, follows: bool) -> str:
    """A reply to `item` that follows every instruction (`follows`), or one that breaks the first and keeps the
    rest (a title goes first, an ending last): what the tests score to check each item is checkable as meant."""
    lang, (first, *rest) = item["language"], list(zip(item["instruction_id_list"], item["kwargs"]))
    template = BY_ID[first[0]]
    reply = (template.good if follows else template.bad)(first[1], lang)
    for instruction_id, kwargs in rest:
        if instruction_id == "detectable_format:title":
            reply = f"<<{TITLE[lang]}>>\n{reply}"
        elif instruction_id == "startend:end_checker":
            reply = f"{reply}\n{kwargs['end_phrase']}"
    return reply


def main(argv: list[str] | None = None) -> None:
    """Write the probe file (`--per-language N` items in each language; `--out` another path)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-language", type=int, default=PER_LANGUAGE)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    items = build_items(args.per_language)
    write_text(args.out, "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items))


if __name__ == "__main__":
    main()
