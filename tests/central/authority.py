"""docs/security.md read as data: the privileges table and the row rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
NONE = "—"
# "insert, update" or "update (`a`, `b`)": an operation on the whole table, or on some columns.
FEED_OPERATION = r"(insert|update|delete)(?:\s*\(([^)]*)\))?"
# The reminders job's login (cw_system): "read (`a`, `b`), insert, update (`c`)"; an operation
# whose parentheses name no column (rows only: "read (its own)") is on the whole table.
SYSTEM_OPERATION = r"(read|insert|update|delete)(?:\s*\(([^)]*)\))?"


@dataclass(frozen=True)
class Grant:
    table: str
    read: bool
    insert: bool
    # None: every column; () no column
    update: tuple[str, ...] | None
    delete: bool
    # What the feed login (cw_feed) may do to the whole table, and the columns it may update
    # where it may update only some ("update (`a`, `b`)").
    feed: frozenset[str]
    feed_update: tuple[str, ...] = ()
    # What the system login (cw_system) may do: operation -> the columns (None: every column).
    system: dict[str, tuple[str, ...] | None] | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    text: str
    mechanisms: tuple[str, ...]


def _rows(name: str) -> list[list[str]]:
    text = DOC.read_text(encoding="utf-8")
    block = text.split(f"<!-- {name}:start -->")[1].split(f"<!-- {name}:end -->")[0]
    lines = [line.strip() for line in block.strip().splitlines()]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def grants() -> dict[str, Grant]:
    found = {}
    for table, read, insert, update, delete, feed, system in _rows("privileges"):
        found[table] = Grant(
            table=table,
            read=read != NONE,
            # "yes", or who may and what ("a lead: letter notices"): row policies narrow it.
            insert=insert != NONE,
            update=None
            if update == "all"
            else ()
            if update == NONE
            else tuple(re.findall(r"`([a-z_]+)`", update)),
            delete=delete == "yes",
            feed=frozenset(
                operation for operation, columns in re.findall(FEED_OPERATION, feed) if not columns
            ),
            feed_update=tuple(
                re.findall(r"`([a-z_]+)`", dict(re.findall(FEED_OPERATION, feed)).get("update", ""))
            ),
            system={
                operation: tuple(re.findall(r"`([a-z_]+)`", columns)) or None
                for operation, columns in re.findall(SYSTEM_OPERATION, system)
            },
        )
    return found


def rules() -> dict[str, Rule]:
    found = {}
    for rule_id, text, enforced in _rows("rules"):
        found[rule_id] = Rule(rule_id, text, tuple(re.findall(r"`([a-z_]+)`", enforced)))
    return found
