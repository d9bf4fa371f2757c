"""What a referral package shows, gathered once (`package.gather`) and rendered as PDFs and CSVs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.services.legal.export_tables import Section
from app.services.legal.package_statement import Statement


@dataclass(frozen=True)
class ReferralFacts:
    """The account's legal referral, as the cover sheet shows it."""

    referred_at: datetime
    referred_by: str
    reason: str
    firm: str
    case_number: str
    court: str
    stage: str


@dataclass(frozen=True)
class PackageContent:
    """Everything a package shows, gathered in one unit of work."""

    contract_no: str
    lender: dict[str, str]
    written_at: datetime
    written_by: str
    borrower_name: str
    referral: ReferralFacts | None
    statement: Statement
    borrower_zone: str
    sections: tuple[Section, ...]
