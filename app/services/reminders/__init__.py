"""Reminders, letters and notices the lender sends before and after a due date."""
