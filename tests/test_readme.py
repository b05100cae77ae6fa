"""The README stays short and true: under 12 KB, its links resolve, and every command it shows exists
with the options it is shown with (checked against each command's --help)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sitrep.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
runner = CliRunner()


def test_readme_is_short():
    assert README.stat().st_size <= 12 * 1024, "the README is for using sitrep; details go to docs/"


def test_readme_links_resolve():
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", README.read_text(encoding="utf-8")):
        if not target.startswith(("http://", "https://")):
            assert (ROOT / target).exists(), target


def shown_commands() -> list[list[str]]:
    """Each `sitrep ...` invocation the README shows in its code blocks, as tokens: the lines after a
    `$ ` prompt in blocks that have prompts, else the lines that start with `sitrep`."""
    blocks = re.findall(r"```\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    commands = []
    for block in blocks:
        lines = block.splitlines()
        prompted = any(line.startswith("$ ") for line in lines)
        for line in lines:
            if prompted and not line.startswith("$ "):
                continue  # output
            line = line.split("  #")[0].strip().removeprefix("$ ")
            if line.startswith((".venv/bin/sitrep ", "sitrep ")):
                commands.append(line.split()[1:])
    return commands


WORD = re.compile(r"[a-z0-9][a-z0-9-]*")


def command_names(tokens: list[str]) -> list[list[str]]:
    """The commands a line names: "eval casualties | geo" is [eval casualties], [eval geo]."""
    first = []
    for token in tokens:
        if not WORD.fullmatch(token) or token == "|":
            break
        first.append(token)
    names = [first]
    for i, token in enumerate(tokens):
        if token == "|" and i + 1 < len(tokens) and WORD.fullmatch(tokens[i + 1]):
            names.append(first[:-1] + [tokens[i + 1]])
    return names


def _known(words: list[str]) -> list[str]:
    """The longest run of `words` that is a command (the rest are arguments, like "show ID")."""
    while words and runner.invoke(app, [*words, "--help"]).exit_code != 0:
        words = words[:-1]
    return words


@pytest.mark.parametrize("tokens", shown_commands(), ids=lambda t: " ".join(t)[:60])
def test_every_command_shown_exists_with_its_options(tokens):
    options = re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", " ".join(tokens))
    for words in command_names(tokens):
        words = _known(words)
        assert words, tokens
        text = runner.invoke(app, [*words, "--help"], terminal_width=200).output
        if len(command_names(tokens)) == 1:
            for option in options:
                assert option in text, (words, option)
