"""The catalogue of service messages: every template a user can read, for Qt's translation.

Services stay free of Qt, so `pyside6-lupdate` cannot see their texts. This module reads the
services' source with `ast` and lists every literal template passed to a `DomainError`
subclass, to a rule block (`compliance._Block`) or to a nested `Message`; run as a program it
writes them as `QT_TRANSLATE_NOOP("ServiceMessages", …)` lines for lupdate
(`scripts/translations` does). Names are resolved against each imported module, so an alias
or a subclass defined anywhere in the services is found.

    python -m app.services.messages OUT.py
"""

from __future__ import annotations

import ast
import importlib
import json
import string
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from app.services.common import errors
from app.services.contact import compliance

CONTEXT = "ServiceMessages"
SERVICES = Path(__file__).resolve().parent
ROOT = SERVICES.parents[1]


@dataclass(frozen=True)
class Site:
    """One call that makes a user-visible message."""

    path: str  # relative to the repository
    line: int
    sink: str  # the class called, e.g. "InvalidInput" or "_Block"
    # The literal template, or None when the first argument is not one string literal.
    template: str | None
    # The keyword names passed; None when a `**mapping` hides them.
    params: frozenset[str] | None
    # Whether the template must be a literal (a nested Message may reuse a stored template).
    must_be_literal: bool

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def placeholders(template: str) -> frozenset[str]:
    """The `{name}` fields of a template (format specs and conversions left out)."""
    names = set()
    for _, name, _, _ in string.Formatter().parse(template):
        if name is not None:
            # "{a.b}" and "{a[0]}" still read the value `a`.
            names.add(name.split(".", 1)[0].split("[", 1)[0])
    return frozenset(names)


def service_files() -> list[Path]:
    """The services' modules and the demo builder's (its refusals reach the user too)."""
    folders = (SERVICES, ROOT / "app" / "demo")
    return sorted(
        path for folder in folders for path in folder.rglob("*.py") if path.name != "__init__.py"
    )


def _resolve(node: ast.expr, namespace: Mapping[str, object]) -> object:
    """The object a callee names in a module's namespace; None when it is not a plain name."""
    if isinstance(node, ast.Name):
        return namespace.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, namespace)
        return getattr(owner, node.attr, None) if owner is not None else None
    return None


def _sink(callee: object) -> tuple[str, bool] | None:
    """(name, must_be_literal) when calling `callee` makes a message; None otherwise."""
    # `Problems` carries other errors' messages, not a template of its own.
    if (
        isinstance(callee, type)
        and issubclass(callee, errors.DomainError)
        and not issubclass(callee, errors.Problems)
    ):
        return callee.__name__, True
    if callee is compliance._Block:
        return "_Block", True
    if callee is errors.Message:
        return "Message", False
    return None


def _literal(node: ast.expr | None) -> str | None:
    # Adjacent literals ("a" "b") are already one Constant; an f-string is a JoinedStr.
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def find_sites(source: str, namespace: Mapping[str, object], path: str) -> Iterator[Site]:
    """The message-making calls in `source`, its names resolved in `namespace`."""
    for node in ast.walk(ast.parse(source, filename=path)):
        if not isinstance(node, ast.Call):
            continue
        sink = _sink(_resolve(node.func, namespace))
        if sink is None:
            continue
        name, must_be_literal = sink
        template = _literal(node.args[0] if node.args else None)
        hidden = any(keyword.arg is None for keyword in node.keywords)
        params = (
            None
            if hidden
            else frozenset(keyword.arg for keyword in node.keywords if keyword.arg is not None)
        )
        yield Site(path, node.lineno, name, template, params, must_be_literal)


def sites_in(path: Path) -> Iterator[Site]:
    dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    module = importlib.import_module(dotted)
    source = path.read_text(encoding="utf-8")
    return find_sites(source, vars(module), path.relative_to(ROOT).as_posix())


def sites() -> list[Site]:
    """Every call in app/services that makes a user-visible message, in file and line order."""
    found = [site for path in service_files() for site in sites_in(path)]
    return sorted(found, key=lambda site: (site.path, site.line))


def templates() -> dict[str, str]:
    """Every literal template in app/services, with where it is first used ("path:line")."""
    found: dict[str, str] = {}
    for site in sites():
        if site.template is not None:
            found.setdefault(site.template, site.where)
    return found


def noop_source() -> str:
    """A Python file lupdate reads: one QT_TRANSLATE_NOOP line per template."""
    lines = [
        "# Generated by app/services/messages.py for pyside6-lupdate; not imported by the app.",
        "# ruff: noqa",
    ]
    for template, where in templates().items():
        # JSON string syntax is valid Python and keeps the Chinese-style quotes as they are.
        text = json.dumps(template, ensure_ascii=False)
        lines.append(f'QT_TRANSLATE_NOOP("{CONTEXT}", {text})  # {where}')
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m app.services.messages OUT.py", file=sys.stderr)
        return 2
    Path(argv[0]).write_text(noop_source(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
