"""Contacting borrowers: the contact rules, dialing, outcomes, promises, checklists, call scripts,
the queue, escalations, the shift.
"""
