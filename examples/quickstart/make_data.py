"""Make the quickstart data: synthetic sentences about a person, each paired with the person as strict JSON.

    python examples/quickstart/make_data.py [--out DIR] [--train 1000] [--eval 200] [--seed 13]

Writes train.jsonl and eval.jsonl (OpenAI chat format, one record a line). The same seed gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

from tunesmith.atomic import atomic_path

INSTRUCTION = (
    "Extract the person's name, gender, age, city and phone as JSON with keys name, gender, age, city, phone "
    "(null if missing)."
)
CHINESE_SHARE, MISSING_PHONE, MISSING_CITY = 0.35, 0.10, 0.05

EN_FIRST = {
    "female": [
        "Sarah", "Emily", "Jessica", "Ashley", "Olivia", "Emma", "Sophia", "Ava", "Mia", "Grace",
        "Chloe", "Hannah", "Laura", "Rachel", "Megan", "Amanda", "Nicole", "Julia", "Anna", "Ana",
        "Maria", "Priya", "Aisha", "Fatima", "Yuki", "Mei", "Ingrid", "Chiara", "Lucia", "Elena", "Zoe",
        "Claire", "Fiona", "Naomi", "Leah", "Ruby", "Isabel", "Nadia", "Sofia", "Harper"
    ],
    "male": [
        "James", "John", "Michael", "David", "Daniel", "Matthew", "Andrew", "Joshua", "Ryan", "Kevin",
        "Brian", "Thomas", "William", "Oliver", "Jack", "Harry", "Liam", "Noah", "Ethan", "Lucas",
        "Mateo", "Diego", "Carlos", "Rahul", "Arjun", "Omar", "Ahmed", "Kenji", "Hiroshi", "Lars",
        "Sven", "Marco", "Luca", "Pierre", "Felix", "Samuel", "Owen", "Caleb", "Isaac", "Victor"
    ],
}  # fmt: skip
EN_LAST = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Lee", "Walker", "Hall", "Allen", "Young", "King", "Wright", "Scott", "Green", "Baker",
    "Adams", "Nelson", "Carter", "Mitchell", "Roberts", "Turner", "Phillips", "Campbell", "Parker",
    "Evans", "Costa", "Silva", "Nguyen", "Patel", "Kim", "Tanaka", "Schmidt", "Rossi", "O'Brien",
    "Kowalski"
]  # fmt: skip
EN_CITIES = [
    "New York", "Los Angeles", "Chicago", "Houston", "Phoenix", "Denver", "Seattle", "Boston", "Austin",
    "Portland", "Atlanta", "Miami", "San Diego", "Nashville", "London", "Manchester", "Leeds",
    "Bristol", "Edinburgh", "Glasgow", "Liverpool", "Toronto", "Sydney", "Dublin", "Berlin", "Paris",
    "Lisbon", "Madrid", "Tokyo", "Singapore", "Cape Town", "Mumbai"
]  # fmt: skip
AREA_CODES = [
    "212", "213", "206", "303", "305", "312", "404", "415", "503", "512", "617", "646", "702", "718",
    "832"
]  # fmt: skip

ZH_SURNAMES = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
    "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
]  # fmt: skip
ZH_GIVEN = {
    "female": [
        "芳", "丽", "娜", "敏", "静", "婷", "雪", "琳", "慧", "颖",
        "晓燕", "秀英", "美玲", "欣怡", "雨桐", "佳琪", "诗涵", "梦瑶", "思琪", "紫萱",
    ],
    "male": [
        "伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超",
        "浩然", "子轩", "宇航", "志强", "建国", "俊杰", "博文", "晨阳", "鹏飞", "文博",
    ],
}  # fmt: skip
ZH_CITIES = [
    "北京", "上海", "广州", "深圳", "成都", "杭州", "南京", "武汉", "西安", "重庆", "天津", "苏州", "长沙",
    "郑州", "青岛", "厦门", "昆明", "大连", "沈阳", "哈尔滨", "济南", "合肥", "福州", "南宁", "贵阳",
]  # fmt: skip
ZH_MOBILE_PREFIXES = [
    "130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "155", "158", "159",
    "166", "177", "180", "182", "186", "188", "199"
]  # fmt: skip

# A template's [A] segment is dropped, and its [A|B] segment becomes B, when A names a missing field.
# Every template keeps a gender cue outside the optional segments (or in both alternatives).
EN_TEMPLATES = [
    "Meet {name}, a {age}-year-old {man}[ from {city}].[ You can reach {him} at {phone}.]",
    "{title} {name} ({age}) [moved to {city} last year|just moved here][; call {phone}].",
    "{name} is {age} years old[ and lives in {city}]. {He}[ can be reached at {phone}| has no phone listed].",
    "New customer: {name}, {age}, {gender}[, based in {city}][, phone {phone}].",
    "[Phone: {phone}. ]{title} {name}, age {age}[, {city}].",
    "[{city}: ]{name} ({age}) called about {his} order[ and left the number {phone}].",
    "Please update the file for {name}. {He} is {age}[ and lives in {city}].[ {His} new number is {phone}.]",
    "[From {city}, ]{name}, {age}, says {he} prefers texts[ to {phone}| over calls].",
    "Contact: {title} {name}; Age: {age}[; City: {city}][; Tel: {phone}]",
    "[You can call {phone} to reach ]{title} {name}, {age}[, in {city}].",
    "{name} turned {age} this spring. {He}[ works in {city} and] asked us to[ call {phone}| email instead].",
    "Driver {name}[ from {city}] is {age}; reach {him}[ at {phone}| by email].",
    "Hi, I'm {name}, a {age}-year-old {man}[ living in {city}].[ Text me at {phone}.]",
    "Appointment for {title} {name}, {age}[ ({city})][, callback {phone}].",
]
ZH_TEMPLATES = [
    "联系人：{name}，{sex}，{age}岁[，现居{city}][，电话{phone}]。",
    "{name}{title}今年{age}岁[，住在{city}][，手机号是{phone}]。",
    "[来自{city}的]{name}，{sex}，{age}岁[，联系方式：{phone}]。",
    "{name}今年{age}岁[，{ta}在{city}工作]。[请拨打{phone}联系{ta}。|{ta}没有留下电话。]",
    "客户{name}（{sex}，{age}岁）[，所在城市：{city}][，电话：{phone}]。",
    "[电话{phone}，]{name}{title}，{age}岁[，{city}人]。",
    "姓名：{name}；性别：{sex}；年龄：{age}[；城市：{city}][；电话：{phone}]",
    "{ta}叫{name}，{age}岁[，去年搬到了{city}][，可以打{phone}找{ta}]。",
    "[{city}的]{name}{title}{age}岁了[，留下的号码是{phone}]。",
    "新会员{name}，{age}岁，{sex}[，来自{city}][，手机{phone}]。",
]
EN_CUES = {
    "female": {"man": "woman", "title": "Ms.", "gender": "female", "he": "she", "He": "She", "him": "her",
               "his": "her", "His": "Her"},
    "male": {"man": "man", "title": "Mr.", "gender": "male", "he": "he", "He": "He", "him": "him",
             "his": "his", "His": "His"},
}  # fmt: skip
ZH_CUES = {
    "female": {"sex": "女", "title": "女士", "ta": "她"},
    "male": {"sex": "男", "title": "先生", "ta": "他"},
}
_SEGMENT = re.compile(r"\[([^\[\]|]*)(?:\|([^\[\]]*))?\]")


def fill(template: str, values: dict[str, str | None]) -> str:
    """Fill `template`, dropping (or swapping) each optional segment that names a missing field."""

    def segment(match: re.Match) -> str:
        fields = re.findall(r"{(\w+)}", match[1])
        return match[1] if all(values.get(f) is not None for f in fields) else (match[2] or "")

    return _SEGMENT.sub(segment, template).format(**values)


def en_phone(rng: random.Random) -> str:
    """A fictional North American number (555-01xx) in one of three common spellings."""
    area, line = rng.choice(AREA_CODES), f"01{rng.randrange(100):02d}"
    return rng.choice([f"({area}) 555-{line}", f"{area}-555-{line}", f"+1 {area} 555 {line}"])


def zh_phone(rng: random.Random) -> str:
    """A Chinese mobile number, written plain or with dashes."""
    digits = rng.choice(ZH_MOBILE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(8))
    return rng.choice([digits, f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"])


def make_example(rng: random.Random) -> tuple[str, dict]:
    """One (text, person) pair drawn from the quickstart distribution."""
    gender = rng.choice(["female", "male"])
    age = rng.randint(18, 80)
    if rng.random() < CHINESE_SHARE:
        name = rng.choice(ZH_SURNAMES) + rng.choice(ZH_GIVEN[gender])
        city, phone, template, cues = rng.choice(ZH_CITIES), zh_phone(rng), rng.choice(ZH_TEMPLATES), ZH_CUES
    else:
        name = f"{rng.choice(EN_FIRST[gender])} {rng.choice(EN_LAST)}"
        city, phone, template, cues = rng.choice(EN_CITIES), en_phone(rng), rng.choice(EN_TEMPLATES), EN_CUES
    phone = None if rng.random() < MISSING_PHONE else phone
    city = None if rng.random() < MISSING_CITY else city
    person = {"name": name, "gender": gender, "age": age, "city": city, "phone": phone}
    text = fill(template, {**cues[gender], "name": name, "age": str(age), "city": city, "phone": phone})
    return text, person


def to_record(text: str, person: dict) -> dict:
    """The pair as one OpenAI-style chat record: the instruction and text, then the compact JSON answer."""
    return {
        "messages": [
            {"role": "user", "content": f"{INSTRUCTION}\n\nText: {text}"},
            {"role": "assistant", "content": json.dumps(person, ensure_ascii=False)},
        ]
    }


def make_splits(n_train: int, n_eval: int, seed: int = 13) -> tuple[list[dict], list[dict]]:
    """Train and eval records from one seeded stream; no text appears twice, so the splits never overlap."""
    rng, seen, records = random.Random(seed), set(), []
    for _ in range(100 * (n_train + n_eval) + 1000):
        if len(records) == n_train + n_eval:
            break
        text, person = make_example(rng)
        if text not in seen:
            seen.add(text)
            records.append(to_record(text, person))
    else:
        raise RuntimeError(f"could not draw {n_train + n_eval} distinct texts")
    return records[:n_train], records[n_train:]


def write_jsonl(path: Path, records: list[dict]) -> None:
    """Write `records` one JSON object a line, atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and write train.jsonl and eval.jsonl."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data", help="output folder")
    parser.add_argument("--train", type=int, default=1000, help="number of training records")
    parser.add_argument("--eval", type=int, default=200, help="number of evaluation records")
    parser.add_argument("--seed", type=int, default=13, help="random seed")
    args = parser.parse_args(argv)
    train, evaluation = make_splits(args.train, args.eval, args.seed)
    write_jsonl(args.out / "train.jsonl", train)
    write_jsonl(args.out / "eval.jsonl", evaluation)
    print(f"wrote {len(train)} train and {len(evaluation)} eval records to {args.out}")


if __name__ == "__main__":
    main()
