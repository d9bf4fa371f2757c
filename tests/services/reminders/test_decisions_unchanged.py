"""What `decide` answers on a demo portfolio over twelve days of runs is what it answered before
it was made faster: the same messages in the same order (each key with a digest of everything
the message carries: recipient, text, subject, template code, parameters, segments), and the
same counts of messages not sent and why.

The answers are kept in decisions.json. A deliberate change of what is sent (the strategy, the
templates, the lender's details, the demo portfolio) writes them again:

    .venv/bin/python -m tests.services.reminders.test_decisions_unchanged
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.database import Database
from app.demo.builder import build_demo
from app.models import Borrower, ContactKind, ContactPoint, Loan
from app.services.messaging.base import MessageChannel
from app.services.messaging.spool import SpoolSender
from app.services.reminders.dispatch import Candidate, decide, record_opt_out, run_reminders

KEPT = Path(__file__).with_name("decisions.json")
AS_OF = datetime.fromisoformat("2026-11-28T10:00:00+08:00")
# Mornings and afternoons in Beijing, nights there (afternoon in London, morning in New York),
# an early hour outside the send window, and the same day more than once.
MOMENTS = [
    AS_OF + timedelta(days=day, hours=hours)
    for day, hours in (
        (0, 0),
        (0, 5),
        (0, 12.5),
        (1, -2.5),
        (1, 0),
        (2, 11.5),
        (3, 0),
        (3, 12.5),
        (4, 4),
        (5, 0),
        (7, 4),
        (8, 12),
        (9, 0),
        (9, 12.5),
        (12, 0),
    )
]
# Every twentieth borrower lives abroad instead, by turns in London and in New York (the demo
# has few): the UK and US strategies, their weekly maximum and windows, and English texts.
ABROAD = (("GB", "", "Europe/London"), ("US", "NY", "America/New_York"))


def _digest(candidate: Candidate) -> str:
    made = candidate.rendered
    carried = [
        candidate.key,
        candidate.contract_no,
        str(candidate.loan_id),
        str(candidate.borrower_id),
        str(candidate.point_id),
        candidate.recipient,
        candidate.channel,
        candidate.step.id,
        candidate.language,
        made.text,
        made.subject,
        made.template_code,
        sorted(made.params.items()),
        made.sign_name,
        made.segments,
        made.max_segments,
    ]
    blob = json.dumps(carried, ensure_ascii=False).encode("utf-8")
    return f"{candidate.key} {hashlib.sha256(blob).hexdigest()[:16]}"


def decisions(folder: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """At each moment, what `decide` answers; then the run sends it (to the spool), so that the
    next moment sees what went: the weekly maximum, messages already sent, notices given."""
    db = Database(f"sqlite:///{folder / 'demo.sqlite3'}")
    db.upgrade()
    try:
        # The book without the reminders job's history, as the answers were recorded on: the
        # moments below are the job's first runs on it.
        build_demo(db, accounts=600, seed=11, as_of=AS_OF, reminders=False)
        with db.session() as session:
            contracts = session.scalars(select(Loan.contract_no).order_by(Loan.contract_no)).all()
            borrowers = session.scalars(select(Borrower).order_by(Borrower.id)).all()
            for turn, borrower in enumerate(borrowers[::20]):
                country, province, zone = ABROAD[turn % 2]
                borrower.country, borrower.province = country, province
                for point in session.scalars(
                    select(ContactPoint).where(
                        ContactPoint.borrower_id == borrower.id,
                        ContactPoint.kind == ContactKind.MOBILE,
                    )
                ):
                    point.time_zones = zone
        # Two borrowers who asked for no more messages, one per channel.
        record_opt_out(db, contracts[10], "sms", AS_OF - timedelta(days=1))
        record_opt_out(db, contracts[20], "email", AS_OF - timedelta(days=1))
        senders = {
            "sms": SpoolSender(folder / "spool", MessageChannel.SMS),
            "email": SpoolSender(folder / "spool", MessageChannel.EMAIL),
        }
        for moment in MOMENTS:
            with db.reader() as session:
                decided = decide(session, moment)
            yield (
                moment.isoformat(),
                {
                    "messages": [_digest(c) for c in decided.messages],
                    "resume": [_digest(c) for c in decided.resume],
                    "skipped": dict(sorted(decided.skipped.items())),
                },
            )
            run_reminders(db, senders, at=moment)
    finally:
        db.dispose()


def test_decide_answers_as_it_did(tmp_path: Path) -> None:
    kept = json.loads(KEPT.read_text(encoding="utf-8"))
    found = dict(decisions(tmp_path))
    assert list(found) == list(kept)
    for moment, answer in found.items():
        assert answer["skipped"] == kept[moment]["skipped"], moment
        assert answer["resume"] == kept[moment]["resume"], moment
        assert answer["messages"] == kept[moment]["messages"], moment
    # The moments between them hold every kind of answer.
    sent = sum(len(answer["messages"]) for answer in found.values())
    reasons = {reason for answer in found.values() for reason in answer["skipped"]}
    assert sent > 500
    assert {"already_sent", "weekly_max", "send_window", "stop:opted_out"} <= reasons


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        written = dict(decisions(Path(folder)))
    KEPT.write_text(json.dumps(written, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {KEPT}: {sum(len(a['messages']) for a in written.values())} messages")
    sys.exit(0)
