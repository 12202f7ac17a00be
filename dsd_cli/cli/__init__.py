"""The `dsd` command: Typer only. Each command lives in its own module with a `register(app)` function."""
