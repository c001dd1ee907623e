"""`tunesmith chat` (interactive, streamed) and `tunesmith generate` (batched, file to file)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from tunesmith.cli.console import RichProgress, console

COMMANDS = {
    "/help": "these commands",
    "/reset": "forget the conversation so far (a --system prompt stays)",
    "/exit": "quit (so do /quit, an empty line and Ctrl-D)",
}


def chat_command(
    model: str = typer.Argument("smollm2-135m", help="A run directory, model alias, local folder or hub id."),
    system: str = typer.Option(None, help="System prompt."),
    max_new_tokens: int = typer.Option(256, "--max-new-tokens"),
    temperature: float = typer.Option(0.0, help="0 means greedy."),
) -> None:
    """Chat in the terminal; replies stream token by token. /help lists commands; /exit or an empty line quits."""
    from tunesmith.chat import stream_reply
    from tunesmith.models.loading import load_for_inference, source_for

    model_obj, tokenizer = load_for_inference(source_for(model, RichProgress()))
    start: list[dict] = [{"role": "system", "content": system}] if system else []
    history = list(start)
    console.print(f"[dim]Chatting with {escape(model)}: /help for commands, /exit to quit[/dim]", soft_wrap=True)
    while True:
        try:
            text = console.input("[bold cyan]you> [/bold cyan]")
        except (EOFError, KeyboardInterrupt):
            break
        command = text.strip().lower()
        if not command or command in ("/exit", "/quit"):
            break
        if command == "/help":
            for name, what in COMMANDS.items():
                console.print(f"  {name:<7} {what}", highlight=False)
            continue
        if command == "/reset":
            history = list(start)
            console.print("[dim]Conversation cleared.[/dim]")
            continue
        if command.startswith("/") and " " not in command:
            console.print(f"[dim]Unknown command {escape(command)}; /help lists them.[/dim]")
            continue
        history.append({"role": "user", "content": text})
        console.print("[bold green]model> [/bold green]", end="")
        pieces = []
        for piece in stream_reply(model_obj, tokenizer, history, max_new_tokens, temperature):
            pieces.append(piece)
            console.print(piece, end="", markup=False, highlight=False)
        console.print()
        history.append({"role": "assistant", "content": "".join(pieces).strip()})


def generate_command(
    model: str = typer.Argument(..., help="A run directory, model alias, local folder or hub id."),
    input: Path = typer.Option(..., "--input", help="Prompts: any chat format, or {'prompt': ...} per line."),
    output: Path = typer.Option(..., "--output", help="JSONL with the prompt and the generated reply."),
    batch_size: int = typer.Option(16, "--batch-size"),
    max_new_tokens: int = typer.Option(256, "--max-new-tokens"),
    temperature: float = typer.Option(0.0),
) -> None:
    """Generate a reply for every prompt in a file, in batches."""
    from tunesmith.chat import generate_file

    count = generate_file(model, input, output, batch_size, max_new_tokens, temperature, RichProgress())
    console.print(f"Wrote {count} replies to {output}")
