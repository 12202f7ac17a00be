"""Every command's --help: its exit codes (or the way to the table), examples, metavars that read as words, and the
same option names everywhere."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import typer

from dsd_cli.cli import app as app_module

TYPE_WORDS = re.compile(r"\b(TEXT|PATH|INTEGER|FLOAT|BOOLEAN|FILENAME|DIRECTORY)\b|<[a-z]+(\[[^\]]*\])?>")
LONG_RUNNING = {("run",), ("watch",), ("verify",), ("split",), ("timestamp", "renew"), ("scan",)}
SHARED = {"--archive": "-a", "--workers": "-w", "--profile": "-p", "--output": "-o", "--quiet": "-q",
          "--verbose": "-v", "--dossier": "-d", "--type": "-t"}


def _walk(command, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], object]]:
    yield path, command
    for name, child in getattr(command, "commands", {}).items():
        yield from _walk(child, (*path, name))


ROOT = typer.main.get_command(app_module.build_app())
COMMANDS = [(path, cmd) for path, cmd in _walk(ROOT) if path]
LEAVES = [path for path, cmd in COMMANDS if not hasattr(cmd, "commands")]
GROUPS = [path for path, cmd in COMMANDS if hasattr(cmd, "commands")]


def _help(capsys, path: tuple[str, ...]) -> str:
    with pytest.raises(SystemExit) as ended:
        app_module.main([*path, "--help"])
    assert ended.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("path", LEAVES, ids=" ".join)
def test_each_command_lists_exit_codes_and_examples(capsys, path: tuple[str, ...]):
    text = _help(capsys, path)
    words = " ".join(text.split())
    assert "Exit codes:" in words and "dsd --help" in words, text
    assert re.search(r"^  Examples?:", text, re.M), text
    assert not TYPE_WORDS.search(text), TYPE_WORDS.search(text)


@pytest.mark.parametrize("path", GROUPS, ids=" ".join)
def test_group_commands_have_examples(capsys, path: tuple[str, ...]):
    text = _help(capsys, path)
    examples = re.findall(rf"^    .*dsd {' '.join(path)} \S+", text, re.M)
    assert examples and "Examples:" in text and "Exit codes" in text, text


def test_the_root_help_has_the_exit_code_table(capsys):
    with pytest.raises(SystemExit):
        app_module.main(["--help"])
    text = capsys.readouterr().out
    for code, name in ((0, "OK"), (2, "USAGE"), (4, "BAD_INPUT"), (9, "ARCHIVE"), (130, "INTERRUPTED")):
        assert re.search(rf"^\s+{code}\s+{name}\s", text, re.M), text


@pytest.mark.parametrize("path", LEAVES, ids=" ".join)
def test_options_have_one_name_everywhere(path: tuple[str, ...]):
    command = dict(COMMANDS)[path]
    options = {opt: param for param in command.params for opt in getattr(param, "opts", ())}
    for long, short in SHARED.items():
        if long in options:
            assert short in options[long].opts, f"{' '.join(path)}: {long} without {short}"
    assert "--jobs" not in options or "--workers" in options
    if path in LONG_RUNNING:
        assert "--quiet" in options and "--verbose" in options, path
