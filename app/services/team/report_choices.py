"""What a team report can be asked for: the file formats and languages it is written in, and
the figures whose contacts it can list.

Plain names only, so the command line offers them in its help without loading the reports
(the database layer, openpyxl).
"""

from __future__ import annotations

FORMATS = ("csv", "xlsx", "json")
LANGUAGES = ("en", "zh_CN")

# What `kpis.Drill.kpi` may name, and what each lists.
DRILLS = (
    "attempts",  # the attempts
    "contacts",  # attempts where someone answered
    "rpcs",  # right-party contacts
    "ptps",  # contacts that made a promise
    "promises_due",  # the contacts that made the promises due in the span
    "promises_kept",  # … of those, the ones kept
    "collected",  # the contact credited with each payment
    "handled",  # contacts with a handle time
    # contacts that required a checklist (key: emotion; None every emotion, NO_EMOTION none)
    "checklist_required",
    "checklist_incomplete",  # … of those, the incomplete ones (key: as above)
    "escalations",  # contacts that raised an escalation (key: kind or None)
    "blocks",  # the accounts' contacts around a block (key: rule or None)
    "bucket_start",  # accounts in bucket `key` at the start: their contacts in the span
    "cured",  # … of those, current at the end
    "rolled",  # … of those, in a worse bucket at the end
    "day_rpcs",  # right-party contacts on day `key` (ISO date)
    "day_ptps",  # promises made on day `key`
    "day_collected",  # contacts credited with payments on day `key`
)
