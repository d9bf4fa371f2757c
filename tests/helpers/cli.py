"""Running a command of the program, in this process or in a process of its own.

`run_cli(…)` gives what `python -m app …` gives: the exit status, standard output and standard
error as text. By default the command runs in this process (`app.cli.main(argv)`), with standard
input, output, error and the environment its own for the call, as a process of its own would
have them; that is a hundred times cheaper than starting Python and loading the program again.
`real=True` (or COLLECTOR_WORKSTATION_TEST_CLI=subprocess, which makes every call real) starts the
program itself. What only a process of its own shows stays a real start in the tests: exit codes
set by the interpreter, a reader closing the pipe, what the start imports, no display.
tests/cli/test_cli_both_ways.py checks that both ways give the same on a sample of commands.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path

# Every call a real process: the whole suite can be run so, to compare.
MODE_ENV = "COLLECTOR_WORKSTATION_TEST_CLI"

Done = subprocess.CompletedProcess[str]


def run_cli(
    data_dir: Path | str | None,
    *args: str,
    stdin: str = "",
    env: Mapping[str, str] | None = None,
    real: bool = False,
    timeout: float = 300,
) -> Done:
    """`collector-workstation [--data-dir DATA_DIR] ARGS…`: its exit status and output.

    stdin: what the command reads on standard input (nothing by default: closed at once).
    env: the command's whole environment (by default this process's)."""
    argv = [*(("--data-dir", str(data_dir)) if data_dir is not None else ()), *args]
    if real or os.environ.get(MODE_ENV) == "subprocess":
        return subprocess_cli(argv, stdin=stdin, env=env, timeout=timeout)
    return in_process_cli(argv, stdin=stdin, env=env)


def subprocess_cli(
    argv: Sequence[str],
    *,
    stdin: str = "",
    env: Mapping[str, str] | None = None,
    timeout: float = 300,
) -> Done:
    """`python -m app ARGV…` in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "app", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=None if env is None else dict(env),
    )


def in_process_cli(
    argv: Sequence[str], *, stdin: str = "", env: Mapping[str, str] | None = None
) -> Done:
    """`app.cli.main(ARGV)` in this process, as `python -m app ARGV…` runs it: standard input,
    output and error are files of the call's own (UTF-8, as the program's are under CI), the
    environment is `env` for the call, the exit status is what the interpreter would make of
    the return value, a SystemExit or an exception, and the output reads as `subprocess.run(…,
    text=True)` reads it (universal newlines). Whatever the command set for the whole process
    (the contact-rule profile a server gave) is put back, as a process's ends with it."""
    from app.cli import main
    from app.services.contact.compliance import set_installation_default, set_server_default

    out, err = io.BytesIO(), io.BytesIO()
    files = (
        io.TextIOWrapper(io.BytesIO(stdin.encode()), encoding="utf-8"),
        io.TextIOWrapper(out, encoding="utf-8", write_through=True),
        io.TextIOWrapper(err, encoding="utf-8", write_through=True),
    )
    saved = sys.stdin, sys.stdout, sys.stderr, dict(os.environ)
    sys.stdin, sys.stdout, sys.stderr = files
    if env is not None:
        os.environ.clear()
        os.environ.update(env)
    try:
        code = _status(main, list(argv))
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved[:3]
        os.environ.clear()
        os.environ.update(saved[3])
        set_server_default(None)
        set_installation_default(None)
        for file in files:
            # Flushed and let go of, without closing the bytes read below.
            file.flush()
            file.detach()
    return subprocess.CompletedProcess(
        ["app", *argv], code, _text(out.getvalue()), _text(err.getvalue())
    )


def _status(main: object, argv: list[str]) -> int:
    """The exit status of `python -m app` (`raise SystemExit(main())`)."""
    assert callable(main)
    try:
        return _exit_status(main(argv))
    except SystemExit as exit:
        return _exit_status(exit.code)
    except Exception:
        # What the interpreter does with an exception nobody caught.
        traceback.print_exc()
        return 1


def _exit_status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _text(data: bytes) -> str:
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
