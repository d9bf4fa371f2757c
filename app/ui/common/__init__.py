"""What every panel shares: the context, dialogs, translation, background runner, tables, labels,
settings.
"""
