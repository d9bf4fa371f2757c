"""The read model of the collector's workspace: one account, everything shown about it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from app.database import Database
from app.services.contact.contacts import phone_decisions
from app.services.contact.dialing import CallOption, options_of
from app.services.contact.scripts import (
    THIRD_PARTY_STAGE,
    Script,
    filled_script,
    last_failed_promise,
)
from app.services.portfolio.accounts import (
    AccountDetail,
    audit_view,
    borrower_points,
    instalment_states,
    open_account,
    read_detail,
    to_state,
)


@dataclass(frozen=True)
class AccountView:
    detail: AccountDetail
    options: tuple[CallOption, ...]
    # The script for the borrower's stage, and the one for a call to a third party
    # (an emergency contact), which only asks them to pass a message on.
    script: Script
    third_party_script: Script


def account_view(
    db: Database, username: str, contract_no: str, language: str, at: datetime | None = None
) -> AccountView:
    """The account's detail (an audited view), its call options and both scripts.

    What `account_detail`, `call_options` and `call_script` give, read in one session: the
    account, its schedule and its contact points once for all of them (a switch of accounts
    waits for every statement).
    """
    at = (at or datetime.now(UTC)).astimezone(UTC)
    with db.reader() as session:
        user, loan, borrower = open_account(session, username, contract_no)
        rows = instalment_states(session, loan.id)
        points = borrower_points(session, borrower.id)
        detail = read_detail(session, user, loan, borrower, rows, points, at)
        options = options_of(phone_decisions(session, loan, borrower, at, points))
        failed = last_failed_promise(session, loan.id)
        states = [to_state(row) for row in rows]
    audit_view(db, user, loan)
    return AccountView(
        detail=detail,
        options=options,
        script=filled_script(user, loan, borrower, states, failed, language, at),
        third_party_script=filled_script(
            user, loan, borrower, states, failed, language, at, stage=THIRD_PARTY_STAGE
        ),
    )
