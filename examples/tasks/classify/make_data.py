"""Make the classify task: English and Chinese customer messages, each labelled with one of six intents.

    python examples/tasks/classify/make_data.py [--out DIR] [--seed 19]

Writes train.jsonl (900), dev.jsonl (100) and eval.jsonl (200), OpenAI chat format, one record a line; the
answer is the bare label. The same seed gives the same bytes. Held out from train (see examples/tasks/README.md):
every fifth product, device and customer name is eval's alone and every tenth (from the third) dev's alone, and
the last message template of each label and language appears only in dev and eval (half their records use it).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from tunesmith.atomic import atomic_path

LABELS = ["billing", "shipping", "refund", "account", "cancel", "product"]
SIZES = {"train": 900, "dev": 100, "eval": 200}
CHINESE_SHARE = 0.35
PREFIX = {"en": "Message: ", "zh": "留言："}
INSTRUCTION = {
    "en": f"Classify the customer message. Answer with one label only: {', '.join(LABELS)}.",
    "zh": f"判断这条客户留言属于哪一类，只回答一个标签：{', '.join(LABELS)}。",
}

# Each label's templates, per language; the LAST one of each list is held out for dev and eval.
EN_TEMPLATES = {
    "billing": [
        "I was charged twice for my {product} order {order}.",
        "My invoice shows {amount} but the price on your website was lower.",
        "Why is there an extra charge of {amount} on my card this month?",
        "The bill for order {order} has the wrong tax on it.",
        "My credit card was billed {amount} for something I never bought.",
        "There is a payment of {amount} on my bank statement that I don't recognise.",
    ],
    "shipping": [
        "Where is my {product}? Order {order} should have arrived {days} days ago.",
        "The tracking for order {order} hasn't updated since {weekday}.",
        "My parcel with the {product} still hasn't shown up.",
        "Can you tell me when order {order} will be delivered?",
        "The courier says my {product} was delivered but nothing is at my door.",
        "Order {order} has been stuck in transit for {days} days now.",
    ],
    "refund": [
        "I sent the {product} back {days} days ago and still haven't got my money back.",
        "I'd like a refund for the {product}, it arrived broken.",
        "When will the refund of {amount} for order {order} reach my account?",
        "The {product} doesn't work, please give me my money back.",
        "You promised to return {amount} to me but I only received part of it.",
        "How do I get reimbursed for the faulty {product} from order {order}?",
    ],
    "account": [
        "I can't log in, the password reset email never arrives.",
        "Please change the email address on my account to {email}.",
        "My account got locked after I typed the wrong password on {weekday}.",
        "How do I turn on two-factor authentication for my account?",
        "I forgot my username and can't get into my profile.",
        "Someone changed my password without asking me, I can't sign in as {email} any more.",
    ],
    "cancel": [
        "Please cancel my {plan} subscription before it renews.",
        "I want to cancel order {order}, I don't need the {product} any more.",
        "How do I stop my {plan} membership from renewing?",
        "Cancel order {order} please, I placed it by mistake.",
        "I'd like to end my {plan} plan at the end of this month.",
        "Please call off order {order} before it ships, I changed my mind about the {product}.",
    ],
    "product": [
        "Does the {product} work with {device}?",
        "How long does the battery of the {product} last?",
        "Is the {product} available in {color}?",
        "Can the {product} be used outdoors in the rain?",
        "What is the difference between the {product} and the older model?",
        "Is the {product} compatible with {device}, or do I need an adapter?",
    ],
}
ZH_TEMPLATES = {
    "billing": [
        "订单{order}的{product}被扣了两次钱。",
        "发票上写的是{amount}，可网站上的价格更低。",
        "这个月我的卡上为什么多扣了{amount}？",
        "订单{order}的账单税费算错了。",
        "我的信用卡被扣了{amount}，但我什么都没买。",
    ],
    "shipping": [
        "我的{product}到哪了？订单{order}本该在{days}天前送到。",
        "订单{order}的物流从{weekday}起就没更新过。",
        "装着{product}的包裹还没送到。",
        "请问订单{order}什么时候能送到？",
        "快递员说{product}已经签收，可我门口什么都没有。",
    ],
    "refund": [
        "{product}我{days}天前就寄回去了，钱还没退给我。",
        "{product}收到时是坏的，我要退款。",
        "订单{order}的{amount}退款什么时候到账？",
        "{product}用不了，请把钱退给我。",
        "说好退我{amount}，结果只退了一部分。",
    ],
    "account": [
        "我登录不了，重置密码的邮件一直收不到。",
        "请把我账户的邮箱改成{email}。",
        "{weekday}输错密码后我的账户被锁了。",
        "怎么给账户开启两步验证？",
        "我忘了用户名，进不去个人主页。",
    ],
    "cancel": [
        "请在续费前取消我的{plan}订阅。",
        "我要取消订单{order}，{product}不需要了。",
        "怎么关掉{plan}会员的自动续费？",
        "订单{order}是我下错了，请帮我取消。",
        "我想在月底停掉{plan}套餐。",
    ],
    "product": [
        "{product}能和{device}一起用吗？",
        "{product}的电池能用多久？",
        "{product}有{color}的吗？",
        "{product}下雨天能在户外用吗？",
        "{product}需要转接头才能连{device}吗？",
    ],
}
OPENERS = {
    "en": ["", "", "Hi! ", "Hello. ", "Hey there! ", "Good morning. ", "Excuse me. ", "Quick question: "],
    "zh": ["", "", "你好，", "您好，", "在吗？", "客服你好，", "打扰一下，"],
}
CLOSERS = {
    "en": ["", "", " Thanks.", " Please help.", " Thanks in advance!", " - {name}", " Regards, {name}"],
    "zh": ["", "", "谢谢。", "麻烦尽快处理。", "急！", "——{name}", "谢谢，{name}"],
}
ENTITIES = {
    "en": {
        "product": [
            "wireless earbuds", "smart watch", "coffee grinder", "desk lamp", "yoga mat", "air fryer",
            "phone case", "hiking backpack", "electric kettle", "gaming mouse", "baby monitor", "rain jacket",
            "bluetooth speaker", "standing desk", "robot vacuum", "tablet stand", "water bottle", "sleeping bag",
            "webcam", "travel pillow",
        ],
        "device": ["an iPhone", "Android phones", "a MacBook", "Windows laptops", "an iPad", "a Chromebook",
                   "a smart TV", "a PlayStation", "a Kindle", "a car stereo"],
        "name": ["Sarah", "James", "Priya", "Lucas", "Emma", "Omar", "Chloe", "Kenji", "Grace", "Diego",
                 "Hannah", "Felix", "Naomi", "Arjun", "Ruby"],
        "plan": ["Premium", "Family", "Basic", "Pro", "Student", "Annual", "Gold", "Plus", "Business", "Starter"],
        "color": ["black", "white", "navy blue", "red", "silver", "green", "pink", "grey", "gold", "beige"],
        "weekday": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "last week",
                    "yesterday", "the weekend"],
    },
    "zh": {
        "product": [
            "无线耳机", "智能手表", "咖啡研磨机", "台灯", "瑜伽垫", "空气炸锅", "手机壳", "登山包", "电水壶",
            "游戏鼠标", "婴儿监护器", "雨衣", "蓝牙音箱", "升降桌", "扫地机器人", "平板支架", "保温杯", "睡袋",
            "摄像头", "颈枕",
        ],
        "device": ["苹果手机", "安卓手机", "MacBook", "Windows电脑", "iPad", "华为平板", "智能电视", "游戏机",
                   "Kindle", "车载音响"],
        "name": ["王芳", "李伟", "张敏", "刘洋", "陈静", "杨磊", "赵丽", "吴杰", "周婷", "徐明", "孙雪", "马超",
                 "朱琳", "胡涛", "郭颖"],
        "plan": ["高级", "家庭", "基础", "专业", "学生", "年度", "黄金", "加强", "企业", "入门"],
        "color": ["黑色", "白色", "藏青色", "红色", "银色", "绿色", "粉色", "灰色", "金色", "米色"],
        "weekday": ["周一", "周二", "周三", "周四", "周五", "周六", "周日", "上周", "昨天", "周末"],
    },
}  # fmt: skip


def pool(items: list[str], split: str) -> list[str]:
    """The entities `split` may draw: every fifth is eval's alone, every tenth (from the third) dev's alone."""
    owner = ["eval" if i % 5 == 4 else "dev" if i % 10 == 2 else "train" for i in range(len(items))]
    return [item for item, who in zip(items, owner, strict=True) if who == split]


def pick_template(rng: random.Random, templates: list[str], split: str) -> str:
    """A template for `split`: train never sees the last one; dev and eval use it half the time."""
    if split != "train" and rng.random() < 0.5:
        return templates[-1]
    return rng.choice(templates[:-1])


def make_example(rng: random.Random, split: str, label: str) -> str:
    """One prompt of `label` for `split`."""
    lang = "zh" if rng.random() < CHINESE_SHARE else "en"
    template = pick_template(rng, (ZH_TEMPLATES if lang == "zh" else EN_TEMPLATES)[label], split)
    values = {key: rng.choice(pool(items, split)) for key, items in ENTITIES[lang].items()}
    values["order"] = f"#{rng.choice('ABCDEFGHJK')}{rng.randrange(10000, 99999)}"
    values["days"] = str(rng.randint(3, 21))
    cents = rng.choice(["00", "99", "50"])
    values["amount"] = f"¥{rng.randint(20, 3000)}" if lang == "zh" else f"${rng.randint(5, 400)}.{cents}"
    values["email"] = f"{rng.choice(['mail', 'box', 'me', 'work', 'home'])}{rng.randrange(100, 999)}@example.com"
    message = rng.choice(OPENERS[lang]) + template + rng.choice(CLOSERS[lang])
    return f"{INSTRUCTION[lang]}\n\n{PREFIX[lang]}{message.format(**values)}"


def to_record(prompt: str, answer: str) -> dict:
    """One OpenAI-style chat record: the prompt, then the reference answer."""
    return {"messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]}


def make_splits(seed: int = 19, sizes: dict[str, int] = SIZES) -> dict[str, list[dict]]:
    """Each split's records from one seeded stream, the labels in equal shares (shuffled); no prompt appears
    twice, so the splits never overlap."""
    rng, seen, splits = random.Random(seed), set(), {}
    for split, size in sizes.items():
        records = []
        for k in range(size):
            label = LABELS[k % len(LABELS)]
            for _ in range(1000):
                prompt = make_example(rng, split, label)
                if prompt not in seen:
                    break
            else:
                raise RuntimeError(f"could not draw a new {label} prompt for {split}")
            seen.add(prompt)
            records.append(to_record(prompt, label))
        rng.shuffle(records)
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
