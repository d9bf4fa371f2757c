"""The reminders job's last days on the demo portfolio, through the dispatcher: its `decide`
(the strategies' steps, the stops, opt-outs, the contact rules, the send window, the weekly
maximum, each message rendered) and its `record_answer` (the message, its contact attempt
SENT), each message handed to a stand-in for the lender's providers (`_Provider`: a mail
server and an SMS provider, whose messages are files in the build's spool folder); then what
the SMS provider reports back through `apply_reports`: most SMS delivered, a few undelivered,
a few e-mails bounced, and one borrower whose carrier refuses the lender's texts (opted out,
recorded by the dispatcher's own opt-out handling). A credit-reporting notice is given when
its message reached the borrower, as the dispatcher gives it: an e-mail's when the mail server
took it, an SMS's when its delivery report came in. The clock reads each run's moment, then
each batch of reports' (`clock.reading`). docs/demo.md tells it as a user sees it.

The runs: every business day from `days` before the demo's day to the demo's day, at the first
runs inside the strategies' send windows (the overview's preview places them so:
`first_runs`), each for the places whose window opens then, each before the demo's moment.
Delivery reports and bounces come minutes after a run; one not in by the demo's moment leaves
its message sent. A run is one unit of work (`_run`), not `run_reminders`'s unit of work a
message: what a job killed half-way must find again is not needed inside a build that is kept
or lost whole, and costs several times as much; the rows are the very same
(THROUGH_RUN_REMINDERS, which the tests switch on).

The dispatcher reads an account as it is now, and the build writes each account as it is at
the demo's moment, not as it was days before. So a run decides only for the accounts whose
every fact the dispatcher reads was already so at the run (`unchanged_since`): no payment made
or reversed since, no promise, plan or escalation that stopped messages then and no longer
does, the borrower not changed since. An account that changed after a run gets nothing from
it (a reminder it would have had is missing); none gets a message the rules would have stopped.

An account already past its notice day when the history begins was told then
(`_notices_before`): its notice is recorded, its message is older than the history.

Same seed and moment, same rows: the keys and creation times of what the services write come
from a stream of the seed's and the run's moment (`replayed_rows`), the reports' outcomes from
another.
"""

from __future__ import annotations

import random
import tempfile
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, or_, select, union
from sqlalchemy.sql import ColumnElement

from app.database import Database
from app.models import (
    BORROWER_FLAGS,
    Borrower,
    Channel,
    ContactAttempt,
    ContactKind,
    ContactPoint,
    CreditNotice,
    Escalation,
    EscalationDecision,
    Loan,
    LoanStatus,
    MessageStatus,
    Payment,
    PromiseStatus,
    PromiseToPay,
    ReminderMessage,
    RepaymentPlan,
    Role,
    User,
)
from app.models.types import new_id, replayed_rows
from app.services.common import clock
from app.services.common.clock import local_today
from app.services.contact.compliance import profile_code_for
from app.services.contact.queue import overdue_balances
from app.services.messaging.base import DeliveryReport, MessageChannel, Sender
from app.services.messaging.spool import SpoolSender
from app.services.reminders.dispatch import (
    PLAN_CARRIES,
    apply_reports,
    decide,
    notice_on_send,
    outbound,
    planned_message,
    record_answer,
    run_reminders,
    system_user,
)
from app.services.reminders.overview import (
    first_run,
    first_runs,
    place_zones,
    runs_of,
    strategy_or_none,
)

# Switched on by the tests: each run through `run_reminders` itself, a unit of work a message,
# to check that the build's runs (`_run`) store the very same rows.
THROUGH_RUN_REMINDERS = False
# UUID version 7 layout, as the rest of the demo's keys (app.demo.state).
_V7 = (0x7 << 76) | (0b10 << 62)
# The report of an SMS whose recipient blocked the sender (errors.json: "The borrower blocked
# our messages").
BLOCKED = "MOBILE_IN_BLACK"


@dataclass(frozen=True)
class RemindersDone:
    messages: int  # reminder messages written
    attempts: int  # the contact attempts recorded with them
    logins: int  # the job's own login, made by its first run


@dataclass(frozen=True)
class _Run:
    at: datetime
    places: tuple[tuple[str, str], ...]  # (country, province) whose window opens at it


class _Moment:
    """The moment the services' rows are made at: the run's, or the reports'."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


class _Keys:
    """Version 7 keys: the moment's milliseconds, then bits of the seed's stream."""

    def __init__(self, rng: random.Random, moment: _Moment) -> None:
        self._rng = rng
        self._moment = moment

    def __call__(self) -> uuid.UUID:
        millis = int(self._moment.at.timestamp() * 1000)
        bits = self._rng.getrandbits(74)
        return uuid.UUID(int=(millis << 80) | _V7 | (bits >> 62) << 64 | bits & ((1 << 62) - 1))


def send_reminders(
    db: Database, *, seed: int, as_of: datetime, spec: Mapping[str, Any]
) -> RemindersDone:
    """Run the reminders job over the demo's last days (spec: portfolio.json "reminders")."""
    runs = _runs(db, as_of, int(spec["days"]))
    fate = random.Random(f"{seed}:reminders")
    moment = _Moment(as_of)
    keys = _Keys(random.Random(f"{seed}:reminder keys"), moment)
    opt_out = _opt_out_run(runs, as_of - timedelta(seconds=int(spec["opt_out_after_seconds"])))
    with (
        tempfile.TemporaryDirectory(prefix="collector-demo-spool-") as folder,
        replayed_rows(keys, moment.now),
        # Notices are given, and messages sent, when the clock says: the run's moment.
        clock.reading(moment.now),
    ):
        if runs:
            _notices_before(db, runs[0].at, moment)
        senders: dict[str, Sender] = {
            channel.value: _Provider(Path(folder), channel) for channel in MessageChannel
        }
        for run in runs:
            moment.at = run.at
            only = and_(_at(run.places), unchanged_since(run.at))
            if THROUGH_RUN_REMINDERS:
                run_reminders(db, senders, at=run.at, only=only)
            else:
                _run(db, senders, run.at, only)
            reports = _reports(db, run.at, as_of, fate, spec, opted=run is opt_out)
            if reports:
                moment.at = max(report.reported_at for report in reports)
                apply_reports(db, reports)
    with db.reader() as session:
        messages = session.scalar(select(func.count()).select_from(ReminderMessage)) or 0
        attempts = session.scalar(
            select(func.count())
            .select_from(ContactAttempt)
            .join(User, User.id == ContactAttempt.user_id)
            .where(User.role == Role.SYSTEM)
        )
        logins = session.scalar(select(func.count()).where(User.role == Role.SYSTEM))
    return RemindersDone(messages, attempts or 0, logins or 0)


def _run(
    db: Database, senders: Mapping[str, Sender], at: datetime, only: ColumnElement[bool]
) -> None:
    """One run of the job, as `run_reminders` makes it, in one unit of work: what `decide`
    finds due and allowed, planned (`planned_message`), handed to its sender and the answer
    recorded (`record_answer`) in the order run_reminders sends them, so the rows are the very
    same (THROUGH_RUN_REMINDERS). The job's unit of work a message (what a run killed half-way
    must find again) is not needed inside a build, which is kept or lost whole, and would
    make the build several times slower."""
    with db.session() as session:
        decided = decide(session, at, only=only)
        user_id = system_user(session, create=True).id
        rows = [planned_message(candidate, user_id, at) for candidate in decided.messages]
        session.add_all(rows)
        session.flush()
        rendered = {candidate.key: candidate.rendered for candidate in decided.messages}
        for row in sorted(rows, key=lambda row: row.key):
            sender = senders[row.channel.value]
            result = sender.send(outbound(row, rendered[row.key]))
            record_answer(
                session, row, result, at, notice_at=at if notice_on_send(sender) else None
            )


class _Provider(SpoolSender):
    """The demo's providers: a mail server that takes each e-mail (a bounce comes later, as a
    report), an SMS provider that reports each text's delivery (`_reports`). What they take is
    written to the build's spool folder, which goes with the build."""

    reaches_recipients = True

    def __init__(self, folder: Path, channel: MessageChannel) -> None:
        super().__init__(folder, channel)
        self.reports_delivery = channel is MessageChannel.SMS


def unchanged_since(at: datetime) -> ColumnElement[bool]:
    """The accounts (on `Loan` and `Borrower`) the dispatcher reads now as they were at `at`,
    in everything that could have stopped a message then: no payment made or reversed after
    it (balances, due dates and settled instalments are as they were), no promise pending
    then and resolved since, no plan carrying the account then and closed since, no
    escalation pausing collection then and lifted since, and the borrower (marks, window)
    not changed since. What began after `at` (a promise made, a mark set) holds messages now
    that went then: a reminder missing from the history, never one sent against a rule."""
    changed = union(
        select(Payment.loan_id).where(or_(Payment.paid_at > at, Payment.reversed_at > at)),
        select(PromiseToPay.loan_id).where(
            PromiseToPay.created_at <= at,
            PromiseToPay.status != PromiseStatus.PENDING,
            or_(PromiseToPay.resolved_at.is_(None), PromiseToPay.resolved_at > at),
        ),
        select(RepaymentPlan.loan_id).where(
            RepaymentPlan.issued_at <= at,
            RepaymentPlan.status.not_in(PLAN_CARRIES),
            or_(RepaymentPlan.closed_at.is_(None), RepaymentPlan.closed_at > at),
        ),
        select(Escalation.loan_id).where(
            Escalation.raised_at <= at,
            Escalation.decision == EscalationDecision.RESUME,
            or_(Escalation.decided_at.is_(None), Escalation.decided_at > at),
        ),
    )
    return and_(Loan.id.not_in(changed), Borrower.updated_at <= at)


def _notices_before(db: Database, start: datetime, moment: _Moment) -> None:
    """The credit-reporting notices the job gave before its history here begins: each open
    account that was already past its strategy's notice day then was told on that day (at
    its first run inside the send window), by SMS (or e-mail when it has no mobile a message
    may go to), as the notices service records one. Their messages are older than the history,
    as the calls before the demo's month are; without the notices the history's first run
    would tell every one of them at once. A borrower marked with a stop of the strategy now
    is left out (the mark may have come first)."""
    first_day = local_today(start)
    with db.session() as session:
        balance = overdue_balances(first_day, Loan.status == LoanStatus.ACTIVE)
        accounts = session.execute(
            select(
                Loan.id,
                Borrower.id,
                Borrower.country,
                Borrower.province,
                balance.c.oldest_due,
                *(getattr(Borrower, name) for name in BORROWER_FLAGS),
            )
            .join(Borrower, Borrower.id == Loan.borrower_id)
            .join(balance, balance.c.loan_id == Loan.id)
            .where(
                Loan.status == LoanStatus.ACTIVE,
                Borrower.erased_at.is_(None),
                Loan.id.not_in(select(CreditNotice.loan_id)),
            )
            .order_by(Loan.contract_no)
        ).all()
        usable: dict[uuid.UUID, set[str]] = defaultdict(set)
        for borrower_id, kind in session.execute(
            select(ContactPoint.borrower_id, ContactPoint.kind).where(
                ContactPoint.kind.in_((ContactKind.MOBILE, ContactKind.EMAIL)),
                ContactPoint.do_not_call.is_(False),
                ContactPoint.wrong_number.is_(False),
            )
        ):
            usable[borrower_id].add(kind.value)
        given: list[tuple[uuid.UUID, str, datetime, int]] = []
        for loan_id, borrower_id, country, province, oldest, *flags in accounts:
            strategy = strategy_or_none(profile_code_for(country))
            if strategy is None:
                continue
            step = next((s for s in strategy.steps if s.kind == "credit_notice"), None)
            if step is None or step.from_dpd is None:
                continue
            day = oldest + timedelta(days=step.from_dpd)
            marked = {name for name, on in zip(BORROWER_FLAGS, flags, strict=True) if on}
            if day >= first_day or marked & strategy.stops:
                continue  # the history's runs give it, or nothing may
            kinds = usable[borrower_id]
            channel = "sms" if "mobile" in kinds else "email" if "email" in kinds else None
            at = first_run(strategy, place_zones(country, province), runs_of(day))
            if channel is None or at is None:
                continue
            given.append((loan_id, channel, at, strategy.reporting_after_days))
        # The job's login, made by its first run: before the first of these.
        moment.at = min((at for _, _, at, _ in given), default=start)
        user_id = system_user(session, create=True).id
        # As `record_credit_notice` records one, written together.
        session.add_all(
            CreditNotice(
                id=new_id(),
                loan_id=loan_id,
                channel=channel,
                notified_at=at,
                reporting_from=local_today(at) + timedelta(days=days),
                recorded_by_id=user_id,
                created_at=at,
            )
            for loan_id, channel, at, days in sorted(given, key=lambda notice: notice[2])
        )


def _at(places: Sequence[tuple[str, str]]) -> ColumnElement[bool]:
    return or_(
        *(and_(Borrower.country == country, Borrower.province == p) for country, p in places)
    )


def _runs(db: Database, as_of: datetime, days: int) -> list[_Run]:
    """The runs of the last `days` business days and of today before `as_of`, in order."""
    today = local_today(as_of)
    found: list[_Run] = []
    with db.reader() as session:
        for back in range(days, -1, -1):
            day = today - timedelta(days=back)
            for at, places in sorted(first_runs(session, runs_of(day)).items()):
                if at < as_of:
                    found.append(_Run(at, tuple(sorted(places))))
    return found


def _opt_out_run(runs: Sequence[_Run], by: datetime) -> _Run | None:
    """The run one of whose SMS the recipient's carrier refuses: the latest of the runs for
    the most places (the lender's home market) early enough for its reports to be in."""
    early = [run for run in runs if run.at <= by]
    if not early:
        return None
    return max(early, key=lambda run: (len(run.places), run.at))


def _reports(
    db: Database,
    at: datetime,
    as_of: datetime,
    fate: random.Random,
    spec: Mapping[str, Any],
    *,
    opted: bool,
) -> list[DeliveryReport]:
    """The reports on the messages the run at `at` sent that are in by `as_of`: each SMS's
    (delivered or not), the e-mails that bounced; `opted`: one SMS refused as opted out."""
    with db.reader() as session:
        sent = session.execute(
            select(
                ReminderMessage.key,
                ReminderMessage.channel,
                ReminderMessage.recipient,
                ReminderMessage.provider_id,
                ReminderMessage.borrower_id,
            )
            .where(ReminderMessage.planned_at == at, ReminderMessage.status == MessageStatus.SENT)
            .order_by(ReminderMessage.key)
        ).all()
        texted: set[uuid.UUID] = set()
        if opted:
            texted = set(
                session.scalars(
                    select(ReminderMessage.borrower_id).where(
                        ReminderMessage.status == MessageStatus.DELIVERED,
                        ReminderMessage.channel == Channel.SMS,
                        ReminderMessage.planned_at < at,
                    )
                )
            )
    sms_low, sms_high = (int(s) for s in spec["sms_report_seconds"])
    mail_low, mail_high = (int(s) for s in spec["email_bounce_seconds"])
    undelivered = float(spec["sms_undelivered_share"])
    bounced = float(spec["email_bounced_share"])
    codes = [(str(code), int(weight)) for code, weight in spec["bounce_codes"].items()]
    reports: list[DeliveryReport] = []
    refusable: list[int] = []
    for key, channel, recipient, provider_id, borrower_id in sent:
        # Two draws a message, whatever comes of them: the stream stays in step.
        roll, wait = fate.random(), fate.random()
        if channel is Channel.SMS:
            reported = at + timedelta(seconds=sms_low + int(wait * (sms_high - sms_low)))
            if reported >= as_of:
                continue  # its report is not in yet
            if borrower_id in texted:
                refusable.append(len(reports))
            reports.append(
                DeliveryReport(provider_id or "", recipient, roll >= undelivered, reported, key)
            )
            continue
        if roll >= bounced:
            continue  # an e-mail that did not bounce: nothing comes back
        reported = at + timedelta(seconds=mail_low + int(wait * (mail_high - mail_low)))
        code = _pick(codes, roll / bounced)
        if reported < as_of:
            reports.append(DeliveryReport(provider_id or "", recipient, False, reported, key, code))
    if opted:
        texts = refusable or [n for n, r in enumerate(reports) if r.key and r.key.endswith(":sms")]
        if texts:
            n = texts[int(fate.random() * len(texts))]
            report = reports[n]
            reports[n] = DeliveryReport(
                report.provider_id,
                report.to,
                False,
                report.reported_at,
                report.key,
                BLOCKED,
                opted_out=True,
            )
    return reports


def _pick(weighted: Sequence[tuple[str, int]], share: float) -> str:
    """The choice `share` (0 to 1) falls on, by weight."""
    total = sum(weight for _, weight in weighted)
    point = share * total
    for choice, weight in weighted:
        point -= weight
        if point < 0:
            return choice
    return weighted[-1][0]
