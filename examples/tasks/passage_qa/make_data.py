"""Make the passage_qa task: a short English or Chinese passage and a question whose answer is a span of it.

    python examples/tasks/passage_qa/make_data.py [--out DIR] [--seed 19]

Writes train.jsonl (900), dev.jsonl (100) and eval.jsonl (200), OpenAI chat format, one record a line. Each
passage (a company, an event, a person or a product, 5 facts in shuffled order, with a second person, city or
year as a distractor) comes with one question; the answer is copied from the passage: a name, a place, a year,
a date, a count (digits alone) or an amount (digits and the passage's unit). The same seed gives the same bytes.
Held out from train (see examples/tasks/README.md): every fifth entity of each list is eval's alone and every
tenth (from the third) dev's alone, and the last wording of each question appears only in dev and eval (half
their records use it).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from tunesmith.atomic import atomic_path

SIZES = {"train": 900, "dev": 100, "eval": 200}
CHINESE_SHARE = 0.35
INSTRUCTION = {
    "en": "Answer the question with a short answer copied from the passage.",
    "zh": "根据短文回答问题，答案直接从短文中摘取，尽量简短。",
}
LABELS = {"en": ("Passage: ", "Question: "), "zh": ("短文：", "问题：")}

# Per kind and language: sentence groups (one variant of each is used, in shuffled order after the first) and
# questions keyed by their answer's template; the LAST wording of each question is held out for dev and eval.
KINDS = {
    "company": {
        "en": {
            "sentences": [
                ["{company} was founded in {year} by {p1}.", "{p1} founded {company} in {year}."],
                ["Its head office is in {city}.", "The company is based in {city}."],
                ["Today it employs {count} people.", "It has {count} employees."],
                ["It is best known for its {line}.", "Most of its sales come from {line}."],
                ["Its chief executive is {p2}.", "{p2} has run the company since {year2}."],
            ],
            "questions": {
                "{p1}": ["Who founded {company}?", "Who started {company}?", "Name the founder of {company}."],
                "{year}": ["In what year was {company} founded?", "When was {company} founded?",
                           "What year did {p1} start {company}?"],
                "{city}": ["Where is {company}'s head office?", "In which city is {company} based?",
                           "Which city is home to {company}?"],
                "{count}": ["How many people does {company} employ?", "How many employees does {company} have?",
                            "What is the size of {company}'s workforce?"],
                "{p2}": ["Who is the chief executive of {company}?", "Who runs {company}?",
                         "Who leads {company} today?"],
            },
        },
        "zh": {
            "sentences": [
                ["{company}由{p1}于{year}年创立。", "{p1}在{year}年创办了{company}。"],
                ["公司总部位于{city}。", "公司总部设在{city}。"],
                ["目前公司有员工{count}人。", "公司现有{count}名员工。"],
                ["公司以{line}闻名。", "公司的主要收入来自{line}。"],
                ["现任总经理是{p2}。", "{p2}自{year2}年起担任总经理。"],
            ],
            "questions": {
                "{p1}": ["{company}是谁创立的？", "{company}的创始人是谁？", "谁创办了{company}？"],
                "{year}": ["{company}是哪一年创立的？", "{company}创立于哪一年？", "{p1}在哪一年创办了{company}？"],
                "{city}": ["{company}的总部在哪个城市？", "{company}总部位于哪里？", "{company}的总部设在哪座城市？"],
                "{count}": ["{company}有多少名员工？", "{company}目前有多少员工？", "{company}的员工人数是多少？"],
                "{p2}": ["{company}的总经理是谁？", "谁是{company}的现任总经理？", "目前由谁管理{company}？"],
            },
        },
    },
    "event": {
        "en": {
            "sentences": [
                ["The {event} was held in {city} on {month} {day}.", "On {month} {day}, {city} hosted the {event}."],
                ["About {count} people attended.", "Organisers counted {count} visitors."],
                ["The opening speech was given by {p1}.", "{p1} opened the event with a short speech."],
                ["Tickets cost {price} dollars each.", "A day ticket was priced at {price} dollars."],
                ["It was organised by {p2}.", "{p2} planned the whole programme."],
            ],
            "questions": {
                "{city}": ["Where was the {event} held?", "In which city did the {event} take place?",
                           "Which city hosted the {event}?"],
                "{month} {day}": ["When was the {event} held?", "On what date did the {event} take place?",
                                  "What was the date of the {event}?"],
                "{count}": ["How many people attended the {event}?", "How many visitors came to the {event}?",
                            "What was the attendance at the {event}?"],
                "{p1}": ["Who gave the opening speech at the {event}?", "Who opened the {event}?",
                         "Which speaker opened the {event}?"],
                "{price} dollars": ["How much did a ticket to the {event} cost?",
                                    "What was the ticket price for the {event}?",
                                    "How much did it cost to attend the {event}?"],
                "{p2}": ["Who organised the {event}?", "Who planned the {event}?",
                         "Who was the organiser of the {event}?"],
            },
        },
        "zh": {
            "sentences": [
                ["{event}于{month}{day}在{city}举行。", "{month}{day}，{city}举办了{event}。"],
                ["约有{count}人参加。", "主办方统计共有{count}名观众。"],
                ["开幕致辞由{p1}发表。", "{p1}在开幕式上作了简短致辞。"],
                ["门票每张{price}元。", "单日票售价{price}元。"],
                ["活动由{p2}组织。", "{p2}策划了整个活动。"],
            ],
            "questions": {
                "{city}": ["{event}在哪里举行？", "{event}在哪个城市举办？", "哪座城市举办了{event}？"],
                "{month}{day}": ["{event}是哪天举行的？", "{event}在什么日期举办？", "{event}的举办日期是哪天？"],
                "{count}": ["有多少人参加了{event}？", "{event}来了多少观众？", "{event}的参加人数是多少？"],
                "{p1}": ["谁在{event}上致开幕辞？", "{event}的开幕致辞是谁发表的？", "谁为{event}开幕致辞？"],
                "{price}元": ["{event}的门票多少钱？", "{event}一张票卖多少钱？", "参加{event}需要花多少钱买票？"],
                "{p2}": ["{event}是谁组织的？", "谁策划了{event}？", "{event}的组织者是谁？"],
            },
        },
    },
    "person": {
        "en": {
            "sentences": [
                ["{p1} was born in {city} in {year}.", "Born in {city} in {year}, {p1} loved drawing as a child."],
                ["{first} trained as {a} {job} in {city2}.", "{first} later studied to become {a} {job} in {city2}."],
                ["In {year2}, {first} won the {award}.", "{first} received the {award} in {year2}."],
                ["{first} has written {books} books.", "So far {first} has published {books} books."],
            ],
            "questions": {
                "{city}": ["Where was {p1} born?", "In which city was {p1} born?", "What is {p1}'s birthplace?"],
                "{year}": ["In what year was {p1} born?", "When was {p1} born?", "What is {p1}'s year of birth?"],
                "{job}": ["What did {p1} train as?", "What profession did {p1} study for?",
                          "What job was {p1} trained for?"],
                "{city2}": ["Where did {p1} train?", "In which city did {p1} study?",
                            "Which city did {p1} go to for training?"],
                "{award}": ["Which prize did {p1} win in {year2}?", "What award did {p1} receive?",
                            "Name the award {p1} won."],
                "{books}": ["How many books has {p1} written?", "How many books has {p1} published?",
                            "What is the number of books by {p1}?"],
            },
        },
        "zh": {
            "sentences": [
                ["{p1}{year}年出生于{city}。", "{p1}{year}年生在{city}，从小喜欢画画。"],
                ["{first}后来在{city2}接受了{job}培训。", "{first}后来到{city2}学习，成为一名{job}。"],
                ["{year2}年，{first}获得了{award}。", "{first}在{year2}年荣获{award}。"],
                ["{first}已经写了{books}本书。", "{first}至今出版了{books}本书。"],
            ],
            "questions": {
                "{city}": ["{p1}出生在哪里？", "{p1}出生于哪座城市？", "{p1}的出生地是哪里？"],
                "{year}": ["{p1}是哪一年出生的？", "{p1}出生于哪一年？", "{p1}的出生年份是哪年？"],
                "{job}": ["{p1}接受了什么职业的培训？", "{p1}学的是什么职业？", "{p1}从事什么职业？"],
                "{city2}": ["{p1}在哪里接受培训？", "{p1}在哪座城市学习？", "{p1}去了哪个城市学习？"],
                "{award}": ["{p1}在{year2}年获得了什么奖？", "{p1}获得过什么奖？", "{p1}荣获的奖项叫什么？"],
                "{books}": ["{p1}写了多少本书？", "{p1}出版了几本书？", "{p1}一共出版过多少本书？"],
            },
        },
    },
    "product": {
        "en": {
            "sentences": [
                ["The {brand} {model} went on sale in {month} {launch}.",
                 "{brand} released the {model} in {month} {launch}."],
                ["It costs {price} dollars.", "Its launch price was {price} dollars."],
                ["It weighs {weight} grams.", "The device weighs just {weight} grams."],
                ["It was designed by {p1}.", "{p1} led the design team."],
                ["It is made in {city}.", "The factory that builds it is in {city}."],
            ],
            "questions": {
                "{month} {launch}": ["When did the {model} go on sale?", "When was the {model} released?",
                                     "In which month and year did the {model} come out?"],
                "{price} dollars": ["How much does the {model} cost?", "What is the price of the {model}?",
                                    "How much do you pay for the {model}?"],
                "{weight} grams": ["How much does the {model} weigh?", "What is the weight of the {model}?",
                                   "How heavy is the {model}?"],
                "{p1}": ["Who designed the {model}?", "Who led the design of the {model}?",
                         "Name the designer of the {model}."],
                "{city}": ["Where is the {model} made?", "In which city is the {model} built?",
                           "Where is the factory that makes the {model}?"],
                "{brand}": ["Which company makes the {model}?", "Who released the {model}?",
                            "What brand is the {model}?"],
            },
        },
        "zh": {
            "sentences": [
                ["{brand}{model}于{launch}年{month}上市。", "{brand}在{launch}年{month}推出了{model}。"],
                ["售价为{price}元。", "首发价格是{price}元。"],
                ["重量为{weight}克。", "整机仅重{weight}克。"],
                ["它由{p1}设计。", "{p1}带领团队完成了设计。"],
                ["产地是{city}。", "生产它的工厂位于{city}。"],
            ],
            "questions": {
                "{launch}年{month}": ["{model}是什么时候上市的？", "{model}哪年哪月推出？", "{model}的上市时间是？"],
                "{price}元": ["{model}卖多少钱？", "{model}的售价是多少？", "买一台{model}要多少钱？"],
                "{weight}克": ["{model}有多重？", "{model}的重量是多少？", "{model}重多少克？"],
                "{p1}": ["{model}是谁设计的？", "谁负责{model}的设计？", "{model}的设计者是谁？"],
                "{city}": ["{model}在哪里生产？", "{model}的产地是哪里？", "生产{model}的工厂在哪座城市？"],
                "{brand}": ["{model}是哪个品牌的？", "哪家公司推出了{model}？", "{model}属于什么品牌？"],
            },
        },
    },
}  # fmt: skip

ENTITIES = {
    "en": {
        "first": ["Sarah", "James", "Priya", "Lucas", "Emma", "Omar", "Chloe", "Kenji", "Grace", "Diego", "Hannah",
                  "Felix", "Naomi", "Arjun", "Ruby", "Victor", "Leah", "Mateo", "Ingrid", "Samuel"],
        "last": ["Smith", "Garcia", "Nguyen", "Patel", "Kowalski", "Rossi", "Tanaka", "Walker", "Evans", "Silva",
                 "Baker", "Schmidt", "Carter", "Kim", "Dubois", "Okafor", "Larsen", "Moreno", "Hughes", "Weber"],
        "city": ["Denver", "Lisbon", "Glasgow", "Osaka", "Toronto", "Porto", "Seattle", "Dublin", "Austin", "Bergen",
                 "Leeds", "Perth", "Boston", "Madrid", "Oslo", "Cork", "Munich", "Nairobi", "Quebec", "Adelaide"],
        "company": ["Norvex", "Tallis Labs", "Brightwave", "Kestrel Foods", "Orrin Systems", "Halvard Motors",
                    "Quenby Textiles", "Marlowe Games", "Vantor Energy", "Sorrel Press", "Pellham Tools",
                    "Ashgrove Farms", "Corvid Software", "Deltora Bikes", "Elmstead Chairs"],
        "line": ["solar lanterns", "frozen dumplings", "electric bikes", "wool blankets", "garden tools",
                 "picture books", "water filters", "running shoes", "board games", "office chairs"],
        "event": ["Harbour Jazz Festival", "Northern Robotics Fair", "Spring Book Week", "Coastal Film Festival",
                  "Green Energy Summit", "Street Food Fair", "Winter Chess Open", "Urban Design Forum",
                  "Folk Music Weekend", "Science Night"],
        "job": ["architect", "nurse", "chemist", "pilot", "engineer", "journalist", "lawyer", "baker", "geologist",
                "violinist"],
        "award": ["Golden Compass Prize", "Silver Pen Award", "Blue River Medal", "Northern Star Prize",
                  "Lantern Award", "Summit Medal", "Harbor Prize", "Meridian Award", "Oakleaf Prize", "Beacon Medal"],
        "brand": ["Lumio", "Zentra", "Aerix", "Novu", "Pivot", "Quarra", "Helio", "Vexa", "Orbit", "Tandem"],
        "device": ["Pad", "Phone", "Watch", "Buds", "Cam", "Book", "Pen", "Lens", "Reader", "Speaker"],
    },
    "zh": {
        "surname": ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
                    "郭", "何", "高", "林", "罗"],
        "given": ["芳", "伟", "敏", "磊", "静", "杰", "婷", "涛", "晓燕", "浩然", "美玲", "子轩", "欣怡", "志强",
                  "雨桐", "俊杰", "诗涵", "博文", "梦瑶", "鹏飞"],
        "city": ["北京", "上海", "广州", "深圳", "成都", "杭州", "南京", "武汉", "西安", "重庆", "天津", "苏州",
                 "长沙", "郑州", "青岛", "厦门", "昆明", "大连", "沈阳", "济南"],
        "company": ["星河科技", "蓝海食品", "远航机械", "青松纺织", "金穗农业", "云帆软件", "华光电子",
                    "瑞丰化工", "天诚物流", "鼎新建材", "明远医疗", "博雅文化", "长风汽车", "银杏生物", "海韵家居"],
        "line": ["太阳能灯", "速冻饺子", "电动自行车", "羊毛毯", "园艺工具", "儿童绘本", "净水器", "跑鞋",
                 "桌游", "办公椅"],
        "event": ["春季书展", "海港爵士音乐节", "机器人博览会", "城市设计论坛", "新能源峰会", "街头美食节",
                  "冬季象棋公开赛", "民谣音乐周末", "科学之夜", "海滨电影节"],
        "job": ["建筑师", "护士", "化学家", "飞行员", "工程师", "记者", "律师", "面包师", "地质学家", "小提琴手"],
        "award": ["金罗盘奖", "银笔奖", "蓝河奖章", "北极星奖", "明灯奖", "高峰奖章", "港湾奖", "子午线奖",
                  "橡叶奖", "灯塔奖章"],
        "brand": ["极光", "星辰", "飞鱼", "青鸟", "启明", "凌云", "小禾", "墨石", "鲸落", "听风"],
        "device": ["平板", "手机", "手表", "耳机", "相机", "笔记本", "阅读器", "音箱", "手环", "投影仪"],
    },
}  # fmt: skip
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]  # fmt: skip


def pool(items: list[str], split: str) -> list[str]:
    """The entities `split` may draw: every fifth is eval's alone, every tenth (from the third) dev's alone."""
    owner = ["eval" if i % 5 == 4 else "dev" if i % 10 == 2 else "train" for i in range(len(items))]
    return [item for item, who in zip(items, owner, strict=True) if who == split]


def pick_template(rng: random.Random, templates: list[str], split: str) -> str:
    """A wording for `split`: train never sees the last one; dev and eval use it half the time."""
    if split != "train" and rng.random() < 0.5:
        return templates[-1]
    return rng.choice(templates[:-1])


def draw_values(rng: random.Random, lang: str, split: str) -> dict[str, str]:
    """Every slot any kind may use, drawn from `split`'s entities; two people and two cities always differ."""
    ents = {key: pool(items, split) for key, items in ENTITIES[lang].items()}
    if lang == "zh":
        people = [rng.choice(ents["surname"]) + rng.choice(ents["given"]) for _ in range(2)]
        firsts = people
    else:
        firsts = rng.sample(ents["first"], 2)
        people = [f"{first} {rng.choice(ents['last'])}" for first in firsts]
    if people[0] == people[1]:  # a Chinese pair drawn twice: change one's given name
        people[1] = people[1][0] + rng.choice([g for g in ents["given"] if g != people[1][1:]])
    cities = rng.sample(ents["city"], 2)
    year, month, price = rng.randint(1945, 1990), rng.randint(1, 12), rng.randint(5, 400)
    values = {key: rng.choice(items) for key, items in ents.items()}
    values.update(
        p1=people[0], p2=people[1], first=firsts[0], city=cities[0], city2=cities[1],
        year=str(year), year2=str(year + rng.randint(20, 34)), launch=str(rng.randint(2012, 2025)),
        count=str(rng.choice([rng.randint(12, 99), rng.randint(100, 9999)])), price=str(price),
        weight=str(rng.randint(30, 900)), books=str(rng.randint(2, 40)),
        month=f"{month}月" if lang == "zh" else EN_MONTHS[month - 1],
        day=f"{rng.randint(1, 28)}日" if lang == "zh" else str(rng.randint(1, 28)),
        model=f"{values['device']}{'' if lang == 'zh' else ' '}{rng.randint(2, 12)}",
        a="an" if values["job"][0] in "aeiou" else "a",
    )  # fmt: skip
    return values


def make_example(rng: random.Random, split: str) -> tuple[str, str]:
    """One (prompt, answer) pair for `split`."""
    lang = "zh" if rng.random() < CHINESE_SHARE else "en"
    kind = KINDS[rng.choice(list(KINDS))][lang]
    values = draw_values(rng, lang, split)
    first, *rest = [rng.choice(variants) for variants in kind["sentences"]]
    rng.shuffle(rest)
    passage = ("" if lang == "zh" else " ").join([first, *rest]).format(**values)
    answer = rng.choice(list(kind["questions"]))
    question = pick_template(rng, kind["questions"][answer], split).format(**values)
    passage_label, question_label = LABELS[lang]
    prompt = f"{INSTRUCTION[lang]}\n\n{passage_label}{passage}\n\n{question_label}{question}"
    return prompt, answer.format(**values)


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
