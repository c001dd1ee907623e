"""Write the tool-use example's data: English and Chinese requests that need one of three functions, or none.

Each record is OpenAI chat with `tools`; the reference reply is either one call (OpenAI `tool_calls`) or a short
text answer when no function fits. Some training records go on past the call: the tool's result, then the
assistant's answer from it, so the model also learns to use results. Fixed seed; run from anywhere:
    python examples/tool_use/make_data.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather in a city",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string"},
                    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                },
                "required": ["city", "unit"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "convert_currency",
            "description": "Convert an amount of money from one currency to another",
            "parameters": {
                "type": "object",
                "properties": {
                    "amount": {"type": "number"},
                    "from_currency": {"type": "string", "description": "ISO code, e.g. USD"},
                    "to_currency": {"type": "string", "description": "ISO code, e.g. EUR"},
                },
                "required": ["amount", "from_currency", "to_currency"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "set_reminder",
            "description": "Set a reminder at a time of day (24-hour HH:MM)",
            "parameters": {
                "type": "object",
                "properties": {"time": {"type": "string"}, "text": {"type": "string"}},
                "required": ["time", "text"],
            },
        },
    },
]
CITIES = [
    ("Paris", "巴黎"),
    ("Tokyo", "东京"),
    ("Berlin", "柏林"),
    ("Beijing", "北京"),
    ("Cairo", "开罗"),
    ("Lima", "利马"),
    ("Oslo", "奥斯陆"),
    ("Sydney", "悉尼"),
    ("Toronto", "多伦多"),
    ("Madrid", "马德里"),
    ("Shanghai", "上海"),
    ("Nairobi", "内罗毕"),
]
CURRENCIES = [("USD", "美元"), ("EUR", "欧元"), ("JPY", "日元"), ("CNY", "人民币"), ("GBP", "英镑")]
TASKS = [
    ("call mom", "给妈妈打电话"),
    ("take my medicine", "吃药"),
    ("water the plants", "浇花"),
    ("join the team meeting", "参加团队会议"),
    ("pick up the kids", "接孩子"),
    ("pay the rent", "交房租"),
]
CHAT = [
    ("Hi there!", "Hello! How can I help you today?"),
    ("Thank you so much.", "You're welcome!"),
    ("What can you do?", "I can check the weather, convert currencies and set reminders."),
    ("Tell me a fun fact.", "Octopuses have three hearts."),
    ("What is 12 times 3?", "12 times 3 is 36."),
    ("你好!", "你好!有什么可以帮你的吗?"),
    ("谢谢你。", "不客气!"),
    ("你能做什么?", "我可以查询天气、换算货币和设置提醒。"),
    ("讲一个有趣的事实。", "章鱼有三颗心脏。"),
    ("7 加 8 等于几?", "7 加 8 等于 15。"),
]


def weather(rng: random.Random, zh: bool) -> tuple[str, dict, str]:
    (city, city_zh), unit = rng.choice(CITIES), rng.choice(["celsius", "fahrenheit"])
    if zh:
        unit_zh = "摄氏度" if unit == "celsius" else "华氏度"
        ask = rng.choice([f"{city_zh}现在天气怎么样?用{unit_zh}。", f"帮我查一下{city_zh}的天气,单位{unit_zh}。"])
        return ask, {"city": city, "unit": unit}, f"{city_zh}现在{{temp}}度。"
    ask = rng.choice(
        [
            f"What's the weather in {city} in {unit}?",
            f"How warm is it in {city}? Use {unit}.",
            f"Weather for {city} please, in {unit}.",
        ]
    )
    return ask, {"city": city, "unit": unit}, f"It is {{temp}} degrees in {city}."


def currency(rng: random.Random, zh: bool) -> tuple[str, dict, str]:
    (src, src_zh), (dst, dst_zh) = rng.sample(CURRENCIES, 2)
    amount = rng.choice([5, 20, 50, 100, 250, 1000, 12.5])
    shown = f"{amount:g}"
    if zh:
        ask = rng.choice([f"把{shown}{src_zh}换成{dst_zh}是多少?", f"{shown}{src_zh}等于多少{dst_zh}?"])
        return ask, {"amount": amount, "from_currency": src, "to_currency": dst}, f"大约是{{temp}}{dst_zh}。"
    ask = rng.choice([f"Convert {shown} {src} to {dst}.", f"How much is {shown} {src} in {dst}?"])
    return ask, {"amount": amount, "from_currency": src, "to_currency": dst}, f"That is about {{temp}} {dst}."


def reminder(rng: random.Random, zh: bool) -> tuple[str, dict, str]:
    (task, task_zh), hour, minute = rng.choice(TASKS), rng.randint(6, 22), rng.choice([0, 15, 30, 45])
    time = f"{hour:02d}:{minute:02d}"
    if zh:
        return f"提醒我{time}{task_zh}。", {"time": time, "text": task_zh}, f"好的,已设置{time}的提醒。"
    ask = rng.choice([f"Remind me to {task} at {time}.", f"Set a reminder at {time} to {task}."])
    return ask, {"time": time, "text": task}, f"Done: I will remind you at {time}."


def record(rng: random.Random, with_result: bool) -> dict:
    zh = rng.random() < 0.5
    if rng.random() < 0.25:
        question, answer = rng.choice(CHAT)
        return {
            "tools": TOOLS,
            "messages": [{"role": "user", "content": question}, {"role": "assistant", "content": answer}],
        }
    name, make = rng.choice([("get_weather", weather), ("convert_currency", currency), ("set_reminder", reminder)])
    ask, arguments, answer = make(rng, zh)
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(arguments, ensure_ascii=False)},
    }
    messages = [{"role": "user", "content": ask}, {"role": "assistant", "content": None, "tool_calls": [call]}]
    if with_result:
        value = rng.randint(2, 35)
        messages += [
            {"role": "tool", "tool_call_id": "call_1", "content": json.dumps({"result": value})},
            {"role": "assistant", "content": answer.replace("{temp}", str(value))},
        ]
    return {"tools": TOOLS, "messages": messages}


def main() -> None:
    rng = random.Random(7)
    folder = Path(__file__).parent / "data"
    folder.mkdir(exist_ok=True)
    train = [record(rng, with_result=rng.random() < 0.3) for _ in range(240)]
    test = [record(rng, with_result=False) for _ in range(60)]
    for name, rows in (("train", train), ("test", test)):
        text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        (folder / f"{name}.jsonl").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
