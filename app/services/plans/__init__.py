"""Repayment plans: offers within policy, the plan lifecycle, agreements, payments, and settling
what has lapsed; the ledger the payments are posted to, and the lending system's daily feed.
"""
