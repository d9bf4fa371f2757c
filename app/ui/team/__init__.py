"""The team lead's window: dashboard, call review, escalations, approvals, accounts."""
