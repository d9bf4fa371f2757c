"""A command run in this process (what most command-line tests do, tests/helpers/cli.py) gives
what the program itself gives: the same exit status, standard output and standard error, on a
sample of commands that read, write, refuse, read standard input, or meet bad arguments."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from app.cli import main
from tests.helpers.cli import in_process_cli, subprocess_cli

AT = "2026-11-28T10:00:00+08:00"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("both-ways")
    argv = ["--data-dir", str(folder), "demo-data", "--accounts", "40", "--seed", "4"]
    assert main([*argv, "--as-of", AT, "--accounts-per-collector", "20"]) == 0
    return folder


SAMPLE = [
    ("--version",),
    ("--help",),
    ("plan", "issue", "--help"),
    ("users",),
    ("users", "--json"),
    ("queue", "--user", "wang.ting", "--at", AT, "--limit", "5", "--json"),
    ("queue", "--user", "wang.ting", "--at", AT, "--limit", "5", "--lang", "zh_CN"),
    ("account", "CW202500000001", "--json"),
    ("check-contact", "--user", "wang.ting", "--contract", "CW202500000001", "--at", AT),
    ("queue", "--user", "nobody"),
    ("queue", "--user", "wang.ting", "--at", "yesterday"),
    ("no-such-command",),
    ("note", "CW202500000001", "--user", "wang.ting", "--text", "Called back later."),
    ("central", "team", "create", "电催九组"),
    ("central", "team", "create", "  "),
    ("central", "add-user", "a.b", "--role", "collector", "--team", "没有这个组"),
    ("db", "repair-summary"),
]


@pytest.mark.parametrize("args", SAMPLE, ids=" ".join)
def test_in_process_and_the_program_itself_agree(
    demo: Path, tmp_path: Path, args: tuple[str, ...]
) -> None:
    """Each way on a copy of its own of the same database, so a command that writes meets the
    same rows both times."""
    done = {}
    for way, run in (("in process", in_process_cli), ("program", subprocess_cli)):
        folder = tmp_path / way
        shutil.copytree(demo, folder)
        result = run(["--data-dir", str(folder), *args])
        # A command may name its database's file, which is in the way's own folder.
        done[way] = [result.returncode, *(text.replace(str(folder), "D") for text in (
            result.stdout, result.stderr
        ))]  # fmt: skip
    assert done["in process"] == done["program"]


def test_standard_input_and_the_environment_are_the_commands_own(tmp_path: Path) -> None:
    """A password and a passphrase given on standard input, a setting from the environment:
    both ways read the same, and the tests' environment is as it was afterwards."""
    env = {**os.environ, "COLLECTOR_WORKSTATION_TLS": "no-such-minimum"}
    args = ["sync", "--user", "a.b", "--server", "127.0.0.1:1/db", "--password-stdin"]
    args += ["--passphrase-stdin"]
    stdin = "a password\na passphrase of some length\n"
    done = []
    for name, run in (("a", in_process_cli), ("b", subprocess_cli)):
        result = run(["--data-dir", str(tmp_path / name), *args], stdin=stdin, env=env)
        text = (result.stdout + result.stderr).replace(str(tmp_path / name), "D")
        done.append((result.returncode, text))
    assert done[0] == done[1]
    assert done[0][0] == 1 and "no-such-minimum" in done[0][1]
    assert os.environ.get("COLLECTOR_WORKSTATION_TLS") != "no-such-minimum"
