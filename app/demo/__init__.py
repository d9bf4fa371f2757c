"""The reproducible demo portfolio: a seeded, deterministic book of accounts, staff and history for
the embedded database.
"""
