"""Two adapter runs on the tiny model trained (in name) on clearly different tasks, for the router's tests.

`extract` learned person-record extraction prompts, `tools` learned tool-call requests (weather, currency,
reminders); each run's recipe names its own training file, as a real run's does. HELD_OUT holds prompts of both
tasks that are in neither training file (other names, cities, amounts and wordings).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import yaml

NAMES = ["Ana Silva", "Tom Berg", "Li Wei", "Sara Kim", "Omar Haddad", "Eva Novak", "Ken Sato", "Mia Rossi"]
CITIES = ["Lisbon", "Oslo", "Chengdu", "Seoul", "Cairo", "Prague", "Osaka", "Turin"]
EXTRACT = [
    "Extract the person's name, age and city as JSON. Text: {name}, {age}, lives in {city}.",
    "Pull name, age and city out of this note as a JSON object: '{name} ({age}) moved to {city} last year.'",
    "Return JSON with keys name, age, city for: Contact {name}, aged {age}, based in {city}.",
]
TOOLS = [
    "What's the weather in {city} right now, in celsius?",
    "Convert {age}0 US dollars to euros, please.",
    "Set a reminder at {age}:15 to call {name}.",
]
HELD_OUT = {
    "extract": [
        "Extract the person's name, age and city as JSON. Text: Nora Quist, 41, lives in Bergen.",
        "Return JSON with keys name, age, city for: Contact Raj Patel, aged 29, based in Pune.",
        "Pull name, age and city out of this note as a JSON object: 'Ines Duarte (63) moved to Porto last year.'",
        "Give me the name, age and home city of this person as JSON: Hugo Lind is 35 and lives in Malmo.",
    ],
    "tools": [
        "What's the weather in Bergen right now, in fahrenheit?",
        "Convert 250 Japanese yen to British pounds, please.",
        "Set a reminder at 07:45 to water the plants.",
        "Is it raining in Pune today? Check the forecast for me.",
    ],
}


def prompts(templates: list[str], count: int) -> list[str]:
    """`count` prompts from `templates`, filled with names, ages and cities in a fixed order."""
    people = itertools.product(NAMES, range(21, 60, 7), CITIES)
    return [t.format(name=n, age=a, city=c) for t, (n, a, c) in zip(itertools.cycle(templates), people)][:count]


def write_chat(path: Path, user_turns: list[str]) -> Path:
    """A messages-format training file: each prompt with a short assistant reply."""
    rows = [{"messages": [{"role": "user", "content": u}, {"role": "assistant", "content": "ok"}]} for u in user_turns]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def make_run(root: Path, name: str, base: Path, data: Path, seed: int) -> Path:
    """A run directory (recipe naming `data`, final/ with a random LoRA adapter on `base`)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_pretrained(base)
    config = LoraConfig(r=4, lora_alpha=16, target_modules="all-linear", init_lora_weights=False)
    run = root / name
    get_peft_model(model, config).save_pretrained(run / "final")
    (run / "recipe.yaml").write_text(yaml.safe_dump({"model": str(base), "data": {"train": str(data)}}))
    return run


def make_runs(root: Path, base: Path, count: int = 36) -> dict[str, Path]:
    """Runs `extract` and `tools`, each trained on `count` prompts of its task (plus a duplicate, counted once)."""
    root.mkdir(parents=True, exist_ok=True)
    extract = prompts(EXTRACT, count)
    tools = prompts(TOOLS, count)
    files = {
        "extract": write_chat(root / "extract.jsonl", [*extract, extract[0]]),
        "tools": write_chat(root / "tools.jsonl", [*tools, tools[0]]),
    }
    return {name: make_run(root / "runs", name, base, files[name], seed) for seed, name in enumerate(files)}
