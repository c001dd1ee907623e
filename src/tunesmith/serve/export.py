"""Curate the request log into training data: SFT, preference (DPO/ORPO) or KTO datasets in TRL's columns.

- `sft`: the conversation and its answer; a corrected answer replaces the logged one, and an answer rated
  down without a correction is left out. Chat requests give `messages`, text completions `prompt`/`completion`.
- `preference`: one row per correction that differs from the answer: `chosen` = correction, `rejected` = answer.
- `kto`: `prompt`/`completion`/`label`: thumbs up → (answer, true), thumbs down → (answer, false), a correction
  → (correction, true) and (answer, false).

Only requests answered without error are exported; every row's `meta` says where it came from.
"""

from __future__ import annotations

import json
from pathlib import Path

from tunesmith.atomic import write_text
from tunesmith.errors import InputError
from tunesmith.serve.logfilter import LogFilter
from tunesmith.serve.store import LoggedRequest, Store

EXPORT_FORMATS = ("sft", "preference", "kto")


def export_logs(store: Store, where: LogFilter, fmt: str, out: str | Path) -> int:
    """Write the logged requests matching `where` as a `fmt` dataset (JSONL, atomically); return the row count."""
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"--format {fmt}", f"expected one of {', '.join(EXPORT_FORMATS)}")
    logged = store.query(LogFilter(**{**where.__dict__, "status": "ok"}))
    endpoints = {entry.endpoint for entry in logged}
    if len(endpoints) > 1:
        raise InputError(str(out), "the log mixes chat and text completions; pick one with --endpoint chat|completions")
    rows = {"sft": sft_rows, "preference": preference_rows, "kto": kto_rows}[fmt](logged)
    if not rows:
        raise InputError(str(out), f"no logged requests give {fmt} rows with these filters; nothing written")
    write_text(out, "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    return len(rows)


def sft_rows(logged: list[LoggedRequest]) -> list[dict]:
    """Supervised rows: corrected answers replace the originals; answers rated down and not corrected are dropped.

    Chat rows keep the request's tools and its turns' tool calls and results, so a tool-calling exchange exports
    as tool-use training data."""
    rows = []
    for entry in logged:
        correction = entry.correction
        if correction is None and entry.rating == "down":
            continue
        answer = correction if correction is not None else entry.output
        source = "corrected" if correction is not None else "logged"
        if entry.endpoint == "chat":
            turns = [{k: v for k, v in m.items() if v is not None} for m in entry.messages or []]
            row = {"messages": [*turns, {"role": "assistant", "content": answer}]}
            if (entry.params or {}).get("tools"):  # the reply's <tool_call> text is read back as calls
                row["tools"] = entry.params["tools"]
        else:
            row = {"prompt": entry.prompt, "completion": answer}
        rows.append({**row, "meta": _meta(entry, source)})
    return rows


def preference_rows(logged: list[LoggedRequest]) -> list[dict]:
    """Preference pairs from corrections: the correction is chosen over the logged answer."""
    rows = []
    for entry in logged:
        correction = entry.correction
        if correction is None or correction == entry.output:
            continue
        row = {"prompt": _prompt(entry), "chosen": _answer(entry, correction), "rejected": _answer(entry, entry.output)}
        rows.append({**row, "meta": _meta(entry, "corrected")})
    return rows


def kto_rows(logged: list[LoggedRequest]) -> list[dict]:
    """Unpaired labelled completions from thumbs and corrections."""
    rows = []
    for entry in logged:
        labelled: list[tuple[str, bool, str]] = []
        correction = entry.correction
        if correction is not None and correction != entry.output:
            labelled += [(correction, True, "corrected"), (entry.output, False, "corrected")]
        elif entry.rating is not None:
            labelled.append((entry.output, entry.rating == "up", f"rated {entry.rating}"))
        for text, label, source in labelled:
            row = {"prompt": _prompt(entry), "completion": _answer(entry, text), "label": label}
            rows.append({**row, "meta": _meta(entry, source)})
    return rows


def _prompt(entry: LoggedRequest) -> list[dict] | str:
    """The conversational prompt (chat) or the prompt text (completions)."""
    if entry.endpoint == "chat":
        return [{"role": m["role"], "content": m["content"]} for m in entry.messages or []]
    return entry.prompt or ""


def _answer(entry: LoggedRequest, text: str) -> list[dict] | str:
    return [{"role": "assistant", "content": text}] if entry.endpoint == "chat" else text


def _meta(entry: LoggedRequest, source: str) -> dict:
    return {
        "request_id": entry.id,
        "model": entry.model,
        "created_at": entry.created_at.isoformat(),
        "tags": entry.tags,
        "metadata": entry.meta,
        "source": source,
    }
