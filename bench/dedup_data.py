"""A seeded near-duplicate set with known edits, for measuring near dedup (see bench/dedup_eval.py).

Base texts are English (about 20-200 words) or Chinese (about 20-200 characters) made of templated fact
sentences with random entities, so distinct bases share sentence shapes but not content. Each base gets 0-3 near
copies, each made by one or two kinds of known edit; typo, word and punct edits are made `rate` times per 100
characters of text (at least once):

- typo: replace single characters (a random letter, or a random common Chinese character);
- word: insert or delete words (Chinese: characters), such as "really" / "也";
- punct: punctuation, spacing and case changes (add/remove commas, double spaces, "." → "!", capitals);
- reorder: swap two sentences (texts of one sentence get a punct edit instead);
- suffix: append a short sentence ("Thanks for reading." / "谢谢阅读。").

A share of bases also gets a hard negative: the same sentence templates in the same order with fresh entities
(for half of those with four sentences or more, only in the second half), which is a different text and must
not be grouped with its base. Ground truth: `cluster` (a base and its copies share one; each hard negative is
alone), with `lang`, `role` (base, copy, negative) and `edits` for breakdowns.
"""

from __future__ import annotations

import random
import re


def _words(text: str) -> list[str]:
    return text.split()


EN_FIRST = "Maria James Wei Aisha Lucas Sofia Omar Emma Ivan Chloe Raj Nina Diego Hana Tom Elena Kofi Sara Lars Mei"
EN_LAST = "Silva Smith Chen Khan Martin Rossi Haddad Brown Petrov Dubois Patel Novak Garcia Sato Walker Ivanova Mensah"
CITIES = "Lisbon Denver Osaka Nairobi Lyon Porto Quito Tallinn Perth Bergen Austin Krakow Dakar Hanoi Leeds Bilbao"
COMPANY_A = "Blue North Bright Silver Rapid Green Iron Cedar Golden Clear Swift Summit Harbor Maple Coral Stone"
COMPANY_B = "Labs Systems Foods Motors Works Logistics Media Energy Textiles Robotics Bakery Pharma Studios Farms"
JOBS = "baker nurse pilot engineer teacher chemist designer plumber editor architect farmer lawyer chef analyst"
PRODUCTS = "kettle bicycle laptop heater camera blender drone printer lamp speaker backpack tent watch scooter"
TOPICS = "astronomy gardening chess history cooking sailing painting geology music poetry robotics beekeeping"
ANIMALS = "cat dog parrot rabbit turtle horse hamster goat ferret canary"
MONTHS = "January February March April May June July August September October November December"
EN_TEMPLATES = [
    "{name} moved to {city} in {year} to work as a {job} at {company}.",
    "The {product} sold by {company} costs {n} dollars and ships within {d} days.",
    "{name} keeps a {animal} called {pet}, which sleeps about {d} hours every day.",
    "In {month} {year}, {company} opened an office in {city} with {n} employees.",
    "{name} has read {d} books about {topic} since moving to {city}.",
    "Every {month}, the {city} library runs a free workshop on {topic} for {n} visitors.",
    "A {job} from {city} fixed the broken {product} in only {d} minutes last {month}.",
    "{company} reported a profit of {n} thousand dollars in {year}, up {d} percent.",
    "The old {product} that {name} bought in {year} still works after {d} repairs.",
    "{name} and a friend from {city} walked {d} kilometres to see a talk on {topic}.",
    "Road {n} between {city} and the coast was closed for {d} weeks in {month}.",
    "At the age of {d}, {name} won a regional prize for {topic} in {city}.",
    "The {animal} shelter in {city} found homes for {n} animals during {year}.",
    "{company} hired {d} new staff, including a {job} who studied {topic}.",
    "Tickets for the {topic} fair in {city} cost {d} euros and sold out by {month}.",
    "{name} replaced the {product} battery after {n} days of daily use.",
]
ZH_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
ZH_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"
ZH_CITIES = _words("北京 上海 广州 深圳 成都 杭州 武汉 西安 南京 重庆 天津 苏州 长沙 郑州 青岛 厦门 昆明 大连")
ZH_COMPANIES = _words("华星 远景 明辉 东方 新航 长城 金石 蓝天 恒通 宏达 瑞丰 嘉禾 天宇 安泰")
ZH_JOBS = _words("医生 老师 工程师 厨师 律师 设计师 司机 记者 会计 护士 警察 农民")
ZH_PRODUCTS = _words("手机 电脑 耳机 冰箱 空调 相机 台灯 背包 自行车 手表 电视 音箱")
ZH_TOPICS = _words("历史 书法 围棋 园艺 天文 音乐 摄影 烹饪 茶艺 诗歌")
ZH_TEMPLATES = [
    "{name}在{year}年搬到{city}，在{company}公司当{job}。",
    "{company}公司的{product}售价{n}元，{d}天内发货。",
    "{year}年{m}月，{company}在{city}开了新办公室，有{n}名员工。",
    "{name}来到{city}以后读了{d}本关于{topic}的书。",
    "{city}图书馆每年{m}月举办免费的{topic}讲座。",
    "一位来自{city}的{job}只用了{d}分钟就修好了{product}。",
    "{name}在{year}年买的{product}修了{d}次，现在还能用。",
    "{city}的动物收容所在{year}年帮{n}只小动物找到了家。",
    "{company}公司去年利润增长了百分之{d}。",
    "{name}和朋友走了{d}公里去{city}听{topic}讲座。",
]
ZH_COMMON = (  # typo replacements: common characters
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本"
    "去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总"
    "次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权"
)
EN_FILLERS = _words("really also very just then still quite even simply indeed")
ZH_FILLERS = list("也很都的就还又才")
EN_SUFFIXES = ["Thanks for reading.", "See the website for details.", "More news soon.", "Source: local press."]
ZH_SUFFIXES = ["谢谢阅读。", "详情请见官网。", "更多消息敬请关注。", "来源：本地新闻。"]
_SLOT = re.compile(r"\{\w+\}")  # a template slot; a Chinese entity is about two characters
EDITS = ("typo", "word", "punct", "reorder", "suffix")


def make_set(bases: int = 2000, seed: int = 0, rate: float = 1.0, negatives: float = 0.3,
             min_size: int = 20, max_size: int = 200) -> list[dict]:  # fmt: skip
    """`bases` base texts (half English, half Chinese), 0-3 near copies each, hard negatives; shuffled."""
    rng = random.Random(seed)
    items: list[dict] = []
    for cluster in range(bases):
        lang = "en" if cluster % 2 == 0 else "zh"
        shapes = _shapes(rng, lang, rng.randint(min_size, max_size))
        base = _fill(rng, lang, shapes)
        items.append({"text": _join(base, lang), "cluster": cluster, "lang": lang, "role": "base", "edits": []})
        for _ in range(rng.randint(0, 3)):
            kinds = rng.sample(EDITS, rng.randint(1, 2))
            text = _edit(rng, lang, list(base), kinds, rate)
            items.append({"text": text, "cluster": cluster, "lang": lang, "role": "copy", "edits": kinds})
        if rng.random() < negatives:
            other = _fill(rng, lang, shapes, unlike=base)
            if len(shapes) >= 4 and rng.random() < 0.5:  # keeps the base's first half word for word
                other[: len(shapes) // 2] = base[: len(shapes) // 2]
            other = _join(other, lang)
            items.append({"text": other, "cluster": bases + cluster, "lang": lang, "role": "negative", "edits": []})
    rng.shuffle(items)
    return items


def _shapes(rng: random.Random, lang: str, size: int) -> list[str]:
    """Sentence templates (drawn without repeats, reshuffled as needed) until the text reaches `size` units."""
    pool = EN_TEMPLATES if lang == "en" else ZH_TEMPLATES
    shapes: list[str] = []
    length = 0
    while length < size:
        if not len(shapes) % len(pool):
            deck = rng.sample(pool, len(pool))
        shapes.append(deck[len(shapes) % len(pool)])
        length += len(shapes[-1].split()) if lang == "en" else len(_SLOT.sub("xx", shapes[-1]))
    return shapes


def _fill(rng: random.Random, lang: str, shapes: list[str], unlike: list[str] | None = None) -> list[str]:
    """Sentences from templates with fresh random entities (each unlike the same sentence of `unlike`)."""
    sentences = []
    for at, shape in enumerate(shapes):
        sentence = shape.format(**(_en_slots(rng) if lang == "en" else _zh_slots(rng)))
        while unlike is not None and sentence == unlike[at]:
            sentence = shape.format(**(_en_slots(rng) if lang == "en" else _zh_slots(rng)))
        sentences.append(sentence)
    return sentences


def _en_slots(rng: random.Random) -> dict[str, str]:
    pick = lambda words: rng.choice(words.split())  # noqa: E731
    return {
        "name": f"{pick(EN_FIRST)} {pick(EN_LAST)}", "city": pick(CITIES), "year": str(rng.randint(1960, 2024)),
        "company": f"{pick(COMPANY_A)} {pick(COMPANY_B)}", "job": pick(JOBS), "product": pick(PRODUCTS),
        "n": str(rng.randint(10, 9999)), "d": str(rng.randint(2, 99)), "animal": pick(ANIMALS),
        "pet": pick(EN_FIRST), "month": pick(MONTHS), "topic": pick(TOPICS),
    }  # fmt: skip


def _zh_slots(rng: random.Random) -> dict[str, str]:
    name = rng.choice(ZH_SURNAMES) + "".join(rng.choices(ZH_GIVEN, k=rng.randint(1, 2)))
    return {
        "name": name, "city": rng.choice(ZH_CITIES), "year": str(rng.randint(1960, 2024)),
        "company": rng.choice(ZH_COMPANIES), "job": rng.choice(ZH_JOBS), "product": rng.choice(ZH_PRODUCTS),
        "n": str(rng.randint(10, 9999)), "d": str(rng.randint(2, 99)), "m": str(rng.randint(1, 12)),
        "topic": rng.choice(ZH_TOPICS),
    }  # fmt: skip


def _join(sentences: list[str], lang: str) -> str:
    return (" " if lang == "en" else "").join(sentences)


def _edit(rng: random.Random, lang: str, sentences: list[str], kinds: list[str], rate: float) -> str:
    """The sentences with each edit kind applied, joined into one text."""
    count = max(1, round(rate * len(_join(sentences, lang)) / 100))
    for kind in kinds:
        if kind == "reorder" and len(sentences) > 1:
            i = rng.randrange(len(sentences) - 1)
            sentences[i], sentences[i + 1] = sentences[i + 1], sentences[i]
        elif kind == "suffix":
            sentences.append(rng.choice(EN_SUFFIXES if lang == "en" else ZH_SUFFIXES))
        else:
            text = _join(sentences, lang)
            edit = {"typo": _typo, "word": _word}.get(kind, _punct)
            for _ in range(count):
                text = edit(rng, lang, text)
            sentences = [text]
    return _join(sentences, lang)


def _typo(rng: random.Random, lang: str, text: str) -> str:
    """One letter (or Chinese character) replaced by a random one."""
    at = [i for i, ch in enumerate(text) if ch.isalpha()]
    i = rng.choice(at)
    new = rng.choice("abcdefghijklmnopqrstuvwxyz") if lang == "en" else rng.choice(ZH_COMMON)
    return text[:i] + new + text[i + 1 :]


def _word(rng: random.Random, lang: str, text: str) -> str:
    """One word (Chinese: character) inserted or deleted."""
    if lang == "zh":
        i = rng.randrange(len(text))
        return text[:i] + rng.choice(ZH_FILLERS) + text[i:] if rng.random() < 0.5 else text[:i] + text[i + 1 :]
    words = text.split(" ")
    i = rng.randrange(len(words))
    if rng.random() < 0.5 and len(words) > 1:
        del words[i]
    else:
        words.insert(i, rng.choice(EN_FILLERS))
    return " ".join(words)


def _punct(rng: random.Random, lang: str, text: str) -> str:
    """One punctuation, spacing or case change."""
    roll = rng.random()
    if lang == "zh":
        marks = [i for i, ch in enumerate(text) if ch in "，。"]
        if roll < 0.5 and marks:
            i = rng.choice(marks)
            return text[:i] + ("。" if text[i] == "，" else "！") + text[i + 1 :]
        i = rng.randrange(len(text))
        return text[:i] + rng.choice(["，", " ", "、"]) + text[i:]
    words = text.split(" ")
    i = rng.randrange(len(words))
    if roll < 0.3:
        words[i] = words[i].rstrip(".,") + ","
    elif roll < 0.5:
        words[i] = words[i].capitalize() if words[i].islower() else words[i].lower()
    elif roll < 0.7:
        words[i] = words[i].replace(".", "!")
    else:
        words[i] += " "
    return " ".join(words)
