"""`export_ollama`: the run's GGUF (verified in llama.cpp) and a Modelfile, so `ollama create NAME -f Modelfile`
works in that folder unchanged: the chat template as Ollama's TEMPLATE, its stop tokens, SYSTEM and defaults."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from tunesmith.atomic import atomic_dir
from tunesmith.errors import InputError
from tunesmith.export.gguf import GGUFExport, plan_gguf, write_gguf
from tunesmith.export.ollama_template import TurnTemplate, go_template, turn_template
from tunesmith.models.loading import ModelSource, load_tokenizer
from tunesmith.progress import SILENT, Progress

MODELFILE = "Modelfile"


@dataclass
class OllamaExport:
    """The GGUF export and the Modelfile beside it."""

    gguf: GGUFExport
    modelfile: Path


def export_ollama(
    run_dir: str | Path,
    out_dir: str | Path,
    quant: str = "q4_k_m",
    adapter_only: bool = False,
    verify: bool = True,
    limit: int | None = None,
    llama_cpp: str | Path | None = None,
    eval_file: str | Path | None = None,
    progress: Progress = SILENT,
) -> OllamaExport:
    """Write the GGUF (see `export_gguf`) and a Modelfile into `out_dir`, atomically; adapter-only writes the base
    GGUF and the GGUF LoRA, which the Modelfile names as FROM and ADAPTER."""
    plan = plan_gguf(run_dir, quant, adapter_only, verify, limit, llama_cpp, eval_file, progress)
    tokenizer = load_tokenizer(str(plan.source.adapter or plan.source.base))
    template = without_added_bos(turn_template(tokenizer, f"{run_dir} (chat template)"), tokenizer)
    config = generation_config(plan.source)
    stops = stop_texts(tokenizer, config, template)
    modelfile(GGUFExport(Path(), plan.quant, Path("model.gguf")), template, stops, {})  # refused now, too
    out_dir = Path(out_dir)
    with atomic_dir(out_dir) as tmp:
        result = write_gguf(plan, tmp, out_dir, progress)
        text = modelfile(result, template, stops, sampling(config))
        (tmp / MODELFILE).write_text(text, encoding="utf-8")
    progress.note(f"Ollama Modelfile and GGUF written to {out_dir}: cd there and run `ollama create NAME`")
    return OllamaExport(result, out_dir / MODELFILE)


def modelfile(result: GGUFExport, template: TurnTemplate, stops: list[str], sampling: dict[str, float]) -> str:
    """The Modelfile text: FROM (and ADAPTER) by relative path, TEMPLATE, SYSTEM, stop tokens, sampling defaults."""
    lines = [
        f"# Written by tunesmith export ollama (llama.cpp quant {result.quant}). In this folder: ollama create NAME",
        f"FROM ./{result.model.name}",
    ]
    if result.adapter is not None:
        lines.append(f"ADAPTER ./{result.adapter.name}")
    lines.append(f"TEMPLATE {_quoted(go_template(template), 'TEMPLATE')}")
    if template.default_system is not None:
        lines.append(f"SYSTEM {_quoted(template.default_system, 'SYSTEM')}")
    lines += [f'PARAMETER stop "{stop}"' for stop in stops if '"' not in stop and "\n" not in stop]
    lines += [f"PARAMETER {key} {value:g}" for key, value in sampling.items()]
    return "\n".join(lines) + "\n"


def without_added_bos(template: TurnTemplate, tokenizer) -> TurnTemplate:
    """The template without its leading BOS text when tokenizing adds BOS itself (llama.cpp does, as the
    tokenizer's add_bos_token says and the GGUF records), so Ollama's prompt does not start with two."""
    bos = tokenizer.bos_token
    if not bos or tokenizer("x")["input_ids"][:1] != [tokenizer.bos_token_id]:
        return template
    if template.preamble.startswith(bos):
        return dataclasses.replace(template, preamble=template.preamble[len(bos) :])
    if template.default_system is not None and template.prefix["system"].startswith(bos):
        return dataclasses.replace(
            template, prefix={**template.prefix, "system": template.prefix["system"][len(bos) :]}
        )
    return template


def stop_texts(tokenizer, config, template: TurnTemplate) -> list[str]:
    """The end-of-turn texts: the EOS tokens (tokenizer's and generation config's) and the assistant's suffix."""
    eos = config.eos_token_id
    ids = {tokenizer.eos_token_id, *(eos if isinstance(eos, list) else [eos])} - {None}
    texts = [tokenizer.decode([i]) for i in sorted(ids)]
    texts.append(template.suffix["assistant"].strip())
    return list(dict.fromkeys(t for t in texts if t.strip()))


def sampling(config) -> dict[str, float]:
    """The model's own sampling defaults when its generation config samples; else temperature 0 (greedy), as the
    export was verified."""
    if not config.do_sample:
        return {"temperature": 0.0}
    found = {"temperature": config.temperature, "top_p": config.top_p, "top_k": config.top_k}
    return {key: float(value) for key, value in found.items() if value is not None}


def generation_config(source: ModelSource):
    """The model's transformers GenerationConfig (the library's defaults when it has none)."""
    from transformers import GenerationConfig

    try:
        return GenerationConfig.from_pretrained(source.base)
    except OSError:
        return GenerationConfig()


def _quoted(text: str, what: str) -> str:
    """`text` in a Modelfile's triple quotes, which keep it exactly (and end at the first \"\"\")."""
    if '"""' in text:
        raise InputError(what, 'contains """, which ends a Modelfile value; write this Modelfile line by hand')
    return f'"""{text}"""'
