"""The reproducible demo portfolio: a seeded, deterministic book of accounts, staff and history for
the embedded database.

Call `app.demo.builder.build_demo`. The modules, from the top down (each imports only those
below it):

- builder: `build_demo` and `DemoSummary`; draws the plan of the book (each account's bucket,
  place, flag, showcase role, willingness to pay and story), wires the parts together and
  writes their rows in one transaction (the order of the steps is the order of the random
  draws), the reminders job's days last.
- reminders: the reminders job's last days, after every other row: the dispatcher's runs (its
  `decide` and `record_answer`) sending to a spool, the delivery reports, one opt-out
  (docs/demo.md).
- accounts: one account at a time: borrower, contact points, loan, instalments, assignee.
- collection: the work on an account: a text before the due day, a month of sessions on an
  overdue one.
- showcase: the accounts that show particular situations (flags, caps reached, due today).
- repayments: what ends an account's arrears in the window: a cure, or a repayment plan kept or
  broken (docs/demo.md: each overdue borrower's hidden willingness to pay and story).
- promises: promises to pay and callbacks.
- calls: when a call may be made, and the contact attempt rows.
- oversight: what reaches the team leads: escalations, stopped dials, visit requests.
- ledger: schedules, due days, payments and the balances they leave (in whole cents).
- staff: the teams, leads, collectors and field agents.
- people: names, phone numbers and contact points.
- state: what every part shares: the random stream, the clock, key minting, rows, counts.
- shape: the book's shape read from `resources/demo/*.json`, as weighted choices.
- rows: the column order of each table, the batch of rows waiting to be written, and where
  rows go: the SQLite cursor, or SQLAlchemy Core on another database.
- records: the mutable records of the simulation (plan, contact point, account, instalment).
"""
