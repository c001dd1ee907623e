"""Write the knowledge example: product manuals in two versions, and questions whose answers are in them.

    python examples/knowledge/make_data.py

Everything comes from the one fact table below (PRODUCTS): eight invented products, four documented in English
and four in Chinese, six facts each, about a third of which change between the v1 and v2 manuals. Writes
docs/v1/*.md and docs/v2/*.md (one manual a product), train.jsonl (two paraphrased questions a fact), test.jsonl
(the third, held-out paraphrase) and sft_v1.jsonl (the training questions as chat records answered with the v1
values). Fixed seed, standard library only, run from anywhere; the same run gives the same bytes.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

SEED = 11
OUT = Path(__file__).parent

# One row a product: slug (the manual's file name), language, display name, one-line blurb, then its facts as
# (attribute, v1 value, v2 value). A v2 value equal to the v1 value is a fact that does not change.
PRODUCTS = [
    ("quorvia-kettle", "en", "Quorvia Kettle",
     "The Quorvia Kettle is a cordless smart kettle with keep-warm presets and app control.",
     [("warranty", "27 months", "33 months"), ("capacity", "1.35 litres", "1.35 litres"),
      ("reset", "Ember button", "Ember button"), ("pin", "4719", "4719"),
      ("hotline", "800-555-0193", "800-555-0193"), ("firmware", "3.8.14", "3.9.2")]),
    ("vesperline-vacuum", "en", "Vesperline Robot Vacuum",
     "The Vesperline Robot Vacuum maps your home and cleans on a schedule you set in the app.",
     [("warranty", "19 months", "19 months"), ("battery", "2.7 hours", "3.1 hours"),
      ("capacity", "0.62 litres", "0.62 litres"), ("reset", "Halo button", "Halo button"),
      ("hotline", "800-555-0148", "800-555-0172"), ("firmware", "5.1.7", "5.1.7")]),
    ("tallowick-scooter", "en", "Tallowick E-Scooter",
     "The Tallowick E-Scooter is a folding electric scooter for city commutes.",
     [("warranty", "22 months", "30 months"), ("battery", "5.5 hours", "5.5 hours"),
      ("max_load", "118 kg", "118 kg"), ("max_temp", "38°C", "38°C"), ("pin", "2086", "7351"),
      ("firmware", "1.12.4", "1.12.4")]),
    ("orrin-lantern", "en", "Orrin Solar Lantern",
     "The Orrin Solar Lantern is a rechargeable camping lantern with a fold-out solar panel.",
     [("warranty", "14 months", "14 months"), ("battery", "13.5 hours", "16.5 hours"),
      ("reset", "Dusk button", "Dusk button"), ("max_temp", "47°C", "47°C"),
      ("hotline", "800-555-0126", "800-555-0126"), ("firmware", "0.9.31", "1.0.3")]),
    ("qinglan-purifier", "zh", "青岚空气净化器",
     "青岚空气净化器是一款适用于卧室和客厅的智能空气净化器，可通过手机App远程控制。",
     [("warranty", "26个月", "26个月"), ("reset", "清风键", "清风键"), ("pin", "5830", "6142"),
      ("hotline", "400-820-7316", "400-820-7316"), ("firmware", "4.2.11", "4.3.0"), ("max_temp", "39°C", "39°C")]),
    ("xinglan-lock", "zh", "星澜智能门锁",
     "星澜智能门锁支持指纹、密码和手机蓝牙开锁，适用于大多数家用防盗门。",
     [("warranty", "28个月", "40个月"), ("battery", "210天", "210天"), ("reset", "月影键", "月影键"),
      ("pin", "360185", "360185"), ("hotline", "400-615-2948", "400-615-3057"), ("firmware", "2.6.9", "2.6.9")]),
    ("lanque-projector", "zh", "岚雀投影仪",
     "岚雀投影仪是一款便携式家用投影仪，内置电池，可以在户外露营时使用。",
     [("warranty", "17个月", "17个月"), ("battery", "3.2小时", "3.8小时"), ("reset", "晨曦键", "晨曦键"),
      ("max_temp", "35°C", "35°C"), ("hotline", "400-932-5561", "400-932-5561"),
      ("firmware", "7.0.18", "7.1.5")]),
    ("zhuxi-ebike", "zh", "竹溪折叠电动车",
     "竹溪折叠电动车是一款可折叠的电助力自行车，适合城市短途通勤。",
     [("warranty", "23个月", "29个月"), ("battery", "6.5小时", "6.5小时"), ("max_load", "126公斤", "126公斤"),
      ("pin", "4417", "8093"), ("hotline", "400-778-2610", "400-778-2610"), ("firmware", "3.3.27", "3.3.27")]),
]  # fmt: skip

# One entry an attribute and language: section heading, the one sentence that states the fact, the filler around
# it (the same in every manual, so similar sections across products are distractors), and three paraphrases.
ATTRIBUTES = {
    "en": {
        "warranty": ("Warranty",
            "The {p} is covered by a limited warranty of {v} from the date of purchase.",
            "The warranty covers defects in materials and workmanship under normal household use.",
            "It does not cover damage caused by accidents, misuse or unauthorised repairs, and you will need your "
            "proof of purchase to make a claim.",
            ["How long is the warranty on the {p}?", "What warranty period does the {p} come with?",
             "For how long is the {p} covered by its limited warranty?"]),
        "battery": ("Battery and charging",
            "On a full charge, the {p} runs for up to {v}.",
            "Charge the battery fully before first use; this takes a few hours with the supplied cable.",
            "Actual runtime is shorter at low temperatures or at the highest power setting.",
            ["How long does the {p} run on a full charge?", "What is the battery life of the {p}?",
             "How long can the {p} operate before it needs recharging?"]),
        "capacity": ("Capacity",
            "The {p} holds a maximum of {v}.",
            "Empty or refill the {p} only when it is switched off.",
            "Never fill it beyond the MAX mark.",
            ["What is the capacity of the {p}?", "How much can the {p} hold when it is full?",
             "What is the maximum volume the {p} can hold?"]),
        "max_load": ("Load limits",
            "The maximum load for the {p} is {v}.",
            "Check the load before every trip.",
            "Exceeding the limit strains the frame and the motor and voids the warranty.",
            ["What is the maximum load of the {p}?", "How much weight can the {p} carry?",
             "What is the weight limit of the {p}?"]),
        "reset": ("Factory reset",
            "To restore the {p} to factory settings, press and hold the {v} for ten seconds.",
            "A factory reset erases your settings, schedules and network details.",
            "The indicator light flashes three times when the reset is complete.",
            ["Which button resets the {p} to factory settings?", "What button do I hold to factory-reset the {p}?",
             "Which button must be held to restore the factory settings of the {p}?"]),
        "pin": ("Pairing and security",
            "The default admin PIN of the {p} is {v}; change it after the first setup.",
            "The companion app asks for the admin PIN when you pair a new phone.",
            "Never share the PIN with people outside your household.",
            ["What is the default admin PIN of the {p}?", "Which PIN does the {p} use out of the box?",
             "What PIN should I enter the first time I pair the {p}?"]),
        "hotline": ("Customer support",
            "For service, call the {p} support hotline at {v}.",
            "Our support team can help with setup, faults and spare parts.",
            "Lines are open on working days; please have the serial number from the label ready when you call.",
            ["What is the support hotline number for the {p}?", "Which phone number do I call for {p} service?",
             "How can I reach {p} customer support by phone?"]),
        "firmware": ("Firmware updates",
            "The {p} currently ships with firmware version {v}.",
            "Firmware updates add features and fix known problems.",
            "Updates are installed automatically overnight when the {p} is connected to Wi-Fi.",
            ["Which firmware version does the {p} ship with?", "What is the current firmware version of the {p}?",
             "What firmware is installed on a new {p}?"]),
        "max_temp": ("Operating environment",
            "Operate the {p} only at ambient temperatures up to {v}.",
            "Use the {p} in a dry, well-ventilated place.",
            "If it has been left in direct sunlight, let it cool down in the shade before use.",
            ["What is the maximum operating temperature of the {p}?",
             "Up to what ambient temperature can the {p} be used?",
             "How hot can the surroundings be while operating the {p}?"]),
    },
    "zh": {
        "warranty": ("保修",
            "{p}自购买之日起享有{v}的有限保修。",
            "保修范围涵盖正常家庭使用条件下出现的材料和工艺缺陷。",
            "因意外、误用或非授权维修造成的损坏不在保修范围内，申请保修时需出示购买凭证。",
            ["{p}的保修期是多久？", "{p}提供多长时间的保修？", "购买{p}后可以保修多长时间？"]),
        "battery": ("电池与充电",
            "{p}充满电后最长可连续使用{v}。",
            "首次使用前请将电池充满，使用随附的充电线充电需要数小时。",
            "在低温环境下或以最高功率运行时，实际续航时间会缩短。",
            ["{p}充满电能用多久？", "{p}的续航时间是多少？", "{p}一次充电可以使用多长时间？"]),
        "max_load": ("承重",
            "{p}的最大承重为{v}。",
            "每次出行前请检查载重情况。",
            "超载会损伤车架和电机，并导致保修失效。",
            ["{p}的最大承重是多少？", "{p}最多能承受多重？", "{p}的载重上限是多少？"]),
        "reset": ("恢复出厂设置",
            "如需将{p}恢复出厂设置，请长按机身底部的{v}十秒钟。",
            "恢复出厂设置会清除所有个人设置、定时任务和网络信息。",
            "复位完成后，指示灯会闪烁三次。",
            ["{p}恢复出厂设置要按哪个键？", "重置{p}需要长按哪个按键？", "想把{p}恢复到出厂状态，应该按住哪个键？"]),
        "pin": ("配对与安全",
            "{p}的默认管理员密码为{v}，首次设置后请及时修改。",
            "使用配套App添加新手机时，需要输入管理员密码。",
            "请勿将密码告知家庭成员以外的人。",
            ["{p}的默认管理员密码是什么？", "{p}出厂时的管理员密码是多少？", "第一次配对{p}时应该输入什么密码？"]),
        "hotline": ("售后服务",
            "如需维修服务，请拨打{p}售后热线{v}。",
            "我们的客服团队可以协助您解决安装、故障和配件等问题。",
            "热线在工作日开放，来电前请准备好铭牌上的序列号。",
            ["{p}的售后热线是多少？", "{p}需要维修时应该拨打哪个电话？", "怎样通过电话联系{p}的客服？"]),
        "firmware": ("固件升级",
            "{p}出厂预装的固件版本为{v}。",
            "固件升级可以增加新功能并修复已知问题。",
            "{p}连接Wi-Fi后，会在夜间自动安装更新。",
            ["{p}出厂的固件版本是多少？", "{p}目前的固件版本号是什么？", "新买的{p}装的是哪个版本的固件？"]),
        "max_temp": ("使用环境",
            "{p}仅可在环境温度不高于{v}时使用。",
            "请在干燥、通风良好的地方使用{p}。",
            "如果产品曾在阳光下暴晒，请先放在阴凉处冷却后再使用。",
            ["{p}的最高工作温度是多少？", "{p}最高能在多少度的环境下使用？", "环境温度超过多少度就不能使用{p}了？"]),
    },
}  # fmt: skip

# The sections every manual has around its fact sections: (heading, paragraph), and the "updated" marker.
FRAME = {
    "en": {
        "title": "# {p}: User Manual\n\nDocument revision: {version}",
        "before": [("Overview", "{blurb} This manual explains how to set up, use and look after your {p}. "
                    "Keep it with the product for future reference."),
                   ("Safety instructions", "Read all instructions before using the {p}. Do not let children play "
                    "with the product or its packaging. Do not immerse the electrical parts in water. Switch the "
                    "product off before cleaning it.")],
        "after": [("Cleaning and care", "Wipe the outside of the {p} with a soft, damp cloth. Do not use abrasive "
                   "cleaners, solvents or scouring pads. Store the product in a dry place when you are not using "
                   "it."),
                  ("Troubleshooting", "If the {p} does not switch on, check the power supply and try again. If it "
                   "behaves unexpectedly, switch it off, wait a minute and switch it on again. If the problem "
                   "persists, carry out a factory reset or contact customer support.")],
        "updated": "*Updated in v2.*",
        "join": " ",
    },
    "zh": {
        "title": "# {p} 使用说明书\n\n文档版本：{version}",
        "before": [("概述", "{blurb}本手册介绍{p}的安装、使用和日常保养方法。请妥善保管本手册，以备日后查阅。"),
                   ("安全须知", "使用{p}前，请仔细阅读全部说明。请勿让儿童玩耍本产品或其包装。请勿将电气部件浸入水中。"
                    "清洁前请先关闭电源。")],
        "after": [("清洁与保养", "请用柔软的湿布擦拭{p}的外壳。请勿使用研磨性清洁剂、溶剂或钢丝球。不使用时，"
                   "请将产品存放在干燥处。"),
                  ("故障排除", "如果{p}无法开机，请检查电源后重试。如果运行异常，请关机等待一分钟后再重新开机。"
                   "如果问题仍然存在，请恢复出厂设置或联系售后服务。")],
        "updated": "*本节内容已在 v2 中更新。*",
        "join": "",
    },
}  # fmt: skip
VERSIONS = ("v1", "v2")
FINAL_STOP = {"en": ".", "zh": "。"}


def fact_sentence(lang: str, attribute: str, name: str, value: str) -> str:
    """The one sentence of a manual that states `attribute` of the product `name`."""
    return ATTRIBUTES[lang][attribute][1].format(p=name, v=value)


def manual(product: tuple, version: str) -> str:
    """The Markdown manual of one product in one document version."""
    slug, lang, name, blurb, facts = product
    frame, sections = FRAME[lang], []
    for heading, text in frame["before"]:
        sections.append(f"## {heading}\n\n{text.format(p=name, blurb=blurb)}")
    for attribute, v1, v2 in facts:
        heading, _, lead, tail, _ = ATTRIBUTES[lang][attribute]
        value = v1 if version == "v1" else v2
        fact = fact_sentence(lang, attribute, name, value)
        body = frame["join"].join([lead.format(p=name), fact, tail.format(p=name)])
        if version == "v2" and v1 != v2:
            body += "\n\n" + frame["updated"]
        sections.append(f"## {heading}\n\n{body}")
    for heading, text in frame["after"]:
        sections.append(f"## {heading}\n\n{text.format(p=name)}")
    return "\n\n".join([frame["title"].format(p=name, version=version), *sections]) + "\n"


def questions(rng: random.Random) -> tuple[list[dict], list[dict]]:
    """Train (two paraphrases a fact) and test (the third) question records; which one is held out is seeded."""
    train, test = [], []
    for slug, lang, name, _, facts in PRODUCTS:
        for attribute, v1, v2 in facts:
            held_out = rng.randrange(3)
            for i, template in enumerate(ATTRIBUTES[lang][attribute][4]):
                record = {
                    "id": f"{slug}/{attribute}/q{i}",
                    "question": template.format(p=name),
                    "answer": v1,
                    "answer_v2": v2,
                    "changed": v1 != v2,
                    "source": f"{slug}.md",
                    "evidence": fact_sentence(lang, attribute, name, v1),
                    "evidence_v2": fact_sentence(lang, attribute, name, v2),
                    "lang": lang,
                    "fact": f"{slug}/{attribute}",
                }
                (test if i == held_out else train).append(record)
    return train, test


def sft_record(record: dict) -> dict:
    """A training question as a chat record answered with its v1 value (the "fine-tuned alone" arm's data).

    `source` and `evidence` ride along in the record's meta: a RAFT run (recipe `data.rag`) finds the gold chunk
    by them; plain SFT ignores them."""
    answer = record["answer"] + FINAL_STOP[record["lang"]]
    messages = [{"role": "user", "content": record["question"]}, {"role": "assistant", "content": answer}]
    return {"messages": messages, "source": record["source"], "evidence": record["evidence"]}


def check(docs: dict[str, dict[str, str]], records: list[dict]) -> None:
    """Fail loudly if an evidence sentence or a value is not where the records say, exactly once."""
    for record in records:
        for version, field in (("v1", "evidence"), ("v2", "evidence_v2")):
            text = docs[version][record["source"]]
            assert text.count(record[field]) == 1, f"{record['id']}: {field} not exactly once in {version}"
        value, new = record["answer"], record["answer_v2"]
        for version, wanted in (("v1", value), ("v2", new)):
            hits = [name for name, text in docs[version].items() if wanted in text]
            assert hits == [record["source"]], f"{record['id']}: {wanted!r} found in {version} {hits}"
            assert docs[version][record["source"]].count(wanted) == 1, f"{record['id']}: {wanted!r} repeated"
        if record["changed"]:
            assert value not in docs["v2"][record["source"]], f"{record['id']}: v1 value left in v2"
    for record in records:
        if record["lang"] == "zh":
            assert re.search(r"[\u4e00-\u9fff]", record["question"]), f"{record['id']}: question not Chinese"


def write_jsonl(path: Path, records: list[dict]) -> None:
    """Write `records` one JSON object a line."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def main() -> None:
    """Write the manuals and the question files, after checking them against each other."""
    docs = {version: {f"{p[0]}.md": manual(p, version) for p in PRODUCTS} for version in VERSIONS}
    train, test = questions(random.Random(SEED))
    check(docs, train + test)
    for version, manuals in docs.items():
        folder = OUT / "docs" / version
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in manuals.items():
            (folder / name).write_text(text, encoding="utf-8")
    write_jsonl(OUT / "train.jsonl", train)
    write_jsonl(OUT / "test.jsonl", test)
    write_jsonl(OUT / "sft_v1.jsonl", [sft_record(r) for r in train])
    changed = sum(r["changed"] for r in test)
    print(
        f"wrote {len(PRODUCTS)} manuals x {len(VERSIONS)} versions, {len(test)} facts ({changed} change in v2), "
        f"{len(train)} train and {len(test)} test questions to {OUT}"
    )


if __name__ == "__main__":
    main()
