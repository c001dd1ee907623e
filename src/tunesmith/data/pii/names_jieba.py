"""Chinese person names from jieba's statistical part-of-speech tagger, checked against the surname list.

`jieba.posseg` segments a text with a dictionary and an HMM and tags words; person names get `nr`. The tagger finds
names in contexts no cue list foresees ("魏佳豪 will present …", "这批货是康军签收的"), but it also tags words that
are no names (幼儿园, 阿姨) and sometimes splits a name in two ("范文/nr 静/nr", "姚/nr 国庆/t"). So a tagged word
counts only if it starts with a known surname (`names_zh.SURNAMES`, or a compound one), is two to four Chinese
characters long, is not one of `names_zh.NOT_NAMES`, and is not a surname with a title (方总, 王哥). A surname left
alone (a one-character `nr`, or a compound surname with any tag) takes the next word when that is one or two
characters and a noun-like word; any surname takes a following word tagged as a name, or two characters common
in given names (`names_zh.GIVEN_CHARS`); and a two-character name takes a following one-character `nr`. A
three-character "place" (`ns`) of a surname and two given-name characters is taken as a name too ("梁建国/ns"), and
words ending like a role (申请人, 面试官) are not names. jieba's dictionary tags thousands of words as `nr` that are
ordinary words (阳光, 顾客, 文明, 石家庄, 孔雀开屏) or historical figures: such a dictionary word counts only when it
is rare there (fewer than `RARE` occurrences) and its given name is made of characters common in given names; the
names jieba does not know (most people's) are tagged by its HMM and are not affected. Four characters make a name
only with a compound surname, and a name jieba glued to a linking word that is also a surname (和, 向, 由 …) loses
that word. jieba loads its dictionary on first use (about 1 s) and tags only texts that hold a surname character.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

from tunesmith.data.pii.names_zh import COMPOUND_SURNAMES, GIVEN_CHARS, NOT_NAMES, PLACE_ENDS, SURNAMES
from tunesmith.data.pii.span_recognizer import SpanRecognizer

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_SURNAME_CHAR = re.compile(f"[{SURNAMES}]|" + "|".join(COMPOUND_SURNAMES))
_NOT_NAME = re.compile(f"^(?:{NOT_NAMES})")
# a surname followed by one of these is a way of addressing someone by rank or kinship, not a full name
TITLE_ENDS = "总哥姐工老局董某氏师姨叔婶嫂爷奶妈爸"
LINKS = "和与跟同向对给由被把让"  # surnames too, but mostly words that link a name to the clause ("和龙磊约了")
ROLE_ENDS = "人员者官"  # 申请人, 值班员: roles, which jieba sometimes tags as names
RARE = 100  # dictionary words at least this frequent are words, whatever jieba tags them
FUNCTION_FLAGS = ("x", "u", "uj", "ul", "uz", "ud", "ug", "uv", "p", "c", "r", "m", "q", "y", "f", "e", "o", "eng")
NOUNISH = ("n", "nz", "t", "a", "ag", "ng", "j", "vn", "an", "ns", "s", "b", "i", "z", "e")


@lru_cache(maxsize=1)
def _tagger() -> Any:
    """jieba's part-of-speech tagger, its dictionary loaded once and quietly."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.posseg.dt


def tag(text: str) -> list[tuple[str, str, int]]:
    """jieba's (word, flag, start) for each word of `text`."""
    words, at = [], 0
    for pair in _tagger().cut(text):
        words.append((pair.word, pair.flag, at))
        at += len(pair.word)
    return words


def is_surname_led(word: str) -> bool:
    """Whether `word` is 2–4 Chinese characters, begins with a known surname and is no common word or title form."""
    if not 2 <= len(word) <= 4 or _HAN.fullmatch(word) is None or _NOT_NAME.match(word):
        return False
    compound = word[:2] in COMPOUND_SURNAMES
    if not compound and (word[0] not in SURNAMES or len(word) == 4):  # four characters: 欧阳国庆, not 孔雀开屏
        return False
    rest = word[2:] if compound else word[1:]
    return bool(rest) and rest[0] not in TITLE_ENDS and rest[-1] not in TITLE_ENDS + PLACE_ENDS + ROLE_ENDS


def names_in(text: str) -> list[tuple[int, int]]:
    """The (start, end) spans of the Chinese names jieba tags in `text`, checked as this module says."""
    if not _SURNAME_CHAR.search(text):
        return []
    words = tag(text)
    spans = []
    i = 0
    while i < len(words):
        word, flag, start = words[i]
        following = words[i + 1] if i + 1 < len(words) else ("", "x", 0)
        if _splits_name(word, flag, *following[:2]) and is_surname_led(word + following[0]):
            spans.append((start, start + len(word) + len(following[0])))
            i += 2
            continue
        if word[:1] in LINKS and len(word) >= 3 and is_surname_led(word[1:]):  # "和龙磊/nr": 和 + 龙磊
            word, start = word[1:], start + 1
        if _tagged_name(word, flag) and is_surname_led(word):
            end = start + len(word)
            if len(word) == 2 and following[1] in ("nr", "nrt") and len(following[0]) == 1:
                end += 1  # "范文/nr 静/nr"
            spans.append((start, end))
        i += 1
    return spans


def _splits_name(word: str, flag: str, after: str, after_flag: str) -> bool:
    """Whether jieba cut a name after its surname: a surname it tags as a name, or any surname followed by a word
    it tags as a name (and not a common word), or by two characters common in given names ("许/m 淑芬/nrt",
    "董/n 晨曦/n") unless the surname is used as a conjunction or preposition ("质量和/c 安全")."""
    if not (word in SURNAMES or word in COMPOUND_SURNAMES) or not 1 <= len(after) <= 2:
        return False
    if after_flag in ("nr", "nrt", "nrfg") and _unknown_or_namelike(after, after):
        return True
    if (flag == "nr" or word in COMPOUND_SURNAMES) and after_flag in NOUNISH:
        return True
    given = len(after) == 2 and all(c in GIVEN_CHARS for c in after) and not _NOT_NAME.match(after)
    return given and flag not in ("c", "p") and after_flag not in FUNCTION_FLAGS


def _tagged_name(word: str, flag: str) -> bool:
    """Whether jieba tags `word` as a person (nr, nrt, nrfg), or as a place but made of a surname and two
    characters common in given names ("梁建国/ns")."""
    if flag == "ns":
        return len(word) == 3 and all(c in GIVEN_CHARS for c in word[1:])
    given = word[2:] if word[:2] in COMPOUND_SURNAMES else word[1:]
    return flag in ("nr", "nrt", "nrfg") and _unknown_or_namelike(word, given)


def _unknown_or_namelike(word: str, given: str) -> bool:
    """Whether `word` is not in jieba's dictionary (names seldom are), or is rare there and its `given` part is
    made of characters common in given names: the dictionary tags 阳光, 顾客, 文明, 石家庄 and 比特 as names."""
    if word not in _tagger().word_tag_tab:
        return True
    return _frequency(word) < RARE and all(c in GIVEN_CHARS for c in given)


def _frequency(word: str) -> int:
    """How often `word` occurs in the corpus jieba's dictionary was counted from."""
    return _tagger().tokenizer.FREQ.get(word, 0)


class JiebaNameRecognizer(SpanRecognizer):
    """PERSON in Chinese text: words jieba tags as person names that start with a known surname."""

    find = staticmethod(names_in)
    score = 0.5
