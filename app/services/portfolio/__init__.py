"""The book of loans: accounts and balances, the lending system's import, notes, search."""
