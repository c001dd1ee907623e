"""A blind, hand-written PII evaluation set (seeded), for measuring how the PII recognizers generalise.

    .venv/bin/python bench/pii_blind.py                 # counts per type, lang and kind
    .venv/bin/python bench/pii_blind.py --out blind.jsonl [--seed 7]

How it was written: by a helper who had not read the recognizers, their tests, their docs or the other PII
bench sets (tunesmith.data.pii, tunesmith.data.ops.pii, bench/pii_data.py, bench/pii_independent.py and
docs/data.md were left unopened), and who never ran the recognizers on it. The contexts (support transcripts,
HR notes, reminders, chats, CRM exports, invoices, bug reports, 客服对话, 快递通知, 会议纪要, 报销单, 微信群聊,
English-Chinese code-switching, ...) and the name pools below were typed by hand for this file; only the slot
values are drawn at random. So the set says how well the recognizers do on text they were not tuned on.

Each record is

    {"split": "blind", "kind": <context kind>, "lang": "en" | "zh" | "mixed", "text": str,
     "spans": [{"type": str, "start": int, "end": int, "text": str}, ...]}

with `start`/`end` Python str offsets into `text`, sorted and non-overlapping, and `text[start:end] == span
["text"]` (asserted). Types: PERSON, EMAIL, PHONE, IP, URL, CARD, CN_ID, PASSPORT. Records whose template is
marked negative carry no spans but do carry look-alikes (order, ticket and tracking numbers, 18-digit order
ids, 16-digit references that fail the Luhn check, dates, times, prices, versions, ISBNs, SKUs, file names,
places, companies, Chinese words that begin with a surname character, capitalised non-names).

Labelling rules used: a PERSON span is the name only, without titles (Mr., Dr., 先生, 女士, 老师, 经理) and
without a possessive 's; "GARCIA, MARIA" and "Garcia, Maria" (surname, given) are one span; an initial plus
surname ("M. Garcia") is one span; a lowercase given name in chat ("ping alex") is a PERSON. An English
surname after a title ("Dr. Kessler", "Ms. Okafor") is labelled without the title; a Chinese bare surname with
a title ("王经理", "李老师") was avoided as ambiguous (full Chinese names before 老师/女士 are labelled).
A URL that contains an IP address was avoided (its IP would overlap the URL span). Companies, brands, places
and teams are not PERSON. Structured values are labelled whole: the full phone number including "+country" and brackets,
the full email, the full URL (without a sentence-final full stop). Phones with unallocated North American
area codes (0xx, 1xx, 555 exchanges) still count as phones. Card numbers pass Luhn, CN_ID numbers carry a
valid GB 11643 check character, passports are Chinese E/EA/G series or 9-digit US/UK numbers or an Indian
letter + 7 digits, always next to the word passport / 护照.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

# --------------------------------------------------------------------------------------------------------------
# Name pools: (given names, family names, order) per origin; order "gf" writes given first, "fg" family first,
# "either" picks per person (romanised Chinese, Korean).

NAMES: dict[str, tuple[list[str], list[str], str]] = {
    "english": (
        [
            "Olivia",
            "Harold",
            "Megan",
            "Trevor",
            "Abigail",
            "Dwight",
            "Kayla",
            "Spencer",
            "Naomi",
            "Grant",
            "Heather",
            "Wesley",
            "Brianna",
            "Cody",
            "Lorraine",
            "Malcolm",
            "Tessa",
            "Garrett",
            "Daisy",
            "Russell",
        ],
        [
            "Whitfield",
            "Carmichael",
            "Hollis",
            "Pruitt",
            "Ashby",
            "Thornton",
            "Kessler",
            "Blackwood",
            "Ridley",
            "Lancaster",
            "Hargrove",
            "Pembroke",
            "Saunders",
            "Fairbanks",
            "Coleman",
            "Dunmore",
            "Yates",
            "Booker",
        ],
        "gf",
    ),
    "irish": (
        ["Siobhan", "Ciaran", "Aoife", "Padraig", "Niamh", "Eoin", "Saoirse", "Declan", "Roisin", "Cathal"],
        ["O'Sullivan", "McCarthy", "Fitzgerald", "Ni Bhriain", "Gallagher", "O'Donnell", "Keane", "Breslin"],
        "gf",
    ),
    "italian": (
        ["Giulia", "Lorenzo", "Francesca", "Matteo", "Chiara", "Alessandro", "Beatrice", "Davide", "Ilaria"],
        ["Bianchi", "Esposito", "Ferraro", "Lombardi", "Marchetti", "De Luca", "Santoro", "Caruso", "Galli"],
        "gf",
    ),
    "german": (
        ["Jürgen", "Annika", "Lukas", "Friederike", "Matthias", "Katharina", "Henrik", "Svenja", "Dieter"],
        ["Schäfer", "Hoffmann", "Krüger", "Vogel", "Zimmermann", "Brandt", "Weißmann", "Lehmann", "Kühn"],
        "gf",
    ),
    "french": (
        ["Amélie", "Étienne", "Margaux", "Thibault", "Camille", "Jean-Baptiste", "Océane", "Gaspard", "Inès"],
        ["Dubois", "Lefèvre", "Moreau", "Girard", "Fontaine", "Rousseau", "Chevalier", "Marchand", "Lemoine"],
        "gf",
    ),
    "spanish": (
        [
            "Alejandro",
            "Lucía",
            "Santiago",
            "Valentina",
            "Mateo",
            "Ximena",
            "Joaquín",
            "Camila",
            "Rodrigo",
            "María José",
            "Guadalupe",
            "Maria",
        ],
        [
            "García",
            "Hernández",
            "Ramírez",
            "Ortega",
            "Castillo",
            "Vargas",
            "Delgado",
            "Mendoza",
            "Ruiz Soto",
            "Navarro",
            "Garcia",
        ],
        "gf",
    ),
    "portuguese": (
        ["João", "Thiago", "Larissa", "Gabriela", "Rafael", "Beatriz", "Leandro", "Fernanda", "Caio"],
        ["Silva", "Oliveira", "Souza", "Pereira", "Carvalho", "Rodrigues", "Almeida", "Nascimento", "Costa"],
        "gf",
    ),
    "russian": (
        ["Dmitri", "Anastasia", "Sergei", "Yekaterina", "Oleksandr", "Tetiana", "Mikhail", "Olena", "Pavel"],
        ["Ivanov", "Smirnova", "Kuznetsov", "Shevchenko", "Bondarenko", "Volkova", "Morozov", "Kovalenko"],
        "gf",
    ),
    "polish": (
        ["Łukasz", "Agnieszka", "Krzysztof", "Małgorzata", "Wojciech", "Zofia", "Bartosz", "Joanna"],
        ["Kowalczyk", "Wiśniewski", "Nowak", "Lewandowska", "Zieliński", "Wójcik", "Kamińska", "Szymański"],
        "gf",
    ),
    "greek": (
        ["Dimitris", "Eleni", "Konstantinos", "Sofia", "Georgios", "Katerina", "Nikos", "Ioanna"],
        ["Papadopoulos", "Georgiou", "Nikolaidis", "Karagiannis", "Vlachou", "Antoniou", "Christodoulou"],
        "gf",
    ),
    "turkish": (
        ["Mehmet", "Ayşe", "Emre", "Zeynep", "Burak", "Elif", "Çağlar", "Şule", "Oğuz"],
        ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk", "Aydın", "Arslan", "Doğan"],
        "gf",
    ),
    "persian": (
        ["Dariush", "Shirin", "Kaveh", "Parisa", "Arash", "Niloufar", "Babak", "Roya"],
        ["Tehrani", "Hosseini", "Rahimi", "Moradi", "Karimi", "Farahani", "Jafari", "Sadeghi"],
        "gf",
    ),
    "arabic": (
        ["Omar", "Layla", "Yousef", "Fatima", "Khalid", "Noura", "Hamza", "Rania", "Tariq", "Mariam"],
        ["Al-Farsi", "Haddad", "Mansour", "El-Sayed", "Khoury", "Al-Rashid", "Nasser", "Bakr", "Saleh"],
        "gf",
    ),
    "hebrew": (
        ["Yael", "Avi", "Noa", "Eitan", "Tamar", "Yonatan", "Shira", "Ariel"],
        ["Cohen", "Levi", "Mizrahi", "Peretz", "Friedman", "Ben-David", "Shapiro", "Katz"],
        "gf",
    ),
    "indian_north": (
        ["Priya", "Rohan", "Ananya", "Vikram", "Neha", "Arjun", "Kavya", "Siddharth", "Pooja", "Aditya"],
        ["Sharma", "Verma", "Gupta", "Malhotra", "Chauhan", "Kapoor", "Agarwal", "Saxena", "Bhatia"],
        "gf",
    ),
    "indian_south": (
        ["Lakshmi", "Karthik", "Divya", "Venkatesh", "Meenakshi", "Srinivas", "Anjali", "Raghavan"],
        ["Iyer", "Subramanian", "Reddy", "Nair", "Pillai", "Krishnamurthy", "Menon", "Rao"],
        "gf",
    ),
    "pakistani_bangladeshi": (
        ["Ayesha", "Imran", "Farhan", "Nusrat", "Bilal", "Sadia", "Tanvir", "Mahnoor", "Rafiq"],
        ["Qureshi", "Chaudhry", "Rahman", "Hossain", "Siddiqui", "Butt", "Islam", "Malik", "Akhtar"],
        "gf",
    ),
    "west_african": (
        ["Chinedu", "Ngozi", "Oluwaseun", "Adaeze", "Kwame", "Akosua", "Emeka", "Yaw", "Funmilayo", "Kofi"],
        ["Okafor", "Adeyemi", "Mensah", "Nwosu", "Boateng", "Obi", "Asante", "Eze", "Owusu", "Bello"],
        "gf",
    ),
    "east_african": (
        ["Wanjiru", "Otieno", "Achieng", "Kipchoge", "Abebe", "Tigist", "Dawit", "Selamawit", "Mekdes"],
        ["Kamau", "Odhiambo", "Mwangi", "Wafula", "Bekele", "Tesfaye", "Haile", "Girma", "Alemu"],
        "gf",
    ),
    "chinese_pinyin": (
        ["Wei", "Xiaodong", "Li Na", "Jianguo", "Haoran", "Yutong", "Zixuan", "Mingyu", "Xinyi", "Jun"],
        ["Zhang", "Liu", "Deng", "Xiao", "Gong", "Tan", "Cai", "Jia", "Ouyang", "Zhuge", "Wu", "Lu"],
        "either",
    ),
    "japanese": (
        ["Haruto", "Yui", "Sota", "Aoi", "Ren", "Sakura", "Takumi", "Misaki", "Kenji", "Yuki"],
        ["Tanaka", "Watanabe", "Yamamoto", "Nakamura", "Kobayashi", "Saito", "Matsumoto", "Inoue", "Fujita"],
        "gf",
    ),
    "korean": (
        ["Min-jun", "Seo-yeon", "Ji-hoon", "Ha-eun", "Dong-hyun", "Soo-ah", "Jae-won", "Eun-ji"],
        ["Kim", "Park", "Choi", "Jung", "Kang", "Yoon", "Han", "Shin"],
        "either",
    ),
    "vietnamese": (
        ["Thi Lan", "Van Minh", "Ngoc Anh", "Duc Huy", "Thu Trang", "Quang Vinh", "Hoang Nam", "Mai Linh"],
        ["Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Dang", "Bui"],
        "fg",
    ),
    "thai": (
        ["Somchai", "Niran", "Kanya", "Pimchanok", "Thanawat", "Supaporn", "Anurak", "Ratana"],
        ["Srisuk", "Chaiyaporn", "Wongsawat", "Rattanakorn", "Boonmee", "Kittisak", "Sukprasert"],
        "gf",
    ),
    "indonesian": (
        ["Budi", "Siti", "Agus", "Dewi", "Rizky", "Putri", "Hendra", "Ayu"],
        ["Santoso", "Wijaya", "Hidayat", "Kusuma", "Pratama", "Setiawan", "Halim", "Nugroho"],
        "gf",
    ),
    "filipino": (
        ["Maricel", "Jericho", "Rowena", "Paolo", "Kristine", "Ramil", "Joy", "Angelito"],
        ["Dela Cruz", "Bautista", "Villanueva", "Macaraeg", "Santos", "Manalo", "Reyes", "Aquino"],
        "gf",
    ),
}

ZH_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓萧龚谭万卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜"
    "范方石姚廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙段雷钱汤尹黎易常武乔贺赖文"
)
ZH_COMPOUND = ["欧阳", "司马", "上官", "诸葛", "皇甫", "令狐"]
ZH_GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "超",
    "霞",
    "刚",
    "晨",
    "婷",
    "鑫",
    "琳",
    "昊",
    "秀英",
    "晓东",
    "子涵",
    "欣怡",
    "浩然",
    "宇轩",
    "思远",
    "雨桐",
    "梓萱",
    "俊杰",
    "嘉怡",
    "志强",
    "海燕",
    "建国",
    "文博",
    "一鸣",
    "若曦",
    "天佑",
    "晓峰",
    "丽华",
    "春梅",
    "国栋",
    "佳琪",
    "明轩",
    "书瑶",
    "泽宇",
    "梦洁",
    "振华",
    "慧敏",
    "凯文",
    "雪莹",
    "亦凡",
    "诗涵",
    "家豪",
    "玉兰",
    "德胜",
    "晓燕",
]


def _ascii(s: str) -> str:
    s = s.translate(str.maketrans({"Ł": "L", "ł": "l", "ß": "ss", "ı": "i", "Ø": "O", "ø": "o"}))
    return "".join(c for c in unicodedata.normalize("NFKD", s) if c.isascii() and (c.isalnum()))


class Person:
    def __init__(self, rng: random.Random, origin: str | None = None):
        origin = origin or rng.choice(sorted(NAMES))
        given, family, order = NAMES[origin]
        self.origin = origin
        self.given = rng.choice(given)
        self.family = rng.choice(family)
        self.order = rng.choice(["gf", "fg"]) if order == "either" else order
        # the name used alone: the last word of a Vietnamese given name, else the given name
        self.call = self.given.split()[-1] if origin == "vietnamese" else self.given

    def full(self) -> str:
        return f"{self.given} {self.family}" if self.order == "gf" else f"{self.family} {self.given}"


class ZhPerson:
    def __init__(self, rng: random.Random):
        self.family = rng.choice(ZH_COMPOUND) if rng.random() < 0.12 else rng.choice(ZH_SURNAMES)
        self.given = rng.choice(ZH_GIVEN)

    def full(self) -> str:
        return self.family + self.given


# --------------------------------------------------------------------------------------------------------------
# Structured values


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_number(rng: random.Random) -> str:
    prefix = rng.choice(["4", "4", "51", "53", "55", "2221", "6011", "6222", "6228", "6212", "3528"])
    body = prefix + _digits(rng, 15 - len(prefix))
    check = next(str(c) for c in range(10) if luhn_ok(body + str(c)))
    num = body + check
    assert len(num) == 16 and luhn_ok(num)
    sep = rng.choice([" ", " ", "-"])
    return sep.join(num[i : i + 4] for i in range(0, 16, 4))


def not_card_16(rng: random.Random) -> str:
    """Sixteen digits in groups of four that fail the Luhn check (a reference or waybill, not a card)."""
    while True:
        num = rng.choice("3789") + _digits(rng, 15)
        if not luhn_ok(num):
            sep = rng.choice([" ", "-"])
            return sep.join(num[i : i + 4] for i in range(0, 16, 4))


ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"
REGIONS = [
    "110101",
    "110105",
    "310104",
    "310115",
    "440305",
    "440106",
    "330106",
    "510107",
    "420102",
    "320102",
    "370202",
    "500103",
    "610113",
    "430104",
    "350203",
    "120101",
    "210102",
    "530102",
    "450103",
    "130104",
]


def id_check(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS)) % 11]


def cn_id(rng: random.Random) -> str:
    want_x = rng.random() < 0.15
    while True:
        y, m = rng.randint(1952, 2006), rng.randint(1, 12)
        d = rng.randint(1, 28)
        first17 = f"{rng.choice(REGIONS)}{y:04d}{m:02d}{d:02d}{_digits(rng, 3)}"
        check = id_check(first17)
        if (check == "X") == want_x:
            return first17 + check


def not_cn_id_18(rng: random.Random) -> str:
    """An 18-digit e-commerce order number (starts with a year, fails the ID check)."""
    while True:
        s = f"{rng.randint(2019, 2025)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}" + _digits(rng, 10)
        if id_check(s[:17]) != s[17]:
            return s


def passport_cn(rng: random.Random) -> str:
    kind = rng.choice(["E8", "E8", "EA", "G"])
    if kind == "E8":
        return "E" + _digits(rng, 8)
    if kind == "EA":
        return "E" + rng.choice("ABCDEFGHJK") + _digits(rng, 7)
    return "G" + _digits(rng, 8)


def passport_9(rng: random.Random) -> str:
    return str(rng.randint(1, 9)) + _digits(rng, 8)


def passport_in(rng: random.Random) -> str:
    return rng.choice("JKLMNPRSTUVZ") + str(rng.randint(1, 9)) + _digits(rng, 6)


def phone_nanp(rng: random.Random) -> str:
    # area codes deliberately include unallocated ones (0xx, 1xx, 555-style); still phone-shaped
    area = rng.choice(["555", "237", "014", "123", "198", "089", "415", "212", "646", "312", "617", "905"])
    exch = rng.choice(["555", "014", "201", "867", "472", "730", "190"])
    line = _digits(rng, 4)
    fmt = rng.choice(
        [
            "({a}) {e}-{l}",
            "+1 ({a}) {e}-{l}",
            "{a}-{e}-{l}",
            "+1 {a} {e} {l}",
            "{a}.{e}.{l}",
            "1-{a}-{e}-{l}",
            "+1-{a}-{e}-{l}",
            "({a}) {e}-{l}",
        ]
    )
    return fmt.format(a=area, e=exch, l=line)


def phone_cn_mobile(rng: random.Random) -> str:
    num = "1" + rng.choice("3456789") + _digits(rng, 9)
    fmt = rng.choice(["plain", "plain", "344s", "344d", "+86", "+86-", "+86 344", "(+86)"])
    if fmt == "plain":
        return num
    if fmt == "344s":
        return f"{num[:3]} {num[3:7]} {num[7:]}"
    if fmt == "344d":
        return f"{num[:3]}-{num[3:7]}-{num[7:]}"
    if fmt == "+86":
        return "+86" + num
    if fmt == "+86-":
        return "+86-" + num
    if fmt == "+86 344":
        return f"+86 {num[:3]} {num[3:7]} {num[7:]}"
    return f"(+86) {num}"


def phone_cn_land(rng: random.Random) -> str:
    code, n = rng.choice(
        [
            ("010", 8),
            ("021", 8),
            ("020", 8),
            ("0571", 8),
            ("0755", 8),
            ("028", 8),
            ("0532", 8),
            ("0731", 8),
            ("0898", 8),
            ("0512", 8),
        ]
    )
    local = rng.choice("2345678") + _digits(rng, n - 1)
    return rng.choice(
        [
            f"{code}-{local}",
            f"{code}-{local}",
            f"({code}) {local}",
            f"{code} {local[:4]} {local[4:]}",
            f"+86 {code[1:]} {local}",
        ]
    )


def phone_intl(rng: random.Random) -> str:
    c = rng.choice(["uk", "in", "de", "jp", "br", "ng", "au"])
    d = lambda n: _digits(rng, n)  # noqa: E731
    if c == "uk":
        return rng.choice(
            [
                f"+44 20 7946 {d(4)}",
                f"020 7946 {d(4)}",
                f"07700 900{d(3)}",
                f"+44 7700 900{d(3)}",
                f"+44 (0)161 496 {d(4)}",
                f"0131 496 {d(4)}",
            ]
        )
    if c == "in":
        m = rng.choice("6789") + d(4)
        return rng.choice([f"+91 {m} {d(5)}", f"+91-{m}-{d(5)}", f"{m} {d(5)}", f"0{m}{d(5)}", f"+91 {m}{d(5)}"])
    if c == "de":
        return rng.choice(
            [
                f"+49 30 {d(8)}",
                f"030 {d(7)}",
                f"+49 151 {d(8)}",
                f"0151 {d(4)} {d(4)}",
                f"+49 (0)89 {d(3)} {d(4)}",
                f"0221/{d(6)}",
            ]
        )
    if c == "jp":
        return rng.choice(
            [
                f"+81 3-{d(4)}-{d(4)}",
                f"03-{d(4)}-{d(4)}",
                f"090-{d(4)}-{d(4)}",
                f"+81 90 {d(4)} {d(4)}",
                f"06-{d(4)}-{d(4)}",
                f"080-{d(4)}-{d(4)}",
            ]
        )
    if c == "br":
        return rng.choice(
            [f"+55 11 9{d(4)}-{d(4)}", f"(11) 9{d(4)}-{d(4)}", f"+55 (21) {d(4)}-{d(4)}", f"(31) 9{d(4)}-{d(4)}"]
        )
    if c == "ng":
        p = rng.choice(["803", "806", "810", "813", "703", "905", "802"])
        return rng.choice([f"+234 {p} {d(3)} {d(4)}", f"0{p} {d(3)} {d(4)}", f"+234{p}{d(7)}", f"0{p}-{d(3)}-{d(4)}"])
    return rng.choice(
        [
            f"+61 2 {d(4)} {d(4)}",
            f"04{d(2)} {d(3)} {d(3)}",
            f"(02) {d(4)} {d(4)}",
            f"+61 4{d(2)} {d(3)} {d(3)}",
            f"(03) {d(4)} {d(4)}",
        ]
    )


def phone_any(rng: random.Random) -> str:
    return rng.choice([phone_nanp, phone_nanp, phone_cn_mobile, phone_cn_land, phone_intl, phone_intl])(rng)


EMAIL_DOMAINS = [
    "gmail.com",
    "outlook.com",
    "yahoo.co.uk",
    "proton.me",
    "hotmail.fr",
    "gmx.de",
    "libero.it",
    "uol.com.br",
    "yandex.ru",
    "rediffmail.com",
    "naver.com",
    "icloud.com",
    "northwind-logistics.com",
    "acme.io",
    "brightpath.co",
    "mail.harborview-clinic.org",
    "cs.uni-freiburg.de",
    "lagos-fintech.ng",
    "fastmail.fm",
    "students.monash.edu",
]
ZH_EMAIL_DOMAINS = [
    "qq.com",
    "163.com",
    "126.com",
    "foxmail.com",
    "sina.com",
    "stu.pku.edu.cn",
    "huaxin-tech.cn",
    "aliyun.com",
    "sohu.com",
    "mail.zju.edu.cn",
]


def email(rng: random.Random, person: Person | None = None, zh: bool = False) -> str:
    if zh and rng.random() < 0.5:
        local = rng.choice(
            [
                _digits(rng, rng.randint(6, 10)),
                "zx" + _digits(rng, 6),
                "xiaoyu_" + _digits(rng, 4),
                "lin.chen" + _digits(rng, 2),
                "sunnyday2019",
                "dw_kefu",
            ]
        )
        return local + "@" + rng.choice(ZH_EMAIL_DOMAINS)
    p = person or Person(rng)
    g, f = _ascii(p.given).lower(), _ascii(p.family).lower()
    local = rng.choice(
        [
            f"{g}.{f}",
            f"{g[0]}{f}",
            f"{g}{f[0]}{rng.randint(1, 99)}",
            f"{f}_{g}",
            f"{g}",
            f"{g}.{f}+invoices",
            f"{g[0]}.{f}",
            f"{f}{rng.randint(70, 99)}",
            f"{g}-{f}",
        ]
    )
    dom = rng.choice(ZH_EMAIL_DOMAINS if zh else EMAIL_DOMAINS)
    return f"{local}@{dom}"


def ipv4(rng: random.Random) -> str:
    return rng.choice(
        [
            f"192.168.{rng.randint(0, 20)}.{rng.randint(2, 254)}",
            f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            f"172.{rng.randint(16, 31)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            f"{rng.choice([203, 198, 45, 81, 117, 185, 36, 222])}.{rng.randint(0, 255)}.{rng.randint(0, 255)}."
            f"{rng.randint(1, 254)}",
        ]
    )


def ipv6(rng: random.Random) -> str:
    h = lambda: f"{rng.randint(0, 0xFFFF):x}"  # noqa: E731
    return rng.choice(
        [
            f"2001:db8:{h()}:{h()}::{h()}",
            f"fe80::{h()}:{h()}:{h()}:{h()}",
            f"2408:8207:{h()}:{h()}:{h()}:{h()}:{h()}:{h()}",
            f"2a02:c7f:{h()}::{h()}:{h()}",
        ]
    )


def ip_any(rng: random.Random) -> str:
    return ipv6(rng) if rng.random() < 0.25 else ipv4(rng)


def url(rng: random.Random) -> str:
    return rng.choice(
        [
            f"https://www.harborview-clinic.org/portal/appointments/{rng.randint(1000, 99999)}",
            f"https://github.com/northwind/{rng.choice(['billing-api', 'studio'])}/issues/{rng.randint(2, 900)}",
            f"http://intranet.acme.local/wiki/{rng.choice(['Onboarding', 'Expense_Policy', 'VPN-Setup'])}",
            f"https://t.cn/A6{rng.choice(['x9Kd2', 'Hq7Lm', 'Zp3Wr'])}",
            f"https://docs.google.com/spreadsheets/d/1{_digits(rng, 6)}AbCdEfG/edit",
            f"www.shop-{rng.choice(['lumen', 'tidewater', 'qingshan'])}.com/track?id={_digits(rng, 8)}",
            f"https://pay.brightpath.co/i/{_digits(rng, 6)}?ref=email",
            f"https://www.linkedin.com/in/{rng.choice(['rk-data', 'amelie-d', 'kwame-m-42'])}",
            f"https://meet.example.com/{rng.choice(['abc-defg-hij', 'xqz-pmnt-krw'])}",
            f"https://m.weibo.cn/status/{_digits(rng, 9)}",
            f"https://forms.office.com/r/{rng.choice(['K3x9Qp', 'Vn82Lr'])}",
            f"https://status.acme.io/incidents/{rng.randint(100, 999)}",
            f"https://www.example.edu/~{rng.choice(['jlee', 'mbianchi'])}/cv.pdf",
        ]
    )


# --------------------------------------------------------------------------------------------------------------
# Unlabelled look-alike fillers


def _x_date(rng):
    y, m, d = rng.randint(2021, 2026), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice([f"{y}-{m:02d}-{d:02d}", f"{d:02d}/{m:02d}/{y}", f"{m}/{d}/{y}", f"{y}.{m:02d}.{d:02d}"])


def _x_zh_date(rng):
    return f"{rng.randint(2022, 2026)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"


FILLERS = {
    "x_order": lambda r: r.choice(["ORD-", "SO-", "#", "PO-"]) + f"{r.randint(2021, 2026)}-{r.randint(10000, 999999)}",
    "x_ticket": lambda r: r.choice(["INC", "TCK-", "SUP-", "JIRA-"]) + str(r.randint(1000, 99999)),
    "x_track": lambda r: r.choice(
        [
            f"SF{_digits(r, 13)}",
            f"YT{_digits(r, 13)}",
            f"1Z{_digits(r, 3)}AA{_digits(r, 10)}",
            f"JD{_digits(r, 15)}",
            f"{_digits(r, 12)}",
        ]
    ),
    "x_invoice": lambda r: r.choice(["INV-", "FP", "BILL-"]) + _digits(r, r.randint(6, 9)),
    "x_date": _x_date,
    "x_zh_date": _x_zh_date,
    "x_time": lambda r: r.choice(
        [
            f"{r.randint(7, 21)}:{r.choice(['00', '15', '30', '45'])}",
            f"{r.randint(1, 12)}:{r.choice(['00', '30'])} {r.choice(['AM', 'PM', 'pm'])}",
        ]
    ),
    "x_price": lambda r: r.choice(["$", "€", "£", "¥", "US$"]) + f"{r.randint(3, 4999):,}.{r.randint(0, 99):02d}",
    "x_cny": lambda r: f"{r.randint(20, 98000):,}.{r.choice(['00', '50', '80'])}元",
    "x_version": lambda r: f"v{r.randint(0, 12)}.{r.randint(0, 30)}.{r.randint(0, 40)}",
    "x_build": lambda r: f"{r.randint(2, 9)}.{r.randint(0, 30)}.{r.randint(0, 12)}.{r.randint(1000, 9999)}",
    "x_isbn": lambda r: r.choice(["978-7-115-54608-1", "978-0-596-52068-7", "978-7-302-58611-0", "978-1-4919-5017-0"]),
    "x_sku": lambda r: f"SKU-{r.choice(['AB', 'QX', 'HM', 'TR'])}-{r.randint(1000, 99999)}",
    "x_ts": lambda r: (
        f"{r.randint(2023, 2026)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}T"
        f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}Z"
    ),
    "x_unix": lambda r: str(r.randint(1_650_000_000, 1_790_000_000)),
    "x_cn_order": not_cn_id_18,
    "x_not_card": not_card_16,
    "x_qty": lambda r: str(r.randint(2, 480)),
    "x_room": lambda r: r.choice(["Room ", "Rm ", "Suite "]) + str(r.randint(101, 2409)),
    "x_sha": lambda r: "".join(r.choice("0123456789abcdef") for _ in range(r.choice([7, 12]))),
    "x_pct": lambda r: f"{r.randint(1, 99)}.{r.randint(0, 9)}%",
    "x_num": lambda r: str(r.randint(3, 950)),
    "x_port": lambda r: str(r.choice([5432, 6379, 8080, 9092, 27017, 443])),
    "x_zip": lambda r: r.choice([f"{r.randint(10000, 99999)}", f"{r.randint(100000, 850000)}"]),
    "x_case": lambda r: f"{r.randint(2022, 2026)}-CV-{r.randint(100, 9999):05d}",
}

# --------------------------------------------------------------------------------------------------------------
# Slots. A slot is written {slot} or {slot@tag}; person slots with one tag are the same person, other slots with
# one tag the same value.

PERSON_SLOTS = {
    "name": lambda p: p.full(),
    "first": lambda p: p.call,
    "lfirst": lambda p: _ascii(p.call).lower() or p.call.lower(),
    "sg": lambda p: f"{p.family}, {p.given}",
    "SG": lambda p: f"{p.family.upper()}, {p.given.upper()}",
    "NAMEUP": lambda p: p.full().upper(),
    "iname": lambda p: f"{p.given[0]}. {p.family}",
    "last": lambda p: p.family,
}
ZH_SLOTS = {"zh": lambda p: p.full()}
VALUE_SLOTS = {
    "email": ("EMAIL", lambda r, p: email(r, p)),
    "zemail": ("EMAIL", lambda r, p: email(r, p, zh=True)),
    "phone": ("PHONE", lambda r, p: phone_any(r)),
    "us_phone": ("PHONE", lambda r, p: phone_nanp(r)),
    "cn_mobile": ("PHONE", lambda r, p: phone_cn_mobile(r)),
    "cn_land": ("PHONE", lambda r, p: phone_cn_land(r)),
    "intl_phone": ("PHONE", lambda r, p: phone_intl(r)),
    "ip": ("IP", lambda r, p: ip_any(r)),
    "ipv4": ("IP", lambda r, p: ipv4(r)),
    "ipv6": ("IP", lambda r, p: ipv6(r)),
    "url": ("URL", lambda r, p: url(r)),
    "card": ("CARD", lambda r, p: card_number(r)),
    "cnid": ("CN_ID", lambda r, p: cn_id(r)),
    "pp_cn": ("PASSPORT", lambda r, p: passport_cn(r)),
    "pp_9": ("PASSPORT", lambda r, p: passport_9(r)),
    "pp_in": ("PASSPORT", lambda r, p: passport_in(r)),
}
SLOT_RE = re.compile(r"\{(\w+)(?:@(\w+))?\}")


def render(template: str, rng: random.Random, origin: str | None = None) -> tuple[str, list[dict]]:
    people: dict[str, Person] = {}
    zh_people: dict[str, ZhPerson] = {}
    values: dict[tuple[str, str], str] = {}
    out: list[str] = []
    spans: list[dict] = []
    pos = 0
    last = 0
    for m in SLOT_RE.finditer(template):
        lit = template[last : m.start()]
        out.append(lit)
        pos += len(lit)
        last = m.end()
        slot, tag = m.group(1), m.group(2) or f"_{m.start()}"
        if slot in PERSON_SLOTS:
            p = people.setdefault(tag, Person(rng, origin))
            value, typ = PERSON_SLOTS[slot](p), "PERSON"
        elif slot in ZH_SLOTS:
            p = zh_people.setdefault(tag, ZhPerson(rng))
            value, typ = ZH_SLOTS[slot](p), "PERSON"
        elif slot in VALUE_SLOTS:
            typ, fn = VALUE_SLOTS[slot]
            # an email next to a tagged person uses that person's name
            if (slot, tag) not in values:
                values[(slot, tag)] = fn(rng, people.get(tag))
            value = values[(slot, tag)]
        elif slot in FILLERS:
            if (slot, tag) not in values:
                values[(slot, tag)] = FILLERS[slot](rng)
            value, typ = values[(slot, tag)], None
        else:
            raise KeyError(f"unknown slot {slot!r} in {template!r}")
        if typ:
            spans.append({"type": typ, "start": pos, "end": pos + len(value), "text": value})
        out.append(value)
        pos += len(value)
    out.append(template[last:])
    text = "".join(out)
    for s in spans:
        assert text[s["start"] : s["end"]] == s["text"], (s, text)
    for a, b in zip(spans, spans[1:]):
        assert a["end"] <= b["start"], (a, b, text)
    return text, spans


# --------------------------------------------------------------------------------------------------------------
# Templates: (kind, lang, text). Positive templates carry at least one labelled slot; NEGATIVE ones none.

POSITIVE: list[tuple[str, str, str]] = [
    # --- customer support (en)
    (
        "support",
        "en",
        "Agent: Thanks for holding, this is {first@a} from billing. Can I get the name on the account?\n"
        "Customer: It's {name@b}. The card ending was charged twice for {x_order}.\n"
        "Agent: I see it. I'll refund {x_price} to the card {card} within 5-7 business days.",
    ),
    (
        "support",
        "en",
        "Hi {first@a},\n\nSorry about the delay on ticket {x_ticket}. I've updated the delivery "
        "address and we'll call you at {phone} before the courier arrives.\n\nBest,\n{name@c}\n"
        "Customer Success Team",
    ),
    (
        "support",
        "en",
        "Chat transcript {x_date} {x_time}\nVisitor ({email}): my login keeps failing\n"
        "{first}: could you tell me the IP you're connecting from?\nVisitor: {ip} I think",
    ),
    (
        "support",
        "en",
        "Escalating to tier 2. Customer {name} says the reset link {url} expired after 10 minutes. "
        "Callback number {us_phone}, prefers mornings.",
    ),
    (
        "support",
        "en",
        "Per our call, {name@a}'s account has been unlocked. {first@a} asked that future notices go to "
        "{email@a} instead of the old address.",
    ),
    (
        "support",
        "en",
        "From: {name@a} <{email@a}>\nTo: {name@b} <{email@b}>\nSubject: Re: refund for {x_order}\n\n"
        "Hi {first@b}, any update? You can reach me on {phone} after 5pm.\n\n{first@a}",
    ),
    (
        "support",
        "en",
        "Note added by agent: spoke with the caller (the account holder, {name}) and verified the last "
        "four digits. Card on file {card} replaced; approval from the team lead ({name}) attached.",
    ),
    # --- HR onboarding
    (
        "hr",
        "en",
        "New hire: {name@a}\nStart date: {x_date}\nManager: {name@m}\nPersonal email: {email@a}\n"
        "Mobile: {phone}\nLaptop asset tag: {x_sku}",
    ),
    (
        "hr",
        "en",
        "Please welcome {name} to the data platform team! They join us from Lisbon and will sit with "
        "{first} and {first} on the ingestion squad.",
    ),
    (
        "hr",
        "en",
        "Emergency contact for {name@a}: {name@b} (spouse), {intl_phone}. Passport number on file: "
        "{pp_9}, expires {x_date}.",
    ),
    (
        "hr",
        "en",
        "Background check complete for {SG}. Reference given by {iname} at Northwind Traders; "
        "they can be reached on {phone}.",
    ),
    ("hr", "en", "Reminder: {first}, {first} and {first} still need to sign the updated handbook before Friday."),
    # --- medical
    (
        "medical",
        "en",
        "PATIENT: {SG}\nDOB: {x_date}\nPHYSICIAN: Dr. {name}\nNext appointment {x_date} at {x_time}. "
        "Questions? Call {us_phone}.",
    ),
    (
        "medical",
        "en",
        "Hello {first}, this is a reminder of your dental cleaning with Dr. {last@d} on {x_date}. "
        "Reply C to confirm or manage it at {url}",
    ),
    (
        "medical",
        "en",
        "Referral: {name@p}, 54, presenting with recurring migraines. Please send the MRI report to "
        "{email} and copy the GP, Dr. {name@g}.",
    ),
    (
        "medical",
        "en",
        "Pharmacy note - prescription for {sg} ready for pickup. Insurance card on file; pharmacist "
        "{first} left a voicemail at {phone}.",
    ),
    # --- logistics
    (
        "logistics",
        "en",
        "Your parcel {x_track} is out for delivery. Driver {first} will call {phone} "
        "if nobody is home. Track live: {url}",
    ),
    (
        "logistics",
        "en",
        "Consignee: {NAMEUP}\nTel: {intl_phone}\nRef: {x_order}\nWeight: {x_qty} kg\n"
        "Notes: leave with neighbour at 14 Washington Street if absent",
    ),
    (
        "logistics",
        "en",
        "Pickup rescheduled. Contact {name} ({email}) at the warehouse dock, or the site office on {phone}.",
    ),
    # --- chat / slack
    (
        "chat",
        "en",
        "[{x_time}] {lfirst}: can someone ping {lfirst} about the staging deploy?\n"
        "[{x_time}] {lfirst}: on it. box is {ipv4} btw",
    ),
    (
        "chat",
        "en",
        "@here heads up, {first}'s out sick today so {first} is covering the Monday Standup. Notes doc: {url}",
    ),
    ("chat", "en", "lol {lfirst} just pushed to main again. {lfirst} can you revert {x_sha}?"),
    ("chat", "en", "anyone have {name}'s number? i only have {phone} and it goes to voicemail"),
    # --- meeting minutes
    (
        "meeting",
        "en",
        "Minutes - Project Phoenix sync ({x_date})\nAttendees: {name}, {name}, {name}, {iname}\n"
        "Action items: {first} to draft the Q3 Roadmap; legal review owed by {name}.",
    ),
    (
        "meeting",
        "en",
        "Decision: vendor shortlist approved. {name} (Procurement) will email {email} with the "
        "signed NDA. Next sync in {x_room}.",
    ),
    # --- CRM exports
    (
        "crm",
        "en",
        "id,full_name,email,phone,last_contact\n{x_num},{name@a},{email@a},{phone},{x_date}\n"
        "{x_num},{name@b},{email@b},{phone},{x_date}",
    ),
    ("crm", "en", '"{sg}";"{email}";"{intl_phone}";"Lead";"{x_price}"'),
    (
        "crm",
        "en",
        "Contact: {name@a} | Title: VP Operations | Company: Contoso Ltd | {email@a} | {us_phone} | Owner: {first}",
    ),
    # --- invoices / payments
    (
        "invoice",
        "en",
        "INVOICE {x_invoice}\nBill to: {name}\n221 Marlow Road, Leeds\nAmount due: {x_price}\n"
        "Paid with card {card}\nQuestions: {email}",
    ),
    (
        "invoice",
        "en",
        "Payment failed for subscription {x_sku}. Card {card} was declined on {x_date}. Update it here: {url}",
    ),
    ("invoice", "en", "Card on file: {card} (exp 08/27)\nCardholder: {NAMEUP}\nBilling contact: {email}"),
    # --- bug reports
    (
        "bug",
        "en",
        "Steps to reproduce: log in as {email}, open /settings, click Save. Server {ip} returns 500 on "
        "{x_version}. Reported by {name}.",
    ),
    (
        "bug",
        "en",
        "Stack trace attached. The request came from {ipv6} (user {lfirst}). Works on {x_version}, "
        "broken on {x_version}. cc {first}",
    ),
    ("bug", "en", "Log line: {x_ts} WARN auth failed user={email} src={ipv4} attempts={x_qty}"),
    # --- social / forum
    ("social", "en", "Huge congrats to {name} on finishing the Berlin marathon!! So proud of you {first} 🎉"),
    (
        "social",
        "en",
        "Lost wallet near Central Station tonight. If found please text {phone} - it has my ID and "
        "card. Thanks! - {first}",
    ),
    (
        "forum",
        "en",
        "Re: router keeps dropping\n> quoted from {lfirst}\nSet a static lease for {ipv4} and check the "
        "firmware ({x_build}). Worked for me and for {first} in the other thread: {url}",
    ),
    ("forum", "en", "Selling my old bike, pickup only. DM or call {first} on {phone}."),
    # --- legal / contracts
    (
        "legal",
        "en",
        'This Agreement is entered into by {name} ("Tenant") and {name} ("Landlord"). Notices shall '
        "be sent to {email}.",
    ),
    ("legal", "en", "Witness: {name}\nPassport No.: {pp_9}\nSigned at London on {x_date}"),
    (
        "legal",
        "en",
        "Case {x_case}: the deposition of {name} is scheduled for {x_date}. Counsel, {sg}, may be "
        "contacted at {phone}.",
    ),
    # --- school
    (
        "school",
        "en",
        "Dear parents, {first}'s class trip is on {x_date}. Please return the form to Ms. {last} or "
        "email {email}. Emergency line: {phone}.",
    ),
    ("school", "en", "Students selected for the science fair: {name}, {name}, {name} and {name}."),
    # --- travel / passports (en)
    (
        "travel",
        "en",
        "Booking for {NAMEUP}, passport {pp_9}, seat 14C. Visa support letter will be emailed to {email}.",
    ),
    ("travel", "en", "Traveller 2: {name}, Indian passport {pp_in}, contact {intl_phone}."),
    ("travel", "en", "Guest {sg} checked in ({x_room}). Passport no. {pp_cn} scanned, mobile {cn_mobile}."),
    # --- Chinese: 客服对话
    (
        "zh_support",
        "zh",
        "客服：您好，请问怎么称呼？\n用户：我叫{zh@a}。\n客服：{zh@a}您好，请提供一下下单手机号。\n用户：{cn_mobile}",
    ),
    (
        "zh_support",
        "zh",
        "用户：订单{x_cn_order}一直没发货。\n客服：亲，已为您催促仓库，稍后专员{zh}会联系您，"
        "电话{cn_mobile}，请保持畅通。",
    ),
    (
        "zh_support",
        "zh",
        "用户：我的身份证{cnid}绑定不了，手机号{cn_mobile}一直收不到验证码。\n客服：好的，已转给技术同事{zh}处理。",
    ),
    ("zh_support", "zh", "退款申请：申请人{zh}，身份证号{cnid}，退款金额{x_cny}，银行卡号{card}。"),
    ("zh_support", "zh", "您好{zh}女士，您反馈的问题已记录（工单号{x_ticket}），处理结果将发送至邮箱{zemail}。"),
    ("zh_support", "zh", "客户{zh}来电投诉，称{x_zh_date}在高新区门店购买的黄金手链有划痕，回访电话{cn_land}。"),
    # --- 快递通知
    (
        "zh_express",
        "zh",
        "【顺丰速运】您的快件{x_track}已到达黄山市屯溪区站点，快递员{zh}（{cn_mobile}）正在派送，请保持电话畅通。",
    ),
    (
        "zh_express",
        "zh",
        "收件人：{zh}\n电话：{cn_mobile}\n地址：浙江省杭州市西湖区文三路{x_num}号\n备注：周末不在家，放驿站",
    ),
    ("zh_express", "zh", "【菜鸟驿站】{zh}您好，您的包裹已到张家界南站驿站，取件码{x_num}，查询请访问{url}"),
    # --- 会议纪要
    (
        "zh_meeting",
        "zh",
        "会议纪要（{x_zh_date}）\n参会人：{zh}、{zh}、{zh}、{zh}\n结论：{zh}负责整理需求文档，下周一前发到{zemail}。",
    ),
    ("zh_meeting", "zh", "今天{zh}请假了，{zh}代为主持周会。林业局的项目由{zh}和{zh}负责跟进。"),
    ("zh_meeting", "zh", "{zh}和{zh}负责这个项目，有问题直接找他们，座机{cn_land}。"),
    # --- 报销单
    (
        "zh_expense",
        "zh",
        "报销单\n报销人：{zh}\n部门：市场部\n金额：{x_cny}\n事由：{x_zh_date}出差上海\n收款卡号：{card}\n审批人：{zh}",
    ),
    ("zh_expense", "zh", "差旅报销补充材料：{zh}护照号{pp_cn}，身份证{cnid}，发票号{x_invoice}。"),
    # --- 微信群聊
    ("zh_wechat", "zh", "{zh}：明天几点集合？\n{zh}：八点半，东门见\n{zh}：我可能晚点，马上到了给你们打电话"),
    ("zh_wechat", "zh", "[群公告] 本周六聚餐改到白天，联系人{zh}，电话{cn_mobile}，有事找她。"),
    ("zh_wechat", "zh", "@{zh} 你昨天说的那个链接发一下？\n{zh}：{url}"),
    (
        "zh_wechat",
        "zh",
        "家长群通知：请{zh@s}同学的家长于{x_zh_date}前核对{zh@s}同学的身份证号{cnid}是否正确，有误请告知班主任{zh}老师。",
    ),
    ("zh_hr", "zh", "入职信息登记：姓名{zh}，身份证号码{cnid}，手机{cn_mobile}，紧急联系人{zh}（母亲）{cn_mobile}。"),
    ("zh_hr", "zh", "服务器{ipv4}的登录账号已开给{zh}，如需外网访问请联系运维{zh}。"),
    (
        "zh_legal",
        "zh",
        "甲方：上海某某科技有限公司\n乙方：{zh}\n身份证号：{cnid}\n联系地址：北京市朝阳区\n联系电话：{cn_land}",
    ),
    ("zh_medical", "zh", "【预约提醒】{zh}您好，您已预约{x_zh_date}上午口腔科，医生{zh}。如需改约请致电{cn_land}。"),
    ("zh_travel", "zh", "旅客{zh}，护照号码{pp_cn}，航班{x_zh_date}出发，请提前两小时到达机场。"),
    ("zh_travel", "zh", "签证材料清单：申请人{zh}，旧护照号码{pp_cn}，新护照号码{pp_cn}，邮箱{zemail}。"),
    # --- code-switching
    ("code_switch", "mixed", "帮我 call 一下 {name} 吧，他的号码是 {phone}。"),
    ("code_switch", "mixed", "Please cc {zh} on this, 她负责 Q3 的 budget。"),
    ("code_switch", "mixed", "{zh} 明天 WFH，有急事 ping 她 or email {zemail}。"),
    ("code_switch", "mixed", "这个 bug 是 {lfirst} 报的，repro 环境在 {ipv4}，log 我放在 {url} 了。"),
    ("code_switch", "mixed", "Meeting 改到下午三点, {first} 和 {zh} 都会 join, dial-in {us_phone}。"),
    ("code_switch", "mixed", "Hi {zh}, 你的 passport number {pp_cn} 需要 update 一下, 不然 visa 办不了。"),
    ("code_switch", "mixed", "客户 {name} 的 credit card {card} 被拒了, 麻烦 follow up 一下。"),
    ("code_switch", "mixed", "FYI 新同事 {zh}（{name@e}）今天 onboard, email 是 {email@e}。"),
    ("code_switch", "mixed", "快递到了吗？tracking 显示 {x_track}, 快递小哥 {zh} 的电话 {cn_mobile}。"),
    ("code_switch", "mixed", "{name}'s 身份证 copy 已收到: {cnid}, 请 HR 归档。"),
]

NEGATIVE: list[tuple[str, str, str]] = [
    (
        "support",
        "en",
        "Your order {x_order} has shipped. Estimated delivery {x_date} between {x_time} and {x_time}. "
        "Total charged: {x_price}.",
    ),
    (
        "support",
        "en",
        "Ticket {x_ticket} was merged into {x_ticket}. Please mark it as resolved once the {x_version} hotfix is out.",
    ),
    (
        "support",
        "en",
        "Thanks for contacting the Customer Success Team. Your reference is {x_invoice}; our office "
        "hours are Monday to Friday, {x_time}-{x_time}.",
    ),
    (
        "support",
        "en",
        "Return authorised for {x_sku} (qty {x_qty}). Refund of {x_price} issued to the original "
        "payment method on {x_date}.",
    ),
    ("logistics", "en", "Waybill {x_not_card} departed the Memphis hub at {x_time}. Next scan expected {x_date}."),
    ("logistics", "en", "Container MSKU{x_zip} loaded; {x_qty} pallets, gross weight {x_qty} kg. Vessel ETA {x_ts}."),
    (
        "logistics",
        "en",
        "Route update: trucks now use the Washington Street depot instead of Jackson Avenue from {x_date}.",
    ),
    ("chat", "en", "standup moved to {x_time}, project phoenix retro after. bring laptops"),
    ("chat", "en", "deploy of {x_version} done, build {x_build}, commit {x_sha}. monitoring dashboards look fine"),
    ("chat", "en", "will grant you access after lunch, mark the doc as final when ready"),
    ("chat", "en", "Will do. Mark the Brown Bag talk as optional, and Bill Payment Reminders go out at {x_time}."),
    ("chat", "en", "who's bringing snacks to the Friday demo? the Golden Gate team won last time"),
    (
        "meeting",
        "en",
        "Monday Standup notes: migration is {x_pct} done; Project Phoenix blocked on {x_ticket}; "
        "Q3 Roadmap review on {x_date}.",
    ),
    ("meeting", "en", "Agenda: 1) May release scope 2) Black Friday capacity 3) Customer Success Team hiring plan"),
    (
        "crm",
        "en",
        "account_id,segment,arr,renewal\n{x_num},Enterprise,{x_price},{x_date}\n{x_num},SMB,{x_price},{x_date}",
    ),
    (
        "crm",
        "en",
        "Company: Northwind Traders | Industry: Logistics | HQ: Rotterdam | Deal stage: Proposal | Value: {x_price}",
    ),
    (
        "invoice",
        "en",
        "INVOICE {x_invoice}\nDate: {x_date}\nItem {x_sku} x {x_qty} @ {x_price}\nVAT 20%\n"
        "Due within 30 days. Reference {x_order}.",
    ),
    ("invoice", "en", "Bank transfer reference {x_not_card}. Amount {x_price}, value date {x_date}."),
    ("bug", "en", "Regression in {x_version}: parser chokes on timestamps like {x_ts}. Last good build {x_build}."),
    ("bug", "en", "Crash in report_export.py line {x_num} when reading config.yaml; see README.md section 4."),
    ("bug", "en", "Postgres on port {x_port} refuses connections after upgrade to {x_version}; sha {x_sha}."),
    ("bug", "en", "Event {x_unix} processed twice. Queue offset {x_num}, partition {x_qty}."),
    ("forum", "en", "Anyone read ISBN {x_isbn}? Chapter 7 on Washington Street history is great."),
    ("forum", "en", "Tip: firmware {x_build} fixes the wifi bug. Downgrade to {x_version} if fans get loud."),
    ("social", "en", "Sunset at Yellow Mountain today 🌄 worth the {x_qty} steps. Back to Shanghai on {x_date}."),
    (
        "legal",
        "en",
        "Clause 4.2: the Supplier shall deliver within {x_num} days of the Purchase Order ({x_order}). "
        "Governing law: England and Wales.",
    ),
    ("legal", "en", "Case {x_case} was adjourned to {x_date} at {x_time}, Courtroom {x_num}."),
    (
        "school",
        "en",
        "Term starts {x_date}. Uniform price list: blazer {x_price}, tie {x_price}. Library closes at {x_time}.",
    ),
    (
        "medical",
        "en",
        "Clinic closed on {x_date} for staff training. Flu vaccines available from {x_time}; {x_qty} doses remaining.",
    ),
    ("hr", "en", "Open enrollment runs {x_date} to {x_date}. Grace period for dependants is 30 days."),
    ("zh_support", "zh", "您的订单{x_cn_order}已发货，预计{x_zh_date}送达，实付金额{x_cny}。"),
    ("zh_support", "zh", "亲，周末仓库不发货哦，马上到周一就会安排，请您耐心等待，给您带来不便非常抱歉。"),
    ("zh_support", "zh", "工单{x_ticket}已处理完毕，如对结果满意请点击高兴表情评价，谢谢。"),
    ("zh_express", "zh", "【中通快递】运单号{x_track}已从张家界转运中心发出，下一站长沙，预计{x_zh_date}到达。"),
    ("zh_express", "zh", "您的快递已放至高新区丰巢柜，取件码{x_num}，请于{x_time}前取件。"),
    ("zh_meeting", "zh", "会议纪要：《冰雪王国》手游二期需求评审通过，黄金周期间暂停发版，林业项目下周启动。"),
    ("zh_meeting", "zh", "本周重点：方案定稿、常见问题文档更新、任务分配表{x_version}发布，金额核对截止{x_zh_date}。"),
    ("zh_expense", "zh", "报销单编号{x_invoice}，金额{x_cny}，发票日期{x_zh_date}，项目编号{x_sku}。"),
    ("zh_expense", "zh", "温馨提示：白天打车费用请附行程单，夜间加班餐补上限{x_cny}。"),
    ("zh_wechat", "zh", "周末去黄山还是张家界？我投黄山一票，马上订票"),
    ("zh_wechat", "zh", "今天好高兴，终于拿到了石油大学的录取通知书！"),
    ("zh_wechat", "zh", "钱包丢了，好在里面只有几十块钱，白天再去找找"),
    ("zh_legal", "zh", "第{x_num}条 双方应于{x_zh_date}前完成交付，合同总金额{x_cny}，逾期按日万分之五计违约金。"),
    ("zh_hr", "zh", "年假申请流程已更新至{x_version}，文件见共享盘，如有疑问请联系人力资源部。"),
    ("zh_school", "zh", "通知：{x_zh_date}（周五）下午举行田径运动会，江南校区学生于{x_time}在操场集合。"),
    ("code_switch", "mixed", "这个 PR 先别 merge，{x_version} 的 release note 还没写完，ticket {x_ticket}。"),
    ("code_switch", "mixed", "明天的 Monday Standup 改成 online, Project Phoenix 的 demo 放到周末之后。"),
    ("code_switch", "mixed", "订单号 {x_cn_order} 的 refund 已经 approve 了, 金额 {x_cny}。"),
    ("code_switch", "mixed", "server 升级到 build {x_build} 之后 latency 降了 {x_pct}, 很 nice。"),
]

POSITIVE_REPEATS = 7
NEGATIVE_REPEATS = 4


def make_set(seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    records = []
    for repeats, templates in ((POSITIVE_REPEATS, POSITIVE), (NEGATIVE_REPEATS, NEGATIVE)):
        for kind, lang, template in templates:
            for _ in range(repeats):
                text, spans = render(template, rng)
                if templates is POSITIVE:
                    assert spans, template
                else:
                    assert not spans, template
                records.append({"split": "blind", "kind": kind, "lang": lang, "text": text, "spans": spans})
    return records


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, help="write the set as JSONL here; without it print counts")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    records = make_set(args.seed)
    if args.out:
        with args.out.open("w", encoding="utf-8") as f:
            for r in records:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(f"wrote {len(records)} records to {args.out}", file=sys.stderr)
        return
    types = Counter(s["type"] for r in records for s in r["spans"])
    print(
        f"records {len(records)}  negatives {sum(not r['spans'] for r in records)}  "
        f"templates {len(POSITIVE) + len(NEGATIVE)} ({len(POSITIVE)} positive, {len(NEGATIVE)} negative)"
    )
    print("spans by type:", dict(sorted(types.items())))
    print("records by lang:", dict(sorted(Counter(r["lang"] for r in records).items())))
    print("spans by lang:", dict(sorted(Counter(r["lang"] for r in records for _ in r["spans"]).items())))
    print("records by kind:", dict(sorted(Counter(r["kind"] for r in records).items())))


if __name__ == "__main__":
    main()
