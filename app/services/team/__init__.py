"""The team lead's work: KPIs, call reviews, reassignment and priorities, exports."""
