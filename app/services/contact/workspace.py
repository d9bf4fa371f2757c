"""The read model of the collector's workspace: one account, everything shown about it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from app.database import Database
from app.services.contact.dialing import CallOption, call_options
from app.services.contact.scripts import THIRD_PARTY_STAGE, Script, call_script
from app.services.portfolio.accounts import AccountDetail, account_detail


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
    """The account's detail (an audited view), its call options and both scripts."""
    at = (at or datetime.now(UTC)).astimezone(UTC)
    return AccountView(
        detail=account_detail(db, username, contract_no, at),
        options=call_options(db, username, contract_no, at),
        script=call_script(db, username, contract_no, language, at),
        third_party_script=call_script(
            db, username, contract_no, language, at, stage=THIRD_PARTY_STAGE
        ),
    )
