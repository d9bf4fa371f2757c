"""Disputes and complaints as cases: opened by whoever works the account, with deadlines in
the lender's calendar, decided and answered by a team lead."""
