"""What reaches the team leads: escalations the contacts raised, dials the contact rules stopped,
and field visits a lead asked for.

Escalations and stopped dials draw from random streams of their own, so that the rest of the
portfolio stayed what the seed made it before they were added.
"""

from __future__ import annotations

import random

from app.demo.records import Account, Point
from app.demo.rows import VISIT_REQUEST_COLUMNS, Sink, table
from app.demo.staff import Staff
from app.demo.state import DAY, DemoState, Part
from app.models import VisitRequest
from app.services.contact.escalations import kinds_raised_by

# An escalation raised longer ago than this has mostly been acknowledged and decided.
_ESCALATION_SETTLED_DAYS = 2
# Dials the contact rules stopped, and the rules that stopped them (a share of the calls).
_BLOCK_SHARE = 0.015
_BLOCK_RULES = ("cn.quiet_hours", "cn.unanswered_per_number", "cn.connected_per_day")
# One field account in this many is marked for a visit by its team lead.
_VISIT_REQUEST_EVERY = 12


class Oversight(Part):
    """Escalation, stopped-dial and visit-request rows."""

    def __init__(self, state: DemoState, staff: Staff) -> None:
        super().__init__(state)
        self._staff = staff
        self._escalation_rng = random.Random(f"escalations {state.seed}")
        self._block_rng = random.Random(f"blocks {state.seed}")

    def escalate(
        self,
        account: Account,
        attempt_id: str,
        start: int,
        emotion: str | None,
        code: str,
        done: int,
    ) -> None:
        """What the contact raised to the team lead: decided when it is old enough, still
        waiting when it is recent (the lead's inbox and dashboard show those)."""
        rng = self._escalation_rng
        for kind in kinds_raised_by(emotion, code):
            raised = min(done, self.as_of_sec)
            settled = (
                self.as_of_sec - raised > _ESCALATION_SETTLED_DAYS * DAY and rng.random() < 0.85
            )
            lead = self._staff.lead_of.get(account.user_id)
            acknowledged = raised + int(rng.uniform(600, 6 * 3600)) if settled and lead else None
            self.rows.escalations.append(
                (
                    f"{rng.getrandbits(128):032x}",
                    account.loan_id,
                    account.borrower_id,
                    attempt_id,
                    kind.kind,
                    account.user_id,
                    self.ts(raised),
                    lead if acknowledged else None,
                    self.ts(acknowledged) if acknowledged else None,
                    "pause" if acknowledged else None,
                    self.ts(acknowledged) if acknowledged else None,
                    None,
                )
            )

    def maybe_blocked(self, account: Account, point: Point, start: int) -> None:
        """Now and then, a dial the rules stopped shortly before this unanswered call."""
        rng = self._block_rng
        if rng.random() >= _BLOCK_SHARE:
            return
        self.rows.blocks.append(
            (
                f"{rng.getrandbits(128):032x}",
                account.loan_id,
                account.borrower_id,
                point.id,
                account.user_id,
                self.ts(max(start - int(rng.uniform(60, 3 * 3600)), 0)),
                "call",
                _BLOCK_RULES[int(rng.random() * len(_BLOCK_RULES))],
            )
        )

    def write_visit_requests(self, sink: Sink) -> None:
        """A few field accounts a team lead asked to visit, so the planner shows both kinds."""
        reasons = self.shape.texts["visit_request_reasons"]
        lead_of = self._staff.lead_of
        rows = [
            (
                self.uuid(),
                loan_id,
                lead_of[agent],
                reasons[index % len(reasons)],
                self.ts(self.as_of_sec - (1 + index % 4) * DAY),
                None,
                None,
            )
            for index, (loan_id, agent) in enumerate(
                self._staff.field_loans[::_VISIT_REQUEST_EVERY]
            )
        ]
        if rows:
            sink.write(table(VisitRequest), VISIT_REQUEST_COLUMNS, rows)
