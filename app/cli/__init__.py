"""The command line: `main` builds the parser, one module a command group, `common` shared parts."""
