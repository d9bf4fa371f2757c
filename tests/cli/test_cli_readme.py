"""The README's command-line examples name users the demo portfolio has: a reader who copies one
onto the demo (`bash scripts/run`, or any command on the embedded database) gets an answer, not
"There is no user"."""

from __future__ import annotations

import re
from pathlib import Path

from app.cli.common import DEFAULT_DEMO_ACCOUNTS
from app.database import Database
from app.demo.builder import build_demo
from app.services.common.users import list_users

README = Path(__file__).resolve().parents[2] / "README.md"
# A user named in an example: `--user wang.ting`, `--user admin`; placeholders (U, LEAD, AGENT)
# are capitals and are not names.
_USER = re.compile(r"--user[ =]([a-z][a-z0-9._-]*)")
# Examples that work on a central server of one's own, whose users are whoever its
# administrator added, not the demo's.
_SERVER = ("--server", "--url", "DATABASE_URL", "central ")


def _examples(text: str) -> list[str]:
    """Every command the README shows: each line of a fenced code block, and each inline code
    span elsewhere."""
    examples: list[str] = []
    fenced = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            examples.append(line)
        else:
            examples.extend(re.findall(r"`([^`]+)`", line))
    return examples


def _named_users(text: str) -> list[tuple[str, str]]:
    return [
        (name, example)
        for example in _examples(text)
        if not any(mark in example for mark in _SERVER)
        for name in _USER.findall(example)
    ]


def test_the_examples_are_read_from_code_blocks_and_inline_code() -> None:
    text = (
        "Run `bash scripts/run --user li.na` or `sync --user li.na --server h/db`.\n"
        "```sh\ncollector-workstation queue --user wang.ting --limit 5\n"
        "collector-workstation note C --user U\n```\n"
        "--user outside.code is prose\n"
    )
    assert [name for name, _ in _named_users(text)] == ["li.na", "wang.ting"]


def test_every_user_a_readme_example_names_is_a_demo_user(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    try:
        db.upgrade()
        # The demo the first start builds: its users do not depend on the day it is built.
        build_demo(db, accounts=DEFAULT_DEMO_ACCOUNTS)
        demo_users = {user.username for user in list_users(db)}
    finally:
        db.dispose()
    named = _named_users(README.read_text(encoding="utf-8"))
    assert named, "the README shows no example with a --user"
    unknown = [(name, example.strip()) for name, example in named if name not in demo_users]
    assert unknown == [], f"not demo users ({sorted(demo_users)})"
