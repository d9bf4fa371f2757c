"""What every capability uses: errors and their messages, reference data, money, phones, ID
numbers, the business clock, scope, audit, files.
"""
