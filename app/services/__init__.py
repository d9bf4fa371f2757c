"""Use cases: plain functions over one unit of work, returning plain data. No Qt here."""
