"""Make the data-studio sample: support conversations for a smart-home shop, with planted problems.

    python examples/data/make_data.py [--out DIR] [--seed 7]

Writes raw/support.jsonl (OpenAI chat format; meta carries category and date), raw/general.jsonl (general
instructions, for mixing) and raw/docs/ (product manuals for chunk + synthesize). Planted on purpose, each
listed in raw/planted.json with the records' ids: personal data, exact and near duplicates, off-domain
questions, abusive messages, refusals and empty answers, conflicting answers to one question, stale dates.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from tunesmith.atomic import write_text

PRODUCTS = ["SmartPlug Mini", "HomeCam 2K", "AirSense Thermostat", "GlowBulb Color", "DoorBell Pro", "Hub X1"]
ZH_PRODUCTS = ["智能插座 Mini", "家庭摄像头 2K", "智能温控器", "彩光灯泡", "可视门铃 Pro", "智能网关 X1"]
# category: (English questions, English answers, Chinese questions, Chinese answers); {p} product, {n} number
TOPICS = {
    "order_status": (["Where is my order #{n} for the {p}?", "Can you tell me when order {n} will arrive?",
                      "My {p} order {n} still says processing, what is going on?"],
                     ["Order {n} left our warehouse and the tracking link is in your confirmation email.",
                      "Orders usually ship within two business days; yours is packed and waits for pickup."],
                     ["我的订单{n}（{p}）现在到哪里了？", "订单{n}什么时候能送到？"],
                     ["订单{n}已经出库，物流单号在确认邮件里。", "一般两个工作日内发货，您的包裹已打包待揽收。"]),
    "returns": (["How do I return the {p}?", "Can I send back a {p} I opened?", "What is your return window?"],
                ["You can return any device within 30 days from the Orders page; we email a prepaid label.",
                 "Opened items can be returned within 30 days if all parts are in the box."],
                ["{p}怎么退货？", "拆封的{p}还能退吗？"],
                ["签收后30天内可在订单页申请退货，我们会发送预付运单。", "拆封商品配件齐全即可在30天内退货。"]),
    "refunds": (["When will I get my refund for order {n}?", "My refund for the {p} has not arrived."],
                ["Refunds reach your card 3 to 5 business days after the return is scanned at our warehouse.",
                 "We issued the refund; banks take up to five business days to show it."],
                ["订单{n}的退款什么时候到账？", "{p}的退款还没收到。"],
                ["仓库签收退货后3到5个工作日退款到原支付账户。", "退款已发起，银行入账最长需要五个工作日。"]),
    "shipping": (["Do you ship the {p} to Canada?", "How much is express shipping?", "Which courier do you use?"],
                 ["We ship to the US, Canada and the EU; express costs $12 and arrives in two days.",
                  "Standard shipping is free over $35 and takes 3 to 5 days."],
                 ["{p}可以寄到香港吗？", "加急运费多少钱？"],
                 ["支持寄往港澳台，加急运费25元，两天送达。", "满99元包邮，标准配送3到5天。"]),
    "payment": (["Can I pay for the {p} with PayPal?", "Why was my card declined?"],
                ["We accept cards, PayPal and Apple Pay; a decline usually means the billing address differs.",
                 "Please check the billing address and try again, or choose another payment method."],
                ["可以用支付宝买{p}吗？", "为什么我的付款失败了？"],
                ["支持支付宝、微信支付和银行卡；付款失败多因账单信息不一致。",
                 "请核对支付信息后重试，或换一种支付方式。"]),
    "wifi_setup": (["My {p} will not connect to Wi-Fi.", "How do I connect the {p} to my 5 GHz network?"],
                   ["The {p} needs a 2.4 GHz network; turn on 2.4 GHz in your router and retry pairing.",
                    "Hold the button for five seconds until the light blinks blue, then add it in the app."],
                   ["{p}连不上Wi-Fi。", "{p}怎么连接5G网络？"],
                   ["{p}只支持2.4GHz网络，请在路由器中开启2.4GHz后重新配网。",
                    "长按按钮五秒至蓝灯闪烁，再在App中添加设备。"]),
    "firmware": (["How do I update the firmware on my {p}?", "The {p} update is stuck at 60%."],
                 ["Open the app, pick the {p}, then Settings > Firmware; keep it powered during the update.",
                  "Unplug the {p} for ten seconds and start the update again; it resumes where it stopped."],
                 ["{p}怎么升级固件？", "{p}升级卡在60%了。"],
                 ["在App中选择{p}，进入设置-固件升级，升级时请保持通电。", "断电十秒后重新开始升级即可续传。"]),
    "battery": (["How long does the {p} battery last?", "My {p} battery drains in a day."],
                ["The battery lasts about six months with default motion settings.",
                 "Lower the motion sensitivity and turn off live preview to save battery."],
                ["{p}电池能用多久？", "{p}一天就没电了。"],
                ["默认设置下电池约可使用六个月。", "调低移动侦测灵敏度并关闭实时预览可以省电。"]),
    "warranty": (["What does the {p} warranty cover?", "Is my {p} still under warranty?"],
                 ["Every device has a two-year warranty against defects; keep your order number as proof.",
                  "The warranty covers hardware faults, not water or drop damage."],
                 ["{p}保修多久？", "我的{p}还在保修期吗？"],
                 ["所有设备享受两年质保，凭订单号即可申请。", "保修范围为硬件故障，不含进水和摔坏。"]),
    "account": (["I cannot log in to my account.", "How do I reset my password?", "How do I delete my account?"],
                ["Use Forgot password on the login page; the reset link is valid for one hour.",
                 "You can delete your account under Profile > Privacy; devices are unpaired first."],
                ["账号登录不上怎么办？", "怎么重置密码？"],
                ["在登录页点击忘记密码，重置链接一小时内有效。", "可在个人中心-隐私中注销账号，设备会先解绑。"]),
    "pairing": (["The app cannot find my {p}.", "How do I pair a second {p}?"],
                ["Turn on Bluetooth and location for the app, stand near the {p} and tap Add device.",
                 "Each {p} is added separately from the + button on the home screen."],
                ["App搜不到{p}。", "怎么添加第二个{p}？"],
                ["请打开App的蓝牙和定位权限，靠近{p}后点击添加设备。", "在首页点+号即可逐个添加{p}。"]),
    "subscription": (["What does the cloud plan include?", "How do I cancel my cloud subscription?"],
                     ["The cloud plan keeps 30 days of video for $3 a month and can be cancelled any time.",
                      "Cancel under Account > Subscriptions; recordings stay until the period ends."],
                     ["云存储套餐包含什么？", "怎么取消云存储订阅？"],
                     ["云存储每月15元，保存30天录像，可随时取消。", "在账户-订阅中取消，录像保留到本期结束。"]),
    "invoice": (["Can I get an invoice for order {n}?", "I need a VAT invoice for my {p}."],
                ["Invoices can be downloaded from the Orders page as PDF.",
                 "Add your company details at checkout and the VAT invoice is emailed after shipping."],
                ["订单{n}可以开发票吗？", "买{p}需要开增值税专用发票。"],
                ["可在订单页下载电子发票。", "下单时填写公司信息，发货后发票会发送到邮箱。"]),
    "damaged": (["My {p} arrived broken.", "The box of my {p} was crushed."],
                ["Sorry about that; send a photo from the Orders page and we ship a replacement at once.",
                 "Please keep the packaging and send us photos; a replacement ships within a day."],
                ["收到的{p}坏了。", "{p}的包装被压坏了。"],
                ["非常抱歉，请在订单页上传照片，我们会立即补发。", "请保留包装并拍照反馈，一天内为您补发。"]),
    "cancel": (["Can I cancel order {n}?", "I ordered the wrong {p}, can I cancel?"],
               ["Orders can be cancelled until they ship; use Cancel on the Orders page.",
                "If it has shipped already, refuse the delivery or return it within 30 days."],
               ["订单{n}能取消吗？", "{p}买错了可以取消吗？"],
               ["发货前可在订单页直接取消。", "已发货的可以拒收，或在30天内退货。"]),
    "address": (["Can I change the delivery address for order {n}?", "I moved, how do I update my address?"],
                ["You can change the address until the order ships, under Orders > Edit address.",
                 "Update your default address in Profile; existing orders keep the old one."],
                ["订单{n}能改收货地址吗？", "搬家了怎么修改地址？"],
                ["发货前可在订单-修改地址中更改。", "在个人中心修改默认地址，已下单的订单不受影响。"]),
    "gift_card": (["Can I use two gift cards on one order?", "My gift card code does not work."],
                  ["You can combine up to three gift cards at checkout.",
                   "Gift card codes are case-sensitive and expire after two years."],
                  ["一个订单能用两张礼品卡吗？", "礼品卡兑换码用不了。"],
                  ["结算时最多可叠加三张礼品卡。", "兑换码区分大小写，有效期两年。"]),
    "price_match": (["Do you price match the {p}?", "The {p} is cheaper elsewhere."],
                    ["We match the price of authorised sellers within 14 days of purchase.",
                     "Send us the link and we refund the difference if the seller is authorised."],
                    ["{p}可以保价吗？", "别家的{p}更便宜。"],
                    ["购买14天内降价可申请保价。", "请提供链接，授权店铺价格更低可退差价。"]),
    "compatibility": (["Does the {p} work with Alexa?", "Is the {p} compatible with Google Home?"],
                      ["Yes, the {p} works with Alexa, Google Home and Apple Home through the Hub X1.",
                       "Link your account in the voice assistant app and the {p} appears automatically."],
                      ["{p}支持小爱同学吗？", "{p}能接入米家吗？"],
                      ["{p}可通过智能网关X1接入主流语音助手。", "在语音助手App中绑定账号后，{p}会自动出现。"]),
    "installation": (["How do I mount the {p} on a wall?", "Do I need an electrician for the {p}?"],
                     ["Use the two screws in the box; the mounting template is on the last page of the guide.",
                      "No electrician is needed unless you replace existing wiring."],
                     ["{p}怎么装到墙上？", "装{p}需要找电工吗？"],
                     ["用包装内的两颗螺丝安装，说明书最后一页有定位模板。", "不改动原有线路就不需要电工。"]),
}  # fmt: skip
OPENERS = ["", "Hi, ", "Hello! ", "Good morning. ", "Quick question: ", "Hey there, ", "Excuse me, "]
EXTRAS = ["", " I bought it last month.", " This is urgent.", " Thanks in advance.", " I tried twice already.",
          " It was a birthday present.", " I'm new to smart home stuff."]  # fmt: skip
ZH_OPENERS = ["", "你好，", "您好！", "请问", "麻烦问一下，"]
ZH_EXTRAS = ["", "谢谢！", "比较着急。", "上个月买的。", "已经试过两次了。"]
SYSTEM = "You are the support assistant of HomeSmart, a smart-home device shop. Answer briefly and kindly."

OFF_DOMAIN = [
    ("How long should I boil an egg for a runny yolk?", "About six minutes in boiling water."),
    ("Who won the 2018 football World Cup?", "France won the 2018 World Cup."),
    ("What is the capital of Australia?", "Canberra."),
    ("Give me a recipe for banana bread.", "Mash three bananas, mix with flour, sugar and egg, bake an hour."),
    ("Explain photosynthesis in one sentence.", "Plants turn light, water and CO2 into sugar and oxygen."),
    ("Write a haiku about autumn.", "Red leaves drift and fall / the river carries them south / quiet evening comes"),
    ("What year did the Berlin Wall fall?", "1989."),
    ("How many players are on a basketball team on court?", "Five per team."),
    ("红烧肉怎么做？", "五花肉焯水后加糖色、酱油和料酒，小火炖一小时。"),
    ("世界上最高的山是哪座？", "珠穆朗玛峰。"),
    ("唐朝的首都在哪里？", "长安。"),
    ("推荐一部科幻小说。", "《三体》。"),
]  # fmt: skip
ABUSE = [
    "This is a fucking joke, your {p} is garbage and you are all idiots.",
    "You stupid morons shipped me a broken {p} again. Useless bastards.",
    "Answer me now you worthless piece of shit, where is order {n}?",
    "你们这帮傻逼，{p}又坏了！",
    "垃圾客服，滚！订单{n}到底什么时候发货，他妈的。",
]
POLITE = "I'm sorry about the trouble. Please share your order number and we will sort it out today."
PII = [
    "My name is {name} and my email is {email}. Where is order {n}?",
    "Please call me back at {phone}, my {p} does not turn on.",
    "I paid with card {card} but order {n} shows unpaid.",
    "我叫{zh_name}，手机号{mobile}，订单{n}什么时候到？",
    "身份证号{cn_id}，实名认证一直失败。",
    "My camera's IP is {ip} and the {p} is offline. - {name}",
]
NAMES = ["Emily Carter", "James Walker", "Priya Patel", "Lucas Silva", "Grace Kim", "Oliver Schmidt"]
ZH_NAMES = ["王伟", "李娜", "张敏", "刘洋", "陈静"]
REFUSALS = ["I'm sorry, but I can't help with that.", "As an AI language model, I cannot answer this.", ""]


def luhn_card(rng: random.Random) -> str:
    """A 16-digit card number that passes the Luhn check, grouped in fours."""
    digits = [4] + [rng.randint(0, 9) for _ in range(14)]
    total = sum(d if i % 2 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(reversed(digits)))
    digits.append((10 - total % 10) % 10)
    text = "".join(map(str, digits))
    return " ".join(text[i : i + 4] for i in range(0, 16, 4))


def cn_id(rng: random.Random) -> str:
    """An 18-character Chinese resident ID with a valid GB 11643 check character."""
    body = f"110105{rng.randint(1960, 2002)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(100, 999)}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]


def chat(question: str, answer: str, category: str, date: str, rid: str) -> dict:
    """One support conversation in OpenAI chat format."""
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": question},
                {"role": "assistant", "content": answer}]  # fmt: skip
    return {"messages": messages, "meta": {"id": rid, "category": category, "date": date}}


def support_records(rng: random.Random, count: int) -> list[dict]:
    """Clean, varied on-domain conversations (about a third in Chinese)."""
    records = []
    for i in range(count):
        category = list(TOPICS)[i % len(TOPICS)]
        en_q, en_a, zh_q, zh_a = TOPICS[category]
        n = rng.randint(10000, 99999)
        # one answer per question template, so near-identical questions never get disagreeing answers
        if rng.random() < 0.35:
            p, k = rng.choice(ZH_PRODUCTS), rng.randrange(len(zh_q))
            q = rng.choice(ZH_OPENERS) + zh_q[k].format(p=p, n=n) + rng.choice(ZH_EXTRAS)
            a = zh_a[k % len(zh_a)].format(p=p, n=n)
        else:
            p, k = rng.choice(PRODUCTS), rng.randrange(len(en_q))
            q = rng.choice(OPENERS) + en_q[k].format(p=p, n=n) + rng.choice(EXTRAS)
            a = en_a[k % len(en_a)].format(p=p, n=n)
        date = f"{rng.choice([2024, 2025, 2026])}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        records.append(chat(q, a, category, date, f"s{i:04d}"))
    return records


def plant(rng: random.Random, records: list[dict]) -> dict[str, list[str]]:
    """Add the planted problems to `records` (in place); return the planted ids by kind."""
    planted: dict[str, list[str]] = {k: [] for k in ("pii", "exact_dup", "near_dup", "off_domain", "toxic",
                                                     "refusal", "conflict", "stale")}  # fmt: skip

    def add(kind: str, record: dict) -> None:
        record["meta"]["id"] = f"{kind}{len(planted[kind]):03d}"
        planted[kind].append(record["meta"]["id"])
        records.append(record)

    def fill(text: str) -> str:
        mobile = f"1{rng.choice([38, 39, 58, 86, 88])}{rng.randint(10000000, 99999999)}"
        name = rng.choice(NAMES)
        email = name.lower().replace(" ", ".") + rng.choice(["@gmail.com", "@outlook.com", "@example.org"])
        ip = f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        return text.format(name=name, email=email, phone=f"+1 415 555 {rng.randint(1000, 9999)}", card=luhn_card(rng),
                           zh_name=rng.choice(ZH_NAMES), mobile=mobile, cn_id=cn_id(rng), ip=ip,
                           p=rng.choice(PRODUCTS), n=rng.randint(10000, 99999))  # fmt: skip

    originals = list(records)
    for i in range(36):
        add("pii", chat(fill(PII[i % len(PII)]), POLITE, "account", "2026-03-02", ""))
    for source in rng.sample(originals, 20):
        copy = json.loads(json.dumps(source))
        copy["messages"][1]["content"] = "  " + copy["messages"][1]["content"] + "  "
        add("exact_dup", copy)
    for source in rng.sample(originals, 20):
        copy = json.loads(json.dumps(source))
        text = copy["messages"][2]["content"]
        at = rng.randrange(len(text))
        copy["messages"][2]["content"] = text[:at] + text[at + 1 :]  # one character dropped: a typo
        add("near_dup", copy)
    for q, a in OFF_DOMAIN * 2:
        add("off_domain", chat(q, a, "other", "2026-01-15", ""))
    for i in range(15):
        add("toxic", chat(fill(ABUSE[i % len(ABUSE)]), POLITE, "damaged", "2026-02-10", ""))
    for i in range(9):
        refusal = REFUSALS[i % len(REFUSALS)]
        question = f"Does the {PRODUCTS[i % 6]} have a night mode?"
        add("refusal", chat(question, refusal, "compatibility", "2026-04-01", ""))
    for i in range(5):
        q = f"What is the warranty period for the {PRODUCTS[i]}?"
        add("conflict", chat(q, "The warranty is two years.", "warranty", "2026-05-05", ""))
        add("conflict", chat(q, "The warranty is one year.", "warranty", "2026-05-06", ""))
    for record in rng.sample(originals, 20):
        record["meta"]["date"] = f"2019-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        planted["stale"].append(record["meta"]["id"])
    rng.shuffle(records)
    return planted


GENERAL = [
    ("Summarise: The meeting moved from Monday to Wednesday at 3 pm.", "The meeting is now Wednesday at 3 pm."),
    ("Translate to French: Good night.", "Bonne nuit."),
    ("List three primary colours.", "Red, blue and yellow."),
    ("What is 12 times 8?", "96."),
    ("Rewrite politely: Send me the file.", "Could you please send me the file?"),
    ("把这句话翻译成英文：今天天气很好。", "The weather is nice today."),
    ("用一句话总结：会议改到周三下午三点。", "会议改为周三下午三点。"),
    ("Name a mammal that can fly.", "The bat."),
]
MANUALS = {
    "homecam-2k.md": "# HomeCam 2K manual\n\n## Setup\n\nPlug the camera in and wait for the blinking blue light. "
    "Open the HomeSmart app, tap Add device and scan the QR code on the base. The camera joins 2.4 GHz Wi-Fi "
    "networks only.\n\n## Recording\n\nMotion recording is on by default. Clips are kept on the microSD card "
    "(up to 256 GB) and, with the cloud plan, for 30 days online.\n\n## Night vision\n\nInfrared night vision "
    "switches on automatically below 5 lux and reaches 8 metres.\n\n## Reset\n\nHold the reset button for ten "
    "seconds until the light turns red. All settings are erased.\n",
    "smartplug-mini.html": "<html><head><title>SmartPlug Mini</title><style>p{color:red}</style></head><body>"
    "<h1>SmartPlug Mini</h1><p>The SmartPlug Mini switches lamps and small appliances up to 10 A.</p>"
    "<p>Schedules run on the plug itself, so they keep working when the internet is down.</p>"
    "<p>Energy monitoring shows live watts and monthly kWh in the app.</p><script>track()</script></body></html>",
    "thermostat-faq.txt": "AirSense Thermostat FAQ\n\nWhich boilers work with it? Any 24 V system and most "
    "combi boilers with an OpenTherm port.\n\nDoes it learn my schedule? After one week it proposes a schedule "
    "from your manual changes.\n\n智能温控器支持哪些锅炉？支持24V系统和带OpenTherm接口的壁挂炉。\n\n"
    "它会学习我的习惯吗？使用一周后会根据您的手动调节推荐日程。\n",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "raw")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    records = support_records(rng, 600)
    planted = plant(rng, records)
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    write_text(args.out / "support.jsonl", "\n".join(lines) + "\n")
    write_text(args.out / "planted.json", json.dumps(planted, indent=1) + "\n")
    general = [{"instruction": q, "output": a, "category": "general"} for q, a in GENERAL * 10]
    write_text(args.out / "general.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in general) + "\n")
    for name, text in MANUALS.items():
        write_text(args.out / "docs" / name, text)
    print(f"wrote {len(records)} support records ({sum(map(len, planted.values()))} planted) to {args.out}")


if __name__ == "__main__":
    main()
