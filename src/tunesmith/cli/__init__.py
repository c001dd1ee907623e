"""The `tunesmith` command: thin typer commands that parse arguments and call the library."""
