"""Repayment plans: offers within policy, the plan lifecycle, agreements, payments, and settling
what has lapsed.
"""
