# ruff: noqa: E501  (hand-written templates are kept one per line so each reads as the text it produces)
"""Third blind PII evaluation set ("blind3").

How it was made
---------------
Written by a third helper who had not read the recognizers (src/tunesmith/data/pii/, the data-studio PII op), their
documentation, or any of the other PII sets in bench/ (pii_blind.py, pii_blind2.py, pii_independent.py, ...). Every
template below was written by hand for this file, on purpose in genres unlike support tickets and e-mails: server
and application logs, git logs, calendar invites, issue comments, CSV / JSON exports, SMS and voicemail, court
listings, newsletters, rosters, programmes, itineraries, rental agreements, vet notes, report cards, library and
parking notices; Chinese express-locker / bank SMS, property notices, hospital slips, train tickets, parents'
groups, company directories, sign-in sheets, court notices, WeChat moments, comment sections; and code-switched
Chinese/English chat. The set measures how well the recognizers generalise to text written without knowledge of
them.

Format
------
``make_set(seed=23)`` returns a deterministic list of dicts::

    {"split": "blind3", "kind": <context kind>, "lang": "en" | "zh" | "mixed",
     "text": str, "spans": [{"type", "start", "end", "text"}, ...]}

Offsets are Python ``str`` indices; ``text[start:end] == span["text"]`` is asserted for every span; spans are sorted
and never overlap. Texts with ``spans == []`` are negatives full of look-alikes.

Labelling rules
---------------
* PERSON: real people's names only, without titles (Dr, Mr, 女士, 老师, 先生, 妈妈), without a possessive ``'s``.
  Forms: "First Last", family-first ("Zhang Wei", "Chan Tai Man"), "Last, First", initials ("N. Okafor"), ALL CAPS,
  lowercase first names in casual chat, surname only after a title ("Dr Okafor", "王女士" -> "王"), given name
  only ("浩然今天发烧"), CSV cells holding only the first or last name, airline style "OKAFOR/NGOZI" (one span,
  the trailing MR/MS is not part of it), and log user fields that are written as a name ("ngozi.okafor" in an
  sshd line or an audit field). @handles are never labelled, even when they look like a name. Fictional
  characters, pet names, brand / company names that are surnames, and streets / parks / buildings named after
  people are not labelled.
* EMAIL, PHONE, CARD, CN_ID, PASSPORT, URL: the whole value. Phones include +country code, brackets, dashes and
  spaces. CARD is a Luhn-valid 16-digit number (any grouping) or a 15-digit Amex (34/37, 4-6-5 grouping).
  CN_ID is 18 characters with a valid GB 11643 check character. PASSPORT is a passport number written near the
  word passport / Passport No. / 护照 (including a JSON key or a column header). URL is http(s)://... or www....
  with path and query, never the trailing punctuation or closing quote / bracket.
* IP: IPv4 or IPv6 (full or compressed); with a port ("10.0.0.5:8080", "[2001:db8::7]:443") only the address.
  Bare hostnames, MAC addresses and dotted version numbers are not labelled.

Run ``python bench/pii_blind3.py`` for counts, ``--out FILE.jsonl`` to write the set.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import unicodedata
from collections import Counter

SPLIT = "blind3"

# --------------------------------------------------------------------------------------------------------- names
# (given, family, order): order "w" writes "given family", "e" writes "family given".
INTL = [
    # European
    ("Tomasz", "Kowalczyk", "w"),
    ("Ingrid", "Solberg", "w"),
    ("Élodie", "Marchand", "w"),
    ("Giulia", "Ferraro", "w"),
    ("Siobhan", "O'Connell", "w"),
    ("Lars", "Eriksson", "w"),
    ("Katarzyna", "Wiśniewska", "w"),
    ("Dmitri", "Volkov", "w"),
    ("Anneke", "de Vries", "w"),
    ("Jürgen", "Haas", "w"),
    ("Rhys", "Llewellyn", "w"),
    ("Nikos", "Papadakis", "w"),
    ("Zsófia", "Nagy", "w"),
    ("Pádraig", "Ó Súilleabháin", "w"),
    ("Marta", "Jovanović", "w"),
    ("Bjørn", "Halvorsen", "w"),
    ("Ewan", "MacLeod", "w"),
    ("Isabel", "Fernández", "w"),
    # African
    ("Ngozi", "Okafor", "w"),
    ("Kwame", "Mensah", "w"),
    ("Amara", "Diallo", "w"),
    ("Thandiwe", "Ndlovu", "w"),
    ("Chidi", "Eze", "w"),
    ("Wanjiru", "Kamau", "w"),
    ("Yohannes", "Tesfaye", "w"),
    ("Fatoumata", "Traoré", "w"),
    ("Sipho", "Dlamini", "w"),
    ("Folake", "Adeyemi", "w"),
    ("Kofi", "Asante", "w"),
    ("Oluwaseun", "Bakare", "w"),
    ("Zanele", "Khumalo", "w"),
    ("Mamadou", "Ndiaye", "w"),
    # South Asian
    ("Priya", "Nair", "w"),
    ("Arjun", "Raghunathan", "w"),
    ("Sanjana", "Iyer", "w"),
    ("Farhan", "Chowdhury", "w"),
    ("Dilani", "Perera", "w"),
    ("Harpreet", "Sandhu", "w"),
    ("Bishnu", "Shrestha", "w"),
    ("Ayesha", "Siddiqui", "w"),
    ("Meenakshi", "Sundaram", "w"),
    ("Tashi", "Dorji", "w"),
    # South-East Asian
    ("Thi Lan", "Nguyen", "e"),
    ("Van Minh", "Tran", "e"),
    ("Somchai", "Wongsakul", "w"),
    ("Rizal", "Hidayat", "w"),
    ("Maricel", "Dela Cruz", "w"),
    ("Nur Aisyah", "Rahman", "w"),
    ("Dara", "Sok", "e"),
    ("Ploy", "Srisawat", "w"),
    # East Asian
    ("Haruto", "Sato", "w"),
    ("Yuki", "Tanaka", "w"),
    ("Ji-woo", "Park", "w"),
    ("Min-jun", "Kim", "w"),
    ("Seo-yeon", "Choi", "w"),
    # Middle Eastern
    ("Layla", "Haddad", "w"),
    ("Omar", "Farouk", "w"),
    ("Yasmin", "Al-Sayed", "w"),
    ("Reza", "Tehrani", "w"),
    ("Noa", "Ben-David", "w"),
    ("Mehmet", "Yılmaz", "w"),
    ("Tariq", "Al-Mansouri", "w"),
    ("Shirin", "Ahmadi", "w"),
    ("Elif", "Demir", "w"),
    # Latin American
    ("Mateus", "Costa", "w"),
    ("Valentina", "Restrepo", "w"),
    ("Joaquín", "Ibarra", "w"),
    ("Camila", "Gonçalves", "w"),
    ("Luis Alberto", "Quispe", "w"),
    ("Ximena", "Cárdenas", "w"),
    ("Thiago", "Albuquerque", "w"),
    ("Guadalupe", "Hernández", "w"),
    # Pacific
    ("Sione", "Tupou", "w"),
    ("Moana", "Kealoha", "w"),
    ("Aroha", "Ngata", "w"),
    ("Tevita", "Fifita", "w"),
    ("Mere", "Tuilagi", "w"),
    ("Epeli", "Ratu", "w"),
    # given names that are also ordinary English words
    ("Will", "Harrington", "w"),
    ("May", "Okonjo", "w"),
    ("Rose", "Kimani", "w"),
    ("Grant", "Whitfield", "w"),
    ("Mark", "Delaney", "w"),
    ("Bill", "Ostrowski", "w"),
]
# romanised Chinese: pinyin (mainland), Wade-Giles-ish (Taiwan), Cantonese (Hong Kong)
ROMAN = [
    ("Wei", "Zhang", "e"),
    ("Xiuying", "Wang", "e"),
    ("Jianguo", "Liu", "w"),
    ("Haoran", "Ouyang", "e"),
    ("Tai Man", "Chan", "e"),
    ("Siu Ming", "Wong", "e"),
    ("Ka-yan", "Leung", "w"),
    ("Wing Sze", "Cheung", "e"),
    ("Mei Ling", "Lau", "e"),
    ("Zihan", "Zhuge", "e"),
    ("Yiming", "Xu", "w"),
    ("Chia-hao", "Lin", "w"),
    ("Shuting", "Sima", "e"),
]
INTL_ALL = INTL + ROMAN

ZH_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗") + list("亓佘仉禚缑竺隗逄蒯厍")
ZH_COMPOUND = ["欧阳", "司马", "上官", "诸葛", "慕容", "东方", "夏侯", "尉迟", "皇甫", "令狐", "公孙", "端木"]
ZH_GIVEN = [
    "伟", "芳", "秀英", "建国", "子涵", "浩然", "一鸣", "婧", "思远", "雨桐", "嘉怡", "志强", "丽娟", "晓东",
    "梓萱", "俊杰", "玉兰", "海峰", "欣怡", "明", "磊", "淑珍", "宇轩", "若曦", "国栋", "春燕", "天佑", "静",
]  # fmt: skip

DOMAINS = ["example.com", "example.org", "mail.example.net", "corp.example", "uni-example.edu", "gmail.com",
           "outlook.com", "proton.me", "163.com", "qq.com", "fastmail.fm"]  # fmt: skip

_FOLD = str.maketrans({"ł": "l", "ø": "o", "ı": "i", "ß": "ss", "đ": "d", "Ł": "l", "Ø": "o"})


def fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.translate(_FOLD))
    return "".join(c for c in s.lower() if c.isascii() and c.isalnum())


class Person:
    def __init__(self, given: str, family: str, order: str):
        self.given, self.family, self.order = given, family, order

    def full(self) -> str:
        return f"{self.given} {self.family}" if self.order == "w" else f"{self.family} {self.given}"

    def login(self) -> str:
        return f"{fold(self.given)}.{fold(self.family)}"


class ZhPerson:
    def __init__(self, rng: random.Random):
        r = rng.random()
        if r < 0.2:
            self.family = rng.choice(ZH_COMPOUND)
        elif r < 0.4:
            self.family = rng.choice(ZH_SURNAMES[20:])
        else:
            self.family = rng.choice(ZH_SURNAMES[:20])
        self.given = rng.choice(ZH_GIVEN)

    def full(self) -> str:
        return self.family + self.given


# -------------------------------------------------------------------------------------------- structured values
def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    for c in "0123456789":
        if luhn_ok(body + c):
            return body + c
    raise AssertionError("unreachable")


GB_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
GB_CHECK = "10X98765432"


def gb_check(first17: str) -> str:
    return GB_CHECK[sum(int(c) * w for c, w in zip(first17, GB_WEIGHTS)) % 11]


def digits(rng: random.Random, n: int) -> str:
    return str(rng.randrange(1, 10)) + "".join(str(rng.randrange(10)) for _ in range(n - 1))


def g_card(rng: random.Random) -> str:
    prefix = rng.choice(["4", "4", "51", "53", "55", "2221", "6011", "62", "35"])
    num = luhn_complete(prefix, 16, rng)
    style = rng.randrange(3)
    if style == 0:
        return " ".join(num[i : i + 4] for i in range(0, 16, 4))
    if style == 1:
        return "-".join(num[i : i + 4] for i in range(0, 16, 4))
    return num


def g_amex(rng: random.Random) -> str:
    num = luhn_complete(rng.choice(["34", "37"]), 15, rng)
    sep = rng.choice([" ", " ", "-", ""])
    return sep.join([num[:4], num[4:10], num[10:]])


def g_badcard(rng: random.Random) -> str:
    while True:
        num = digits(rng, 16)
        if not luhn_ok(num):
            break
    return " ".join(num[i : i + 4] for i in range(0, 16, 4)) if rng.random() < 0.5 else num


REGIONS = ["110101", "110108", "310104", "440305", "510107", "330106", "420102", "320583", "610113", "350203",
           "210102", "430104", "370202", "500103", "120101", "530102"]  # fmt: skip


def g_cnid(rng: random.Random) -> str:
    y, m, d = rng.randrange(1950, 2008), rng.randrange(1, 13), rng.randrange(1, 29)
    first = f"{rng.choice(REGIONS)}{y:04d}{m:02d}{d:02d}{rng.randrange(1000):03d}"
    return first + gb_check(first)


def g_order18(rng: random.Random) -> str:
    while True:
        num = digits(rng, 18)
        if gb_check(num[:17]) != num[17]:
            return num


def g_passport(rng: random.Random) -> str:
    up = "ABCDEFGHJKLMNPRSTUVWXYZ"
    k = rng.randrange(9)
    if k == 0:  # US / UK style, 9 digits
        return digits(rng, 9)
    if k == 1:  # PRC e-passport
        return "E" + digits(rng, 8)
    if k == 2:
        return "EA" + digits(rng, 7)
    if k == 3:  # India
        return rng.choice(up) + digits(rng, 7)
    if k == 4:  # Germany
        alnum = "CFGHJKLMNPRTVWXYZ0123456789"
        return "C" + "".join(rng.choice(alnum) for _ in range(8))
    if k == 5:  # France
        return f"{rng.randrange(10, 99)}{rng.choice(up)}{rng.choice(up)}{digits(rng, 5)}"
    if k == 6:  # Nigeria
        return "A" + digits(rng, 8)
    if k == 7:  # Brazil
        return "F" + rng.choice(up) + digits(rng, 6)
    return rng.choice(["TK", "TR", "MU"]) + digits(rng, 7)  # Japan


def g_phone(rng: random.Random, kind: str = "any") -> str:
    if kind == "any":
        kind = rng.choice(["us", "uk", "in", "ng", "br", "de", "au", "jp", "ke", "ph", "cn", "hk", "mx", "nz"])
    d = lambda n: digits(rng, n)  # noqa: E731
    z = lambda n: "".join(str(rng.randrange(10)) for _ in range(n))  # noqa: E731
    if kind == "us":
        a, b = rng.randrange(201, 990), f"555-01{z(2)}"
        return rng.choice(
            [f"({a}) {b}", f"{a}-{b}", f"+1 {a} {b.replace('-', ' ')}", f"+1-{a}-{b}", f"{a}.{b.replace('-', '.')}"]
        )
    if kind == "uk":
        return rng.choice([f"+44 20 7946 0{z(3)}", f"07700 900{z(3)}", f"+44 7700 900{z(3)}", f"(0161) 496 0{z(3)}"])
    if kind == "in":
        return rng.choice([f"+91 9{z(4)} {z(5)}", f"+91-98{z(3)}-{z(5)}", f"09{z(9)}"])
    if kind == "ng":
        return rng.choice([f"+234 803 {z(3)} {z(4)}", f"0805 {z(3)} {z(4)}"])
    if kind == "br":
        return rng.choice([f"+55 11 9{z(4)}-{z(4)}", f"(21) 9{z(4)}-{z(4)}"])
    if kind == "de":
        return rng.choice([f"+49 30 {d(8)}", f"+49 (0)89 {z(3)} {z(4)}", f"0171 {d(7)}"])
    if kind == "au":
        return rng.choice([f"+61 4{z(2)} {z(3)} {z(3)}", f"(02) 9{z(3)} {z(4)}"])
    if kind == "jp":
        return rng.choice([f"+81 90-{z(4)}-{z(4)}", f"03-{z(4)}-{z(4)}"])
    if kind == "ke":
        return f"+254 7{z(2)} {z(3)} {z(3)}"
    if kind == "ph":
        return f"+63 917 {z(3)} {z(4)}"
    if kind == "mx":
        return f"+52 55 {z(4)} {z(4)}"
    if kind == "nz":
        return rng.choice([f"+64 21 {z(3)} {z(4)}", f"021 {z(3)} {z(4)}"])
    if kind == "hk":
        return rng.choice([f"+852 9{z(3)} {z(4)}", f"+852 6{z(7)}", f"(852) 2{z(3)} {z(4)}"])
    if kind == "cn":
        pre = rng.choice(["138", "139", "186", "150", "177", "135", "199", "158"])
        rest = z(8)
        return rng.choice([pre + rest, f"{pre} {rest[:4]} {rest[4:]}", f"+86 {pre} {rest[:4]} {rest[4:]}",
                           f"{pre}-{rest[:4]}-{rest[4:]}", f"+86{pre}{rest}"])  # fmt: skip
    if kind == "cnl":
        return rng.choice([f"010-{d(8)}", f"(021) {z(4)} {z(4)}", f"0755-{d(8)}", f"028-{d(8)}", f"400-{z(3)}-{z(4)}"])
    raise KeyError(kind)


def g_ip4(rng: random.Random) -> str:
    k = rng.randrange(6)
    if k == 0:
        return f"203.0.113.{rng.randrange(1, 255)}"
    if k == 1:
        return f"198.51.100.{rng.randrange(1, 255)}"
    if k == 2:
        return f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
    if k == 3:
        return f"192.168.{rng.randrange(256)}.{rng.randrange(1, 255)}"
    if k == 4:
        return f"172.{rng.randrange(16, 32)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
    return f"{rng.randrange(11, 223)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def g_ip6(rng: random.Random) -> str:
    h = lambda: f"{rng.randrange(1, 0x10000):x}"  # noqa: E731
    k = rng.randrange(6)
    if k == 0:
        return f"2001:db8::{h()}"
    if k == 1:
        return f"2001:db8:{h()}:{h()}::{h()}"
    if k == 2:
        return f"fe80::{h()}:{h()}:{h()}:{h()}"
    if k == 3:
        return ":".join(f"{rng.randrange(0x10000):04x}" for _ in range(8))
    if k == 4:
        return f"2a02:{h()}:{h()}:{h()}:{h()}:{h()}:{h()}:{h()}"
    return f"2400:cb00:{h()}::{h()}:{h()}"


URL_HOSTS = ["example.com", "docs.example.org", "portal.example.net", "status.example.io", "meet.example.com",
             "files.corp.example", "shop.example.co.uk", "pay.example.com.br", "m.example.cn", "gitlab.example.dev"]  # fmt: skip
URL_PATHS = ["/join/84213", "/t/reset-password", "/api/v2/orders?id=7731&ref=sms", "/p/spring-fete-2025",
             "/s/8fJ2kQ", "/issues/4412#note_19", "/d/Agenda.pdf", "/r/2025/03?lang=en", "/pay?inv=INV-20931",
             "/~mkealoha/notes.html", "/wiki/On-call_rotation", "/v/9931-aa?utm_source=newsletter&utm_medium=email"]  # fmt: skip


def g_url(rng: random.Random) -> str:
    return rng.choice(["https://", "https://", "http://"]) + rng.choice(URL_HOSTS) + rng.choice(URL_PATHS)


def g_www(rng: random.Random) -> str:
    return "www." + rng.choice(["example.com", "example.org", "example.net", "example.co.nz"]) + rng.choice(URL_PATHS)


# ----------------------------------------------------------------------------------------- unlabelled fillers
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
PETS = ["Biscuit", "Max", "Luna", "Pepper", "Mochi", "Bella", "Rocky", "Kiwi", "Nala", "Oscar"]
BREEDS = ["Labrador", "domestic shorthair", "Border Collie", "rabbit, Netherland Dwarf", "Shih Tzu", "Maine Coon"]
BRANDS = ["Ford & Mason", "Dell", "Cadbury", "Wells Fargo", "Morgan Stanley", "Ferragamo", "Johnson Controls"]
CITIES_ZH = ["北京南", "上海虹桥", "广州南", "深圳北", "杭州东", "成都东", "武汉", "南京南", "西安北", "长沙南"]
BANKS = ["招商银行", "工商银行", "建设银行", "中国银行", "交通银行", "浦发银行"]
ORGS = ["Helix Labs", "University of Otago", "Northwind Analytics", "KTH", "IIT Madras", "Fiocruz", "Makerere Univ."]
ORGS_ZH = ["华信科技", "市第一中学", "星河物流", "东湖实验室", "瑞丰会计师事务所", "绿城物业"]


def g_filler(key: str, arg: str | None, rng: random.Random) -> str:
    if key == "n":
        return digits(rng, int(arg or 4))
    if key == "alt":
        return rng.choice(arg.split("|"))
    if key == "hex":
        return "".join(rng.choice("0123456789abcdef") for _ in range(int(arg or 8)))
    if key == "sha":
        return g_filler("hex", "40", rng)
    if key == "sha7":
        return g_filler("hex", "7", rng)
    if key == "uuid":
        h = g_filler("hex", "32", rng)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    if key == "ts":
        return (f"2025-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T{rng.randrange(24):02d}:"
                f"{rng.randrange(60):02d}:{rng.randrange(60):02d}.{rng.randrange(1000):03d}Z")  # fmt: skip
    if key == "sshts":
        return f"{rng.choice(MONTHS)} {rng.randrange(1, 29):2d} {rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"
    if key == "clf":
        return f"{rng.randrange(1, 29):02d}/{rng.choice(MONTHS)}/2025:{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d} +0000"
    if key == "gitdate":
        return f"{rng.choice(['Mon', 'Tue', 'Wed', 'Thu', 'Fri'])} {rng.choice(MONTHS)} {rng.randrange(1, 29)} {rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d} 2025 {rng.choice(['+0100', '-0300', '+0530', '+0800', '+1200'])}"
    if key == "icsdt":
        return f"2025{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}T{rng.randrange(7, 18):02d}{rng.choice(['00', '30'])}00Z"
    if key == "date":
        m, dd = rng.randrange(1, 13), rng.randrange(1, 29)
        return rng.choice([f"{dd} {MONTHS[m - 1]} 2025", f"{m:02d}/{dd:02d}/2025", f"2025-{m:02d}-{dd:02d}"])
    if key == "cndt":
        return f"{rng.randrange(1, 13)}月{rng.randrange(1, 29)}日 {rng.randrange(7, 22):02d}:{rng.randrange(60):02d}"
    if key == "cndate":
        return f"2025-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
    if key == "time":
        return f"{rng.randrange(7, 20):02d}:{rng.choice(['00', '15', '30', '45'])}"
    if key == "exp":
        return f"{rng.randrange(1, 13):02d}/{rng.randrange(26, 31)}"
    if key == "semver":
        v = f"{rng.randrange(0, 5)}.{rng.randrange(0, 30)}.{rng.randrange(0, 20)}"
        return v + rng.choice(["", "", "", "-rc.1", "-beta.3", "+build.77"])
    if key == "winver":
        return f"10.0.{rng.choice([19045, 22621, 22631, 26100])}.{rng.randrange(1000, 5000)}"
    if key == "chromever":
        return f"{rng.randrange(110, 131)}.0.{rng.randrange(5000, 7000)}.{rng.randrange(10, 200)}"
    if key == "fw":
        return f"{rng.randrange(1, 9)}.{rng.randrange(0, 20)}.{rng.randrange(0, 40)}.{rng.randrange(0, 200)}"
    if key == "oid":
        return "1.3.6.1.4.1." + ".".join(str(rng.randrange(1, 400)) for _ in range(rng.randrange(3, 6)))
    if key == "mac":
        return ":".join(f"{rng.randrange(256):02x}" for _ in range(6))
    if key == "badcard":
        return g_badcard(rng)
    if key == "id17":
        return digits(rng, 17)
    if key == "order18":
        return g_order18(rng)
    if key == "ups":
        return "1Z" + "".join(rng.choice("0123456789ABCDEFGHJKRVWXY") for _ in range(6)) + digits(rng, 10)
    if key == "amt":
        return f"{rng.randrange(1, 20000):,}.{rng.randrange(100):02d}"
    if key == "host":
        return rng.choice(["db-primary.internal", "cache01.prod.example", "api.example.com", "registry.example.dev",
                           "ip-10-0-3-17.ec2.internal", "build-agent-7.ci.local", "mq.eu-west.example.net"])  # fmt: skip
    if key == "jira":
        return f"{rng.choice(['OPS', 'DATA', 'WEB', 'PAY', 'INFRA'])}-{rng.randrange(100, 9999)}"
    if key == "pnr":
        return "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))
    if key == "flt":
        return rng.choice(["NZ", "QF", "ET", "LH", "CX", "AI", "LA", "TK"]) + str(rng.randrange(10, 999))
    if key == "plate":
        return rng.choice(
            [
                f"KX{rng.randrange(10, 75)} {g_filler('pnr', None, rng)[:3]}",
                f"7{g_filler('pnr', None, rng)[:3]}{rng.randrange(100, 999)}",
            ]
        )
    if key == "pet":
        return rng.choice(PETS)
    if key == "breed":
        return rng.choice(BREEDS)
    if key == "brand":
        return rng.choice(BRANDS)
    if key == "org":
        return rng.choice(ORGS)
    if key == "orgzh":
        return rng.choice(ORGS_ZH)
    if key == "city":
        return rng.choice(CITIES_ZH)
    if key == "bank":
        return rng.choice(BANKS)
    if key == "cc":
        return rng.choice(["NGA", "NZL", "IND", "BRA", "DEU", "CHN", "PHL", "TON", "JPN", "GHA"])
    if key == "title":
        return rng.choice(["Mr", "Ms", "Mrs", "Dr", "Mx", "Mr.", "Ms."])
    raise KeyError(key)


# ------------------------------------------------------------------------------------------------- rendering
TOKEN = re.compile(r"\[\[([A-Za-z][A-Za-z0-9]*)(?:@(\d))?(?::([^\]]*))?\]\]")
INTL_FORMS = {"P", "F", "L", "LF", "U", "UF", "UL", "SL", "W", "I", "N", "E", "H", "Y"}
ZH_FORMS = {"Z", "ZS", "ZG"}
LABELLED = {
    "EM": "EMAIL",
    "PH": "PHONE", "PHUS": "PHONE", "PHUK": "PHONE", "PHCN": "PHONE", "PHCNL": "PHONE", "PHHK": "PHONE",
    "PHIN": "PHONE", "PHNG": "PHONE", "PHAU": "PHONE",
    "IP4": "IP", "IP6": "IP", "URL": "URL", "WWW": "URL", "CARD": "CARD", "AMEX": "CARD", "CNID": "CN_ID",
    "PASS": "PASSPORT", "PASSCN": "PASSPORT",
}  # fmt: skip


def _person(ctx: dict, pool: str, idx: str, rng: random.Random):
    key = (pool, idx)
    if key not in ctx:
        used = {p.full() for k, p in ctx.items() if isinstance(k, tuple)}
        while True:
            p = ZhPerson(rng) if pool == "zh" else Person(*rng.choice(ROMAN if pool == "roman" else INTL_ALL))
            if p.full() not in used:
                break
        ctx[key] = p
    return ctx[key]


def _value(key: str, idx: str, arg: str | None, rng: random.Random, ctx: dict) -> list[tuple[str, str | None]]:
    """Return pieces [(text, type-or-None)]; most keys give one piece, ports give address + port."""
    if key in INTL_FORMS:
        p = _person(ctx, "roman" if key == "Y" else "intl", idx, rng)
        g, f = p.given, p.family
        if key in ("P", "Y"):
            return [(p.full(), "PERSON")]
        if key == "F":
            return [(g, "PERSON")]
        if key == "L":
            return [(f, "PERSON")]
        if key == "LF":
            return [(f"{f}, {g}", "PERSON")]
        if key == "U":
            return [(p.full().upper(), "PERSON")]
        if key == "UF":
            return [(g.upper(), "PERSON")]
        if key == "UL":
            return [(f.upper(), "PERSON")]
        if key == "SL":
            return [(f"{f.upper()}/{g.upper()}", "PERSON")]
        if key == "W":
            return [(g.lower(), "PERSON")]
        if key == "I":
            return [(f"{g[0]}. {f}", "PERSON")]
        if key == "N":
            return [(p.login(), "PERSON")]
        if key == "E":
            if "email" not in ctx.setdefault("_emails", {}).get(idx, {}):
                local = rng.choice(
                    [p.login(), fold(g)[0] + fold(f), f"{fold(f)}.{fold(g)[0]}", fold(g) + str(rng.randrange(10, 99))]
                )
                ctx["_emails"][idx] = {"email": f"{local}@{rng.choice(DOMAINS)}"}
            return [(ctx["_emails"][idx]["email"], "EMAIL")]
        if key == "H":
            return [(rng.choice([fold(g) + "-" + fold(f)[:1], fold(g)[:1] + fold(f), fold(g) + "dev"]), None)]
    if key in ZH_FORMS:
        p = _person(ctx, "zh", idx, rng)
        given = p.given if len(p.given) > 1 else p.full()  # a lone one-character given name reads unnaturally
        return [({"Z": p.full(), "ZS": p.family, "ZG": given}[key], "PERSON")]
    if key == "EM":
        local = rng.choice(["hello", "frontdesk", "noreply-billing", "ops.oncall", "lin.w", "kaito_92", "ts.admin"])
        return [(f"{local}@{rng.choice(DOMAINS)}", "EMAIL")]
    if key.startswith("PH"):
        kind = {"PH": "any", "PHUS": "us", "PHUK": "uk", "PHCN": "cn", "PHCNL": "cnl", "PHHK": "hk", "PHIN": "in",
                "PHNG": "ng", "PHAU": "au"}[key]  # fmt: skip
        return [(g_phone(rng, kind), "PHONE")]
    if key == "IP4":
        return [(g_ip4(rng), "IP")]
    if key == "IP6":
        return [(g_ip6(rng), "IP")]
    if key == "IPP":
        return [(g_ip4(rng), "IP"), (f":{rng.choice([8080, 443, 5432, 6379, 22, 9000, 3000])}", None)]
    if key == "IP6P":
        return [("[", None), (g_ip6(rng), "IP"), (f"]:{rng.choice([443, 8443, 53, 5060])}", None)]
    if key == "URL":
        return [(g_url(rng), "URL")]
    if key == "WWW":
        return [(g_www(rng), "URL")]
    if key == "CARD":
        return [(g_card(rng), "CARD")]
    if key == "AMEX":
        return [(g_amex(rng), "CARD")]
    if key == "CNID":
        return [(g_cnid(rng), "CN_ID")]
    if key == "PASS":
        return [(g_passport(rng), "PASSPORT")]
    if key == "PASSCN":
        return [(rng.choice(["E", "EA", "EB", "EH"]) + digits(rng, 8 if rng.random() < 0.4 else 7), "PASSPORT")]
    if key in ("pet", "bank"):  # the same pet / bank throughout one text
        ctx.setdefault("_" + key, g_filler(key, arg, rng))
        return [(ctx["_" + key], None)]
    return [(g_filler(key, arg, rng), None)]


def render(template: str, rng: random.Random) -> tuple[str, list[dict]]:
    ctx: dict = {}
    parts: list[str] = []
    spans: list[dict] = []
    pos = last = 0
    for m in TOKEN.finditer(template):
        lit = template[last : m.start()]
        parts.append(lit)
        pos += len(lit)
        for val, typ in _value(m.group(1), m.group(2) or "0", m.group(3), rng, ctx):
            if typ:
                spans.append({"type": typ, "start": pos, "end": pos + len(val), "text": val})
            parts.append(val)
            pos += len(val)
        last = m.end()
    parts.append(template[last:])
    return "".join(parts), spans


# ------------------------------------------------------------------------------------------------- templates
# (kind, lang, template). Placeholders: [[KEY@i:arg]]; person forms share person i within one text.
POSITIVE = [
    # --- server / app logs
    ("log_auth", "en", "[[sshts]] bastion-02 sshd[[[n:5]]]: Failed password for [[N]] from [[IP4]] port [[n:5]] ssh2"),
    (
        "log_auth",
        "en",
        "[[sshts]] vpn-gw sshd[[[n:4]]]: Accepted publickey for [[N]] from [[IP6]] port [[n:5]] ssh2: ED25519 SHA256:[[hex:22]]",
    ),
    (
        "log_auth",
        "en",
        "[[sshts]] web01 sudo:   [[N]] : TTY=pts/[[n:1]] ; PWD=/srv/app ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx\n[[sshts]] web01 sudo: pam_unix(sudo:session): session opened for user root by [[N]](uid=[[n:4]])",
    ),
    (
        "log_nginx",
        "en",
        '[[IP4]] - - [[[clf]]] "GET /api/v2/users/[[n:6]] HTTP/1.1" 200 [[n:4]] "[[URL]]" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/[[chromever]]"',
    ),
    ("log_nginx", "en", '[[IP6]] - [[N]] [[[clf]]] "POST /login HTTP/2.0" 302 0 "-" "curl/8.5.0"'),
    (
        "log_nginx",
        "en",
        '[[ts]] [error] 2291#2291: *[[n:5]] upstream timed out (110: Connection timed out) while reading response header from upstream, client: [[IP4]], server: [[host]], upstream: "http://[[IPP]]/v1/pay"',
    ),
    ("log_app", "en", '[[ts]] INFO  auth.service login ok user="[[P]]" email=[[E]] ip=[[IPP]] build=[[winver]]'),
    (
        "log_app",
        "en",
        "[[ts]] WARN  billing.retry charge declined customer=[[U]] pan=[[CARD]] attempt=[[n:1]]/3 (PAN should have been tokenised, ticket [[jira]])",
    ),
    (
        "log_app",
        "en",
        '[[ts]] ERROR db.pool duplicate key value violates unique constraint "users_email_key"\nDETAIL:  Key (email)=([[E]]) already exists.\ncontext: signup by [[P]] from [[IP6]]',
    ),
    (
        "log_app",
        "en",
        '[[ts]] level=error msg="dial tcp [[IP6P]]: connect: connection refused" pod=api-[[hex:5]] node=[[host]] owner=[[N]]',
    ),
    (
        "log_audit",
        "en",
        '[[ts]] audit actor=[[N]] action=role.grant target="[[P@1]]" role=admin src=[[IP4]]\n[[ts]] audit actor=[[N@1]] action=mfa.reset target="[[P@2]]" src=[[IP4]]',
    ),
    (
        "log_fw",
        "en",
        "[[sshts]] edge kernel: [UFW BLOCK] IN=eth0 OUT= MAC=[[mac]] SRC=[[IP4]] DST=[[IP4]] LEN=60 TTL=52 PROTO=TCP SPT=[[n:5]] DPT=22 — blocked ip belongs to [[P]]'s home office per asset sheet",
    ),
    (
        "log_mail",
        "en",
        "[[sshts]] mx1 postfix/smtpd[[[n:4]]]: NOQUEUE: reject: RCPT from unknown[[[IP4]]]: 554 5.7.1 <[[E]]>: Relay access denied; from=<[[EM]]> to=<[[E]]> proto=ESMTP",
    ),
    # --- git
    (
        "git_log",
        "en",
        "commit [[sha]]\nAuthor: [[P]] <[[E]]>\nDate:   [[gitdate]]\n\n    Fix retry backoff in uploader (#[[n:4]])\n\n    Co-authored-by: [[P@1]] <[[E@1]]>",
    ),
    (
        "git_log",
        "en",
        "[[sha7]] (tag: v[[semver]]) Bump protobuf to [[semver]]\n\nSigned-off-by: [[P]] <[[E]]>\nReviewed-by: [[P@1]] <[[E@1]]>\nReported-by: [[I@2]]",
    ),
    (
        "git_log",
        "en",
        "$ git shortlog -sn\n   [[n:3]]  [[P]]\n    [[n:2]]  [[P@1]]\n    [[n:2]]  [[Y@2]]\n     [[n:1]]  dependabot[bot]",
    ),
    (
        "git_blame",
        "en",
        '[[sha7]] ([[P]]   2024-11-02 14:07:55 +0530  88)     if retries > MAX_RETRIES:\n[[sha7]] ([[P@1]] 2025-01-19 09:12:03 -0300  89)         raise UploadError(f"gave up after {retries}")',
    ),
    # --- calendar
    (
        "calendar",
        "en",
        "BEGIN:VEVENT\nSUMMARY:Quarterly sync with [[P]]\nORGANIZER;CN=[[P@1]]:mailto:[[E@1]]\nATTENDEE;CN=[[P@2]];ROLE=REQ-PARTICIPANT:mailto:[[E@2]]\nLOCATION:[[URL]]\nDTSTART:[[icsdt]]\nEND:VEVENT",
    ),
    (
        "calendar",
        "en",
        "Invitation: 1:1 [[F]] / [[F@1]] @ [[alt:Mon|Tue|Thu]] [[date]] [[time]] (30 min, NZDT)\nJoin: [[URL]]\nDial-in: [[PH]] PIN [[n:6]]#\nOrganizer: [[E]]",
    ),
    (
        "calendar",
        "en",
        "Updated invitation with note: [[P]] has proposed a new time. Guests: [[P@1]], [[LF@2]], [[E@3]]. Room: Aroha (Level 3).",
    ),
    # --- issues / chat-ops
    (
        "issue_comment",
        "en",
        "@[[H]] I can reproduce this on [[winver]]. [[F@1]] mentioned yesterday that it only happens behind the proxy at [[IPP]]; cc @[[H@2]]",
    ),
    (
        "issue_comment",
        "en",
        "[[jira]] reassigned from [[P]] to [[P@1]].\nComment by [[F@1]]: attaching the HAR, see [[URL]]. The failing client was [[IP6]].",
    ),
    (
        "issue_comment",
        "en",
        "Thanks @[[H]]! Closing as dup of #[[n:4]]. Also, [[W@1]] was right about the locale fallback, credit to her in the changelog.",
    ),
    (
        "issue_comment",
        "en",
        "> **[[P]]** commented on [[date]]\n> Still failing for me on [[semver]]\n\nping [[F@1]] — didn't you fix this in [[sha7]]?",
    ),
    (
        "chat_ops",
        "en",
        "[[time]] [[P]]: can someone check why [[URL]] returns 500?\n[[time]] [[P@1]]: looking. the upstream at [[IPP]] is flapping\n[[time]] [[P]]: ty [[W@1]]",
    ),
    # --- CSV / JSON
    (
        "csv_export",
        "en",
        'employee_id,full_name,email,mobile\n[[n:5]],[[P]],[[E]],[[PH]]\n[[n:5]],[[P@1]],[[E@1]],[[PH]]\n[[n:5]],"[[LF@2]]",[[E@2]],[[PH]]',
    ),
    (
        "csv_export",
        "en",
        "Last Name,First Name,Card Number,Expiry,Billing Phone\n[[L]],[[F]],[[CARD]],[[exp]],[[PH]]\n[[L@1]],[[F@1]],[[AMEX]],[[exp]],[[PH]]",
    ),
    (
        "csv_export",
        "en",
        "ip,first_seen,reported_by,notes\n[[IP4]],[[ts]],[[N]],brute force\n[[IP6]],[[ts]],[[N@1]],scanner\n[[IP4]],[[ts]],[[N]],",
    ),
    (
        "csv_export",
        "en",
        "Guest,Passport Number,Nationality,Room\n[[U]],[[PASS]],[[cc]],[[n:3]]\n[[U@1]],[[PASS]],[[cc]],[[n:3]]",
    ),
    (
        "json_record",
        "en",
        '{"name": "[[P]]", "phone": "[[PH]]", "email": "[[E]]", "last_ip": "[[IP4]]", "app_version": "[[semver]]"}',
    ),
    (
        "json_record",
        "en",
        '{"passenger": {"surname": "[[UL]]", "given_names": "[[UF]]", "passport": "[[PASS]]", "nationality": "[[cc]]"}, "pnr": "[[pnr]]"}',
    ),
    (
        "json_record",
        "en",
        '{"event":"charge.failed","customer":{"name":"[[P]]","email":"[[E]]"},"card":"[[CARD]]","ip":"[[IP6]]","ts":"[[ts]]"}',
    ),
    (
        "json_record",
        "en",
        '[\n  {"id": [[n:4]], "contact": "[[P]]", "tel": "[[PHAU]]"},\n  {"id": [[n:4]], "contact": "[[P@1]]", "tel": "[[PHNG]]", "site": "[[URL]]"}\n]',
    ),
    (
        "yaml_config",
        "en",
        '# maintainer: [[P]] <[[E]]>\nserver:\n  listen: "[[[IP6]]]:443"\n  upstream: [[IPP]]\n  admin_contact: [[PH]]\n  version: [[semver]]',
    ),
    # --- SMS / voicemail
    (
        "sms",
        "en",
        "Hi [[F]], your table for 4 at Kōwhai is confirmed for [[time]]. Reply C to cancel or call [[PHUS]].",
    ),
    (
        "sms",
        "en",
        "[[F]], reminder: your appointment with Dr [[L@1]] is on [[date]] at [[time]]. Reply Y to confirm, or manage it at [[URL]]",
    ),
    (
        "sms",
        "en",
        "Your driver [[F]] is arriving in a silver Corolla ([[plate]]). Call via [[PH]] if you can't find them.",
    ),
    (
        "voicemail",
        "en",
        'Voicemail from [[PH]] (0:42): "hey it\'s [[W]]... um, calling about the invoice, can you ring me back on [[PH]]? or just email me at [[E]]. thanks, bye"',
    ),
    (
        "voicemail",
        "en",
        "Transcript: Hi, this is [[P]] from Harbourside Dental, calling for [[P@1]] to confirm Tuesday at [[time]]. Our number is [[PHUS]]. Thank you!",
    ),
    (
        "voicemail",
        "en",
        'New voicemail (1:13) — "yeah hi, it\'s [[F]] from the body corporate, we spoke to [[P@1]] — no sorry, to [[P@2]] — about the leak... call me on [[PHNG]]"',
    ),
    # --- court / community
    (
        "court_listing",
        "en",
        "COURT 4 — before District Judge [[L]]\n10:00  [[U@1]] v [[U@2]]  (claim [[n:2]]/[[n:5]])\n11:30  R v [[U@3]]  plea hearing\n14:00  In the matter of [[P@4]] (deceased)",
    ),
    (
        "court_listing",
        "en",
        "Employment Tribunal. Claimant: [[P]]. Respondent: [[brand]] Ltd. Case No: [[n:7]]/2025. Representative: [[I@1]] (counsel).",
    ),
    (
        "newsletter",
        "en",
        "Many thanks to [[P]] for the altar flowers this month, and a warm welcome to the [[L@1]] family who joined us at Easter. Prayer requests can go to [[E@2]] or ring [[P@2]] on [[PH]].",
    ),
    (
        "newsletter",
        "en",
        "Happy 80th birthday to [[P]]! Cards can be left with [[F@1]] at the back of the hall. The food bank roster is at [[WWW]] — thank you [[W@2]] for organising it.",
    ),
    (
        "newsletter",
        "en",
        "Committee 2025: Chair [[P]]; Treasurer [[P@1]]; Secretary [[P@2]] ([[E@2]]). Welcome also to new members [[F@3]] and [[F@4]].",
    ),
    (
        "team_roster",
        "en",
        "#   PLAYER                    POS\n[[n:1]]   [[U]]     GK\n[[n:1]]   [[U@1]]   DF\n1[[n:1]]  [[U@2]]   MF\n2[[n:1]]  [[U@3]]   FW\nCoach: [[P@4]]  Manager phone: [[PH]]",
    ),
    (
        "sports_report",
        "en",
        "Scorers: [[L]] 12', [[L@1]] 54' (pen), [[L@2]] 88'. Player of the match: [[P@3]], who also set up [[L@1]]'s penalty.",
    ),
    (
        "conference",
        "en",
        "[[time]]  Keynote: Scaling retrieval beyond 10^9 docs — [[P]] ([[org]])\n[[time]]  Panel: [[P@1]], [[P@2]] and [[P@3]]; moderated by [[I@4]]\nSlides: [[URL]]",
    ),
    (
        "conference",
        "en",
        "Session 3B (Room Kauri). Chair: [[LF]]. Speakers: [[P@1]] ([[org]]), [[Y@2]] ([[org]]). Contact the chair at [[E]].",
    ),
    # --- travel / rental / misc admin
    (
        "itinerary",
        "en",
        "BOOKING REF [[pnr]]\nPASSENGER [[SL]] MS\nPASSPORT NO. [[PASS]]\nFLIGHT [[flt]] [[date]] DEP [[time]]\nCONTACT [[PH]]",
    ),
    (
        "itinerary",
        "en",
        "Itinerary for [[P]] & [[P@1]]\nDay 1 — arrive Nadi, check in (conf. [[n:9]])\nDay 2 — reef tour with guide [[F@2]]; meet in the lobby 09:00\nEmergency: [[PH]]\nMap: [[URL]]",
    ),
    (
        "itinerary",
        "en",
        "MANIFEST  SEQ  NAME                 PASSPORT\n          001  [[SL]]      [[PASS]]\n          002  [[SL@1]]    [[PASS]]\n          003  [[SL@2]]    [[PASS]]",
    ),
    (
        "rental_car",
        "en",
        "Rental Agreement No. [[n:8]]\nRenter: [[LF]]\nAdditional driver: [[P@1]]\nPassport: [[PASS]]\nCard on file: [[AMEX]]\nPick-up: [[date]] [[time]]  Return: [[date]]",
    ),
    (
        "rental_car",
        "en",
        "Damage report — vehicle [[plate]]. Customer [[P]] (tel [[PH]]) reports a chip in the windscreen. Deposit held on card [[CARD]].",
    ),
    (
        "hotel",
        "en",
        "Guest: [[P]]\nPassport number: [[PASS]]\nGuarantee: [[CARD]] exp [[exp]]\nRoom [[n:3]], arriving [[date]]. Billing contact [[E]].",
    ),
    (
        "vet_notes",
        "en",
        "Patient: [[pet]] ([[breed]], [[n:1]]y)  Owner: [[P]]  Tel: [[PH]]\nNotes: [[pet]] was nervous; owner [[F]] says appetite is fine. Booster due [[date]]. Seen by [[I@1]].",
    ),
    (
        "vet_notes",
        "en",
        "[[pet]] — owners [[P]] and [[P@1]]. Microchip [[n:15]]. Called [[F]] on [[PH]] re: lab results.",
    ),
    (
        "report_card",
        "en",
        "Student: [[P]]   Year [[n:1]]   Form tutor: [[title]] [[L@1]]\nMathematics: B+ — [[F]] has worked hard on fractions.\nParent/guardian: [[P@2]]",
    ),
    (
        "report_card",
        "en",
        "Reminder from [[title]] [[L]]: permission slips for the museum trip are due Friday. Questions → [[E]] or text [[PH]]. Thanks to [[P@1]]'s dad for driving!",
    ),
    (
        "library_notice",
        "en",
        'Dear [[P]],\nThe following item is overdue: "The Dispossessed" (barcode 3[[n:9]]). Renew at [[URL]] or call [[PH]].\nSutherland Library',
    ),
    (
        "parking_ticket",
        "en",
        "PENALTY CHARGE NOTICE [[pnr]][[n:4]]\nVehicle: [[plate]]   Location: Grant Road\nRegistered keeper: [[U]]\nPay at [[URL]] or call [[PHUK]].",
    ),
    (
        "pharmacy",
        "en",
        "Rx [[n:7]]   [[U]]   DOB [[date]]\nTake ONE tablet twice daily. Prescriber: Dr. [[L@1]]. Refills: 2. Questions: [[PHUS]]",
    ),
    (
        "lost_property",
        "en",
        "Found wallet belonging to [[U]]; contained card [[CARD]] and a passport [[PASS]]. Handed to [[P@1]] at the front desk.",
    ),
    ("receipt", "en", "AMEX [[AMEX]]   APPROVED   AUTH [[n:6]]\nCARDHOLDER: [[U]]\nSERVER: [[W@1]]  TABLE 12"),
    (
        "oncall_wiki",
        "en",
        "On-call rotation: wk 12 [[P]], wk 13 [[LF@1]], wk 14 [[I@2]]. Escalation: [[PH]]. Runbook: [[URL]]",
    ),
    (
        "scholarship",
        "en",
        "Congratulations to this year's recipients: [[P]], [[P@1]], [[P@2]], and [[Y@3]]. Enquiries: [[EM]]",
    ),
    ("chat_en", "en", "ask [[W]] about the deploy, [[W@1]] said the box at [[IP4]] is still up"),
    ("chat_en", "en", "we met [[F]] yesterday at the market and she says hi to [[F@1]]'s mum lol"),
    ("chat_en", "en", "lmk if [[W]] replies, i think [[W@1]] [[alt:has|took]] the spare keys. her number's [[PH]]"),
    ("chat_en", "en", "ATTN [[U]] PLS CALL [[PH]] RE SHIPMENT [[ups]] ASAP"),
    ("prc_form_en", "en", "Applicant ID (PRC resident identity card): [[CNID]], name [[Y]], mobile [[PHCN]]."),
    # --- Chinese
    (
        "zh_express",
        "zh",
        "【丰巢】您的快递已到小区东门丰巢柜，取件码[[n:6]]，请凭码取件。如有疑问请联系快递员[[Z]]，电话[[PHCN]]。",
    ),
    (
        "zh_express",
        "zh",
        "【菜鸟驿站】[[ZS]]先生您好，您的包裹（运单号SF[[n:12]]）已到站，营业时间8:00-21:00，联系电话[[PHCNL]]。",
    ),
    (
        "zh_bank",
        "zh",
        "【[[bank]]】尊敬的[[Z]]客户，您申请的信用卡（卡号[[CARD]]）已寄出，请持身份证[[CNID]]到网点激活。",
    ),
    (
        "zh_bank",
        "zh",
        "【[[bank]]】您向[[Z]]（[[PHCN]]）转账¥[[amt]]已成功，收款卡号[[CARD]]。如非本人操作请致电[[PHCNL]]。",
    ),
    (
        "zh_security",
        "zh",
        "【安全提醒】您的账号于[[cndt]]在新设备登录，IP：[[IP4]]（[[city]]附近），如非本人操作请立即修改密码：[[URL]]",
    ),
    (
        "zh_property",
        "zh",
        "各位业主：[[n:1]]号楼[[n:4]]室的[[ZS]]女士反映楼道灯损坏，物业已安排维修。如有问题请联系管家[[Z@1]]，电话[[PHCN]]。",
    ),
    (
        "zh_property",
        "zh",
        "停水通知：因管道检修，[[cndt]]起停水6小时。详情见[[URL]]。联系人：[[Z]] [[PHCN]]；值班：[[Z@1]] [[PHCNL]]",
    ),
    (
        "zh_hospital",
        "zh",
        "挂号凭条\n姓名：[[Z]]  性别：[[alt:男|女]]  年龄：[[n:2]]\n身份证号：[[CNID]]\n科室：[[alt:心内科|皮肤科|口腔科|儿科]]  医生：[[Z@1]]\n就诊时间：[[cndt]]",
    ),
    (
        "zh_train",
        "zh",
        "G[[n:4]]次 [[city]]站→[[city]]站 [[cndt]]开 [[n:2]]车[[n:2]]F号 二等座 ¥[[amt]]\n乘车人：[[Z]]（身份证[[CNID]]）\n乘车人：[[Z@1]]（身份证[[CNID]]）",
    ),
    (
        "zh_parents",
        "zh",
        "[[ZG]]妈妈：[[ZS@1]]老师好，[[ZG]]今天发烧请假一天🙏\n[[Z@1]]：收到，祝早日康复。\n[[Z@2]]爸爸：老师，作业在哪里看？",
    ),
    (
        "zh_parents",
        "zh",
        "@所有人 明天秋游，请家长把回执交给[[Z]]老师。联系电话[[PHCN]]。[[Z@1]]、[[Z@2]]两位同学还没交费。",
    ),
    (
        "zh_directory",
        "zh",
        "部门 | 姓名 | 分机 | 手机 | 邮箱\n研发部 | [[Z]] | [[n:4]] | [[PHCN]] | [[EM]]\n市场部 | [[Z@1]] | [[n:4]] | [[PHCN]] | [[EM]]\n财务部 | [[Z@2]] | [[n:4]] | [[PHCNL]] | [[EM]]",
    ),
    (
        "zh_signin",
        "zh",
        "会议签到表\n序号 姓名 单位 联系电话\n1 [[Z]] [[orgzh]] [[PHCN]]\n2 [[Z@1]] [[orgzh]] [[PHCN]]\n3 [[Z@2]] [[orgzh]] [[PHCN]]",
    ),
    (
        "zh_court",
        "zh",
        "[[Z]]（身份证号[[CNID]]）：本院受理原告[[Z@1]]诉你民间借贷纠纷一案，因你下落不明，依法向你公告送达起诉状副本及开庭传票。",
    ),
    ("zh_moments", "zh", "今天和[[ZG]]、[[Z@1]]去爬山，累并快乐着😂 照片都在这 [[URL]]"),
    ("zh_comments", "zh", "楼主说得对，我同事[[Z]]也遇到过，打客服[[PHCNL]]没人接，最后是[[Z@1]]帮忙搞定的。"),
    ("zh_passport", "zh", "出入境预约成功：申请人[[Z]]，护照号码[[PASSCN]]，预约时间[[cndt]]，请携带身份证[[CNID]]。"),
    ("zh_json", "zh", '{"姓名": "[[Z]]", "手机": "[[PHCN]]", "身份证": "[[CNID]]", "登录IP": "[[IP6]]"}'),
    (
        "zh_csv",
        "zh",
        "姓名,身份证号,手机,备注\n[[Z]],[[CNID]],[[PHCN]],已缴费\n[[Z@1]],[[CNID]],[[PHCN]],\n[[Z@2]],[[CNID]],[[PHCN]],待确认",
    ),
    ("zh_shop", "zh", "收货人：[[Z]] [[PHCN]]\n地址：中山路[[n:3]]号[[n:1]]栋[[n:3]]室\n订单号：[[order18]]"),
    # --- code-switched
    ("chat_mixed", "mixed", "[[W]] 你那边 server [[IP4]] 还能 ssh 吗？我这边一直 timeout"),
    ("chat_mixed", "mixed", "明天 standup 改到 10:30，[[P]] 和 [[Z]] 都请假了，有事 ping 我 or email [[E]]"),
    ("chat_mixed", "mixed", "Hi [[F]]，你的 passport 号码是 [[PASS]] 对吧？visa 表格要填，还有你的手机 [[PH]]"),
    ("chat_mixed", "mixed", "[[Z]] invited [[P@1]] and [[Y@2]] to the group chat「Q3 launch」"),
    ("chat_mixed", "mixed", "这个 PR 是 [[Y]] 提的，reviewer 是 [[ZG@1]]，部署在 [[IP6P]] 上面，link: [[URL]]"),
    ("chat_mixed", "mixed", "HK office contact: [[Y]] [[PHHK]]；内地同事找[[Z@1]]，[[PHCN]]"),
]

NEGATIVE = [
    (
        "log_app",
        "en",
        "[[ts]] INFO  updater installed Windows build [[winver]]; KB50[[n:5]] pending reboot; agent [[semver]]",
    ),
    ("log_app", "en", "[[ts]] GC pause 312ms heap=[[n:4]]MB build=[[winver]] trace_id=[[hex:32]] span=[[hex:16]]"),
    ("log_app", "en", "request_id=[[uuid]] method=GET path=/healthz status=200 dur=[[n:2]]ms host=[[host]]"),
    ("log_snmp", "en", "snmpget -v2c -c public [[host]] [[oid]] -> Counter64: [[n:10]]"),
    (
        "log_net",
        "en",
        "eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500\n        ether [[mac]]  txqueuelen 1000  (Ethernet)",
    ),
    (
        "log_nginx",
        "en",
        'UA="Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/537.36 Chrome/[[chromever]] Safari/537.36" upstream=[[host]]',
    ),
    ("log_fw", "en", "firmware v[[fw]] flashed on switch sw-core-2; bootloader [[semver]]; config checksum [[hex:8]]"),
    (
        "git_log",
        "en",
        "Merge branch 'release/[[semver]]' into main\n\ncommit [[sha]]\n    chore(deps): bump urllib3 from [[semver]] to [[semver]]",
    ),
    ("deps", "en", "Upgraded requests [[semver]] -> [[semver]]; pinned numpy<[[semver]]; python_requires>=3.10"),
    (
        "json_record",
        "en",
        '{"version": "[[semver]]", "host": "[[host]]", "port": [[n:4]], "timeout_ms": [[n:5]], "sha": "[[sha7]]"}',
    ),
    (
        "csv_export",
        "en",
        "sku,qty,unit_price,lot\nA-[[n:5]],[[n:2]],[[n:2]].[[n:2]],[[n:4]]-[[n:3]]-[[n:4]]\nB-[[n:5]],[[n:1]],[[n:3]].[[n:2]],[[n:4]]-[[n:3]]-[[n:4]]",
    ),
    ("shipping", "en", "Order #[[badcard]] shipped via UPS, tracking [[ups]]. Estimated delivery [[date]]."),
    ("voucher", "en", "Gift voucher [[badcard]], balance £[[amt]], valid until [[date]]."),
    ("invoice", "en", "Invoice total $[[amt]] due [[date]]; ref INV-[[n:6]]; PO [[n:10]]"),
    ("issue_comment", "en", "Ticket [[jira]] closed at [[ts]] by automation after [[n:2]] days idle."),
    (
        "files",
        "en",
        "Copied /var/log/nginx/access.log.2 to C:\\Users\\Public\\Documents\\backup_[[n:8]].zip (sha256 [[hex:16]]...)",
    ),
    ("hosts", "en", "Resolved [[host]] and [[host]] to the same record; ping [[host]] timed out after 3 tries."),
    (
        "common_words",
        "en",
        "Will the bill pass in May? Mark the date, and grant the rose garden committee access to the hall.",
    ),
    (
        "common_words",
        "en",
        "I will mark the essays by May, then bill the school; the grant covers a rose bush for the courtyard.",
    ),
    (
        "common_words",
        "en",
        "Reading: Mark 4:35-41. Hymn [[n:3]], 'Amazing Grace'. Tea and Dr Pepper in the hall afterwards.",
    ),
    (
        "streets",
        "en",
        "Take the bus down Martin Luther King Jr. Blvd, change at Nelson Mandela Square, then walk along Victoria Street past the Simón Bolívar station.",
    ),
    (
        "streets",
        "en",
        "Grant Park closes at dusk; Lincoln Tunnel traffic is heavy; the Rose Bowl car park opens at [[time]].",
    ),
    (
        "brands",
        "en",
        "Quarterly results: Johnson & Johnson up 3%, Goldman Sachs flat, Ferrari and McDonald's beat estimates; Tesla slipped.",
    ),
    ("brands", "en", "Bring a Dell charger and some Cadbury for the drive; we're renting a Ford from Hertz."),
    ("fiction", "en", "Re-reading Sherlock Holmes, then maybe Harry Potter; the kids prefer Peppa Pig and Bluey."),
    ("fiction", "mixed", "周末重看《西游记》，孙悟空还是最帅；then Frodo and Gandalf for the English book club."),
    ("refs", "en", "ISBN 978-[[n:1]]-[[n:3]]-[[n:5]]-[[n:1]]; doi:10.[[n:4]]/[[n:6]]; CAS 7732-18-5; pH 7.4"),
    ("timestamps", "en", "[[ts]] -> [[ts]] (drift [[n:3]]ms), cron 0 3 * * 1-5, next run [[date]] [[time]]"),
    ("sms", "en", "Your verification code is [[n:6]]. It expires in 10 minutes. Never share this code."),
    (
        "calendar",
        "en",
        "DTSTART:[[icsdt]]\nDTEND:[[icsdt]]\nRRULE:FREQ=WEEKLY;BYDAY=MO\nSUMMARY:Sprint planning\nLOCATION:Room 4.12",
    ),
    (
        "parking_ticket",
        "en",
        "Pay & Display — machine [[n:4]], tariff 2.30/hr, ticket [[n:10]], valid to [[time]], bay [[n:3]].",
    ),
    ("zh_words", "zh", "周末去黄山看日出，马上出发，高铁票已买好，方便的话带上毛巾和钱包。"),
    ("zh_words", "zh", "王者荣耀更新后金额显示有误，程序员正在修复，石头剪刀布决定谁今晚加班。"),
    ("zh_words", "zh", "楼上说得对，马上就周五了，高兴！万一下雨就改到白天去江边。"),
    ("zh_words", "zh", "温馨提示：[[n:1]]月[[n:1]]日起电梯维保，请走楼梯，给您带来不便敬请谅解。物业服务中心"),
    ("zh_order", "zh", "订单编号：[[order18]]，物流单号：SF[[n:12]]，预计[[cndate]]送达。"),
    ("zh_order", "zh", "批次号[[id17]]，生产日期[[cndate]]，保质期至[[cndate]]。"),
    ("zh_bank", "zh", "【[[bank]]】您的验证码为[[n:6]]，5分钟内有效，请勿泄露给他人。"),
    ("zh_streets", "zh", "地址：中山路[[n:3]]号（近鲁迅公园），逸夫楼[[n:1]]层，中山大学南门对面。"),
    ("zh_version", "zh", "系统版本 HarmonyOS [[semver]]，内核 [[winver]]，补丁 [[cndate]]。"),
    (
        "chat_mixed",
        "mixed",
        "这个 bug 在 v[[semver]] 已经修了，docker image 是 [[host]]/app:[[semver]]，重新 pull 一下",
    ),
    (
        "common_words",
        "en",
        "[[alt:Will|Can]] you [[alt:mark|grade]] the quizzes before [[alt:May|June]]? The [[alt:bill|invoice]] for the [[alt:rose|tulip]] bulbs came in and the [[alt:grant|budget]] won't cover it.",
    ),
    (
        "streets",
        "en",
        "Meet at the corner of [[alt:Victoria|Elizabeth|Albert]] Street and [[alt:Jackson|Lincoln|Washington]] Avenue, by the [[alt:Shakespeare|Churchill|Gandhi]] statue, at [[time]].",
    ),
    (
        "zh_words",
        "zh",
        "[[alt:周末|明天|下周]]记得把[[alt:钱包|毛巾|雨伞]]带上，[[alt:马上|很快]]就要出发了，[[alt:黄金周|国庆]]高铁人多，[[alt:何时|几点]]到站告诉我。",
    ),
    ("zh_train", "zh", "G[[n:4]]次列车晚点约[[n:2]]分钟，请在[[city]]站[[n:2]]号检票口候车，给您带来不便敬请谅解。"),
    ("shipping", "en", "Your parcel [[ups]] is out for delivery. Reference [[badcard]]; locker PIN [[n:6]]."),
    (
        "log_app",
        "en",
        "[[ts]] DEBUG cache hit_ratio=0.[[n:2]] keys=[[n:6]] evictions=[[n:3]] node=[[host]] ver=[[semver]]",
    ),
    ("chat_mixed", "mixed", "周五 release 前记得 bump 到 [[semver]]，changelog 放 docs/CHANGELOG.md，OID 用 [[oid]]"),
]

POS_REPEAT = 6
NEG_REPEAT = 5


def _check(ex: dict) -> None:
    text, spans = ex["text"], ex["spans"]
    prev_end = -1
    for s in spans:
        assert text[s["start"] : s["end"]] == s["text"], s
        assert s["start"] >= prev_end, ("overlap / unsorted", s)
        assert s["text"] == s["text"].strip() and s["text"], s
        prev_end = s["end"]
        if s["type"] == "CARD":
            d = re.sub(r"[ -]", "", s["text"])
            assert d.isdigit() and luhn_ok(d) and (len(d) == 16 or (len(d) == 15 and d[:2] in ("34", "37"))), s
        elif s["type"] == "CN_ID":
            assert len(s["text"]) == 18 and gb_check(s["text"][:17]) == s["text"][17], s
        elif s["type"] == "URL":
            assert s["text"][-1] not in ".,;:!?)'\"", s
        elif s["type"] == "EMAIL":
            assert s["text"].count("@") == 1, s


def make_set(seed: int = 23) -> list[dict]:
    rng = random.Random(seed)
    out: list[dict] = []
    seen: set[str] = set()
    for templates, repeat, positive in ((POSITIVE, POS_REPEAT, True), (NEGATIVE, NEG_REPEAT, False)):
        for kind, lang, tpl in templates:
            for _ in range(repeat):
                text, spans = render(tpl, rng)
                if text in seen:  # fixed negative sentences appear once
                    continue
                seen.add(text)
                ex = {"split": SPLIT, "kind": kind, "lang": lang, "text": text, "spans": spans}
                _check(ex)
                assert bool(spans) == positive, (kind, tpl)
                out.append(ex)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", help="write the set as JSONL here")
    ap.add_argument("--seed", type=int, default=23)
    args = ap.parse_args()
    rows = make_set(args.seed)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(f"wrote {len(rows)} texts to {args.out}")
        return
    types = Counter(s["type"] for r in rows for s in r["spans"])
    print(f"texts: {len(rows)}  negatives: {sum(not r['spans'] for r in rows)}  templates: {len(POSITIVE) + len(NEGATIVE)}"
          f" ({len(POSITIVE)} positive, {len(NEGATIVE)} negative)")  # fmt: skip
    print("spans per type:", dict(sorted(types.items())))
    print("texts per lang:", dict(sorted(Counter(r["lang"] for r in rows).items())))
    print("texts per kind:", dict(sorted(Counter(r["kind"] for r in rows).items())))


if __name__ == "__main__":
    main()
