"""Make the rewrite task: casual English or Chinese office chat, each rewritten as one formal notice sentence.

    python examples/tasks/rewrite/make_data.py [--out DIR] [--seed 19]

Writes train.jsonl (900), dev.jsonl (100) and eval.jsonl (200), OpenAI chat format, one record a line. There are
six kinds of message (a meeting moved, a deadline, an office closure, a parcel, a payment, a lost item); each
kind has one fixed formal wording, so the reference is deterministic: every fact kept, days in full (Thursday,
周四), times as "3 PM" / "10:30 AM" (下午3点, 上午10点半), money in dollars (元), rooms as "Room B12" (B12会议室).
The same seed gives the same bytes. Held out from train (see examples/tasks/README.md): every fifth entity of
each list is eval's alone and every tenth (from the third) dev's alone, and the last casual template of each
kind and language appears only in dev and eval (half their records use it).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from tunesmith.atomic import atomic_path

SIZES = {"train": 900, "dev": 100, "eval": 200}
CHINESE_SHARE, LOWERCASE_SHARE = 0.35, 0.3
INSTRUCTION = {
    "en": "Rewrite the message as one formal sentence for the office notice board. Keep every fact; drop "
    "greetings, slang and emoji.",
    "zh": "把这条消息改写成一句正式的通知，保留全部信息，去掉问候语、口语和表情。",
}
LABELS = {"en": "Message: ", "zh": "消息："}

# Per kind and language: the formal wording, then casual templates (the LAST one is held out for dev and eval).
KINDS = {
    "meeting": {
        "en": ("The {meeting} has been moved to {Day} at {Time} in Room {room}.", [
            "{meeting} is moving to {day} {time} in {room_casual} fyi",
            "we're doing the {meeting} on {day} at {time} now, {room_casual}",
            "so the {meeting} got pushed to {day}, {time}, we'll be in {room_casual}",
            "{meeting} -> {day} {time} @ {room_casual}, don't be late",
            "guys the {meeting} is now {day} {time} in {room_casual} ok?",
        ]),
        "zh": ("{meeting}改至{Day}{Time}在{room}会议室举行。", [
            "{meeting}挪到{day}{time}啦，在{room_casual}",
            "{meeting}改时间了，{day}{time}，{room_casual}见",
            "通知一下{meeting}换成{day}{time}开，地点{room_casual}",
            "{day}{time}开{meeting}，{room_casual}，别迟到",
            "{meeting}临时改到{day}{time}了，去{room_casual}哦",
        ]),
    },
    "deadline": {
        "en": ("The {report} is due on {Day} at {Time}.", [
            "reminder: {report} due {day} by {time} pls",
            "don't forget ur {report}, need it by {time} {day}",
            "{report} deadline is {day} {time}!!",
            "can everyone get the {report} in by {day} {time}",
            "last call for the {report}, {day} {time} latest",
        ]),
        "zh": ("{report}须在{Day}{Time}前提交。", [
            "{report}记得{day}{time}之前交哦",
            "提醒下，{report}{day}{time}截止",
            "大家{report}{day}{time}前交给我",
            "{report}最晚{day}{time}，别忘了",
            "{report}还没交的抓紧，{day}{time}前必须交",
        ]),
    },
    "closure": {
        "en": ("The office will be closed on {Day} because of {reason}.", [
            "office is shut {day} bc of {reason}",
            "no office on {day}, {reason}",
            "fyi we're closed {day} because {reason}",
            "{day} = office closed ({reason})",
            "don't come in on {day}, office closed for {reason}",
        ]),
        "zh": ("{Day}办公室因{reason}关闭。", [
            "{day}办公室不开门，因为{reason}",
            "{day}{reason}，办公室关了",
            "{day}别来公司了，{reason}",
            "因为{reason}，{day}办公室不开",
            "{day}放假一天，{reason}，办公室关门",
        ]),
    },
    "parcel": {
        "en": ("A parcel for {Name} has arrived at the {place}.", [
            "yo {name} ur package is at the {place}",
            "{name}!! parcel for u at {place}",
            "hey {name}, something came for you, it's at the {place}",
            "{name} ur delivery's here, {place}",
            "psst {name}, there's a box with ur name on it at the {place}",
        ]),
        "zh": ("{Name}的包裹已送到{place}。", [
            "{name}，你的快递到{place}啦",
            "{name}快递在{place}，记得拿",
            "@{name} 有你的件，放{place}了",
            "{name}有包裹哦，{place}",
            "{name}快去{place}拿快递，一个大箱子",
        ]),
    },
    "payment": {
        "en": ("Please pay {amount} dollars for the {fee} by {Day}.", [
            "pls send me ${amount} for the {fee} by {day}",
            "{fee} is ${amount}, pay me before {day} ok",
            "reminder: {amount} bucks for {fee}, deadline {day}",
            "need ${amount} from everyone for the {fee} by {day}",
            "{amount} dollars each for {fee} pls, {day} latest",
        ]),
        "zh": ("请于{Day}前支付{fee}费用{amount}元。", [
            "{fee}每人{amount}块，{day}之前转我",
            "大家记得{day}前交{fee}的钱，{amount}块",
            "{fee}{amount}块，{day}截止",
            "{fee}的钱{amount}元，{day}前给我就行",
            "还没交{fee}钱的，{amount}块，{day}前转我",
        ]),
    },
    "lost": {
        "en": ("{A} {color} {item} was found in the {place}.", [
            "someone left {a} {color} {item} in the {place}, whose is it??",
            "found: {color} {item}, {place}. yours?",
            "anyone lose {a} {color} {item}? it's in the {place}",
            "{color} {item} in the {place}, claim it pls",
            "is this ur {color} {item}? found it in the {place}",
        ]),
        "zh": ("在{place}发现一{measure}{color}{item}。", [
            "谁的{color}{item}落在{place}了？？",
            "{place}有{measure}{color}{item}，谁的呀",
            "捡到{color}{item}一{measure}，在{place}",
            "{place}那{measure}{color}{item}是谁的",
            "有人丢了{color}{item}吗，就在{place}",
        ]),
    },
}  # fmt: skip
NOISE = {
    "en": (["", "", "", "hey ", "hi all, ", "ok so ", "heads up: "],
           ["", "", "", " lol", "!!", " 🙏", " 😅", " thx", " cheers"]),
    "zh": (["", "", "", "哈喽，", "各位，", "大家好～", "那个，"],
           ["", "", "", "哈", "～", "！！", "😂", "🙏", "谢啦"]),
}  # fmt: skip
ENTITIES = {
    "en": {
        "meeting": ["team meeting", "budget review", "weekly sync", "design review", "safety briefing",
                    "project kickoff", "sales call", "training session", "board meeting", "quarterly review"],
        "report": ["expense report", "project update", "timesheet", "travel request", "survey form", "budget plan",
                   "design draft", "monthly summary", "client proposal", "training quiz"],
        "reason": ["a public holiday", "a fire drill", "electrical repairs", "a staff training day", "floor cleaning",
                   "a water outage", "network upgrades", "a company event", "pest control", "window repairs"],
        "name": ["Sarah", "James", "Priya", "Lucas", "Emma", "Omar", "Chloe", "Kenji", "Grace", "Diego", "Hannah",
                 "Felix", "Naomi", "Arjun", "Ruby"],
        "place": ["front desk", "mail room", "reception", "security desk", "loading dock", "kitchen", "lobby",
                  "storage room", "meeting room", "car park"],
        "fee": ["team lunch", "birthday gift", "coffee fund", "holiday party", "leaving present", "book club",
                "football tickets", "charity run", "pizza night", "bowling trip"],
        "item": ["umbrella", "water bottle", "scarf", "phone charger", "notebook", "jacket", "lunch box", "key ring",
                 "backpack", "wallet"],
        "color": ["black", "red", "blue", "green", "grey", "white", "yellow", "brown", "purple", "orange"],
        "letter": list("ABCDEFGHJK"),
    },
    "zh": {
        "meeting": ["周例会", "预算评审会", "设计评审会", "安全培训", "项目启动会", "销售电话会", "新人培训",
                    "董事会", "季度总结会", "部门例会"],
        "report": ["报销单", "项目周报", "工时表", "出差申请", "问卷", "预算方案", "设计初稿", "月度总结",
                   "客户方案", "培训测验"],
        "reason": ["公共假期", "消防演习", "电路维修", "员工培训", "地面清洁", "停水", "网络升级", "公司活动",
                   "除虫", "窗户维修"],
        "name": ["王芳", "李伟", "张敏", "刘洋", "陈静", "杨磊", "赵丽", "吴杰", "周婷", "徐明", "孙雪", "马超",
                 "朱琳", "胡涛", "郭颖"],
        "place": ["前台", "收发室", "接待处", "保安室", "装卸区", "茶水间", "大堂", "储藏室", "会议室", "停车场"],
        "fee": ["团队午餐", "生日礼物", "咖啡基金", "年会", "送别礼物", "读书会", "球票", "慈善跑", "披萨之夜",
                "保龄球活动"],
        "item": ["雨伞:把", "水杯:个", "围巾:条", "充电器:个", "笔记本:本", "外套:件", "饭盒:个", "钥匙扣:个",
                 "背包:个", "钱包:个"],
        "color": ["黑色", "红色", "蓝色", "绿色", "灰色", "白色", "黄色", "棕色", "紫色", "橙色"],
        "letter": list("ABCDEFGHJK"),
    },
}  # fmt: skip
EN_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
EN_DAY_SHORT = {"Tuesday": "tues", "Wednesday": "weds", "Thursday": "thurs"}
ZH_DAYS = "一二三四五"
ZH_HOURS = ["零", "一", "两", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]


def pool(items: list[str], split: str) -> list[str]:
    """The entities `split` may draw: every fifth is eval's alone, every tenth (from the third) dev's alone."""
    owner = ["eval" if i % 5 == 4 else "dev" if i % 10 == 2 else "train" for i in range(len(items))]
    return [item for item, who in zip(items, owner, strict=True) if who == split]


def pick_template(rng: random.Random, templates: list[str], split: str) -> str:
    """A casual template for `split`: train never sees the last one; dev and eval use it half the time."""
    if split != "train" and rng.random() < 0.5:
        return templates[-1]
    return rng.choice(templates[:-1])


def en_when(rng: random.Random, day: int, hour: int, half: bool) -> dict[str, str]:
    """English day and time, formal ("Thursday", "3:30 PM") and in one casual spelling each."""
    name, h12, suffix = EN_DAYS[day], (hour - 1) % 12 + 1, "AM" if hour < 12 else "PM"
    day_casual = rng.choice([name.lower(), name[:3].lower(), name[:3], EN_DAY_SHORT.get(name, name.lower())])
    mins = ":30" if half else ""
    time_casual = rng.choice(
        [f"{h12}{mins}{suffix.lower()}", f"{h12}{mins} {suffix.lower()}", f"{hour}:{mins[1:] or '00'}"]
    )
    return {"Day": name, "day": day_casual, "Time": f"{h12}{mins} {suffix}", "time": time_casual}


def zh_when(rng: random.Random, day: int, hour: int, half: bool) -> dict[str, str]:
    """Chinese day and time, formal ("周四", "下午3点半") and in one casual spelling each."""
    h12 = (hour - 1) % 12 + 1
    period = "上午" if hour < 12 else "中午" if hour == 12 else "下午"
    tail = "半" if half else ""
    day_casual = rng.choice(["周", "星期", "礼拜"]) + ZH_DAYS[day]
    time_casual = rng.choice(
        [f"{hour}点{tail}", f"{hour}:{'30' if half else '00'}", f"{period}{ZH_HOURS[h12]}点{tail}"]
    )
    return {"Day": f"周{ZH_DAYS[day]}", "day": day_casual, "Time": f"{period}{h12}点{tail}", "time": time_casual}


def draw_values(rng: random.Random, lang: str, split: str) -> dict[str, str]:
    """Every slot any kind may use, drawn from `split`'s entities, with formal and casual spellings."""
    values = {key: rng.choice(pool(items, split)) for key, items in ENTITIES[lang].items()}
    when = zh_when if lang == "zh" else en_when
    values.update(when(rng, rng.randrange(5), rng.randint(8, 17), rng.random() < 0.3))
    room = f"{values['letter']}{rng.randint(1, 40)}"
    casual_rooms = (
        [f"{room}会议室", room, f"{room.lower()}那间"] if lang == "zh" else [f"room {room.lower()}", f"rm {room}", room]
    )
    values.update(room=room, room_casual=rng.choice(casual_rooms), amount=str(rng.randint(5, 60)))
    values.update(
        Name=values["name"],
        name=values["name"] if lang == "zh" else rng.choice([values["name"], values["name"].lower()]),
    )
    if lang == "zh":
        values["item"], values["measure"] = values["item"].split(":")
    else:
        values["a"] = "an" if values["color"][0] in "aeiou" else "a"
        values["A"] = values["a"].capitalize()
    return values


def make_example(rng: random.Random, split: str) -> tuple[str, str]:
    """One (prompt, formal sentence) pair for `split`."""
    lang = "zh" if rng.random() < CHINESE_SHARE else "en"
    formal, casual = KINDS[rng.choice(list(KINDS))][lang]
    values = draw_values(rng, lang, split)
    prefixes, suffixes = NOISE[lang]
    message = rng.choice(prefixes) + pick_template(rng, casual, split).format(**values) + rng.choice(suffixes)
    if lang == "en" and rng.random() < LOWERCASE_SHARE:
        message = message.lower()
    return f"{INSTRUCTION[lang]}\n\n{LABELS[lang]}{message}", formal.format(**values)


def to_record(prompt: str, answer: str) -> dict:
    """One OpenAI-style chat record: the prompt, then the reference answer."""
    return {"messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]}


def make_splits(seed: int = 19, sizes: dict[str, int] = SIZES) -> dict[str, list[dict]]:
    """Each split's records from one seeded stream; no prompt appears twice, so the splits never overlap."""
    rng, seen, splits = random.Random(seed), set(), {}
    for split, size in sizes.items():
        records: list[dict] = []
        for _ in range(100 * size + 1000):
            if len(records) == size:
                break
            prompt, answer = make_example(rng, split)
            if prompt not in seen:
                seen.add(prompt)
                records.append(to_record(prompt, answer))
        else:
            raise RuntimeError(f"could not draw {size} distinct {split} prompts")
        splits[split] = records
    return splits


def write_jsonl(path: Path, records: list[dict]) -> None:
    """Write `records` one JSON object a line, atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and write train.jsonl, dev.jsonl and eval.jsonl."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data", help="output folder")
    parser.add_argument("--seed", type=int, default=19, help="random seed")
    args = parser.parse_args(argv)
    for split, records in make_splits(args.seed).items():
        write_jsonl(args.out / f"{split}.jsonl", records)
    print(f"wrote {', '.join(f'{n} {s}' for s, n in SIZES.items())} records to {args.out}")


if __name__ == "__main__":
    main()
