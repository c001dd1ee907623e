"""`tunesmith chat`: /help, /reset and /exit are commands, not messages; a one-line banner says so."""

from __future__ import annotations

import sys

import pytest

import tunesmith.chat
from tunesmith.cli.console import console
from tunesmith.cli.main import main


def test_slash_commands_are_handled_not_sent(tiny_model_dir, monkeypatch, capsys):
    typed = iter(["/help", "Hello", "/reset", "/nope", "Again", "/exit", "never read"])
    monkeypatch.setattr(console, "input", lambda prompt="": next(typed))
    sent: list[list[dict]] = []

    def reply(model, tokenizer, history, max_new_tokens, temperature):
        sent.append([dict(m) for m in history])
        yield "Hi."

    monkeypatch.setattr(tunesmith.chat, "stream_reply", reply)
    monkeypatch.setattr(sys, "argv", ["tunesmith", "chat", str(tiny_model_dir), "--system", "Be brief."])
    with pytest.raises(SystemExit) as exc:
        main()
    out = capsys.readouterr().out
    assert exc.value.code in (0, None)

    system = {"role": "system", "content": "Be brief."}
    assert sent == [  # the commands never reached the model; /reset kept only the system prompt
        [system, {"role": "user", "content": "Hello"}],
        [system, {"role": "user", "content": "Again"}],
    ]
    assert next(typed) == "never read"  # /exit quit
    lines = out.splitlines()
    assert lines[0].startswith("Chatting with ") and "/help" in lines[0] and "/exit" in lines[0]
    assert "/reset" in out and "Conversation cleared." in out and "Unknown command /nope" in out
