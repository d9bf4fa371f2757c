"""The command line: `main` builds the parser, one module a command group, `common` shared parts.

Each command imports the services it uses when it runs, not when the parser is built, so
`--help` and every command start without loading the rest of the application (or Qt).
"""
