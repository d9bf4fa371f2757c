"""scripts/install, which `bash scripts/run` runs on every start: it installs once, and a start
after that installs nothing until pyproject.toml changes (or a dev install is asked for).

The script runs for real in a copy of the project whose .venv holds a stand-in Python: it hands
everything to this interpreter but records, instead of running, each pip command.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "install", project / "scripts" / "install")
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    python = project / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(
        "#!/usr/bin/env bash\n"
        'if [ "$1 $2" = "-m pip" ]; then echo "$*" >>"$(dirname "$0")/../pip.log"; exit 0; fi\n'
        f'exec {sys.executable} "$@"\n'
    )
    python.chmod(0o755)
    return project


def _install(project: Path, *args: str) -> list[str]:
    """Run the script; the pip commands it ran."""
    log = project / ".venv" / "pip.log"
    log.unlink(missing_ok=True)
    subprocess.run(
        ["bash", "scripts/install", *args],
        cwd=project,
        env={"PATH": "/usr/bin:/bin", "PYTHON": sys.executable},
        check=True,
        timeout=60,
    )
    return log.read_text().splitlines() if log.exists() else []


def test_a_second_start_installs_nothing_until_pyproject_changes(tmp_path: Path) -> None:
    project = _project(tmp_path)
    first = _install(project)
    assert first and first[-1] == "-m pip install --quiet --editable ."
    assert _install(project) == []
    assert _install(project) == []
    # The dependencies changed: install again, then nothing again.
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n# a change\n")
    assert _install(project)[-1] == "-m pip install --quiet --editable ."
    assert _install(project) == []


def test_a_dev_install_is_made_once_and_serves_the_plain_one_too(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert _install(project)
    # The tests' extras are not in a plain install: `--dev` installs them, once.
    assert _install(project, "--dev")[-1] == "-m pip install --quiet --editable .[dev]"
    assert _install(project, "--dev") == []
    assert _install(project) == []


def test_an_install_that_fails_is_made_again_on_the_next_start(tmp_path: Path) -> None:
    project = _project(tmp_path)
    python = project / ".venv" / "bin" / "python"
    working = python.read_text()
    python.write_text(working.replace("exit 0; fi", "exit 1; fi"))
    failed = subprocess.run(
        ["bash", "scripts/install"],
        cwd=project,
        env={"PATH": "/usr/bin:/bin", "PYTHON": sys.executable},
        check=False,
        timeout=60,
    )
    assert failed.returncode != 0
    python.write_text(working)
    assert _install(project)[-1] == "-m pip install --quiet --editable ."
