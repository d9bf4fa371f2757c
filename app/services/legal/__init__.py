"""Legal referral: a team lead sends an account to legal, and records its case's steps."""
