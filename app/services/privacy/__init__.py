"""The lender's duties as a processor of personal data: retention and erasure."""
