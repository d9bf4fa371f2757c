"""The command line: `parser` builds it, one module a command group, `common` shared parts.

Each command imports the services it uses when it runs, not when the parser is built, so
`--help` and every command start without loading the rest of the application (or Qt).
"""

from app.cli.parser import main

__all__ = ["main"]
