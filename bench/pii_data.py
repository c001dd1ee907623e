"""A labelled PII test set: English and Chinese texts with planted personal data and exact character spans.

    python bench/pii_data.py [--seed 0] [--out pii_set.jsonl]

Every type (EMAIL, PHONE, IP, URL, CARD, CN_ID, PASSPORT, PERSON) is planted in varied contexts: inline, after a
colon, in parentheses or quotes, in lists, at the start or end of the text, with full-width punctuation in Chinese.
Values are realistic: cards pass Luhn, IDs pass GB 11643, phones follow real numbering plans. Hard negatives carry
look-alikes that must not be flagged: card numbers failing Luhn, IDs failing the checksum, dates, times, order and
tracking numbers, versions, amounts, and Chinese words that start with a surname. Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import string
from collections.abc import Callable


def words(text: str) -> tuple[str, ...]:
    """The space-separated words of `text`."""
    return tuple(text.split())


def templates(text: str) -> list[str]:
    """The ' | '-separated templates of `text`."""
    return [t.strip() for t in text.split(" | ")]


FIRST = words(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph "
    "Jessica Thomas Sarah Charles Karen Daniel Emily Matthew Olivia Anthony Sophia Mark Grace Steven Hannah "
    "Andrew Chloe Kevin Laura Brian Rachel George Anna Edward Megan Priya Carlos Fatima Hiroshi Lucas Elena Omar "
    "Ingrid Rafael Aisha"
)
LAST = words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Wilson Anderson "
    "Thomas Taylor Moore Jackson Martin Thompson White Harris Clark Lewis Robinson Walker Young Allen Wright "
    "Scott Nguyen Patel Kim Chen Wang Muller Rossi Novak Kowalski Okafor Haddad Schmidt Johansson Fernandes Sato "
    "O'Brien Fitzgerald Whitaker Sullivan Bennett"
)
ZH_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢"
ZH_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红梅晨宇浩然欣怡子涵梓轩雨萱思远佳琪文博一鸣晓东"
ZH_COMPOUND = ("欧阳", "司马", "诸葛", "上官")
DOMAINS = words(
    "gmail.com qq.com 163.com outlook.com example.co.uk company.cn sina.com.cn mail.example.org "
    "uni-heidelberg.de yahoo.co.jp foxmail.com acme-corp.io"
)
AREA_US = ("212", "415", "646", "312", "617", "206", "303", "512", "213", "702")
CN_MOBILE_PREFIX = words(
    "138 139 137 136 150 151 152 158 159 186 187 188 189 133 153 180 181 177 176 199 166 135 147 198"
)
CN_REGIONS = ("110101", "110105", "310104", "310115", "440305", "440106", "510107", "330106", "420102", "320102")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def luhn_digit(body: str) -> str:
    """The check digit that makes `body` + digit pass Luhn."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def id_check(body: str) -> str:
    """The GB 11643 check character of 17 digits."""
    return "10X98765432"[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS)) % 11]


def digits(rng: random.Random, n: int) -> str:
    """`n` random digits."""
    return "".join(rng.choice(string.digits) for _ in range(n))


def group(number: str, sizes: tuple[int, ...], sep: str) -> str:
    """`number` cut into groups of `sizes`, joined by `sep` ("4111 1111 1111 1111")."""
    parts, at = [], 0
    for size in sizes:
        parts.append(number[at : at + size])
        at += size
    return sep.join(p for p in parts if p)


# ---- values ---------------------------------------------------------------------------------------------------------


def email(rng: random.Random) -> str:
    first, last = rng.choice(FIRST).lower(), rng.choice(LAST).lower().replace("'", "")
    local = rng.choice(
        [
            f"{first}.{last}",
            f"{first}{rng.randint(1, 99)}",
            f"{first[0]}{last}",
            f"{first}_{last}",
            f"{last}{rng.randint(1970, 2005)}",
            digits(rng, 9),
            f"{first}+news",
        ]
    )
    return f"{local}@{rng.choice(DOMAINS)}"


def phone(rng: random.Random, lang: str) -> str:
    mobile = rng.choice(CN_MOBILE_PREFIX) + digits(rng, 8)
    us = rng.choice(AREA_US) + str(rng.randint(2, 9)) + digits(rng, 2) + digits(rng, 4)
    forms = [
        mobile,
        group(mobile, (3, 4, 4), " "),
        group(mobile, (3, 4, 4), "-"),
        "+86 " + mobile,
        "+86-" + group(mobile, (3, 4, 4), "-"),
        "+86" + mobile,
        rng.choice(["010-", "021-", "0755-", "020-", "(010) "]) + str(rng.randint(2, 8)) + digits(rng, 7),
        f"({us[:3]}) {us[3:6]}-{us[6:]}",
        f"{us[:3]}-{us[3:6]}-{us[6:]}",
        f"+1 {us[:3]} {us[3:6]} {us[6:]}",
        f"{us[:3]}.{us[3:6]}.{us[6:]}",
        "+44 20 7946 0" + digits(rng, 3),
        "+44 7" + rng.choice(["400", "898", "123"]) + " " + digits(rng, 6),
    ]
    weights = [4, 2, 2, 2, 1, 1, 2, 1, 1, 1, 1, 1, 1] if lang == "zh" else [1, 1, 1, 1, 0, 1, 1, 3, 3, 3, 2, 2, 2]
    return rng.choices(forms, weights)[0]


def ip(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return f"2001:db8:{rng.randint(1, 0xFFFF):x}::{rng.randint(1, 0xFFFF):x}"
    first = rng.choice([10, 172, 192, 8, 114, 203, 59, 223, 45, 101])
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def url(rng: random.Random) -> str:
    host = rng.choice(
        [
            "www.example.com",
            "blog.example.cn",
            "shop.acme-corp.io",
            "docs.python.org",
            "github.com",
            "www.zhihu.com",
            "weibo.com",
            "intranet.company.cn:8080",
        ]
    )
    path = rng.choice(
        [
            "",
            "/",
            "/profile/" + digits(rng, 6),
            "/a/b?id=" + digits(rng, 4),
            "/share?u=alice&t=7",
            "/2024/05/post.html",
            "/user/jdoe#top",
        ]
    )
    scheme = rng.choice(["https://", "http://", "https://", ""]) if host.startswith("www.") else "https://"
    return scheme + host + path


def card(rng: random.Random) -> str:
    prefix, length = rng.choice([("4", 16), ("51", 16), ("55", 16), ("62", 16), ("62", 19), ("37", 15), ("34", 15)])
    body = prefix + digits(rng, length - len(prefix) - 1)
    number = body + luhn_digit(body)
    sizes = (4, 6, 5) if length == 15 else (4, 4, 4, 4, 3)
    return rng.choice([number, group(number, sizes, " "), group(number, sizes, "-")])


def cn_id(rng: random.Random) -> str:
    birth = f"{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = rng.choice(CN_REGIONS) + birth + digits(rng, 3)
    return body + id_check(body)


def passport(rng: random.Random, lang: str) -> str:
    return rng.choice(
        [
            f"E{digits(rng, 8)}",
            f"E{rng.choice('ABCDEFGHJK')}{digits(rng, 7)}",
            f"G{digits(rng, 8)}",
            f"{rng.randint(1, 9)}{digits(rng, 8)}",
        ]
    )


def person(rng: random.Random, lang: str) -> str:
    if lang == "zh":
        surname = rng.choice(ZH_COMPOUND) if rng.random() < 0.05 else rng.choice(ZH_SURNAMES)
        return surname + "".join(rng.choice(ZH_GIVEN) for _ in range(rng.choice([1, 2, 2])))
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


VALUES: dict[str, Callable[[random.Random, str], str]] = {
    "EMAIL": lambda rng, lang: email(rng),
    "PHONE": phone,
    "IP": lambda rng, lang: ip(rng),
    "URL": lambda rng, lang: url(rng),
    "CARD": lambda rng, lang: card(rng),
    "CN_ID": lambda rng, lang: cn_id(rng),
    "PASSPORT": passport,
    "PERSON": person,
}
LABELS = {
    "en": {
        "EMAIL": ["email", "e-mail address", "work email"],
        "PHONE": ["phone number", "mobile", "cell number"],
        "IP": ["IP address", "server IP", "login IP"],
        "URL": ["link", "website", "profile page"],
        "CARD": ["card number", "credit card", "Visa card"],
        "CN_ID": ["Chinese ID number", "resident ID"],
        "PASSPORT": ["passport number", "passport no."],
    },
    "zh": {
        "EMAIL": ["邮箱", "电子邮件", "邮件地址"],
        "PHONE": ["手机号", "电话", "联系电话"],
        "IP": ["IP地址", "服务器IP"],
        "URL": ["网址", "链接", "主页"],
        "CARD": ["银行卡号", "信用卡号", "卡号"],
        "CN_ID": ["身份证号", "身份证号码"],
        "PASSPORT": ["护照号", "护照号码"],
    },
}
FRAMES = {
    "en": templates(
        "{x} is my {label}, please update the record. | {Label}: {x} | You can reach me via {label} {x} after 6pm. | "
        "I updated my details ({label} {x}) yesterday. | Old {label}s: {x}, {x} and {x}. | "
        'Please use my new {label} {x} | He typed "{x}" into the {label} field. | '
        "Ticket 48213 (opened 2024-05-18): customer {label} is {x}, order #20240518-0042. | "
        "- {label}: {x}\n- status: verified | My {label} changed to {x}. Thanks!"
    ),
    "zh": templates(
        "{x}是我的{label}，请更新。 | {label}：{x} | 我的{label}是{x}，谢谢 | 已更新资料（{label}{x}）。 | "
        "{label}分别是{x}、{x}和{x}。 | 请使用新的{label}{x} | 他在{label}栏填了「{x}」。 | "
        "工单48213（2024年5月18日）：客户{label}为{x}，订单号2024051800042。 | 【{label}】{x} | {label}{x}"
    ),
}
PERSON_FRAMES = {
    "en": templates(
        "{x} called yesterday about the refund. | Please forward this to {x} in accounting. | "
        "Dear {x}, your order has shipped. | Thanks,\n{x} | Attendees: {x}, {x} and {x}. | Customer name: {x} | "
        'The ticket was assigned to {x} (support lead). | She said "{x} will sign it" before leaving. | '
        "Ticket 4821 from {x}: my router keeps resetting since 3 May. | I met {x} and {x} at the conference."
    ),
    "zh": templates(
        "我叫{x}，想咨询退款。 | 联系人：{x}，电话见附件。 | 收件人{x}，地址北京市海淀区。 | "
        "{x}先生您好，您的订单已发货。 | 请转告{x}老师明天开会。 | {x}明天会来公司签合同。 | "
        "这个问题{x}已经处理好了。 | 参会人员：{x}、{x}、{x}。 | 客户{x}反馈屏幕有坏点。 | 感谢{x}的耐心等待！"
    ),
}
FORM = {
    "en": ("Name: {PERSON}\nPhone: {PHONE}\nEmail: {EMAIL}\n", "Card {CARD}, passport {PASSPORT}, IP {IP}."),
    "zh": ("姓名：{PERSON}\n电话：{PHONE}\n邮箱：{EMAIL}\n", "卡号{CARD}，护照{PASSPORT}，登录IP{IP}。"),
}


def plant(frame: str, values: list[tuple[str, str]]) -> tuple[str, list[dict]]:
    """`frame` with its `{x}` slots filled by `values` (type, value), and the spans of what was planted."""
    pieces = frame.split("{x}")
    text, spans = pieces[0], []
    for (kind, value), rest in zip(values, pieces[1:]):
        spans.append({"type": kind, "start": len(text), "end": len(text) + len(value), "text": value})
        text += value + rest
    return text, spans


def positive(rng: random.Random, kind: str, lang: str) -> dict:
    """One text with one to three planted values of `kind`."""
    if kind == "PERSON":
        frame = rng.choice(PERSON_FRAMES[lang])
    else:
        label = rng.choice(LABELS[lang][kind])
        frame = rng.choice(FRAMES[lang]).replace("{label}", label).replace("{Label}", label[:1].upper() + label[1:])
    values = [(kind, VALUES[kind](rng, lang)) for _ in range(frame.count("{x}"))]
    text, spans = plant(frame, values)
    return {"lang": lang, "kind": kind, "text": text, "spans": spans}


def form(rng: random.Random, lang: str) -> dict:
    """A contact-form style text holding several types at once."""
    frame = rng.choice(FORM[lang])
    kinds = re.findall(r"\{([A-Z_]+)\}", frame)
    text, spans = plant(re.sub(r"\{[A-Z_]+\}", "{x}", frame), [(k, VALUES[k](rng, lang)) for k in kinds])
    return {"lang": lang, "kind": "FORM", "text": text, "spans": spans}


def bad_card(rng: random.Random) -> str:
    """A card-shaped number that fails Luhn."""
    number = card(rng).replace(" ", "").replace("-", "")
    wrong = str((int(number[-1]) + rng.randint(1, 9)) % 10)
    return group(number[:-1] + wrong, (4, 4, 4, 4, 3), rng.choice([" ", "", "-"]))


def bad_id(rng: random.Random) -> str:
    """An ID-shaped number with a real birth date and a wrong check character."""
    good = cn_id(rng)
    return good[:-1] + rng.choice([c for c in "0123456789X" if c != good[-1]])


NEGATIVES = {
    "en": templates(
        "Order #{order} shipped on {date}; invoice {inv}. | The number {badcard} failed card validation. | "
        "The ID {badid} on the form is not valid. | Upgrade to version {ver} (build {build}) before {date}. | "
        "Meeting moved to {date} at {time}, room 4-201. | Total: ${amount} for {qty} items, SKU {sku}. | "
        "Tracking number {track} (weight 1.25 kg). | Error E{e} occurred 12,345 times between 09:00 and 17:30. | "
        "Population grew to 1,402,112,000 in 2021; ISBN 978-3-16-148410-0, page 1024. | "
        "Call volume dropped 12% this quarter to {qty},{e}. | Ticket {inv}: my router keeps resetting since 3 May. | "
        "Reference {order}, batch {e}-{qty}, lot {inv}. | Sync the Google Drive folder before the Monday standup. | "
        "The Golden Gate Bridge and Central Park are popular in Spring. | Timestamp {ts} ms, latency 3.25 ms."
    ),
    "zh": templates(
        "订单号{order}已于{date}发货，发票号{inv}。 | 卡号{badcard}校验失败，请重新输入。 | "
        "身份证号{badid}格式有误。 | 请升级到{ver}版本，构建号{build}。 | 会议改到{date} {time}，在4-201室。 | "
        "总价¥{amount}，共{qty}件，商品编号{sku}。 | 快递单号SF{track12}，重量1.25公斤。 | "
        "错误码E{e}在09:00到17:30之间出现了12,345次。 | 王牌产品在高速公路服务区热销。 | "
        "黄金周期间销量增长了{qty}%，金额{amount}元。 | 工单{inv}：路由器从5月3日起一直重启。 | 我是高手，你放心。 | "
        "明天和后天都有雨，温度{qty}度。 | 时间戳{ts}，版本v{ver}。 | 客户服务中心的电话请见官网。"
    ),
}


def negative(rng: random.Random, lang: str) -> dict:
    """A text full of PII look-alikes and no PII."""
    fill = {
        "order": "2024" + digits(rng, rng.choice([6, 8, 9])),
        "date": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "inv": digits(rng, rng.choice([5, 6, 7])),
        "badcard": bad_card(rng),
        "badid": bad_id(rng),
        "ver": f"{rng.randint(1, 4)}.{rng.randint(0, 20)}.{rng.randint(0, 30)}",
        "build": f"10.0.{rng.randint(10000, 22999)}.{rng.randint(1, 999)}",
        "time": f"{rng.randint(8, 20)}:{rng.choice(['00', '15', '30', '45'])}",
        "amount": f"{rng.randint(1, 9)},{digits(rng, 3)}.{digits(rng, 2)}",
        "qty": str(rng.randint(2, 99)),
        "sku": f"SKU-{digits(rng, 5)}-{rng.choice('ABC')}",
        "e": digits(rng, 3),
        "track": "1Z" + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(16)),
        "track12": digits(rng, 12),
        "ts": "17" + digits(rng, 11),
    }
    return {"lang": lang, "kind": "NEGATIVE", "text": rng.choice(NEGATIVES[lang]).format(**fill), "spans": []}


def make_set(seed: int = 0, per_type: int = 60, forms: int = 80, negatives: int = 150) -> list[dict]:
    """The labelled set: per language, `per_type` texts per type, `forms` mixed forms and `negatives` look-alikes."""
    rng = random.Random(seed)
    rows = []
    for lang in ("en", "zh"):
        rows += [positive(rng, kind, lang) for kind in VALUES for _ in range(per_type)]
        rows += [form(rng, lang) for _ in range(forms)]
        rows += [negative(rng, lang) for _ in range(negatives)]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="pii_set.jsonl")
    args = parser.parse_args()
    rows = make_set(args.seed)
    with open(args.out, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    print(f"{len(rows):,} texts, {sum(len(r['spans']) for r in rows):,} planted spans → {args.out}")


if __name__ == "__main__":
    main()
